"""A separate process acting as one PC, for the concurrency and fault tests.

Run as ``python -m tests.proc_worker '<json>'``. The JSON names a ``task`` and its arguments.
The worker opens its own :class:`Database`, prints ``READY``, waits until the ``go`` file exists
(so several workers start at the same moment), does its task through the real service layer and
prints ``RESULT <json>``. ``hang`` tasks print ``MID <json>`` and then wait to be killed.

The parent side (:func:`start`, :func:`release`, :func:`result`) lives here too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- parent side


def start(task: str, **args: Any) -> subprocess.Popen[str]:
    payload = json.dumps({"task": task, **args})
    env = dict(os.environ)
    env.pop("SIPELAYANAN_DB", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.proc_worker", payload],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def expect_line(proc: subprocess.Popen[str], prefix: str, timeout: float = 120) -> str:
    """Read stdout lines until one starts with ``prefix``; return the rest of it."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            err = proc.stderr.read() if proc.stderr else ""
            raise AssertionError(f"worker ended before {prefix!r}: {err[-3000:]}")
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    raise AssertionError(f"worker did not say {prefix!r} in {timeout}s")


def release(procs: list[subprocess.Popen[str]], go: Path) -> None:
    for p in procs:
        expect_line(p, "READY")
    go.touch()


def result(proc: subprocess.Popen[str], timeout: float = 300) -> dict[str, Any]:
    data = json.loads(expect_line(proc, "RESULT ", timeout))
    proc.wait(timeout=30)
    assert proc.stderr is not None
    proc.stderr.close()
    assert proc.stdout is not None
    proc.stdout.close()
    return data  # type: ignore[no-any-return]


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


# --------------------------------------------------------------------------- worker side


def _say(prefix: str, data: Any = None) -> None:
    sys.stdout.write(prefix + ("" if data is None else " " + json.dumps(data)) + "\n")
    sys.stdout.flush()


def _wait_go(args: dict[str, Any]) -> None:
    _say("READY")
    go = args.get("go")
    while go and not os.path.exists(go):
        time.sleep(0.001)


def _actor(db: Any, username: str) -> Any:
    from sqlalchemy import select

    from sipelayanan.models import User
    from sipelayanan.services.context import Actor

    with db.read() as s:
        uid = s.execute(select(User.id).where(User.username == username)).scalar_one()
    return Actor(uid, username, workstation=f"PC-{os.getpid()}")


def _fresh(db: Any, code: str) -> dict[str, Any]:
    from sipelayanan.services.queries import case_view

    with db.read() as s:
        v = case_view(s, code)
    return {"step": v.current_step, "status": v.status, "version": v.version}


def task_advance_many(db: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Finish the current step of each case (e.g. KTP-el step 4, which takes a register no.)."""
    from sipelayanan.errors import SipelayananError
    from sipelayanan.services import cases as svc

    actor = _actor(db, args["user"])
    _wait_go(args)
    started = time.perf_counter()
    errors: list[str] = []
    done = 0
    for code in args["codes"]:
        try:
            with db.write() as s:
                svc.advance(s, actor, code, resi=f"P{code}")
            done += 1
        except SipelayananError as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    return {"done": done, "errors": errors, "seconds": time.perf_counter() - started}


def task_race(db: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Act on one case with the version the clerk saw; report the outcome and fresh data."""
    from sipelayanan.errors import ConflictError
    from sipelayanan.services import cases as svc

    actor = _actor(db, args["user"])
    code = args["code"]
    seen = _fresh(db, code)  # what the clerk's window shows
    _wait_go(args)
    # the window passes the version it showed; the command line may pass the step instead
    by_version = args.get("guard", "version") == "version"
    expected = seen["version"] if by_version else None
    try:
        with db.write() as s:
            if args["action"] == "advance":
                svc.advance(
                    s,
                    actor,
                    code,
                    expected_version=expected,
                    expected_step=None if by_version else seen["step"],
                )
            elif args["action"] == "return_pemohon":
                svc.return_to_pemohon(
                    s, actor, code, missing=["fotokopi_kk"], expected_version=expected
                )
            elif args["action"] == "cancel":
                svc.cancel(
                    s, actor, code, reason="Dibatalkan pemohon", expected_version=seen["version"]
                )
            else:  # pragma: no cover
                raise ValueError(args["action"])
        outcome, message = "ok", ""
    except ConflictError as exc:
        outcome, message = "conflict", str(exc)
    return {"outcome": outcome, "message": message, "seen": seen, "fresh": _fresh(db, code)}


def _intake_data(i: int, berkas: int = 0) -> Any:
    from sipelayanan.services import cases as svc
    from sipelayanan.services.berkas import BerkasFile

    files = [
        BerkasFile(f"kk-{i}-{j}.pdf", _pdf(f"{os.getpid()}-{i}-{j}", 20_000)) for j in range(berkas)
    ]
    return svc.IntakeData(
        service="KK",
        nama="Siti Aminah",
        nik="1808015708900003",
        wa="081234567890",
        berkas=files,
    )


def _pdf(tag: str, size: int) -> bytes:
    body = f"%PDF-1.4\n% {tag}\n".encode()
    filler = (tag.encode() * (size // max(1, len(tag)) + 1))[: max(0, size - len(body) - 40)]
    return body + filler + b"\nstartxref\n0\n%%EOF\n"


def task_intake_many(db: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Record ``n`` requests; with ``same_codes`` every worker draws its codes from one small
    shared pool, so PCs collide on purpose. A refused attempt is retried as a clerk would
    press again."""
    import random

    from sipelayanan.errors import ConflictError
    from sipelayanan.identity import new_tracking_code
    from sipelayanan.services import cases as svc

    if args.get("same_codes"):
        seed = random.Random(2022)
        pool = [new_tracking_code(seed) for _ in range(args.get("pool", 150))]
        mine = random.Random(os.getpid())
        svc.new_tracking_code = lambda _rng=None: mine.choice(pool)  # type: ignore[assignment]
    actor = _actor(db, "online")
    _wait_go(args)
    codes: list[str] = []
    conflicts: list[str] = []
    for i in range(args["n"]):
        for _attempt in range(200):
            try:
                with db.write() as s:
                    codes.append(svc.intake(s, actor, _intake_data(i)).code)
                break
            except ConflictError as exc:
                conflicts.append(str(exc))
    return {"codes": codes, "conflicts": conflicts}


def task_hang(db: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Start an intake or a step and stop at ``point`` (``flushed``: rows written, not yet
    committed; ``committed``: just after the commit) until the parent kills the process."""
    from sqlalchemy import event

    from sipelayanan.services import cases as svc

    actor = _actor(db, args["user"])
    _wait_go(args)
    point = args["point"]

    def hang(session: Any, *_: Any) -> None:
        _say("MID", {"point": point})
        time.sleep(3600)

    with db.write() as s:
        if point == "flushed":
            event.listen(s, "before_commit", hang)
        if args["kind"] == "intake":
            ref = svc.intake(s, actor, _intake_data(0, berkas=args.get("berkas", 2)))
        else:
            ref = svc.advance(s, actor, args["code"], resi="P123")
        _say("CODE", {"code": ref.code})
    if point == "committed":
        hang(None)
    return {}  # pragma: no cover - killed before


def task_intake_loop(db: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Record requests with berkas until killed or ``n`` are done; print each committed code."""
    from sipelayanan.services import cases as svc

    actor = _actor(db, "online")
    _wait_go(args)
    n = args.get("n", 10**9)
    for i in range(n):
        with db.write() as s:
            ref = svc.intake(s, actor, _intake_data(i, berkas=args.get("berkas", 1)))
            if args.get("advance"):
                svc.advance(s, actor, ref.code)
        _say("DONE", {"code": ref.code})
        time.sleep(args.get("pause", 0))  # a clerk's pace between saves
    return {"n": n}


def task_hold_write(db: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Hold a write transaction for ``seconds`` (SQLite: the write lock) then commit."""
    from sipelayanan.services import audit

    _wait_go(args)
    with db.write() as s:
        audit.record(s, None, "test.hold", "test", None, username="(uji)")
        _say("HOLDING")
        time.sleep(args["seconds"])
    return {"held": args["seconds"]}


def task_bad_logins(db: Any, args: dict[str, Any]) -> dict[str, Any]:
    """Try wrong passwords ``n`` times, as a login window would (the attempt is committed)."""
    from sipelayanan.errors import AuthError
    from sipelayanan.services.users import authenticate

    _wait_go(args)
    messages = []
    for _ in range(args["n"]):
        with db.write() as s:  # committed even when the password is wrong
            try:
                authenticate(s, args["user"], "sandi-yang-salah", workstation=f"PC-{os.getpid()}")
            except AuthError as exc:
                messages.append(str(exc))
    return {"messages": messages}


def task_demote(db: Any, args: dict[str, Any]) -> dict[str, Any]:
    """An admin deactivates another admin."""
    from sipelayanan.errors import SipelayananError
    from sipelayanan.services.users import update_user

    actor = _actor(db, args["user"])
    _wait_go(args)
    try:
        with db.write() as s:
            update_user(s, args["target"], actor=actor, active=False)
        return {"outcome": "ok"}
    except SipelayananError as exc:
        return {"outcome": type(exc).__name__, "message": str(exc)}


TASKS = {
    "bad_logins": task_bad_logins,
    "demote": task_demote,
    "advance_many": task_advance_many,
    "race": task_race,
    "intake_many": task_intake_many,
    "hang": task_hang,
    "intake_loop": task_intake_loop,
    "hold_write": task_hold_write,
}


def main() -> None:
    args = json.loads(sys.argv[1])
    from sipelayanan.db import Database

    db = Database(args["url"])
    with db.read() as s:  # connect before saying READY, so the start is simultaneous
        from sqlalchemy import text

        s.execute(text("SELECT 1"))
    out = TASKS[args["task"]](db, args)
    db.dispose()
    _say("RESULT", out)


if __name__ == "__main__":
    main()
