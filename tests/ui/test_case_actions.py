"""One "Selesaikan" click in the real request window, counted: the SQL statements the click
sends and how often it loads the request (``queries.case_view``) and fills the window. The
figures are printed (``pytest -s``) so they can be compared between versions; the test holds
the contract — one click loads the request once — for an ordinary step, the completeness step
with its checklist, and the notify step that composes the "ready" message."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, event

from sipelayanan.db import Database
from sipelayanan.services import actions
from sipelayanan.ui.case import CaseWindow
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.inbox import InboxPage
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.settings import Settings

from .conftest import advance_to, new_case
from .test_click_round import (
    WINDOWS,
    Counter,
    StatementLog,
    main_window,
    open_case,
    poll,
    settle,
)


@pytest.fixture(autouse=True)
def _close_windows() -> Iterator[None]:
    yield
    for w in WINDOWS:
        with contextlib.suppress(RuntimeError):  # already deleted (WA_DeleteOnClose)
            w.close()
    WINDOWS.clear()


@pytest.fixture
def statement_log() -> Iterator[StatementLog]:
    log = StatementLog()
    event.listen(Engine, "before_cursor_execute", log)
    yield log
    event.remove(Engine, "before_cursor_execute", log)


def _click(
    qtbot: QtBot, ops: Ops, db: Database, sql: StatementLog, case_window: Any, label: str
) -> tuple[int, int, int]:
    fills = Counter()
    case_window.loaded.connect(fills)
    with sql.record() as statements:
        button = case_window.findChild(QPushButton, "btn:advance")
        assert button is not None
        with qtbot.waitSignal(case_window.acted, timeout=10000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        settle(qtbot, ops)
    figures = (len(statements), sql.case_loads(), fills.n)
    print(
        f"\nFIGURES {label} [{db.engine.dialect.name}]: {figures[0]} SQL statements, "
        f"{figures[1]} case load(s), window filled {figures[2]} time(s)"
    )
    return figures


@pytest.mark.parametrize(
    ("service", "step", "username", "label", "most"),
    [
        ("KK", 3, "kasi", "Selesaikan langkah 3 (Kasi)", 30),
        # + the composed "ready" message and its notice, the Siap diambil row
        ("KK", 7, "penyerahan", "Beri tahu pemohon (langkah pemberitahuan)", 45),
    ],
)
def test_one_selesaikan_click_loads_the_request_once(
    qtbot: QtBot,
    db: Database,
    ops: Ops,
    settings: Settings,
    actors: dict[str, Any],
    statement_log: StatementLog,
    service: str,
    step: int,
    username: str,
    label: str,
    most: int,
) -> None:
    code = new_case(db, actors, service, nama="Hitung Klik")
    advance_to(db, actors, code, step)
    window = main_window(qtbot, ops, db, username, settings)
    case_window = open_case(qtbot, ops, window, code)
    poll(qtbot, ops)  # this PC knows where the change log stands (as after its first minute)
    statements, loads, fills = _click(qtbot, ops, db, statement_log, case_window, label)
    assert loads == 1  # the request is read once, in the action's own transaction
    assert fills == 1  # and the window filled once
    assert statements <= most


def test_a_returned_request_shows_its_koreksi_first_and_is_marked_in_the_inbox(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
) -> None:
    code = new_case(db, actors, "KK", nama="Kembali Dikoreksi")
    advance_to(db, actors, code, 3)
    with db.write() as s:
        actions.return_to_step(
            s, actors["kasi"], code, actions.ReturnInput(to_step=2, reason="Nama ayah salah ketik")
        )

    # the operator's inbox marks the row
    inbox = InboxPage(ctx_for("operator"))
    WINDOWS.append(inbox)
    with qtbot.waitSignal(inbox.loaded, timeout=10000):
        inbox.refresh()
    row = inbox.codes().index(code)
    model = inbox.model
    assert model.rows[row].returned
    assert str(model.data(model.index(row, 4))).startswith("[Koreksi] 2.")
    assert "koreksi" in str(model.data(model.index(row, 4), Qt.ItemDataRole.ToolTipRole))

    # the request window puts the koreksi above everything else, and the thread in front
    window = CaseWindow(ctx_for("operator"), code)
    WINDOWS.append(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None, timeout=10000)
    first = window.actions_layout.itemAt(0).widget()
    assert isinstance(first, QLabel) and first.objectName() == "koreksi_first"
    assert "Nama ayah salah ketik" in first.text() and "langkah 3" in first.text()
    assert window.tabs.currentWidget() is window.history_view

    # once the operator moved it on, nobody sees an old koreksi as pending
    assert window.doc_edit is not None
    qtbot.keyClicks(window.doc_edit, "1808-0000002")
    with qtbot.waitSignal(window.acted, timeout=10000):
        qtbot.mouseClick(window.findChild(QPushButton, "btn:advance"), Qt.MouseButton.LeftButton)
    kasi = CaseWindow(ctx_for("kasi"), code)
    WINDOWS.append(kasi)
    kasi.show()
    qtbot.waitUntil(lambda: kasi.view is not None and kasi.view.current_step == 3, timeout=10000)
    assert kasi.findChild(QLabel, "koreksi_first") is None
    kasi_inbox = InboxPage(ctx_for("kasi"))
    WINDOWS.append(kasi_inbox)
    with qtbot.waitSignal(kasi_inbox.loaded, timeout=10000):
        kasi_inbox.refresh()
    assert not kasi_inbox.model.rows[kasi_inbox.codes().index(code)].returned
