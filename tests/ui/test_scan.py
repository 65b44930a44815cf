"""Scan-to-open: a USB scanner types the QR's content and Enter; the request opens directly,
whether the QR holds the bare code or a link containing it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from PySide6.QtCore import Qt

from sipelayanan.identity import new_tracking_code
from sipelayanan.ui.search import SearchPage

from .support_b import UiKit


@pytest.fixture
def kit(db_url: str, tmp_path: Path, db, ops, settings, ctx_for, opened) -> UiKit:
    return UiKit(db_url, tmp_path, ops, settings, db, ctx_for, opened)


def _page(kit: UiKit, qtbot) -> SearchPage:
    page = SearchPage(kit.ctx("penyerahan"))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model._active and not page.model.fetching)
    return page


def _scan(page: SearchPage, qtbot, content: str) -> None:
    """What a keyboard-wedge scanner does: type every character, then Enter."""
    qtbot.keyClicks(page.box, content)
    qtbot.keyClick(page.box, Qt.Key.Key_Return)


def _pretty(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def test_scan_bare_code_opens_the_request(kit: UiKit, qtbot) -> None:
    code = kit.intake("KK").code
    kit.intake("KK", nama="Orang Lain", wa="0812-3456-7890")
    page = _page(kit, qtbot)
    page.box.setFocus()
    _scan(page, qtbot, _pretty(code))
    qtbot.waitUntil(lambda: kit.opened == [code])
    assert [r.code for r in page.model.rows] == [code]
    assert any(_pretty(code) in s for s in kit.statuses)
    # the text is selected so the next scan replaces it
    assert page.box.selectedText() == page.box.text()


def test_scan_link_opens_the_request_whatever_the_filters(kit: UiKit, qtbot) -> None:
    first = kit.intake("KK").code
    second = kit.intake(
        "KTP_EL", nama="Siti Aminah", nik="1808024506900002", wa="0812-3456-7890"
    ).code
    page = _page(kit, qtbot)
    # a filter that would hide the request does not stop a scan
    page.service.setCurrentIndex(page.service.findData("AKTA_MATI"))
    qtbot.waitUntil(lambda: not page.model.fetching)
    link = f"https://wa.me/628117961500?text={quote('STATUS ' + _pretty(first))}"
    _scan(page, qtbot, link)
    qtbot.waitUntil(lambda: kit.opened == [first])
    # a second scan right after, of a status-page link in lower case
    _scan(page, qtbot, f"https://dukcapil.example/status/{_pretty(second).lower()}")
    qtbot.waitUntil(lambda: kit.opened == [first, second])


def test_scan_of_unknown_or_mistyped_code_opens_nothing(kit: UiKit, qtbot) -> None:
    kit.intake("KK")
    page = _page(kit, qtbot)
    unknown = new_tracking_code()
    _scan(page, qtbot, unknown)
    qtbot.waitUntil(lambda: page.message.level == "warning")
    assert "tidak ditemukan" in page.message.text()
    assert _pretty(unknown) in page.message.text()

    # one symbol changed: the check symbol catches it and the clerk is told so
    bad = unknown[:-1] + ("2" if unknown[-1] != "2" else "3")
    page.message.clear()
    _scan(page, qtbot, bad)
    qtbot.waitUntil(lambda: page.message.level == "warning")
    assert "Kode pelacakan tidak dikenal atau salah ketik" in page.message.text()
    assert kit.opened == []
