"""Queue numbers (nomor antrian) given by an SOP step declared ``assigns_queue = true``
(Akta Kelahiran step 2: "jika lengkap memberikan nomor antrian").

One sequence per service per day (WIB), gapless, taken from the register counters under a key
of its own (``#<CODE>``, the day as ``YYYYMMDD``) in the caller's transaction, so two PCs never
hand out the same number. The number is kept with the request's recorded numbers
(``case_documents``, kind :data:`QUEUE_KIND`) and shown with them; a request that passes the
step again keeps its number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendar import WIB
from ..models import CaseDocument
from ..sop.definitions import QUEUE_NUMBER_KIND
from .register import next_number

__all__ = ["QUEUE_KIND", "assign", "queue_number"]

#: ``case_documents.kind`` of a queue number.
QUEUE_KIND = QUEUE_NUMBER_KIND


def queue_number(session: Session, case_id: int) -> str | None:
    return session.execute(
        select(CaseDocument.number).where(
            CaseDocument.case_id == case_id, CaseDocument.kind == QUEUE_KIND
        )
    ).scalar()


def assign(session: Session, *, case_id: int, service: str, user_id: int, at: datetime) -> str:
    """Give the request its queue number for the day of ``at`` (once)."""
    existing = queue_number(session, case_id)
    if existing is not None:
        return existing
    day = at.astimezone(WIB)
    number = next_number(session, f"#{service}"[:16], int(day.strftime("%Y%m%d")))
    text = f"{number:03d}"
    session.add(
        CaseDocument(
            case_id=case_id, kind=QUEUE_KIND, number=text, recorded_at=at, recorded_by=user_id
        )
    )
    session.flush()
    return text
