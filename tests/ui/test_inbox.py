"""Kotak Masuk: Enter opens the most urgent request without a click first, one colour meaning
per column (explained by a legend), and a tidy empty list without an emoji glyph."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.sop import services
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.inbox import STEP_OVER_COLOUR, InboxPage
from sipelayanan.ui.widgets.common import SLA_BACKGROUND, SLA_FOREGROUND, SLA_LATE, SLA_ON_TIME

from .conftest import ROLE_USER, Opened, new_case


def first_user() -> str:
    """Who holds a new KK request (its first step's role)."""
    return ROLE_USER[services()["KK"].step(1).role]


def _page(qtbot: QtBot, ctx: UiContext) -> InboxPage:
    page = InboxPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.show()
        page.refresh()
    return page


def test_enter_opens_the_first_row_without_a_click(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
    opened: Opened,
) -> None:
    first = new_case(db, actors, nama="Paling Lama", now=datetime.now(UTC) - timedelta(days=3))
    new_case(db, actors, nama="Baru Saja")
    page = _page(qtbot, ctx_for(first_user()))
    assert page.codes()[0] == first
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.codes == [first]


def test_one_colour_meaning_per_column_and_a_legend(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ctx_for: Callable[..., UiContext]
) -> None:
    late = new_case(db, actors, nama="Terlambat", now=datetime.now(UTC) - timedelta(days=5))
    page = _page(qtbot, ctx_for(first_user()))
    model = page.model
    row = page.codes().index(late)
    assert model.sla(model.rows[row]) == SLA_LATE and model.over_step_standard(model.rows[row])

    def colour(col: int, role: Qt.ItemDataRole) -> Any:
        brush = model.data(model.index(row, col), role)
        return None if brush is None else brush.color()

    fg, bg = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole
    assert colour(model.COL_STATUS, bg) == SLA_BACKGROUND[SLA_LATE]
    assert colour(model.COL_DUE, fg) == SLA_FOREGROUND[SLA_LATE]
    # the time at the step has its own meaning (the step's mutu baku), in its own colour,
    # and sits on no due-state background
    assert colour(model.COL_STEP_TIME, fg) == STEP_OVER_COLOUR
    assert colour(model.COL_STEP_TIME, bg) is None
    assert STEP_OVER_COLOUR not in SLA_FOREGROUND.values()
    for col in (0, 1, 2, 3, 4):
        assert colour(col, bg) is None and colour(col, fg) is None
    legend = page.legend.text()
    assert page.legend.isVisible()
    for word in ("Tepat waktu", "Mendekati batas", "Terlambat", "mutu baku"):
        assert word in legend
    assert SLA_BACKGROUND[SLA_ON_TIME].name() in legend and STEP_OVER_COLOUR.name() in legend


def test_empty_inbox_is_tidy(qtbot: QtBot, db: Database, ctx_for: Callable[..., UiContext]) -> None:
    page = _page(qtbot, ctx_for("kadis"))
    assert page.codes() == []
    assert page.empty.isVisible() and not page.table.isVisible()
    assert not page.legend.isVisible()
    text = page.empty.text()
    assert "Tidak ada permohonan yang menunggu Anda." in text
    assert all(ord(ch) < 0x2000 for ch in text), "no emoji or symbol glyph that may be a box"
    # the note sits near the top of the page, not floating in the middle of a blank screen
    assert page.empty.geometry().top() < page.height() // 3


def test_enter_right_after_the_window_opens(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ops: Any, settings: Any
) -> None:
    """The app opens on Kotak Masuk with the keyboard in its list: Enter opens the most urgent
    request without a click first."""
    from PySide6.QtWidgets import QApplication

    from sipelayanan.ui.main_window import MainWindow

    from .conftest import user_info

    first = new_case(db, actors, nama="Paling Lama", now=datetime.now(UTC) - timedelta(days=3))
    new_case(db, actors, nama="Baru Saja")
    window = MainWindow(ops, user_info(db, first_user()), settings)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    page = window.pages["inbox"]
    assert isinstance(page, InboxPage)
    qtbot.waitUntil(lambda: len(page.codes()) == 2, timeout=10000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table, timeout=5000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert list(window.case_windows()) == [first]
    for w in window.case_windows().values():
        w.close()
    window.close()
