"""The command line's fast status answer on a SQLite file: the same facts as :mod:`.status`,
read with the standard library's driver in read-only mode, so that ``sipelayanan status`` answers
without loading SQLAlchemy (the whole process in a fraction of a second at a million requests).

Returns ``None`` whenever it cannot answer with certainty (no such file, a schema it does not
know, any driver error): the caller then takes the app's normal path, which says what is wrong.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from ..sop import ServiceDef
from ..sop.definitions import QUEUE_NUMBER_KIND
from .office_defaults import DEFAULT_OFFICE_NAME
from .status_text import StatusAnswer, StatusFacts, compose, parse_code, unknown

_CASE = (
    "SELECT c.id, c.code, c.status, c.current_step, c.received_at, c.due_at, c.finished_at, "
    "c.missing_items, s.definition FROM cases c JOIN sop_snapshots s ON s.id = c.sop_snapshot_id "
    "WHERE c.code = ?"
)
_DELIVERY = "SELECT method, delivered_at FROM deliveries WHERE case_id = ?"
_QUEUE = "SELECT number FROM case_documents WHERE case_id = ? AND kind = ?"
_PROFILE = "SELECT value FROM office_settings WHERE key = 'profile'"


def sqlite_file_of(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL; None for anything else."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = url[len(prefix) :]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def _when(value: str | None) -> datetime | None:
    """Stored as naive UTC text (models.base.UtcDateTime)."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def answer_from_file(path: Path, text: str, now: datetime | None = None) -> StatusAnswer | None:
    at = (now or datetime.now(UTC)).astimezone(UTC)
    code, refused = parse_code(text)
    if code is None:
        return refused
    if not path.is_file():
        return None
    try:
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        with sqlite3.connect(uri, uri=True) as con:
            row = con.execute(_CASE, (code,)).fetchone()
            if row is None:
                return unknown(code)
            delivery = con.execute(_DELIVERY, (row[0],)).fetchone()
            queue = con.execute(_QUEUE, (row[0], QUEUE_NUMBER_KIND)).fetchone()
            profile = con.execute(_PROFILE).fetchone()
    except sqlite3.Error:
        return None
    office = json.loads(profile[0]).get("name") if profile else None
    received, due = _when(row[4]), _when(row[5])
    if received is None or due is None:
        return None
    facts = StatusFacts(
        code=row[1],
        sdef=ServiceDef.from_dict(json.loads(row[8])),
        status=row[2],
        current_step=int(row[3]),
        received_at=received,
        due_at=due,
        finished_at=_when(row[6]),
        missing_items=row[7],
        delivery_method=None if delivery is None else delivery[0],
        delivered_at=None if delivery is None else _when(delivery[1]),
        office_name=office or DEFAULT_OFFICE_NAME,  # the profile was never saved
        queue_number=None if queue is None else queue[0],
    )
    return compose(facts, at)
