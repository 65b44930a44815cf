"""Pengaduan forms driven with the keyboard and mouse by the roles of the complaint SOP:
register, simple solution, escalation to the pejabat, the tim's solution, the answer to the
pelapor — and return to the pelapor, conflicts, and refused input that keeps what was typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from sipelayanan.models.cases import CaseStatus
from sipelayanan.services import cases as svc
from sipelayanan.services.queries import CaseView, case_view
from sipelayanan.services.users import get_user
from sipelayanan.ui.pengaduan import SCOPE_MINE, SCOPE_OPEN, ActionForm, PengaduanPage

from .support_b import UiKit


@pytest.fixture
def kit(db_url: str, tmp_path: Path, db, ops, settings, ctx_for, opened) -> UiKit:
    return UiKit(db_url, tmp_path, ops, settings, db, ctx_for, opened)


def _png(path: Path) -> Path:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#88aacc"))
    assert image.save(str(path), "PNG")
    return path


def _page(kit: UiKit, qtbot, username: str, **kwargs) -> PengaduanPage:
    page = PengaduanPage(kit.ctx(username), **kwargs)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    # WhatsApp windows it opens are closed after the test too (else a stale one stays active)
    page.detail.message_composed.connect(qtbot.addWidget)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    return page


def _view(kit: UiKit, code: str) -> CaseView:
    with kit.db.read() as session:
        return case_view(session, code)


def _wait_step(page: PengaduanPage, qtbot, code: str, step: int, status: str = "proses") -> None:
    def ready() -> bool:
        v = page.detail.view
        return (
            v is not None
            and v.code == code
            and v.current_step == step
            and v.status == status
            and not page.detail._busy
        )

    qtbot.waitUntil(ready, timeout=10000)


def _form(page: PengaduanPage, key: str) -> ActionForm:
    forms = {f.spec.key: f for f in page.detail.forms}
    assert key in forms, f"form {key} not offered; offered: {sorted(forms)}"
    return forms[key]


def _select(page: PengaduanPage, qtbot, code: str) -> None:
    qtbot.waitUntil(lambda: page.model.row_of(code) >= 0, timeout=10000)
    page.table.setFocus()
    page.table.selectRow(page.model.row_of(code))


def _actor(kit: UiKit, username: str):
    with kit.db.read() as session:
        return get_user(session, username).actor()


def test_register_then_solve_simply(kit: UiKit, qtbot, tmp_path) -> None:
    photo = _png(tmp_path / "kk-salah.png")
    page = _page(kit, qtbot, "aduan", ask_files=lambda parent: [str(photo)])
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    form = page.register
    assert page.stack.currentWidget() is form
    qtbot.keyClicks(form.nama, "Rahmat Hidayat")
    qtbot.keyClicks(form.wa.edit, "0812-3456-7890")
    qtbot.keyClicks(form.uraian, "Nama ibu di KK salah eja setelah pindah datang.")
    qtbot.mouseClick(form.add_button, Qt.MouseButton.LeftButton)
    assert len(form.files()) == 1 and form.present.isChecked()
    form.setuju_wa.setChecked(True)  # the pelapor agrees to automatic WhatsApp notices
    qtbot.keyClick(form.nama, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    # registered with its berkas: the SOP's first step (berkas received) is done by the
    # registration itself, so the complaint opens at step 2; the WhatsApp reply carries its code
    qtbot.waitUntil(lambda: page.detail.view is not None, timeout=10000)
    code = page.detail.view.code
    _wait_step(page, qtbot, code, 2)
    assert "berkasnya sudah diterima" in form.message.text()
    qtbot.waitUntil(lambda: page.detail.last_message_dialog is not None, timeout=10000)
    assert f"{code[:4]}-{code[4:]}" in page.detail.last_message_dialog.text()
    page.detail.last_message_dialog.close()
    page.detail.last_message_dialog = None
    assert form.nama.text() == "" and form.files() == []  # the form is ready for the next one
    assert not form.setuju_wa.isChecked()  # asked again of the next pelapor
    from sqlalchemy import select

    from sipelayanan.models import Case, NoticeConsent

    with kit.db.read() as s:
        consents = s.execute(
            select(NoticeConsent.consent)
            .join(Case, Case.id == NoticeConsent.case_id)
            .where(Case.code == code)
        ).all()
    assert [c for (c,) in consents] == [True]
    stored = _view(kit, code)
    assert stored.service == "PENGADUAN" and stored.uraian.startswith("Nama ibu")
    assert [a.filename for a in stored.attachments] == ["kk-salah.png"]
    qtbot.waitUntil(lambda: page.model.row_of(code) >= 0)

    assert {f.spec.key for f in page.detail.forms} == {"register", "return"}  # no 2nd receipt
    assert _view(kit, code).history[0].username == "aduan"
    qtbot.keyClicks(_form(page, "register").text, "Salah ketik saat entri SIAK.")
    qtbot.mouseClick(_form(page, "register").button, Qt.MouseButton.LeftButton)
    _wait_step(page, qtbot, code, 3)
    assert _view(kit, code).register_number is not None
    assert _view(kit, code).register_number in page.detail.info.text()

    # step 3 offers both ways: the simple solution and the escalation
    assert {f.spec.key for f in page.detail.forms} == {"close", "escalate"}
    close = _form(page, "close")
    qtbot.mouseClick(close.button, Qt.MouseButton.LeftButton)
    assert "wajib diisi" in close.reason.text()  # nothing sent without a solution
    assert _view(kit, code).status == CaseStatus.PROSES
    qtbot.keyClicks(close.text, "Data diperbaiki di SIAK; KK dicetak ulang hari ini.")
    page.activateWindow()  # the WhatsApp window had the focus
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(close.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    _wait_step(page, qtbot, code, 3, CaseStatus.SELESAI)
    done = _view(kit, code)
    assert done.closed_path == "sederhana"
    assert done.solusi == "Data diperbaiki di SIAK; KK dicetak ulang hari ini."
    assert page.detail.forms == []
    assert page.detail.compose_button.isVisible()
    qtbot.waitUntil(lambda: page.detail.last_message_dialog is not None, timeout=10000)
    assert page.detail.last_message_dialog.isVisible()


def test_escalated_complaint_through_pejabat_and_back_to_the_pelapor(kit: UiKit, qtbot) -> None:
    ref = kit.intake(
        "PENGADUAN",
        nama="Pelapor Dua",
        nik=None,
        wa="0813-1111-2222",
        uraian="Akta kelahiran anak belum terbit setelah dua minggu.",
    )
    aduan = _actor(kit, "aduan")
    with kit.db.write() as session:
        svc.advance(session, aduan, ref.code)
        svc.advance(session, aduan, ref.code)
    code = ref.code

    petugas = _page(kit, qtbot, "aduan")
    _select(petugas, qtbot, code)
    _wait_step(petugas, qtbot, code, 3)
    escalate = _form(petugas, "escalate")
    qtbot.keyClicks(escalate.text, "Perlu keputusan soal data ganda di SIAK pusat.")
    qtbot.mouseClick(escalate.button, Qt.MouseButton.LeftButton)
    _wait_step(petugas, qtbot, code, 4)
    # step 4 hands on the summary typed at step 3: nothing is typed twice
    report = _form(petugas, "report")
    assert report.text.toPlainText() == "Perlu keputusan soal data ganda di SIAK pusat."
    assert not report.spec.text_required
    qtbot.mouseClick(report.button, Qt.MouseButton.LeftButton)
    _wait_step(petugas, qtbot, code, 5)
    assert petugas.detail.forms == []
    assert "Pejabat Pengelola Pengaduan" in petugas.detail.turn.text()

    # the tim sees the complaint at its meeting step but records nothing itself: its
    # "giliran" is empty (it can act on nothing), so it starts on the open complaints
    tim = _page(kit, qtbot, "tim")
    assert tim.scope.currentData() == SCOPE_OPEN
    _select(tim, qtbot, code)
    _wait_step(tim, qtbot, code, 5)
    assert tim.detail.forms == []
    assert "Tim Penjawab Aduan" in tim.detail.turn.text()
    assert not any(r.mine for r in tim.model.rows)
    tim.scope.setCurrentIndex(tim.scope.findData(SCOPE_MINE))
    qtbot.waitUntil(lambda: tim.count.text().startswith("0 pengaduan"), timeout=10000)

    # the pejabat reads the escalation reason first, above the pelapor's details
    pejabat = _page(kit, qtbot, "pejabat")
    _select(pejabat, qtbot, code)
    _wait_step(pejabat, qtbot, code, 5)
    assert pejabat.detail.ringkasan.isVisible()
    assert "data ganda di SIAK pusat" in pejabat.detail.ringkasan.text()
    col = pejabat.detail.ringkasan.parentWidget().layout()
    assert col.indexOf(pejabat.detail.ringkasan) < col.indexOf(pejabat.detail.info)
    assert any(r.mine for r in pejabat.model.rows if r.code == code)
    solusi = _form(pejabat, "solusi_tim")
    qtbot.keyClicks(solusi.text, "Hapus data ganda lewat SIAK pusat; terbitkan akta.")
    qtbot.keyClicks(solusi.note, "Rapat dengan tim: Kabid, Kasi, operator.")
    qtbot.keyClick(solusi.note, Qt.Key.Key_Return)
    _wait_step(pejabat, qtbot, code, 6)
    handover = _form(pejabat, "solusi_petugas")
    assert handover.text.toPlainText() == "Hapus data ganda lewat SIAK pusat; terbitkan akta."
    qtbot.keyClicks(handover.text, " Selesai dalam 2 hari kerja.")
    qtbot.mouseClick(handover.button, Qt.MouseButton.LeftButton)
    _wait_step(pejabat, qtbot, code, 7)

    petugas.refresh()
    _wait_step(petugas, qtbot, code, 7)
    answer = _form(petugas, "answer")
    assert answer.text.toPlainText().endswith("Selesai dalam 2 hari kerja.")
    qtbot.mouseClick(answer.button, Qt.MouseButton.LeftButton)
    _wait_step(petugas, qtbot, code, 7, CaseStatus.SELESAI)
    final = _view(kit, code)
    assert final.closed_path == "eskalasi"
    assert final.solusi.endswith("Selesai dalam 2 hari kerja.")
    by_step = {h.step_no: h.username for h in final.history}
    assert by_step == {
        1: "aduan",
        2: "aduan",
        3: "aduan",
        4: "aduan",
        5: "pejabat",
        6: "pejabat",
        7: "aduan",
    }
    notes = {h.step_no: h.note for h in final.history}
    assert notes[3] == "Perlu keputusan soal data ganda di SIAK pusat."
    assert notes[4] is None  # handed on unchanged: not written a second time
    assert notes[5] == "Rapat dengan tim: Kabid, Kasi, operator."
    qtbot.waitUntil(lambda: petugas.detail.last_message_dialog is not None, timeout=10000)
    answer_text = petugas.detail.last_message_dialog.text()
    assert "Selesai dalam 2 hari kerja." in answer_text
    assert f"{code[:4]}-{code[4:]}" in answer_text
    assert "Pelapor Dua" in answer_text


def test_return_to_pelapor_then_resubmit(kit: UiKit, qtbot) -> None:
    code = kit.intake(
        "PENGADUAN",
        nama="Pelapor Tiga",
        nik=None,
        wa="0813-1111-2222",
        uraian="Foto KK tidak terbaca.",
    ).code
    page = _page(kit, qtbot, "aduan")
    _select(page, qtbot, code)
    _wait_step(page, qtbot, code, 1)
    # on a busy machine a background refresh may still be laying the forms out: wait for them
    qtbot.waitUntil(lambda: _form(page, "return").isVisible(), timeout=10000)
    back = _form(page, "return")
    assert not back.isChecked() and back.body.isHidden()  # folded: the less common way out
    back.setFocus()
    qtbot.keyClick(back, Qt.Key.Key_Space)
    assert back.isChecked()
    qtbot.waitUntil(back.body.isVisible, timeout=5000)
    qtbot.keyClicks(back.text, "Foto KK yang jelas; KTP-el pelapor")
    qtbot.mouseClick(back.button, Qt.MouseButton.LeftButton)
    _wait_step(page, qtbot, code, 1, CaseStatus.MENUNGGU_PEMOHON)
    assert _view(kit, code).missing_items == ("Foto KK yang jelas", "KTP-el pelapor")
    qtbot.waitUntil(lambda: page.detail.last_message_dialog is not None, timeout=10000)
    assert "KTP-el pelapor" in page.detail.last_message_dialog.text()

    qtbot.mouseClick(_form(page, "resubmit").button, Qt.MouseButton.LeftButton)
    _wait_step(page, qtbot, code, 1, CaseStatus.PROSES)
    assert _view(kit, code).returned_count == 1


def test_conflict_reloads_and_refused_input_keeps_the_form(kit: UiKit, qtbot) -> None:
    code = kit.intake(
        "PENGADUAN",
        nama="Pelapor Empat",
        nik=None,
        wa="0813-1111-2222",
        uraian="Status permohonan tidak berubah.",
    ).code
    aduan = _actor(kit, "aduan")
    with kit.db.write() as session:
        svc.advance(session, aduan, code)
        svc.advance(session, aduan, code)
    page = _page(kit, qtbot, "aduan")
    _select(page, qtbot, code)
    _wait_step(page, qtbot, code, 3)
    close = _form(page, "close")
    qtbot.keyClicks(close.text, "Sudah dijelaskan lewat telepon.")
    # meanwhile, on another PC, a colleague escalates the same complaint
    with kit.db.write() as session:
        svc.advance(session, aduan, code, note="Dari PC lain")
    qtbot.mouseClick(close.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.detail.message.level == "warning", timeout=10000)
    assert "baru saja diubah" in page.detail.message.text()
    _wait_step(page, qtbot, code, 4)  # reloaded: now the step-4 form
    assert _view(kit, code).status == CaseStatus.PROSES

    # register form: a bad WhatsApp number is refused beside the field; nothing is lost
    page.scope.setCurrentIndex(page.scope.findData(SCOPE_OPEN))
    page.show_register()
    form = page.register
    qtbot.keyClicks(form.nama, "Pelapor Lima")
    qtbot.keyClicks(form.wa.edit, "0721-123456")  # a landline
    qtbot.keyClicks(form.uraian, "KIA belum dikirim.")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert "seluler" in form.wa.reason_text()
    assert form.message.level == "error"
    assert form.nama.text() == "Pelapor Lima"
    assert form.uraian.toPlainText() == "KIA belum dikirim."
    form.wa.edit.clear()
    qtbot.keyClicks(form.wa.edit, "0812-9999-8888")
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.message.level == "success", timeout=10000)
    assert form.nama.text() == ""


def test_database_out_of_reach_keeps_the_typed_complaint(kit: UiKit, qtbot) -> None:
    from sipelayanan.ui.context import UiContext
    from sipelayanan.ui.ops import Ops

    down = Ops("postgresql://sip@127.0.0.1:1/sipelayanan", poll_ms=0)  # nothing listens there
    try:
        ctx = kit.ctx("aduan")
        page = PengaduanPage(
            UiContext(down, ctx.user, kit.settings, kit.opened.append, kit.statuses.append)
        )
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(lambda: page.message.level == "error", timeout=15000)
        page.show_register()
        form = page.register
        qtbot.keyClicks(form.nama, "Pelapor Enam")
        qtbot.keyClicks(form.wa.edit, "0812-3456-7890")
        qtbot.keyClicks(form.uraian, "NIK ganda di SIAK.")
        with qtbot.waitSignal(down.connection_lost, timeout=15000):
            qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: form.message.level == "error", timeout=15000)
        assert "tidak dapat dihubungi" in form.message.text()
        assert form.nama.text() == "Pelapor Enam"
        assert form.wa.text() == "0812-3456-7890"
        assert form.uraian.toPlainText() == "NIK ganda di SIAK."
        assert form.submit_button.isEnabled()  # press again when the connection is back
    finally:
        down.shutdown()


def test_berkas_ticked_when_received_at_step_1(kit: UiKit, qtbot) -> None:
    code = kit.intake(
        "PENGADUAN",
        nama="Pelapor Tujuh",
        nik=None,
        wa="0813-1111-2222",
        uraian="Berkas menyusul lewat WhatsApp.",
        present=[],
    ).code
    page = _page(kit, qtbot, "aduan")
    _select(page, qtbot, code)
    _wait_step(page, qtbot, code, 1)
    receive = _form(page, "terima")
    tick = receive.ticks["berkas_permasalahan"]
    qtbot.mouseClick(receive.button, Qt.MouseButton.LeftButton)
    assert "Tandai berkas" in receive.reason.text()
    assert _view(kit, code).current_step == 1
    tick.setFocus()
    qtbot.keyClick(tick, Qt.Key.Key_Space)
    qtbot.mouseClick(receive.button, Qt.MouseButton.LeftButton)
    _wait_step(page, qtbot, code, 2)
    stored = _view(kit, code)
    assert [c.present for c in stored.checklist if c.key == "berkas_permasalahan"] == [True]
    assert _form(page, "register").ticks == {}


def test_register_records_the_lapor_details_and_keeps_the_pelapor_confidential(
    kit: UiKit, qtbot
) -> None:
    from sipelayanan.services.complaints import HIDDEN

    page = _page(kit, qtbot, "aduan")
    page.show_register()
    form = page.register
    qtbot.keyClicks(form.nama, "Siti Rahasia")
    qtbot.keyClicks(form.wa.edit, "0812-3456-7890")
    qtbot.keyClicks(form.uraian, "Petugas meminta biaya untuk KK.")
    assert not form.lapor.isEnabled()  # only for complaints from SP4N-LAPOR!
    form.channel.setCurrentIndex(form.channel.findData("lapor"))
    assert form.lapor.isEnabled()
    form.classification.setCurrentIndex(form.classification.findData("pengaduan"))
    form.concerns.setCurrentIndex(form.concerns.findData("KK"))
    form.rahasia.setChecked(True)
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    assert "LAPOR!" in form.lapor_reason.text() and form.message.level == "error"
    assert form.nama.text() == "Siti Rahasia"  # nothing typed is lost
    qtbot.keyClicks(form.lapor, "#LAP-2026-0099")
    form.compose.setChecked(False)
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.message.level == "success", timeout=10000)
    assert form.lapor.text() == "" and not form.rahasia.isChecked()  # asked of each pelapor

    qtbot.waitUntil(lambda: page.detail.loaded is not None, timeout=10000)
    code = page.detail.code
    qtbot.waitUntil(lambda: page.model.row_of(code) >= 0, timeout=10000)
    row = page.model.rows[page.model.row_of(code)]
    assert row.pelapor == HIDDEN  # not even in the complaint list
    assert row.channel == "lapor" and row.lapor_number == "LAP-2026-0099"
    shown = [page.model.index(page.model.row_of(code), c).data() for c in range(8)]
    assert "SP4N-LAPOR! LAP-2026-0099" in shown and "Pengaduan" in shown
    info = page.detail.info.text()
    assert "Siti Rahasia" in info  # the one who must answer sees who it is
    assert "Identitas pelapor dirahasiakan" in info and "No. LAPOR! LAP-2026-0099" in info
    assert "Batas 60 hari" in info and "lewat batas" not in info

    # another role (the kasi) sees neither the name nor the number of any pelapor
    with kit.db.read() as s:
        other = case_view(s, code, roles=["kasi"])
    assert other.pemohon_nama == HIDDEN and other.wa == ""


def test_a_complaint_past_sixty_days_is_marked(kit: UiKit, qtbot) -> None:
    from datetime import UTC, datetime, timedelta

    from PySide6.QtGui import QBrush

    from sipelayanan.services import complaints as core

    with kit.db.write() as s:
        old = core.register(
            s,
            _actor(kit, "aduan"),
            core.NewComplaint(nama="Pelapor Lama", wa="0813-1111-2222", uraian="Lama."),
            now=datetime.now(UTC) - timedelta(days=61),
        ).ref.code
    page = _page(kit, qtbot, "aduan")
    page.scope.setCurrentIndex(page.scope.findData(SCOPE_OPEN))
    _select(page, qtbot, old)
    row = page.model.row_of(old)
    assert page.model.rows[row].overdue
    cell = page.model.index(row, page.model.LIMIT_COLUMN)
    assert cell.data().endswith("lewat")
    brush = page.model.data(cell, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(brush, QBrush) and brush.color().name() == "#a11d1d"
    qtbot.waitUntil(lambda: page.detail.code == old and page.detail.loaded is not None)
    assert "lewat batas" in page.detail.info.text()
    qtbot.waitUntil(lambda: "lewat batas 60 hari" in page.count.text(), timeout=10000)


def test_the_complaint_page_names_no_service_code_and_no_step_number() -> None:
    import re

    import sipelayanan.ui.pengaduan as package

    folder = Path(package.__file__).parent
    for path in folder.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "PENGADUAN" not in source, path
        assert not re.search(r"current_step\s*(==|>=|<=|<|>)\s*\d", source), path
        assert not re.search(r"\.step\(\d+\)", source), path
