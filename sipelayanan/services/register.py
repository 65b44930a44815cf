"""Gapless register numbers per service per year.

The counter row is incremented with ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` in the
caller's transaction: the row lock (PostgreSQL) or the write lock (SQLite) serialises
allocators, and a rolled-back transaction gives its number back. Never ``MAX()+1``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendar import WIB
from ..models import RegisterCounter, RegisterEntry
from .dialect import upsert_insert


def next_number(session: Session, service: str, year: int) -> int:
    table = RegisterCounter.__table__
    stmt = upsert_insert(session, table).values(service=service, year=year, last_number=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.service, table.c.year],
        set_={"last_number": table.c.last_number + 1},
    ).returning(table.c.last_number)
    return int(session.execute(stmt).scalar_one())


def assign(
    session: Session, *, case_id: int, service: str, user_id: int, at: datetime
) -> RegisterEntry:
    """Give the case its register number, once (a case revisiting the step keeps its number)."""
    existing = session.execute(
        select(RegisterEntry).where(RegisterEntry.case_id == case_id)
    ).scalar()
    if existing is not None:
        return existing
    year = at.astimezone(WIB).year
    entry = RegisterEntry(
        case_id=case_id,
        service=service,
        year=year,
        number=next_number(session, service, year),
        assigned_at=at,
        assigned_by=user_id,
    )
    session.add(entry)
    session.flush()
    return entry


def format_number(service: str, year: int, number: int) -> str:
    return f"{number:05d}/{service}/{year}"
