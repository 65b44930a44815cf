"""Hari ini page: shown to Kasi, Kabid, Kepala Dinas and admin only; its tiles and tables show
services.today's figures; a change (here or on another PC) refreshes it; a waiting request
opens with Enter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.services import cases as svc
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.main_window import MainWindow, pages_for
from sipelayanan.ui.today import TodayPage

from .conftest import ROLE_USER, Opened, new_case, user_info


def test_only_overseers_see_it(db: Database) -> None:
    for username in ("kasi", "kabid", "kadis", "admin"):
        assert "today" in [p.key for p in pages_for(user_info(db, username).roles)]
    for username in ("online", "operator"):
        assert "today" not in [p.key for p in pages_for(user_info(db, username).roles)]


def test_figures_shown_and_a_waiting_request_opens(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
    opened: Opened,
) -> None:
    late = new_case(db, actors, nama="Sudah Lama", now=datetime.now(UTC) - timedelta(days=4))
    new_case(db, actors, nama="Baru Pagi Ini")
    waiting = new_case(db, actors, nama="Kurang Berkas")
    with db.write() as s:  # returned to the pemohon for a missing item
        case = svc.load_case(s, waiting)
        sdef = svc.definition_for(s, case)
        step = sdef.step(case.current_step)
        item = next(r.key for r in sdef.requirements if r.required)
        svc.return_to_pemohon(
            s, actors[ROLE_USER[step.role]], waiting, missing=[item], note="Berkas kurang"
        )
    page = TodayPage(ctx_for("kasi"))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    with qtbot.waitSignal(page.loaded, timeout=15000):
        page.show()
        page.refresh()
    fig = page.figures
    assert fig is not None
    assert (
        page.tiles["received"].value.text() == str(fig.total.received) and fig.total.received >= 2
    )
    assert page.tiles["overdue"].value.text() == str(fig.total.overdue) and fig.total.overdue >= 1
    assert page.tiles["waiting"].value.text() == "1"
    # per service: one row per service plus the total, whose figures are the tiles'
    table = page.services_table
    assert table.rowCount() == len(fig.services) + 1
    assert table.item(table.rowCount() - 1, 1).text() == str(fig.total.received)
    assert table.item(table.rowCount() - 1, 4).text() == str(fig.total.overdue)
    # who holds the overdue one: its step's role, with the demo staff of that role
    assert page.holders_table.rowCount() >= 1
    assert page.tabs.tabText(3) == "Menunggu pemohon (1)"
    page.tabs.setCurrentIndex(3)
    w = page.waiting_table
    assert w.rowCount() == 1 and w.item(0, 2).text() == "Kurang Berkas"
    assert w.item(0, 4).text() == "0"  # returned today
    w.setFocus()
    w.setCurrentCell(0, 0)
    qtbot.keyClick(w, Qt.Key.Key_Return)
    assert opened.codes == [waiting]
    assert late not in opened.codes


def test_refreshes_when_a_request_changes(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ops: Any, settings: Any
) -> None:
    window = MainWindow(ops, user_info(db, "kadis"), settings)
    qtbot.addWidget(window)
    window.show()
    window.show_page("today")
    page = window.pages["today"]
    assert isinstance(page, TodayPage)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=15000)
    before = page.figures.total.received if page.figures else 0
    ops.check_changes()
    qtbot.waitUntil(lambda: ops._token is not None, timeout=10000)
    new_case(db, actors, nama="Dari PC Lain")  # another PC records a request
    with qtbot.waitSignal(page.loaded, timeout=15000):
        ops.check_changes()
    assert page.figures is not None and page.figures.total.received == before + 1
    assert page.tiles["received"].value.text() == str(before + 1)
    window.close()
