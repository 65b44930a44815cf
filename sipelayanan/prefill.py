"""What a typed NIK already tells the intake form (issue 12.12), decided outside any window:

- the kecamatan, when the NIK was issued in one of this kabupaten's kecamatan (digits 1-6 of a
  NIK are its region code; the region table ships in ``resources/wilayah``);
- the conditions its SOP decides from the holder's age (``nik_age_from`` on a condition, e.g.
  KIA's "anak berumur lebih dari 5 tahun" from the child's birth date in the NIK).

Pure: no database, no Qt. The form shows the result and the clerk may still change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .calendar import WIB
from .identity import ValidationError, kecamatan_name, parse_nik
from .sop import ServiceDef
from .sop.checklist import nik_conditions

__all__ = ["NikPrefill", "from_nik"]


@dataclass(frozen=True)
class NikPrefill:
    kecamatan: str | None  # "18.08.01" when the NIK is from a kecamatan of this kabupaten
    conditions_hold: frozenset[str]
    conditions_not_hold: frozenset[str]


def from_nik(sdef: ServiceDef | None, nik: str, *, today: date | None = None) -> NikPrefill | None:
    """The prefill for ``nik`` (None when it is not a valid NIK)."""
    try:
        info = parse_nik(nik, today=today)
    except ValidationError:
        return None
    kecamatan = info.kecamatan_code if kecamatan_name(info.kecamatan_code) else None
    hold: set[str] = set()
    not_hold: set[str] = set()
    if sdef is not None:
        on = today or datetime.now(WIB).date()
        hold, not_hold = nik_conditions(sdef, info.birth_date, on)
    return NikPrefill(kecamatan, frozenset(hold), frozenset(not_hold))
