"""Cari: one box finds by name prefix, NIK, WhatsApp number or code; filters; lazy paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from sipelayanan.services import cases as svc
from sipelayanan.ui.search import SearchPage

from .support_b import UiKit


@pytest.fixture
def kit(db_url: str, tmp_path: Path, db, ops, settings, ctx_for, opened) -> UiKit:
    return UiKit(db_url, tmp_path, ops, settings, db, ctx_for, opened)


T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 WIB


def _page(kit: UiKit, qtbot, username: str = "operator", **kwargs) -> SearchPage:
    page = SearchPage(kit.ctx(username), **kwargs)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    qtbot.waitUntil(lambda: page.model._active and not page.model.fetching)
    return page


def _codes(page: SearchPage) -> list[str]:
    return [r.code for r in page.model.rows]


def _search_for(page: SearchPage, qtbot, text: str) -> None:
    page.box.clear()
    qtbot.keyClicks(page.box, text)
    qtbot.keyClick(page.box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.model.fetching and page.model.text == text.strip())


def _three(kit: UiKit) -> dict[str, str]:
    budi = kit.intake("KK", nama="Budi Hartono", nik="1808011203850001", wa="0811-7961-501", now=T0)
    siti = kit.intake(
        "KTP_EL",
        nama="Siti Aminah",
        nik="1808024506900002",
        wa="0812-3456-7890",
        now=T0 + timedelta(days=1),
    )
    budiman = kit.intake(
        "KK",
        nama="Budiman Saputra",
        nik="1808031507800003",
        wa="0813-1111-2222",
        now=T0 + timedelta(days=2),
    )
    return {"budi": budi.code, "siti": siti.code, "budiman": budiman.code}


def test_one_box_finds_by_name_nik_wa_and_code(kit: UiKit, qtbot) -> None:
    codes = _three(kit)
    page = _page(kit, qtbot)
    # empty box: everything, newest first
    assert _codes(page) == [codes["budiman"], codes["siti"], codes["budi"]]

    _search_for(page, qtbot, "budi")  # name prefix, any case
    assert _codes(page) == [codes["budiman"], codes["budi"]]

    _search_for(page, qtbot, "1808 0245 0690 0002")  # NIK typed with spaces
    assert _codes(page) == [codes["siti"]]
    shown = [page.model.index(0, c).data() for c in range(page.model.columnCount())]
    assert "1808024506900002" not in " ".join(shown)  # the NIK is masked in the list
    assert "Siti Aminah" in shown

    _search_for(page, qtbot, "+62 812-3456-7890")  # WhatsApp in another notation
    assert _codes(page) == [codes["siti"]]

    _search_for(page, qtbot, "hartono")  # not a prefix of the name: nothing
    assert _codes(page) == []
    assert "Tidak ada hasil" in page.summary.text()


def test_typing_searches_without_enter(kit: UiKit, qtbot) -> None:
    codes = _three(kit)
    page = _page(kit, qtbot)
    qtbot.keyClicks(page.box, "Siti")
    qtbot.waitUntil(lambda: page.model.text == "Siti" and not page.model.fetching)
    assert _codes(page) == [codes["siti"]]
    assert kit.opened == []  # typing alone never opens a request


def test_filters_service_status_and_dates(kit: UiKit, qtbot) -> None:
    codes = _three(kit)
    page = _page(kit, qtbot)

    def wait() -> None:
        qtbot.waitUntil(lambda: not page.model.fetching)

    page.service.setCurrentIndex(page.service.findData("KTP_EL"))
    wait()
    assert _codes(page) == [codes["siti"]]
    page.service.setCurrentIndex(0)
    page.status.setCurrentIndex(page.status.findData("selesai"))
    wait()
    assert _codes(page) == []
    page.status.setCurrentIndex(page.status.findData("proses"))
    wait()
    assert len(_codes(page)) == 3

    # received between 3 and 3 March 2026 (WIB): only Siti
    page.date_from.setDate(QDate(2026, 3, 3))
    page.date_to.setDate(QDate(2026, 3, 3))
    qtbot.mouseClick(page.use_dates, Qt.MouseButton.LeftButton)
    wait()
    assert _codes(page) == [codes["siti"]]
    # a reversed range is refused with a message; the shown rows stay
    page.date_from.setDate(QDate(2026, 3, 10))
    assert page.message.level == "warning"
    assert "sesudah tanggal akhir" in page.message.text()
    assert _codes(page) == [codes["siti"]]


def test_large_result_pages_lazily_without_gaps(kit: UiKit, qtbot) -> None:
    made = []
    for i in range(23):
        # pairs of requests share the same received time: the keyset must break ties by id
        at = T0 + timedelta(minutes=10 * (i // 2))
        made.append(kit.intake("KK", nama=f"Pemohon {i:02d}", wa=f"0811-7961-5{i:02d}", now=at))
    page = _page(kit, qtbot, page_size=10)
    # whole pages only, as many as fill the view: not everything at once
    assert len(page.model.rows) in (10, 20)
    assert page.model.canFetchMore()
    assert "gulir" in page.summary.text()
    while page.model.canFetchMore() or page.model.fetching:
        before = len(page.model.rows)
        page.table.scrollToBottom()  # the view asks the model for more (fetchMore)
        qtbot.waitUntil(lambda b=before: len(page.model.rows) > b or not page.model.has_more)
    rows = page.model.rows
    assert len(rows) == 23
    assert len({r.code for r in rows}) == 23
    assert {r.code for r in rows} == {m.code for m in made}
    keys = [(r.received_at, r.id) for r in rows]
    assert keys == sorted(keys, reverse=True)


def test_refresh_shows_changes_and_enter_opens_the_row(kit: UiKit, qtbot, db) -> None:
    codes = _three(kit)
    page = _page(kit, qtbot)
    _search_for(page, qtbot, "Siti")
    assert "langkah 1" in page.model.index(0, 5).data()
    actors = {}
    from sipelayanan.services.users import get_user

    with db.read() as session:
        actors["online"] = get_user(session, "online").actor()
    with db.write() as session:
        svc.advance(session, actors["online"], codes["siti"])
    page.table.selectRow(0)
    page.refresh()
    qtbot.waitUntil(lambda: "langkah 2" in (page.model.index(0, 5).data() or ""))
    assert page.table.currentIndex().row() == 0  # the clerk's place is kept over a reload

    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert kit.opened == [codes["siti"]]
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert kit.opened == [codes["siti"], codes["siti"]]


def test_a_complaint_s_pelapor_is_shown_to_complaint_staff_only(kit: UiKit, qtbot) -> None:
    """Cari passes the clerk's roles: the complaint officer sees the pelapor's name, the
    operator a hidden identity (UU 27/2022 least visibility; issue 17.4)."""
    from sipelayanan.services.pelapor import HIDDEN
    from sipelayanan.sop.catalog import complaint_codes

    code = kit.intake(complaint_codes()[0], nama="Rahmat Pelapor", wa="0812-5555-6666", now=T0).code
    for username, shown in (("aduan", True), ("operator", False)):
        page = _page(kit, qtbot, username)
        _search_for(page, qtbot, code)
        row = page.model.rows[0]
        assert row is not None and row.code == code
        assert (row.pemohon_nama == "Rahmat Pelapor") is shown, username
        assert (row.pemohon_nama == HIDDEN) is (not shown), username
