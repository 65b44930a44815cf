"""``Ops`` runs every read job in the read unit (``Database.read()``) on its worker threads: the
answers see every write, the worker's pool keeps one connection rather than one leaked per job (a
QThread's Python thread state does not outlive a slot call, so nothing may be kept per thread),
and a read job that tries to write is refused by the database: nothing changes, and the window
gets the plain "unexpected error" message, never a traceback."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from sipelayanan.db import Database
from sipelayanan.errors import SipelayananError
from sipelayanan.models import Case
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
        tokens.append(run(qtbot, ops, audit.change_token))
        found = run(qtbot, ops, lambda s: search(s, codes[-1]))
        assert [r.code for r in found] == [codes[-1]]
        assert run(qtbot, ops, lambda s: len(inbox(s, ["operator_online"], limit=500))) == i + 1
        # a write job in between, as the windows interleave them
        assert run(qtbot, ops, audit.change_token, write=True) == tokens[-1]
    assert tokens == sorted(tokens) and len(set(tokens)) == len(tokens)
    qtbot.waitUntil(lambda: not ops.busy, timeout=10000)  # the change check after a write
    worker_db = ops._workers[0]._db
    assert worker_db is not None
    # every job gave its connection back, and the jobs of each kind used one connection
    # (SQLite reads have a pool of their own, of connections that refuse changes)
    for pool in {worker_db.engine.pool, worker_db._read_engine.pool}:
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
        assert pool.checkedin() == 1  # type: ignore[attr-defined]


def test_a_read_job_cannot_write(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ops: Ops
) -> None:
    code = new_case(db, actors, "KK", nama="Warga Tetap")
    with db.read() as s:
        before = audit.change_token(s)

    def sneaky(session: Any) -> None:
        session.execute(update(Case).where(Case.code == code).values(pemohon_nama="Diubah"))

    error = run(qtbot, ops, sneaky)
    assert isinstance(error, SipelayananError)
    assert "tak terduga" in str(error)
    with db.read() as s:
        assert s.execute(select(Case.pemohon_nama).where(Case.code == code)).scalar() == (
            "Warga Tetap"
        )
        assert audit.change_token(s) == before
    # the worker's next jobs, read and write, run normally on the same pool
    assert [r.code for r in run(qtbot, ops, lambda s: search(s, code))] == [code]
    assert run(qtbot, ops, audit.change_token, write=True) == before
