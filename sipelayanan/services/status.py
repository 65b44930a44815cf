"""The status reply anyone holding a tracking code may receive (the text: :mod:`.status_text`),
read through the app's own read unit. Nothing personal ever enters it (UU 27/2022)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Case, Delivery
from .cases import definition_for
from .context import resolve_now
from .office import get_profile
from .queue import queue_number
from .status_text import (
    EXAMPLE,
    StatusAnswer,
    StatusFacts,
    compose,
    parse_code,
    public_missing_items,
    step_in_words,
    unknown,
)

__all__ = [
    "EXAMPLE",
    "StatusAnswer",
    "answer_status",
    "public_missing_items",
    "status_reply",
    "step_in_words",
]


def status_reply(session: Session, text: str, *, now: datetime | None = None) -> str:
    """Answer a status question. ``text`` may be the code (any case, with or without the
    hyphen), ``STATUS <code>`` or a scanned link holding it. Never raises for bad input."""
    return answer_status(session, text, now=now).text


def answer_status(session: Session, text: str, *, now: datetime | None = None) -> StatusAnswer:
    """:func:`status_reply` with whether a request was found (the CLI exits 2 when not)."""
    at = resolve_now(now)
    code, refused = parse_code(text)
    if code is None:
        assert refused is not None
        return refused
    case = session.execute(select(Case).where(Case.code == code)).scalar()
    if case is None:
        return unknown(code)
    delivery = session.execute(
        select(Delivery.method, Delivery.delivered_at).where(Delivery.case_id == case.id)
    ).first()
    facts = StatusFacts(
        code=case.code,
        sdef=definition_for(session, case),
        status=case.status,
        current_step=case.current_step,
        received_at=case.received_at,
        due_at=case.due_at,
        finished_at=case.finished_at,
        missing_items=case.missing_items,
        delivery_method=None if delivery is None else delivery[0],
        delivered_at=None if delivery is None else delivery[1],
        office_name=get_profile(session).name,
        queue_number=queue_number(session, case.id),
    )
    return compose(facts, at)
