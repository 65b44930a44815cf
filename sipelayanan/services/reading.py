"""How read functions run their statements: SQLAlchemy Core on the unit of work's connection.

``session.execute`` would send a statement built from mapped attributes (``Case.code``) through
the ORM's result machinery, which costs several microseconds per row for plain columns — more
than the query on an indexed million-row table. :func:`select_rows` runs the same statement on
the session's own connection (so in its transaction), after the flush the session's autoflush
would have done, so a service reading inside its write unit sees its own pending changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable


def connection(session: Session) -> Connection:
    """The connection of ``session``'s transaction, after the flush autoflush would do: for a
    read function that runs several statements."""
    session.flush()  # nothing to do in the read unit; a write unit reads its pending changes
    return session.connection()


def columns(result: CursorResult[Any], names: Iterable[str]) -> Callable[[Any], tuple[Any, ...]]:
    """Reads the columns ``names`` of a row of ``result``, in that order: the positions are
    looked up by name once per result (a page holds hundreds of rows; attribute access by name
    on each row costs more than fetching it)."""
    keys = list(result.keys())
    wanted = [keys.index(name) for name in names]
    if len(wanted) == 1:
        only = wanted[0]
        return lambda row: (row[only],)
    return itemgetter(*wanted)


def select_rows(
    session: Session, statement: Executable, params: Mapping[str, Any] | None = None
) -> CursorResult[Any]:
    """The result of a Core ``SELECT`` in ``session``'s transaction; read rows by name."""
    return connection(session).execute(statement, dict(params or {}))
