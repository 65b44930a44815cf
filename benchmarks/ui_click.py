"""One click on "Selesaikan", end to end, in the real windows (offscreen).

    python -m benchmarks.ui_click URL [--user kasi] [--clicks 25]

Logs in nothing (the user's data is read directly), shows the main window with the user's
inbox, then for each click: opens the first request of the inbox in its request window, waits
until everything is quiet, clicks "Selesaikan" and measures

- *window*: click → the request window shows the request at its next step;
- *window + inbox*: click → the window and the inbox both show the new state;
- *settled*: click → the last piece of work the click caused has finished (reloads included);
- the SQL statements the app sent for the click and the next periodic change check
  (SQLAlchemy ``before_cursor_execute``).

Each click moves a real request one step, so run it on a copy of a generated database
(``python -m benchmarks.generate``), never on an office's. Prints median and 90th percentile.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ui_click")
    parser.add_argument("url", help="a generated database (a copy: the clicks change it)")
    parser.add_argument("--user", default="kasi", help="whose inbox (a review step: kasi)")
    parser.add_argument("--clicks", type=int, default=25)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from sqlalchemy import Engine, event

    import sipelayanan.ui  # noqa: F401  (the core before Qt, as the app imports it)
    from sipelayanan.db import Database
    from sipelayanan.services.users import get_user
    from sipelayanan.ui.case import CaseWindow
    from sipelayanan.ui.main_window import MainWindow
    from sipelayanan.ui.ops import Ops
    from sipelayanan.ui.settings import Settings

    from PySide6.QtCore import QEventLoop, QSettings, QTimer  # isort: skip
    from PySide6.QtWidgets import QApplication, QPushButton  # isort: skip

    app = QApplication(sys.argv[:1])
    db = Database(args.url)
    with db.read() as session:
        user = get_user(session, args.user)
    db.dispose()

    statements: list[str] = []
    recording = [False]

    def on_sql(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if recording[0]:
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", on_sql)

    # Waiting blocks in the event loop (no busy polling that would compete with the worker
    # thread for the CPU and the GIL); a 5 ms ticker wakes it for the clock checks. The times
    # themselves are taken in the signal handlers, when the windows change.
    ticker = QTimer()
    ticker.setInterval(5)
    ticker.start()

    def wait(done: Callable[[], bool], timeout: float = 30.0) -> None:
        end = time.perf_counter() + timeout
        while not done():
            if time.perf_counter() > end:
                raise SystemExit("timed out waiting for the windows")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    def settle(ops: Ops, quiet: float = 0.15) -> float:
        """Wait until no operation has been pending for ``quiet`` seconds; the time the last
        one finished."""
        last = time.perf_counter()
        while time.perf_counter() - last < quiet:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            if ops.busy:
                wait(lambda: not ops.busy)
                last = time.perf_counter()
        return last

    with tempfile.TemporaryDirectory(prefix="sip-click-") as tmp:
        settings = Settings(QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
        ops = Ops(args.url, poll_ms=0)
        window = MainWindow(ops, user, settings)
        window.show()
        inbox: Any = window.pages["inbox"]
        wait(lambda: bool(inbox.model.rows) or inbox.empty.isVisible())
        settle(ops)
        ops.check_changes()
        settle(ops)
        waiting = len(inbox.model.rows)
        if waiting == 0:
            raise SystemExit(f"nothing waits for {args.user} in this database")
        results: dict[str, list[float]] = {"window": [], "both": [], "settled": []}
        counts: list[int] = []
        for _ in range(min(args.clicks, waiting)):
            code = inbox.codes()[0]
            window.open_case(code)
            case_window = window.case_windows()[code]
            assert isinstance(case_window, CaseWindow)
            wait(lambda cw=case_window: cw.view is not None)
            settle(ops)
            version = case_window.view.version  # type: ignore[union-attr]
            button = case_window.findChild(QPushButton, "btn:advance")
            if button is None:
                raise SystemExit(f"{args.user} cannot finish the step of {code}")
            marks: dict[str, float] = {}

            def window_loaded(
                cw: Any = case_window, v: int = version, m: dict[str, float] = marks
            ) -> None:
                if "window" not in m and cw.view is not None and cw.view.version != v:
                    m["window"] = time.perf_counter()

            def inbox_loaded(c: str = code, m: dict[str, float] = marks) -> None:
                if "inbox" not in m and c not in inbox.codes():
                    m["inbox"] = time.perf_counter()

            case_window.loaded.connect(window_loaded)
            inbox.loaded.connect(inbox_loaded)
            statements.clear()
            recording[0] = True
            t0 = time.perf_counter()
            button.click()
            wait(lambda m=marks: "window" in m and "inbox" in m)  # type: ignore[misc]
            end = settle(ops)
            ops.check_changes()  # the next periodic check (counted, not timed)
            settle(ops)
            recording[0] = False
            inbox.loaded.disconnect(inbox_loaded)
            results["window"].append(marks["window"] - t0)
            results["both"].append(max(marks["window"], marks["inbox"]) - t0)
            results["settled"].append(max(end, marks["window"], marks["inbox"]) - t0)
            counts.append(len(statements))
            case_window.close()
            settle(ops)
        window.close()
        ops.shutdown()
        ticker.stop()
        QTimer.singleShot(0, app.quit)
        app.exec()

    dialect = "PostgreSQL" if args.url.startswith("postgresql") else "SQLite"
    print(f"{dialect}, inbox of {args.user} ({waiting} waiting), {len(counts)} clicks")
    with contextlib.suppress(OSError):
        print("load average: " + " / ".join(f"{x:.2f}" for x in os.getloadavg()))
    labels = {
        "window": "click -> request window at the next step",
        "both": "click -> request window and inbox updated",
        "settled": "click -> all work the click caused finished",
    }
    for key, values in results.items():
        print(
            f"{labels[key]:<46} median {statistics.median(values) * 1000:6.1f} ms   "
            f"p90 {_p90(values) * 1000:6.1f} ms"
        )
    print(
        f"{'SQL statements per click (+ next check)':<46} median {statistics.median(counts):6.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
