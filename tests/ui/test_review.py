"""Tinjauan: batch approval by keyboard (a second Enter confirms several), return with a koreksi
note by keyboard, a preview of berkas and koreksi, and one conflict not undoing the others."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.identity import format_tracking_code
from sipelayanan.services import cases as svc
from sipelayanan.services.berkas import BerkasFile
from sipelayanan.services.queries import case_view
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.review import ReviewPage

from .conftest import advance_to, new_case, pdf_bytes


def _step(db: Database, code: str) -> int:
    with db.read() as s:
        return case_view(s, code).current_step


def _page(qtbot: QtBot, ctx: UiContext) -> ReviewPage:
    page = ReviewPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.show()
        page.refresh()
    return page


def test_batch_approval_by_keyboard(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ctx_for: Callable[..., UiContext]
) -> None:
    codes = [
        new_case(
            db,
            actors,
            "KK",
            nama=f"Pemohon {n}",
            berkas=[BerkasFile("f102.pdf", pdf_bytes(f"Formulir {n}"))],
        )
        for n in range(3)
    ]
    for code in codes:
        advance_to(db, actors, code, 3)
    other = new_case(db, actors, "KK", nama="Belum sampai")  # still at step 1: not for Kasi
    page = _page(qtbot, ctx_for("kasi"))
    assert sorted(page.codes()) == sorted(codes) and other not in page.codes()

    # the preview shows the berkas and the thread of the current request
    page.table.setFocus()
    qtbot.waitUntil(lambda: page.preview_view is not None)
    qtbot.waitUntil(lambda: page.preview_berkas.count() == 1)
    assert "Langkah 2" in page.preview_thread.toPlainText()

    qtbot.keyClick(page.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(page.selected_rows()) == 3
    assert page.approve_button.text() == "Setujui 3 (Enter)"
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert "Tekan Enter sekali lagi" in page.message.text()
    assert all(_step(db, c) == 3 for c in codes)  # nothing yet
    with qtbot.waitSignal(page.batch_finished, timeout=15000) as got:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    outcomes = got.args[0]
    assert sorted(o.code for o in outcomes) == sorted(codes) and all(o.ok for o in outcomes)
    head, named = page.message.text().rstrip(".").split(": ")
    assert head == "3 permohonan disetujui"
    assert sorted(named.split(", ")) == sorted(format_tracking_code(c) for c in codes)
    assert all(_step(db, c) == 4 for c in codes)
    qtbot.waitUntil(lambda: page.codes() == [])
    assert page.empty.isVisible()
    with db.read() as s:
        assert case_view(s, codes[0]).history[-1].username == "kasi"

    # Kabid now sees them; one approved with Enter alone
    kabid = _page(qtbot, ctx_for("kabid"))
    assert sorted(kabid.codes()) == sorted(codes)
    kabid.table.setFocus()
    kabid.table.selectRow(0)
    first = kabid.selected_codes()[0]
    with qtbot.waitSignal(kabid.batch_finished, timeout=15000):
        qtbot.keyClick(kabid.table, Qt.Key.Key_Return)
    assert _step(db, first) == 5


def test_return_with_koreksi_by_keyboard(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ctx_for: Callable[..., UiContext]
) -> None:
    code = new_case(db, actors, "AKTA_LAHIR")
    advance_to(db, actors, code, 4)  # Kabid's check; SOP: back to Kasi (step 3)
    page = _page(qtbot, ctx_for("kabid"))
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_K)
    assert page.return_bar.isVisible()
    assert page.focusWidget() is page.return_reason
    assert page.return_target.currentData() == 3
    qtbot.keyClick(page.return_reason, Qt.Key.Key_Return)  # empty: refused
    assert "koreksinya" in page.message.text()
    assert _step(db, code) == 4
    qtbot.keyClicks(page.return_reason, "Nama ayah pada SPTJM berbeda dengan buku nikah")
    with qtbot.waitSignal(page.batch_finished, timeout=15000):
        qtbot.keyClick(page.return_reason, Qt.Key.Key_Return)
    with db.read() as s:
        view = case_view(s, code)
    assert view.current_step == 3
    assert view.history[-1].action == "kembali" and view.history[-1].to_step == 3
    assert view.history[-1].note == "Nama ayah pada SPTJM berbeda dengan buku nikah"
    assert page.message.text() == f"{format_tracking_code(code)} dikembalikan dengan koreksi."

    # Esc leaves the koreksi bar without sending anything
    kasi = _page(qtbot, ctx_for("kasi"))
    kasi.table.setFocus()
    kasi.table.selectRow(0)
    qtbot.keyClick(kasi.table, Qt.Key.Key_K)
    qtbot.keyClicks(kasi.return_reason, "batal")
    qtbot.keyClick(kasi.return_reason, Qt.Key.Key_Escape)
    assert not kasi.return_bar.isVisible()
    assert _step(db, code) == 3


def test_one_conflict_does_not_undo_the_others(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ctx_for: Callable[..., UiContext]
) -> None:
    codes = [new_case(db, actors, "SKPWNI", nama=f"Pindah {n}") for n in range(2)]
    for code in codes:
        advance_to(db, actors, code, 3)
    page = _page(qtbot, ctx_for("kasi"))
    # meanwhile Kasi on another PC returns the first one
    with db.write() as s:
        svc.return_to_step(s, actors["kasi"], codes[0], to_step=2, reason="Alamat tujuan kurang")
    page.table.setFocus()
    page.select_codes(codes)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    with qtbot.waitSignal(page.batch_finished, timeout=15000) as got:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    by_code = {o.code: o for o in got.args[0]}
    assert not by_code[codes[0]].ok and "diubah oleh petugas lain" in by_code[codes[0]].text
    assert by_code[codes[1]].ok
    assert f"{format_tracking_code(codes[1])} disetujui. 1 gagal:" in page.message.text()
    assert _step(db, codes[0]) == 2 and _step(db, codes[1]) == 4


def test_selection_stays_on_the_next_row_after_each_decision(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ctx_for: Callable[..., UiContext]
) -> None:
    """Enter approves the row looked at; the selection then moves to the row below it (not the
    top, whose request nobody has looked at), and the confirmation names the code."""
    for n in range(4):
        advance_to(db, actors, new_case(db, actors, "SKPWNI", nama=f"Urut {n}"), 3)
    page = _page(qtbot, ctx_for("kasi"))
    order = page.codes()
    assert len(order) == 4
    page.table.setFocus()
    page.table.selectRow(1)  # the clerk looked at the second one
    with qtbot.waitSignal(page.batch_finished, timeout=15000):
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.message.text() == f"{format_tracking_code(order[1])} disetujui."
    qtbot.waitUntil(lambda: order[1] not in page.codes())
    assert page.current_row() is not None and page.current_row().code == order[2]
    assert page.selected_codes() == [order[2]]
    qtbot.waitUntil(lambda: page.preview_view is not None and page.preview_view.code == order[2])
    assert _step(db, order[0]) == 3  # the top row was not touched

    # the last row decided: the selection goes to the one before it
    page.table.selectRow(len(page.codes()) - 1)
    last = page.current_row()
    assert last is not None and last.code == order[3]
    with qtbot.waitSignal(page.batch_finished, timeout=15000):
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: order[3] not in page.codes())
    assert page.current_row() is not None and page.current_row().code == order[2]
