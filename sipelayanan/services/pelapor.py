"""Who may see a pelapor's identity (Perpres 76/2013: the reporter is protected).

A complaint's pelapor — name, WhatsApp number, NIK — is shown only to the complaint roles (the
roles the complaint SOPs give a step or a seat at one); any other role sees :data:`HIDDEN`. When
the pelapor asked for it (``rahasia``), the identity stays hidden in every output too (search,
reports, recaps), and only the complaint page shows it to those who must answer.

Small and free of other services so the read functions (``queries``) can use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ComplaintDetail
from ..sop.catalog import complaint_codes, complaint_roles

#: Shown instead of the pelapor's name (and, emptied, their number and NIK) where hidden.
HIDDEN: Final = "(identitas pelapor dirahasiakan)"

__all__ = [
    "HIDDEN",
    "complaint_codes",
    "complaint_roles",
    "confidential_ids",
    "hidden_in_list",
    "hidden_in_view",
    "sees_pelapor",
]


def sees_pelapor(roles: Iterable[str]) -> bool:
    """Whether these roles may see a (not confidential) pelapor's identity."""
    return bool(complaint_roles() & set(roles))


def confidential_ids(session: Session, case_ids: Sequence[int]) -> set[int]:
    """Which of these requests are complaints whose pelapor asked to stay anonymous."""
    if not case_ids:
        return set()
    stmt = select(ComplaintDetail.case_id).where(
        ComplaintDetail.case_id.in_(list(case_ids)), ComplaintDetail.rahasia.is_(True)
    )
    return {int(i) for i in session.execute(stmt).scalars()}


def hidden_in_view(service: str, roles: Iterable[str]) -> bool:
    """Whether a request's person is hidden in a case view opened by a user with ``roles``:
    a complaint opened by someone without a complaint role. (No roles at all: an internal read
    with no user behind it, e.g. composing a message for the complaint page.)"""
    roles = set(roles)
    return bool(roles) and service in complaint_codes() and not sees_pelapor(roles)


def hidden_in_list(service: str, roles: Iterable[str] | None, rahasia: bool) -> bool:
    """Whether a request's person is hidden in a list (search results): a complaint, unless the
    reader holds a complaint role and the pelapor did not ask to stay anonymous."""
    if service not in complaint_codes():
        return False
    return rahasia or roles is None or not sees_pelapor(roles)
