"""The WhatsApp outbox: what writing a notice adds to a clerk's action, and how fast the sender
drains the queue against a fake Cloud API on loopback (tests/fake_cloud_api.py).

    .venv/bin/python -m benchmarks.outbox                     # SQLite file in a temp folder
    .venv/bin/python -m benchmarks.outbox --db postgresql://user@host/empty_db
    .venv/bin/python -m benchmarks.outbox --postgres-auto    # a throw-away local server
    .venv/bin/python -m benchmarks.outbox -n 300 --sends 1000

Enqueue cost: the same actions (intake; return to the pemohon) timed with the outbox calls in
place and with them replaced by no-ops, interleaved, each in its own committed transaction, as
the app runs them; the figure is the difference of the medians. Throughput: ``--sends``
consenting intakes queued, then one sender round (one committed claim, one HTTP request, one
committed record per notice — the at-most-once path, not a batch).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sipelayanan.db import Database
from sipelayanan.demo import ensure_demo_users
from sipelayanan.services import cases as svc
from sipelayanan.services import outbox, wa_cloud
from sipelayanan.sop import services
from tests.fake_cloud_api import FakeCloudApi

SERVICE = next(c for c, d in services().items() if d.document_kind)


def _data(i: int, consent: bool) -> svc.IntakeData:
    return svc.IntakeData(
        service=SERVICE,
        nama=f"Pemohon Uji {i}",
        nik="1808015708900003",
        wa=f"0812{i % 100_000_000:08d}",
        setuju_wa=consent,
    )


def _timed(fn: Any) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def enqueue_cost(db: Database, actors: dict[str, Any], n: int) -> dict[str, float]:
    actor = actors["online"]  # the first step's role of every document service
    inner: dict[str, list[float]] = {"on_intake": [], "after_action": []}

    def measured(name: str, fn: Any) -> Any:
        def run(*a: Any, **k: Any) -> None:
            t = time.perf_counter()
            fn(*a, **k)
            inner[name].append((time.perf_counter() - t) * 1000)

        return run

    plain = (outbox.on_intake, outbox.after_action)
    real = (measured("on_intake", plain[0]), measured("after_action", plain[1]))
    noop = (lambda *a, **k: None, lambda *a, **k: None)
    times: dict[str, list[float]] = {k: [] for k in ("intake+", "intake-", "return+", "return-")}
    for i in range(2 * n):
        with_outbox = i % 2 == 0
        outbox.on_intake, outbox.after_action = real if with_outbox else noop  # type: ignore[assignment]
        tag = "+" if with_outbox else "-"
        code: list[str] = []

        def intake(i: int = i, code: list[str] = code) -> None:
            with db.write() as s:
                code.append(svc.intake(s, actor, _data(i, True)).code)

        def back(code: list[str] = code) -> None:
            with db.write() as s:
                svc.return_to_pemohon(s, actor, code[0], missing=["Foto KTP-el"])

        times["intake" + tag].append(_timed(intake))
        times["return" + tag].append(_timed(back))
    outbox.on_intake, outbox.after_action = plain  # type: ignore[assignment]
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "on_intake_ms": statistics.median(inner["on_intake"]),
        "after_action_ms": statistics.median(inner["after_action"]),
        "intake_ms_with": med["intake+"],
        "intake_ms_without": med["intake-"],
        "intake_added_ms": med["intake+"] - med["intake-"],
        "return_ms_with": med["return+"],
        "return_ms_without": med["return-"],
        "return_added_ms": med["return+"] - med["return-"],
    }


def throughput(db: Database, actors: dict[str, Any], sends: int) -> dict[str, float]:
    api = FakeCloudApi().start()
    try:
        config = wa_cloud.validate_config(
            phone_number_id="109876543210",
            base_url=api.base_url,
            templates={k: f"sip_{k}" for k in wa_cloud.NOTICE_KINDS},
        )
        with db.write() as s:
            wa_cloud.save_config(s, config, actor=actors["admin"])
        actor = actors["online"]
        for i in range(sends):
            with db.write() as s:
                svc.intake(s, actor, _data(i, True))
        started = time.perf_counter()
        report = outbox.run_sender(db, token=api.token, limit=sends)
        seconds = time.perf_counter() - started
        assert report.sent == sends, report
        assert max(api.per_notice.values()) == 1
    finally:
        api.stop()
    return {"sent": float(report.sent), "seconds": seconds, "per_second": sends / seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (an empty database; default: SQLite temp)")
    parser.add_argument(
        "--postgres-auto",
        action="store_true",
        help="start a throw-away PostgreSQL server with durable defaults (benchmarks/pgserver)",
    )
    parser.add_argument("-n", type=int, default=200, help="actions per variant for enqueue cost")
    parser.add_argument("--sends", type=int, default=500, help="notices for the throughput run")
    args = parser.parse_args(argv)
    server = None
    if args.postgres_auto:
        from .pgserver import destroy, start_bench_server

        server, _collation = start_bench_server()
        args.db = server.url("office")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'outbox.sqlite3'}"
        db = Database(url)
        db.upgrade()
        actors, _ = ensure_demo_users(db)
        cost = enqueue_cost(db, actors, args.n)
        rate = throughput(db, actors, args.sends)
        db.dispose()
    if server is not None:
        destroy(server)
    print(f"engine: {db.dialect}")
    print(
        f"inside the transaction: outbox.on_intake {cost['on_intake_ms']:.2f} ms, "
        f"outbox.after_action (return to pemohon) {cost['after_action_ms']:.2f} ms (medians)"
    )
    print(
        f"intake: {cost['intake_ms_with']:.2f} ms with the outbox, "
        f"{cost['intake_ms_without']:.2f} ms without (+{cost['intake_added_ms']:.2f} ms), "
        f"median of {args.n}"
    )
    print(
        f"return to pemohon: {cost['return_ms_with']:.2f} ms with, "
        f"{cost['return_ms_without']:.2f} ms without (+{cost['return_added_ms']:.2f} ms)"
    )
    print(
        f"sender: {int(rate['sent'])} notices in {rate['seconds']:.2f} s = "
        f"{rate['per_second']:.0f} per second (fake Cloud API on 127.0.0.1)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
