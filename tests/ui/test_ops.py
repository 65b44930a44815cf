"""``Ops`` runs the windows' frequent reads in the light read unit (``Database.lookup()``) on its
worker threads: answers like a session's, one connection kept per worker rather than one leaked
per job (a QThread's Python thread state does not outlive a slot call, so per-thread state must
not live in ``threading.local``), and a job that asks to write through a lookup is refused."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.services import audit
from sipelayanan.services.queries import inbox, search
from sipelayanan.ui.ops import Ops

from .conftest import new_case


def run(qtbot: QtBot, ops: Ops, fn: Any, **kw: Any) -> Any:
    got: list[Any] = []
    ops.run(fn, on_done=got.append, on_error=got.append, **kw)
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    return got[0]


def test_many_lookups_keep_one_connection_and_see_every_write(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ops: Ops
) -> None:
    tokens = []
    codes = []
    for i in range(12):
        codes.append(new_case(db, actors, "KK", nama=f"Warga {i}"))
        tokens.append(run(qtbot, ops, audit.change_token, lookup=True))
        found = run(qtbot, ops, lambda s: search(s, codes[-1]), lookup=True)
        assert [r.code for r in found] == [codes[-1]]
        # a session job in between, as the windows interleave them
        assert run(qtbot, ops, lambda s: len(inbox(s, ["operator_online"], limit=500))) == i + 1
    assert tokens == sorted(tokens) and len(set(tokens)) == len(tokens)
    worker_db = ops._workers[0]._db
    assert worker_db is not None
    held = 1 if worker_db.dialect == "sqlite" else 0  # SQLite keeps one; PostgreSQL returns it
    assert worker_db.engine.pool.checkedout() == held  # type: ignore[attr-defined]


def test_a_lookup_job_cannot_write(ops: Ops) -> None:
    with pytest.raises(ValueError):
        ops.run(audit.change_token, write=True, lookup=True)
