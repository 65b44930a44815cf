"""Fault scenarios that need their own mount: run inside a private mount namespace
(``unshare -Urm``) by tests/core/test_faults.py, so a tiny or read-only file system can be
mounted without touching the machine. Prints ``RESULT <json>``.

``disk_full DIR DB``: DIR is a tiny tmpfs holding the database DB; requests with berkas are
recorded until the disk is full, then the database is checked.
``read_only DIR DB CODE``: DIR is mounted read-only; reading and writing are attempted.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _intake(db: Any, actor: Any, i: int, size: int) -> str:
    from sipelayanan.services import cases as svc
    from sipelayanan.services.berkas import BerkasFile
    from tests.proc_worker import _pdf

    data = svc.IntakeData(
        service="KK",
        nama="Siti Aminah",
        nik="1808015708900003",
        wa="081234567890",
        berkas=[BerkasFile(f"kk-{i}.pdf", _pdf(f"isi-{i}", size))],
    )
    with db.write() as s:
        return svc.intake(s, actor, data).code


def disk_full(db_path: str) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from sipelayanan.db import Database
    from sipelayanan.errors import DatabaseUnavailable
    from sipelayanan.models import Attachment, Case
    from sipelayanan.services import audit
    from tests.proc_worker import _actor

    db = Database(f"sqlite:///{db_path}")
    actor = _actor(db, "online")
    saved: list[str] = []
    message = ""
    for i in range(400):
        try:
            saved.append(_intake(db, actor, i, 200_000))
        except DatabaseUnavailable as exc:
            message = str(exc)
            break
    db.dispose()
    # the app opens the database again, as after a restart, once some space is free
    db = Database(f"sqlite:///{db_path}")
    with db.read() as s:
        cases = set(s.execute(select(Case.code)).scalars())
        attachments = s.execute(select(func.count(Attachment.id))).scalar_one()
        chain = audit.verify(s)
        check = s.execute(text("PRAGMA integrity_check")).scalar()
    db.dispose()
    return {
        "saved": saved,
        "message": message,
        "cases": sorted(cases),
        "attachments": attachments,
        "audit_ok": chain.ok,
        "integrity": check,
    }


def read_only(db_path: str, code: str) -> dict[str, Any]:
    from sipelayanan.db import Database
    from sipelayanan.errors import DatabaseUnavailable, SipelayananError
    from sipelayanan.services.queries import case_view

    out: dict[str, Any] = {}
    db = Database(f"sqlite:///{db_path}")
    try:
        with db.read() as s:
            out["read"] = case_view(s, code).code
    except DatabaseUnavailable as exc:
        out["read_error"] = str(exc)
    try:
        from sipelayanan.services import audit

        with db.write() as s:
            audit.record(s, None, "test.write", "test", None, username="(uji)")
        out["write"] = "ok"
    except SipelayananError as exc:
        out["write_error"] = f"{type(exc).__name__}: {exc}"
    db.dispose()
    return out


def main() -> None:
    task = sys.argv[1]
    if task == "disk_full":
        out = disk_full(sys.argv[2])
    elif task == "read_only":
        out = read_only(sys.argv[2], sys.argv[3])
    else:  # pragma: no cover
        raise SystemExit(f"unknown task {task}")
    sys.stdout.write("RESULT " + json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
