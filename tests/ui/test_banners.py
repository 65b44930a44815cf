"""Messages do not move the form under the clerk's mouse, and the last request's banners go
away when the next one starts (issue 12.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.intake import IntakePage
from sipelayanan.ui.review import ReviewPage

from .conftest import NIK, NO_KK, WA, advance_to, new_case


def _top(widget: QWidget, page: QWidget) -> int:
    """How far down the page ``widget`` is: what a banner appearing above it would change."""
    return widget.mapTo(page, QPoint(0, 0)).y()


def test_intake_banner_keeps_the_form_still_and_goes_with_the_next_request(
    qtbot: QtBot, ctx_for: Callable[..., UiContext]
) -> None:
    page = IntakePage(ctx_for("online"))
    qtbot.addWidget(page)
    page.resize(1100, 620)
    page.show()
    page.refresh()
    page.set_service("KK")
    qtbot.keyClicks(page.nama, "Siti Aminah")
    qtbot.keyClicks(page.nik.edit, NIK)
    qtbot.keyClicks(page.no_kk.edit, NO_KK)
    qtbot.keyClicks(page.wa.edit, WA)
    for key in ("formulir_f102", "buku_nikah"):
        qtbot.keyClick(page.checklist.box(key), Qt.Key.Key_Space)
    QApplication.processEvents()
    before = (_top(page.nama, page), _top(page.checklist.box("buku_nikah"), page))
    accept_before = _top(page.accept_button, page)
    with qtbot.waitSignal(page.created, timeout=15000):
        qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    assert page.result_panel.isVisible()
    QApplication.processEvents()
    # the result banner appeared without moving the form's fields or the Terima button down
    assert (_top(page.nama, page), _top(page.checklist.box("buku_nikah"), page)) == before
    assert _top(page.accept_button, page) == accept_before
    assert page.accept_button.visibleRegion().boundingRect() == page.accept_button.rect()
    # typing the next pemohon's name: the last request's banners go
    page.nama.setFocus()
    qtbot.keyClicks(page.nama, "B")
    assert not page.result_panel.isVisible()
    assert page.message.level in ("", "warning", "error")


def test_review_confirmation_keeps_the_rows_still(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ctx_for: Callable[..., UiContext]
) -> None:
    for n in range(3):
        advance_to(db, actors, new_case(db, actors, "SKPWNI", nama=f"Tetap {n}"), 3)
    page = ReviewPage(ctx_for("kasi"))
    qtbot.addWidget(page)
    page.resize(1100, 600)
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.show()
        page.refresh()
    QApplication.processEvents()
    table_top = _top(page.table, page)
    page.table.setFocus()
    page.table.selectRow(0)
    with qtbot.waitSignal(page.batch_finished, timeout=15000):
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.message.isVisible() and "disetujui" in page.message.text()
    QApplication.processEvents()
    assert _top(page.table, page) == table_top
