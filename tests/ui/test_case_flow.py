"""One KK request carried through every step of its SOP in the real windows, each step by the
user holding that step's role; the return paths (koreksi to an earlier step, back to the pemohon
and the berkas susulan); opening a request from a scanned link."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.models import CaseStatus
from sipelayanan.services.queries import case_view
from sipelayanan.ui.case import CaseWindow
from sipelayanan.ui.collection import CollectionPage
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.inbox import InboxPage
from sipelayanan.ui.intake import IntakePage
from sipelayanan.ui.main_window import MainWindow, OpenCodeDialog
from sipelayanan.ui.widgets.step_bar import DONE

from .conftest import NIK, WA, advance_to, new_case, png_bytes, user_info

WINDOWS: list[QWidget] = []


@pytest.fixture(autouse=True)
def _close_windows() -> Iterator[None]:
    yield
    for w in WINDOWS:
        with contextlib.suppress(RuntimeError):  # already deleted (WA_DeleteOnClose)
            w.close()
    WINDOWS.clear()


def open_window(qtbot: QtBot, ctx: UiContext, code: str, **kw: Any) -> CaseWindow:
    window = CaseWindow(ctx, code, **kw)
    WINDOWS.append(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None, timeout=10000)
    return window


def button(window: CaseWindow, key: str) -> QPushButton:
    b = window.findChild(QPushButton, f"btn:{key}")
    assert b is not None, f"no {key} action; forms: {list(window.forms)}"
    return b


def act(qtbot: QtBot, window: CaseWindow, key: str) -> None:
    with qtbot.waitSignal(window.acted, timeout=10000):
        qtbot.mouseClick(button(window, key), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window._signature is not None, timeout=10000)  # reloaded


def test_kk_request_through_every_step(
    qtbot: QtBot, db: Database, ctx_for: Callable[..., UiContext]
) -> None:
    # 1. Penerimaan by the online operator, in the intake page
    intake = IntakePage(ctx_for("online"))
    WINDOWS.append(intake)
    intake.show()
    intake.set_service("KK")
    qtbot.keyClicks(intake.nama, "Budi Hartono")
    qtbot.keyClicks(intake.nik.edit, NIK)
    qtbot.keyClicks(intake.wa.edit, WA)
    for key in ("formulir_f102", "buku_nikah"):
        qtbot.keyClick(intake.checklist.box(key), Qt.Key.Key_Space)
    with qtbot.waitSignal(intake.created, timeout=10000) as got:
        qtbot.mouseClick(intake.accept_button, Qt.MouseButton.LeftButton)
    code = got.args[0]

    # someone without the step's role sees no way to finish it
    kasi_early = open_window(qtbot, ctx_for("kasi"), code)
    assert "advance" not in kasi_early.forms and "back" not in kasi_early.forms
    assert "cancel" in kasi_early.forms  # a supervisor may still cancel
    kasi_early.close()

    # step 1 is the intake itself: "Terima" finished it (no second pass over the checklist)
    assert "langkah 2" in intake.result_label.text()
    w = open_window(qtbot, ctx_for("online"), code)
    assert w.view is not None and w.view.current_step == 2
    assert "advance" not in w.forms and "return_pemohon" not in w.forms
    w.close()

    # step 2: the operator must give the SIAK document number
    w = open_window(qtbot, ctx_for("operator"), code)
    qtbot.mouseClick(button(w, "advance"), Qt.MouseButton.LeftButton)
    assert "nomor dokumen" in w.message.text()
    assert w.view is not None and w.view.current_step == 2
    assert w.doc_edit is not None
    qtbot.keyClicks(w.doc_edit, "1808-KK-0001234")
    act(qtbot, w, "advance")
    w.close()

    # steps 3-5: Kasi, Kabid, Kepala Dinas (each may also return with koreksi)
    for username, step in (("kasi", 3), ("kabid", 4), ("kadis", 5)):
        w = open_window(qtbot, ctx_for(username), code)
        assert w.view is not None and w.view.current_step == step
        assert w.back_target.itemData(0) == 2
        qtbot.keyClicks(w.advance_note, f"periksa {username}")
        act(qtbot, w, "advance")
        w.close()

    # step 6: the operator registers; the core assigns the register number
    w = open_window(qtbot, ctx_for("operator"), code)
    labels = [lb.text() for lb in w.forms["advance"].findChildren(QLabel)]
    assert any("Buku Agenda KK" in t and "diberikan otomatis" in t for t in labels)
    act(qtbot, w, "advance")
    assert "Nomor register: 00001/KK/" in w.message.text()
    w.close()

    # step 7 is the SOP's notice "dokumen sudah selesai": it finishes when the resident is
    # told, without asking who collected; the "ready" message is composed at that moment
    w = open_window(qtbot, ctx_for("penyerahan"), code)
    assert w.pos_radio is None and w.penerima_edit is None
    assert w.forms["advance"].findChild(QLabel, "notify_info") is not None
    act(qtbot, w, "advance")
    assert w.message.text().startswith("Permohonan selesai.")
    qtbot.waitUntil(lambda: w.message_dialog is not None)
    assert "dapat diambil" in w.message_dialog.text()
    assert all(item.state == DONE for item in w.step_bar.items())
    assert not w.forms.get("advance")
    told = w.message_dialog

    # the resident comes later: the hand-over is recorded from "Siap diambil"
    page = CollectionPage(ctx_for("penyerahan"))
    WINDOWS.append(page)
    page.show()
    qtbot.waitUntil(lambda: code in page.codes(), timeout=10000)
    assert page.select(code)
    assert page.taken_radio.isChecked()  # KK documents are collected at the office
    qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    assert "nama yang mengambil" in page.message.text()  # asked, nothing saved
    qtbot.keyClicks(page.penerima_edit, "Budi Hartono")
    with qtbot.waitSignal(page.recorded, timeout=10000):
        qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message_dialog is not None)
    assert page.message_dialog is not told
    assert "telah diambil oleh Budi Hartono" in page.message_dialog.text()
    assert "dapat diambil" not in page.message_dialog.text()
    qtbot.waitUntil(lambda: code not in page.codes(), timeout=10000)

    with db.read() as s:
        view = case_view(s, code)
    assert view.status == CaseStatus.SELESAI
    assert [h.username for h in view.history] == [
        "online",
        "operator",
        "kasi",
        "kabid",
        "kadis",
        "operator",
        "penyerahan",
    ]
    assert [h.note for h in view.history][2:5] == ["periksa kasi", "periksa kabid", "periksa kadis"]
    assert view.documents == (("Kartu Keluarga", "1808-KK-0001234"),)
    assert view.delivery is not None and view.delivery["recipient"] == "Budi Hartono"
    assert view.register_number is not None and view.register_number.startswith("00001/KK/")


def test_return_with_koreksi_then_fixed(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ctx_for: Callable[..., UiContext]
) -> None:
    code = new_case(db, actors, "KK")
    advance_to(db, actors, code, 3)
    kasi = open_window(qtbot, ctx_for("kasi"), code)
    qtbot.mouseClick(button(kasi, "back"), Qt.MouseButton.LeftButton)
    assert "koreksi" in kasi.message.text().lower()  # a reason is required
    qtbot.keyClicks(kasi.back_reason, "Nama kepala keluarga salah ketik")
    act(qtbot, kasi, "back")
    assert kasi.view is not None and kasi.view.current_step == 2
    assert "Nama kepala keluarga salah ketik" in kasi.history_view.toPlainText()
    assert "advance" not in kasi.forms

    # it is back in the operator's inbox, with the koreksi in the thread
    inbox = InboxPage(ctx_for("operator"))
    WINDOWS.append(inbox)
    with qtbot.waitSignal(inbox.loaded, timeout=10000):
        inbox.refresh()
    assert code in inbox.codes()
    operator = open_window(qtbot, ctx_for("operator"), code)
    assert "Dikembalikan ke langkah 2" in operator.history_view.toPlainText()
    assert operator.doc_edit is not None
    assert "1808-0000001" in operator.doc_edit.placeholderText()  # recorded the first time
    act(qtbot, operator, "advance")  # the number is already there: not asked again
    with db.read() as s:
        view = case_view(s, code)
    assert view.current_step == 3
    assert [h.action for h in view.history] == ["selesai", "selesai", "kembali", "selesai"]


def test_return_to_pemohon_and_berkas_susulan(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    tmp_path: Path,
    ctx_for: Callable[..., UiContext],
) -> None:
    code = new_case(db, actors, "KTP_EL", present=["fotokopi_kk", "ktp_el_lama"])
    scan = tmp_path / "surat_kehilangan.png"
    scan.write_bytes(png_bytes(50, 70))
    w = open_window(qtbot, ctx_for("online"), code, ask_files=lambda _p: [str(scan)])
    qtbot.keyClicks(w.missing_edit, "Surat keterangan kehilangan dari Kepolisian")
    qtbot.keyClicks(w.return_note, "KTP lama tidak terbaca")
    act(qtbot, w, "return_pemohon")
    assert w.view is not None and w.view.status == CaseStatus.MENUNGGU_PEMOHON
    qtbot.waitUntil(lambda: w.message_dialog is not None)
    assert "kehilangan" in w.message_dialog.text().lower()
    assert "resubmit" in w.forms and "advance" not in w.forms

    # the pemohon sends the letter: recorded as berkas susulan, the request resumes
    add = next(
        b
        for b in w.forms["resubmit"].findChildren(QPushButton)
        if b.text().startswith("Tambah berkas")
    )
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert w.resubmit_strip.count() == 1
    w.resubmit_checklist.box("ktp_el_lama").setChecked(False)
    qtbot.keyClick(w.resubmit_checklist.box("surat_kehilangan_polisi"), Qt.Key.Key_Space)
    act(qtbot, w, "resubmit")
    with db.read() as s:
        view = case_view(s, code)
    assert view.status == CaseStatus.PROSES and view.current_step == 1
    assert [a.filename for a in view.attachments] == ["surat_kehilangan.png"]
    assert {c.key for c in view.checklist if c.present} == {
        "fotokopi_kk",
        "surat_kehilangan_polisi",
    }
    qtbot.waitUntil(lambda: w.berkas.count() == 1)


def test_scanned_link_opens_the_request(
    qtbot: QtBot, db: Database, actors: dict[str, Any], ops: Any, settings: Any
) -> None:
    code = new_case(db, actors, "KIA", conditions=["anak_lebih_5_tahun"])
    window = MainWindow(ops, user_info(db, "kasi"), settings)
    WINDOWS.append(window)
    window.show()
    window.open_code_dialog()
    dlg = window.findChild(OpenCodeDialog)
    assert dlg is not None
    qtbot.keyClicks(dlg.edit, "tidak ada kode di sini")
    qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)
    assert "Tidak ada kode pelacakan" in dlg.message.text()
    dlg.edit.clear()
    link = f"https://wa.me/628117961600?text=STATUS%20{code[:4]}-{code[4:]}"
    qtbot.keyClicks(dlg.edit, link)
    qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)
    assert code in window.case_windows()
    case_window = window.case_windows()[code]
    qtbot.waitUntil(lambda: case_window.view is not None)  # type: ignore[attr-defined]
    assert case_window.view.code == code  # type: ignore[attr-defined]
    # opening it again brings the same window forward
    window.open_case(code.lower())
    assert len(window.case_windows()) == 1


def test_inbox_urgent_first_coloured_paged_and_following_other_pcs(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ops: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import UTC, datetime, timedelta

    from sipelayanan.ui import inbox as inbox_module
    from sipelayanan.ui.widgets.common import SLA_BACKGROUND, SLA_LATE, SLA_ON_TIME

    now = datetime.now(UTC)
    old = new_case(db, actors, "KK", nama="Lama Sekali", now=now - timedelta(days=10))
    older = new_case(db, actors, "SKPWNI", nama="Paling Lama", now=now - timedelta(days=12))
    fresh = [new_case(db, actors, "KIA", nama=f"Baru {i}") for i in range(3)]
    monkeypatch.setattr(inbox_module, "PAGE_SIZE", 2)

    window = MainWindow(ops, user_info(db, "online"), settings)
    WINDOWS.append(window)
    page = window.pages["inbox"]
    assert isinstance(page, InboxPage)
    model = page.model
    fetches: list[int] = []
    model.fetch_requested.connect(lambda: fetches.append(len(model.rows)))
    window.show()
    # the view asks for further pages (keyset paging) while it has room to show them
    qtbot.waitUntil(lambda: len(page.codes()) == 5 and not model.more, timeout=10000)
    assert fetches == [2, 4]  # 2 + 2 + 1 rows
    assert page.codes()[:2] == [older, old]  # earliest due first
    assert model.data(model.index(0, 7)) == "Terlambat"
    assert (
        model.data(model.index(0, 7), Qt.ItemDataRole.BackgroundRole).color()
        == SLA_BACKGROUND[SLA_LATE]
    )
    assert "/ 5 mnt" in model.data(model.index(1, 5))  # time at step vs the SOP's 5 minutes
    assert model.data(model.index(0, 3)) == "1808********0003"  # NIK masked
    assert set(page.codes()[2:]) == set(fresh)
    assert model.sla(model.rows[-1]) == SLA_ON_TIME
    assert window.nav_text("inbox") == "Kotak Masuk  (5)"
    assert page.filter_buttons["KIA"].text() == "KIA Baru  3"

    # another PC records a request: the cheap change check notices and the inbox refreshes
    ops.check_changes()
    qtbot.waitUntil(lambda: ops._token is not None, timeout=10000)
    extra = new_case(db, actors, "KK", nama="Dari PC Lain")
    ops.check_changes()
    qtbot.waitUntil(lambda: extra in page.codes(), timeout=10000)
    assert page.codes()[-1] == extra  # due last, so fetched with the next page
    assert window.nav_text("inbox") == "Kotak Masuk  (6)"
    # a service filter shows only that service
    with qtbot.waitSignal(page.loaded, timeout=10000):
        qtbot.mouseClick(page.filter_buttons["KK"], Qt.MouseButton.LeftButton)
    assert set(page.codes()) == {old, extra}
    # Enter opens the selected request
    page.table.setFocus()
    page.table.selectRow(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert old in window.case_windows()
