"""Personal data in the desktop (issue 17, 12.5): the operator reveals and copies a NIK with one
click (one recorded view), others see it masked; the Cari page records committed searches, not
keystrokes; Admin ▸ Data pribadi exports a resident's data, corrects it, sets the retention
schedule and purges; the office profile keeps the data-protection officer."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.identity import mask_nik
from sipelayanan.models import Attachment, AuditEntry, Case
from sipelayanan.services import audit
from sipelayanan.services import cases as svc
from sipelayanan.services.berkas import BerkasFile
from sipelayanan.services.office import get_profile
from sipelayanan.ui.admin.privacy import PrivacyTab
from sipelayanan.ui.admin.profile import ProfileTab
from sipelayanan.ui.search import SearchPage
from sipelayanan.ui.search_record import SearchRecorder
from sipelayanan.ui.widgets.nik_reveal import NikReveal

from .conftest import NIK, new_case

PDF = b"%PDF-1.4\n" + b"x" * 2000 + b"\n1 0 obj<<>>endobj\nstartxref\n0\n%%EOF\n"


def _views(db: Database, item: str) -> list[dict[str, Any]]:
    with db.read() as s:
        rows = s.execute(select(AuditEntry).where(AuditEntry.action == "data.view")).scalars()
        return [
            {"code": e.entity_id, "user": e.username, **json.loads(e.detail)}
            for e in rows
            if json.loads(e.detail).get("item") == item
        ]


def test_the_operator_reveals_and_copies_the_nik_once_recorded(
    db: Database, actors: dict[str, Any], ctx_for: Any, qtbot: Any
) -> None:
    code = new_case(db, actors)
    widget = NikReveal(ctx_for("operator"))
    qtbot.addWidget(widget)
    widget.set_case(code, mask_nik(NIK))
    widget.show()
    qtbot.waitUntil(lambda: widget.allowed)
    assert widget.reveal_button.isVisible() and NIK not in widget.label.text()
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(widget.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.full is not None)
    assert NIK in widget.label.text() and QGuiApplication.clipboard().text() == NIK
    assert widget.copy_button.isVisible() and not widget.reveal_button.isVisible()
    widget.copy()  # copying again reads nothing more
    views = _views(db, "nik")
    assert [(v["code"], v["user"]) for v in views] == [(code, "operator")]
    with db.read() as s:
        assert audit.verify(s).ok
    other = new_case(db, actors, nama="Budi Hartono")
    widget.set_case(other, mask_nik(NIK))  # another request: masked again
    assert NIK not in widget.label.text() and widget.reveal_button.isVisible()


def test_other_roles_see_the_masked_nik_without_a_reveal(
    db: Database, actors: dict[str, Any], ctx_for: Any, qtbot: Any
) -> None:
    code = new_case(db, actors)
    widget = NikReveal(ctx_for("kasi"))
    qtbot.addWidget(widget)
    widget.set_case(code, mask_nik(NIK))
    widget.show()
    qtbot.wait(300)
    qtbot.waitUntil(lambda: not widget.ctx.ops.busy)
    assert not widget.allowed and not widget.reveal_button.isVisible()
    assert widget.label.text().endswith(mask_nik(NIK))
    widget.reveal()  # even called directly: nothing
    qtbot.wait(200)
    assert widget.full is None and _views(db, "nik") == []


def test_search_records_the_committed_search_not_each_keystroke(
    db: Database, actors: dict[str, Any], ctx_for: Any, qtbot: Any
) -> None:
    siti = new_case(db, actors, nama="Siti Aminah")
    new_case(db, actors, nama="Budi Hartono")
    ctx = ctx_for("kasi")
    page = SearchPage(ctx)
    qtbot.addWidget(page)
    recorder = page.access  # the page's own recorder, settling sooner for the test
    assert isinstance(recorder, SearchRecorder)
    recorder.timer.setInterval(400)
    page.show()
    qtbot.waitUntil(lambda: page.model._active and not page.model.fetching)
    qtbot.keyClicks(page.box, "Siti Amin")  # a keystroke at a time, searches as it goes
    qtbot.waitUntil(lambda: page.model.text == "Siti Amin" and not page.model.fetching)
    qtbot.waitUntil(lambda: recorder.recorded == 1, timeout=5000)  # typing settled once
    qtbot.keyClick(page.box, Qt.Key.Key_Return)  # the same search committed again: not twice
    qtbot.wait(600)
    searches = _views(db, "search")
    assert len(searches) == 1 and searches[0]["codes"] == [siti]
    assert searches[0]["kind"] == "nama" and "Siti" not in json.dumps(searches)
    # a tracking code shows no personal data by itself: not recorded
    page.box.clear()
    qtbot.keyClicks(page.box, siti)
    qtbot.keyClick(page.box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.model.fetching and page.model.text == siti)
    qtbot.wait(700)
    assert len(_views(db, "search")) == 1
    # a NIK search opened from its result: recorded once
    page.box.clear()
    qtbot.keyClicks(page.box, NIK)
    qtbot.waitUntil(lambda: page.model.text == NIK and not page.model.fetching)
    page.open_code(page.model.rows[0].code)
    qtbot.waitUntil(lambda: len(_views(db, "search")) == 2)
    qtbot.wait(700)
    assert len(_views(db, "search")) == 2 and _views(db, "search")[1]["kind"] == "nik"


def test_admin_privacy_tab_exports_corrects_and_purges(
    db: Database, actors: dict[str, Any], ctx_for: Any, qtbot: Any, tmp_path: Path
) -> None:
    old = datetime(2019, 3, 4, 2, tzinfo=UTC)
    code = new_case(db, actors, now=old, berkas=[BerkasFile("kk.pdf", PDF)])
    with db.write() as s:
        svc.cancel(s, actors["kasi"], code, reason="Pemohon pindah", now=old + timedelta(hours=1))
    fresh = new_case(db, actors, berkas=[BerkasFile("baru.pdf", PDF)])
    tab = PrivacyTab(ctx_for("admin"))
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    tab.refresh()
    qtbot.waitUntil(lambda: tab.role_checks["operator"].isChecked())
    assert not tab.role_checks["kasi"].isChecked()

    tab.nik.setText(NIK)
    out = tmp_path / "data-pribadi.zip"
    tab.export_to(out)
    qtbot.waitUntil(lambda: tab.last_export is not None, timeout=10000)
    data = json.loads(zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("data.json"))
    assert {c["code"] for c in data["permohonan"]} == {code, fresh}
    assert len(_views(db, "export")) == 1

    tab.code.setText(fresh)
    tab.field.setCurrentIndex(tab.field.findData("nama"))
    tab.value.setText("Siti Aminah Putri")
    tab.reason.setText("Permintaan pemohon")
    qtbot.mouseClick(tab.correct_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "diperbaiki" in tab.message.text())
    with db.read() as s:
        name = s.execute(select(Case.pemohon_nama).where(Case.code == fresh)).scalar_one()
    assert name == "Siti Aminah Putri"

    tab.years["KK"].setValue(5)
    qtbot.mouseClick(tab.save_schedule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "disimpan" in tab.message.text())
    qtbot.mouseClick(tab.dry_run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.last_plan is not None)
    assert tab.last_plan is not None and tab.last_plan.files == 1
    assert "1 berkas akan dihapus" in tab.plan_label.text()
    tab.last_plan = None
    tab.purge_now(confirmed=True)
    qtbot.waitUntil(lambda: tab.last_plan is not None)
    with db.read() as s:
        empty = s.execute(
            select(func.count(Attachment.id)).where(func.length(Attachment.content) == 0)
        ).scalar_one()
        assert empty == 1 and audit.verify(s).ok
    assert "1 berkas dihapus" in tab.plan_label.text()


def test_the_profile_keeps_the_data_protection_officer(
    db: Database, ctx_for: Any, qtbot: Any
) -> None:
    tab = ProfileTab(ctx_for("admin"))
    qtbot.addWidget(tab)
    tab.show()
    tab.reload()
    qtbot.waitUntil(lambda: tab.profile is not None)
    qtbot.keyClicks(tab.dpo_name, "Rudi Hermawan, S.H.")
    qtbot.keyClicks(tab.dpo_contact, "0724-123456 / ppid@waykanankab.go.id")
    tab.save()
    qtbot.waitUntil(lambda: not tab._busy)
    with db.read() as s:
        profile = get_profile(s)
    assert profile.dpo_name == "Rudi Hermawan, S.H."
    assert profile.dpo_contact.startswith("0724-123456")


def test_the_request_window_records_its_opening_and_each_berkas_once(
    db: Database, actors: dict[str, Any], ctx_for: Any, qtbot: Any
) -> None:
    from sipelayanan.ui.case import CaseWindow

    code = new_case(
        db, actors, berkas=[BerkasFile("kk.pdf", PDF), BerkasFile("akta.pdf", PDF + b"2")]
    )
    window = CaseWindow(ctx_for("operator"), code)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None, timeout=10000)
    qtbot.waitUntil(lambda: window.berkas.count() == 2, timeout=10000)
    qtbot.waitUntil(lambda: len(_views(db, "berkas")) == 1, timeout=5000)  # the one shown
    assert [v["code"] for v in _views(db, "case")] == [code]
    header = window.pemohon_label.text() + window.nik_reveal.label.text()
    assert NIK not in header and mask_nik(NIK) in header  # masked, as for everyone
    window.reload()  # a reload (another PC changed something) is not a new opening
    qtbot.waitUntil(lambda: not window.ctx.ops.busy)
    window.berkas.setCurrentRow(1)
    window.berkas.setCurrentRow(0)  # seen before in this window: not again
    qtbot.waitUntil(lambda: len(_views(db, "berkas")) == 2, timeout=5000)
    qtbot.wait(300)
    assert len(_views(db, "case")) == 1 and len(_views(db, "berkas")) == 2
    # the operator (SIAK) reveals and copies the NIK from the header
    qtbot.waitUntil(lambda: window.nik_reveal.reveal_button.isVisible())
    qtbot.mouseClick(window.nik_reveal.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.nik_reveal.full == NIK)
    assert QGuiApplication.clipboard().text() == NIK and len(_views(db, "nik")) == 1
    with db.read() as s:
        assert audit.verify(s).ok


def test_a_request_whose_berkas_were_purged_still_opens(
    db: Database, actors: dict[str, Any], ctx_for: Any, qtbot: Any
) -> None:
    from sipelayanan.services import retention
    from sipelayanan.ui.case import CaseWindow

    old = datetime(2019, 3, 4, 2, tzinfo=UTC)
    code = new_case(db, actors, now=old, berkas=[BerkasFile("kk.pdf", PDF)])
    with db.write() as s:
        svc.cancel(s, actors["kasi"], code, reason="Pemohon pindah", now=old + timedelta(hours=1))
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 1}))
    with db.write() as s:
        assert retention.purge(s, actors["admin"]).files == 1
    window = CaseWindow(ctx_for("kasi"), code)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None, timeout=10000)
    qtbot.waitUntil(lambda: window.berkas.count() == 1, timeout=10000)
    qtbot.wait(300)
    assert window.view is not None and window.view.status == "batal"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # restores into a new SQLite file
def test_restoring_an_older_backup_in_admin_says_the_berkas_were_purged_again(
    db: Database, actors: dict[str, Any], ctx_for: Any, qtbot: Any, tmp_path: Path
) -> None:
    from sipelayanan.services import retention
    from sipelayanan.ui.admin.backup import BackupTab

    old = datetime(2019, 3, 4, 2, tzinfo=UTC)
    code = new_case(db, actors, now=old, berkas=[BerkasFile("kk.pdf", PDF)])
    with db.write() as s:
        svc.cancel(s, actors["kasi"], code, reason="Pemohon pindah", now=old + timedelta(hours=1))
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 1}))
    folder = tmp_path / "usb"
    folder.mkdir()
    target = tmp_path / "pulih.sqlite3"
    chosen: dict[str, str] = {}
    tab = BackupTab(
        ctx_for("admin"),
        ask_backup_file=lambda parent: chosen["file"],
        ask_new_database=lambda parent: str(target),
    )
    qtbot.addWidget(tab)
    tab.folder.setText(str(folder))
    qtbot.mouseClick(tab.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.running, timeout=30000)
    chosen["file"] = str(next(folder.iterdir()))
    with db.write() as s:
        assert retention.purge(s, actors["admin"]).files == 1
    qtbot.mouseClick(tab.restore_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.running, timeout=30000)
    assert tab.message.level == "success", tab.message.text()
    assert "1 berkas yang masa simpannya sudah lewat" in tab.message.text()
    restored = Database(f"sqlite:///{target}")
    try:
        with restored.read() as s:
            assert retention.purged_count(s) == 1 and audit.verify(s).ok
    finally:
        restored.dispose()
