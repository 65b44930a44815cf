"""Pengaduan: the complaint flow's page (SOP Penanganan Pengaduan Masyarakat, Perpres 76/2013).

Split along its seams: ``model`` (the list's table model), ``forms`` (one action form, built
from the forms the SOP file declares), ``register`` (Daftarkan pengaduan), ``detail`` (one
complaint), ``page`` (the page). The reads and every action are one function each in
``services.complaints``.
"""

from __future__ import annotations

from ...services.complaints import SCOPE_DONE, SCOPE_MINE, SCOPE_OPEN
from .detail import ComplaintDetail
from .forms import ActionForm
from .model import ComplaintModel
from .page import PengaduanPage
from .register import RegisterForm

__all__ = [
    "SCOPE_DONE",
    "SCOPE_MINE",
    "SCOPE_OPEN",
    "ActionForm",
    "ComplaintDetail",
    "ComplaintModel",
    "PengaduanPage",
    "RegisterForm",
]
