"""One click, one round of work: a click on "Selesaikan" loads the request once and refreshes
the inbox once, and a printed tanda terima or report (an audit entry that changes no state)
makes no window reload — on this PC or on another one.

Counted at the driver: every SQL statement the app's engines send while the click is handled
(SQLAlchemy's ``before_cursor_execute`` event), and among them the reads of the request's head
row that open a request (``queries.case_view``)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, event

from sipelayanan import reports
from sipelayanan.db import Database
from sipelayanan.services import cases as svc
from sipelayanan.ui.case import CaseWindow
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.inbox import InboxPage
from sipelayanan.ui.main_window import MainWindow
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.settings import Settings

from .conftest import advance_to, new_case, user_info

WINDOWS: list[QWidget] = []

#: The SQL that reads one request's head row for the request window (``queries.case_view``).
CASE_HEAD_MARK = "x_definition"


@pytest.fixture(autouse=True)
def _close_windows() -> Iterator[None]:
    yield
    for w in WINDOWS:
        with contextlib.suppress(RuntimeError):  # already deleted (WA_DeleteOnClose)
            w.close()
    WINDOWS.clear()


class StatementLog:
    """Every statement any engine of this process sends, while ``recording``."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.recording = False
        self._lock = threading.Lock()

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.recording:
            with self._lock:
                self.statements.append(statement)

    @contextlib.contextmanager
    def record(self) -> Iterator[list[str]]:
        self.statements = []
        self.recording = True
        try:
            yield self.statements
        finally:
            self.recording = False

    def case_loads(self) -> int:
        return sum(CASE_HEAD_MARK in s for s in self.statements)


@pytest.fixture
def sql() -> Iterator[StatementLog]:
    log = StatementLog()
    event.listen(Engine, "before_cursor_execute", log)
    yield log
    event.remove(Engine, "before_cursor_execute", log)


def settle(qtbot: QtBot, ops: Ops, quiet_ms: int = 300) -> None:
    """Wait until the worker is idle and stays idle (callbacks may queue further work)."""
    for _ in range(50):
        qtbot.waitUntil(lambda: not ops.busy, timeout=10000)
        qtbot.wait(quiet_ms)
        if not ops.busy:
            return
    raise AssertionError("the operations never settled")


def poll(qtbot: QtBot, ops: Ops) -> None:
    """The periodic change check, run now (tests start Ops with the poll timer off)."""
    ops.check_changes()
    settle(qtbot, ops)


def main_window(qtbot: QtBot, ops: Ops, db: Database, username: str, settings: Settings) -> Any:
    window = MainWindow(ops, user_info(db, username), settings)
    WINDOWS.append(window)
    window.show()
    page = window.pages["inbox"]
    assert isinstance(page, InboxPage)
    qtbot.waitUntil(lambda: page.model.rows != [] or page.empty.isVisible(), timeout=10000)
    settle(qtbot, ops)
    return window


def open_case(qtbot: QtBot, ops: Ops, window: Any, code: str) -> CaseWindow:
    window.open_case(code)
    case_window = window.case_windows()[code]
    assert isinstance(case_window, CaseWindow)
    WINDOWS.append(case_window)
    qtbot.waitUntil(lambda: case_window.view is not None, timeout=10000)
    settle(qtbot, ops)
    return case_window


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, *_: object) -> None:
        self.n += 1


def test_one_click_on_selesaikan_loads_the_request_once(
    qtbot: QtBot,
    db: Database,
    ops: Ops,
    settings: Settings,
    actors: dict[str, Any],
    sql: StatementLog,
) -> None:
    code = new_case(db, actors, "KK", nama="Satu Klik")
    other = new_case(db, actors, "KK", nama="Tetap Menunggu")
    for c in (code, other):
        advance_to(db, actors, c, 3)  # waiting for the Kasi
    window = main_window(qtbot, ops, db, "kasi", settings)
    inbox = window.pages["inbox"]
    assert {code, other} <= set(inbox.codes())
    poll(qtbot, ops)  # this PC knows where the change log stands
    case_window = open_case(qtbot, ops, window, code)
    inbox_loads, case_loads = Counter(), Counter()
    inbox.loaded.connect(inbox_loads)
    case_window.loaded.connect(case_loads)

    with sql.record() as statements:
        button = case_window.findChild(QPushButton, "btn:advance")
        assert button is not None
        with qtbot.waitSignal(case_window.acted, timeout=10000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: code not in inbox.codes(), timeout=10000)
        settle(qtbot, ops)
        poll(qtbot, ops)  # the next periodic check finds nothing new to reload

    assert case_window.view is not None and case_window.view.current_step == 4
    assert "advance" not in case_window.forms  # the Kasi has nothing more to do here
    assert other in inbox.codes()
    assert sql.case_loads() == 1, [s for s in statements if CASE_HEAD_MARK in s]
    assert case_loads.n == 1  # the window was filled once
    assert inbox_loads.n == 1  # and the inbox refreshed once
    # the statements of the whole round (24-28 today): the write with what it changed, one
    # read of the request, one inbox page with its counts, the periodic check afterwards
    assert len(statements) <= 34, "\n".join(statements)


def test_a_printed_receipt_or_report_reloads_no_window_anywhere(
    qtbot: QtBot,
    db: Database,
    ops: Ops,
    second_ops: Ops,
    settings: Settings,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
) -> None:
    code = new_case(db, actors, "KK", nama="Cetak Saja")
    advance_to(db, actors, code, 3)
    # PC B: the Kasi's inbox and the request open in its window
    window = main_window(qtbot, second_ops, db, "kasi", settings)
    inbox = window.pages["inbox"]
    case_window = open_case(qtbot, second_ops, window, code)
    poll(qtbot, second_ops)
    inbox_loads, case_loads = Counter(), Counter()
    inbox.loaded.connect(inbox_loads)
    case_window.loaded.connect(case_loads)

    # PC A (another Ops on the same database) prints the tanda terima and a report
    online = actors["online"]
    ops.run(lambda s: reports.receipt(s, code, "pdf", actor=online), write=True)
    settle(qtbot, ops)
    with db.write() as s:  # a report made from the command line on a third PC
        today = date.today()
        reports.report(s, "rekap", today.replace(day=1), today, actor=actors["kasi"])
    poll(qtbot, second_ops)
    assert (inbox_loads.n, case_loads.n) == (0, 0)

    # PC B itself prints the tanda terima (its own write): nothing to reload either
    kasi = actors["kasi"]
    second_ops.run(lambda s: reports.receipt(s, code, "png", actor=kasi), write=True)
    settle(qtbot, second_ops)
    poll(qtbot, second_ops)
    assert (inbox_loads.n, case_loads.n) == (0, 0)

    # a real change on PC A does reach PC B: inbox and the open request reload once each
    with db.write() as s:
        svc.advance(s, actors["kasi"], code)
    poll(qtbot, second_ops)
    qtbot.waitUntil(lambda: code not in inbox.codes(), timeout=10000)
    assert case_window.view is not None and case_window.view.current_step == 4
    assert (inbox_loads.n, case_loads.n) == (1, 1)


def test_a_change_to_another_request_leaves_an_open_request_alone(
    qtbot: QtBot,
    db: Database,
    second_ops: Ops,
    settings: Settings,
    actors: dict[str, Any],
) -> None:
    mine = new_case(db, actors, "KK", nama="Terbuka")
    theirs = new_case(db, actors, "KK", nama="Di PC Lain")
    for c in (mine, theirs):
        advance_to(db, actors, c, 3)
    window = main_window(qtbot, second_ops, db, "kasi", settings)
    inbox = window.pages["inbox"]
    case_window = open_case(qtbot, second_ops, window, mine)
    poll(qtbot, second_ops)
    inbox_loads, case_loads = Counter(), Counter()
    inbox.loaded.connect(inbox_loads)
    case_window.loaded.connect(case_loads)

    with db.write() as s:  # another PC moves the other request
        svc.advance(s, actors["kasi"], theirs)
    poll(qtbot, second_ops)
    qtbot.waitUntil(lambda: theirs not in inbox.codes(), timeout=10000)
    assert inbox_loads.n == 1
    assert case_loads.n == 0  # the open request did not change: not reloaded
