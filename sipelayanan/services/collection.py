"""The "Siap diambil" list: documents the resident was told are ready and has not collected.

A request whose SOP ends with a notify step (``notifies = true``) finishes when the resident is
told; it then waits here until the hand-over is recorded (who collected, when — or the PT POS
resi) with :func:`sipelayanan.services.actions.record_collection`. The list reads the small
``awaiting_collection`` table, not every finished request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AwaitingCollection, Case
from ..sop import ServiceDef
from .cases import snapshot_definition
from .reading import columns, select_rows

__all__ = ["ReadyRow", "count_ready", "ready_for_collection"]

#: The list shows at most this many requests, oldest first (a pile this high is a problem the
#: "Hari ini" page names anyway).
DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class ReadyRow:
    code: str
    service: str
    service_name: str
    pemohon_nama: str
    ready_at: datetime  # when the resident was told
    #: how this service's documents usually leave: ``diambil`` (collected) or ``pos``
    hand_over_default: str


_COLUMNS = ("code", "service", "pemohon_nama", "ready_at", "sop_snapshot_id")


def ready_for_collection(
    session: Session,
    *,
    services: Iterable[str] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[ReadyRow]:
    """Requests told ready and not yet collected, longest waiting first."""
    stmt = (
        select(
            Case.code,
            Case.service,
            Case.pemohon_nama,
            AwaitingCollection.ready_at,
            Case.sop_snapshot_id,
        )
        .join(Case, Case.id == AwaitingCollection.case_id)
        .order_by(AwaitingCollection.ready_at, AwaitingCollection.case_id)
        .limit(max(1, int(limit)))
    )
    if services is not None:
        stmt = stmt.where(AwaitingCollection.service.in_(list(services)))
    result = select_rows(session, stmt)
    get = columns(result, _COLUMNS)
    rows = [get(r) for r in result]
    defs: dict[int, ServiceDef] = {}
    out: list[ReadyRow] = []
    for code, service, nama, ready_at, snapshot_id in rows:
        sdef = defs.get(snapshot_id)
        if sdef is None:
            sdef = defs[snapshot_id] = snapshot_definition(session, snapshot_id)
        out.append(ReadyRow(code, service, sdef.short_name, nama, ready_at, sdef.hand_over_default))
    return out


def count_ready(session: Session) -> int:
    """How many documents wait to be collected (for a badge or the "Hari ini" page)."""
    return int(session.execute(select(func.count()).select_from(AwaitingCollection)).scalar_one())
