"""Admin page: users and roles, office profile (with logo), hours and closures, message
templates, and this PC's database connection with the password in the OS keyring."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as FailKeyring
from keyring.errors import PasswordDeleteError
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtGui import QColor, QImage

from sipelayanan.errors import AuthError
from sipelayanan.services import messages, office
from sipelayanan.services.users import authenticate, count_users, get_user
from sipelayanan.ui.admin import AdminPage, secret
from sipelayanan.ui.admin.database import DatabaseConnectionWidget, probe
from sipelayanan.ui.admin.profile import ProfileTab

from .support_b import UiKit

PASSWORD = "rahasia123"


@pytest.fixture
def kit(db_url: str, tmp_path: Path, db, ops, settings, ctx_for, opened) -> UiKit:
    return UiKit(db_url, tmp_path, ops, settings, db, ctx_for, opened)


class MemoryKeyring(KeyringBackend):
    """Stands in for the OS keyring (Windows Credential Manager) — the outside world."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    yield
    keyring.set_keyring(previous)


def _page(kit: UiKit, qtbot) -> AdminPage:
    page = AdminPage(kit.ctx("admin"))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitUntil(lambda: len(page.users.users) >= 10, timeout=10000)
    return page


def _wait_message(qtbot, bar, level: str = "success") -> None:
    qtbot.waitUntil(lambda: bar.level in (level, "error"), timeout=10000)
    assert bar.level == level, bar.text()


def _tick(qtbot, box) -> None:
    """Toggle a check box from the keyboard (Space), as a clerk tabbing through would."""
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)


def _click(qtbot, tab, button) -> None:
    """Press an action button of the users tab and wait for its outcome."""
    tab.message.clear()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert tab.busy
    qtbot.waitUntil(lambda: not tab.busy, timeout=10000)


def _authenticate(kit: UiKit, username: str, password: str):
    with kit.db.write() as session:
        return authenticate(session, username, password)


# --------------------------------------------------------------------------- users


def test_add_user_then_deactivate_and_reset_password(kit: UiKit, qtbot) -> None:
    page = _page(kit, qtbot)
    tab = page.users
    qtbot.mouseClick(tab.new_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(tab.username, "Rina.Dua")
    qtbot.keyClicks(tab.full_name, "Rina Dua Oktaviani")
    qtbot.keyClicks(tab.nip, "19850312 201001 2 005")
    _tick(qtbot, tab.role_boxes["operator_online"])
    _tick(qtbot, tab.role_boxes["petugas_penyerahan"])
    qtbot.keyClicks(tab.password, "sandi-baru-1")
    qtbot.keyClicks(tab.password2, "sandi-baru-2")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert "tidak sama" in tab.reason.text()  # refused before anything was written
    tab.password2.clear()
    qtbot.keyClicks(tab.password2, "sandi-baru-1")
    qtbot.keyClick(tab.password2, Qt.Key.Key_Return)
    _wait_message(qtbot, tab.message)
    qtbot.waitUntil(lambda: any(u.username == "rina.dua" for u in tab.users), timeout=10000)
    with kit.db.read() as session:
        info = get_user(session, "rina.dua")
    assert info.roles == ("operator_online", "petugas_penyerahan")
    assert info.nip == "198503122010012005"
    assert _authenticate(kit, "rina.dua", "sandi-baru-1").username == "rina.dua"

    # deactivate: the account can no longer log in
    assert tab.selected is not None and tab.selected.username == "rina.dua"
    _click(qtbot, tab, tab.active_button)
    assert tab.message.level == "success", tab.message.text()
    assert not tab.selected.active
    with pytest.raises(AuthError):
        _authenticate(kit, "rina.dua", "sandi-baru-1")
    _click(qtbot, tab, tab.active_button)  # and back
    assert tab.selected.active

    # reset the password
    tab.message.clear()
    qtbot.keyClicks(tab.password, "pendek")
    qtbot.mouseClick(tab.reset_button, Qt.MouseButton.LeftButton)
    assert "minimal 8" in tab.reason.text()
    tab.password.clear()
    qtbot.keyClicks(tab.password, "sandi-ketiga-3")
    qtbot.keyClicks(tab.password2, "sandi-ketiga-3")
    _click(qtbot, tab, tab.reset_button)
    assert tab.message.level == "success", tab.message.text()
    assert _authenticate(kit, "rina.dua", "sandi-ketiga-3").username == "rina.dua"


def test_roles_change_and_last_admin_is_kept(kit: UiKit, qtbot) -> None:
    page = _page(kit, qtbot)
    tab = page.users
    tab.table.selectRow(next(i for i, u in enumerate(tab.users) if u.username == "kasi"))
    assert tab.username.isReadOnly() and tab.username.text() == "kasi"
    _tick(qtbot, tab.role_boxes["kabid"])
    _click(qtbot, tab, tab.save_button)
    assert tab.message.level == "success", tab.message.text()
    with kit.db.read() as session:
        assert get_user(session, "kasi").roles == ("kabid", "kasi")

    tab.table.selectRow(next(i for i, u in enumerate(tab.users) if u.username == "admin"))
    _click(qtbot, tab, tab.active_button)
    assert tab.message.level == "error"
    assert "Admin terakhir" in tab.message.text()
    with kit.db.read() as session:
        assert get_user(session, "admin").active


# --------------------------------------------------------------------------- profile


def test_profile_with_logo_nip_and_wa_numbers(kit: UiKit, qtbot, tmp_path) -> None:
    big = QImage(1200, 600, QImage.Format.Format_RGB32)
    big.fill(QColor("#2e7d32"))
    logo_path = tmp_path / "logo.jpg"
    assert big.save(str(logo_path), "JPG")
    tab = ProfileTab(kit.ctx("admin"), choose_image=lambda parent: str(logo_path))
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    qtbot.waitUntil(lambda: tab.profile is not None, timeout=10000)
    assert tab.name.text().startswith("Dinas Kependudukan")

    tab.kadis.clear()
    qtbot.keyClicks(tab.kadis, "Drs. H. Ahmad Sanusi, M.M.")
    qtbot.keyClicks(tab.kadis_nip.edit, "1968 0101")  # too short
    qtbot.keyClicks(tab.wa_fields["KK"].edit, "0812 3456 7890")
    qtbot.keyClicks(tab.wa_fields["PENGADUAN"].edit, "0721 123456")  # a landline
    qtbot.mouseClick(tab.logo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.level == "error"
    assert "18 digit" in tab.kadis_nip.reason_text()
    assert "seluler" in tab.wa_fields["PENGADUAN"].reason_text()

    # another PC changes something meanwhile: the edits on screen are not thrown away
    tab.refresh()
    qtbot.wait(50)
    assert tab.kadis.text() == "Drs. H. Ahmad Sanusi, M.M."

    tab.kadis_nip.edit.clear()
    qtbot.keyClicks(tab.kadis_nip.edit, "196801011990031005")
    tab.wa_fields["PENGADUAN"].edit.clear()
    qtbot.keyClicks(tab.wa_fields["PENGADUAN"].edit, "+62 811 7961 900")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    _wait_message(qtbot, tab.message)
    with kit.db.read() as session:
        stored = office.get_profile(session)
    assert stored.kepala_dinas == "Drs. H. Ahmad Sanusi, M.M."
    assert stored.kepala_dinas_nip == "196801011990031005"
    assert stored.wa_numbers == {"KK": "0812-3456-7890", "PENGADUAN": "0811-7961-900"}
    assert stored.wa_number("PENGADUAN") == "0811-7961-900"
    logo = QImage.fromData(base64.b64decode(stored.logo_png))
    assert not logo.isNull() and (logo.width(), logo.height()) == (512, 256)
    assert base64.b64decode(stored.logo_png).startswith(b"\x89PNG")


# --------------------------------------------------------------------------- hours


def test_hours_and_closures(kit: UiKit, qtbot) -> None:
    page = _page(kit, qtbot)
    tab = page.hours
    page.show_tab(tab)
    qtbot.waitUntil(lambda: tab.days[1].open.isChecked(), timeout=10000)
    # a lunch break outside office hours is refused with the calendar's own reason
    tab.days[2].lunch_end.setTime(QTime(18, 0))
    qtbot.mouseClick(tab.save_hours_button, Qt.MouseButton.LeftButton)
    assert "Selasa" in tab.hours_reason.text()
    tab.days[2].lunch_end.setTime(QTime(13, 0))
    _tick(qtbot, tab.days[5].open)  # Friday closed
    tab.days[6].open.setChecked(True)  # Saturday morning service
    tab.days[6].start.setTime(QTime(8, 0))
    tab.days[6].end.setTime(QTime(12, 0))
    tab.days[6].lunch.setChecked(False)
    qtbot.mouseClick(tab.save_hours_button, Qt.MouseButton.LeftButton)
    _wait_message(qtbot, tab.message)
    with kit.db.read() as session:
        hours = office.get_hours(session)
    assert hours.days[5] is None
    assert hours.days[6] is not None and hours.days[6][:2] == (time(8, 0), time(12, 0))

    tab.closure_day.setDate(QDate(2026, 12, 2))
    qtbot.keyClicks(tab.closure_reason, "HUT Kabupaten Way Kanan")
    qtbot.keyClick(tab.closure_reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=10000)
    assert "Rabu, 2 Desember 2026" in tab.table.item(0, 0).text()
    with kit.db.read() as session:
        assert office.list_closures(session) == [(date(2026, 12, 2), "HUT Kabupaten Way Kanan")]
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.remove_closure_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 0, timeout=10000)
    with kit.db.read() as session:
        assert office.list_closures(session) == []


# --------------------------------------------------------------------------- templates


def test_templates_checked_previewed_saved_and_used(kit: UiKit, qtbot) -> None:
    page = _page(kit, qtbot)
    tab = page.templates
    page.show_tab(tab)
    qtbot.waitUntil(lambda: tab.current_key() == "berkas_diterima", timeout=10000)
    assert "Budi Hartono" in tab.preview.toPlainText()
    tab.editor.selectAll()
    qtbot.keyClicks(tab.editor, "Halo {nama}, kode {kode}. Status: {nomor_antrian}")
    assert "tidak dikenal" in tab.reason.text() and "{nomor_antrian}" in tab.reason.text()
    assert tab.preview.toPlainText() == ""
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.level == "error"
    with kit.db.read() as session:
        assert messages.get_templates(session)["berkas_diterima"].startswith("Yth.")

    for _ in range(len("{nomor_antrian}")):
        qtbot.keyClick(tab.editor, Qt.Key.Key_Backspace)
    tab.insert_placeholder("cek_status")  # the placeholder buttons insert at the cursor
    assert tab.editor.toPlainText() == "Halo {nama}, kode {kode}. Status: {cek_status}"
    assert tab.preview.toPlainText().startswith("Halo Budi Hartono, kode ABCD-EFGH3.")
    assert tab.list.item(0).text().endswith("•")  # unsaved
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    _wait_message(qtbot, tab.message)
    assert not tab.dirty
    ref = kit.intake("KK", nama="Siti Aminah", nik="1808024506900002", wa="0812-3456-7890")
    with kit.db.read() as session:
        rendered = messages.render_message(session, "berkas_diterima", ref.code)
    assert rendered.text.startswith(f"Halo Siti Aminah, kode {ref.code[:4]}-{ref.code[4:]}.")

    tab.restore_default()
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    _wait_message(qtbot, tab.message)
    with kit.db.read() as session:
        assert messages.get_templates(session) == messages.default_templates()


# --------------------------------------------------------------------------- database


def test_connection_probe_reports_what_it_finds(kit: UiKit, tmp_path) -> None:
    found = probe(kit.url)
    assert found.level == "success", found.message
    with kit.db.read() as session:
        users = count_users(session)
    assert "terbaru" in found.message and f"{users} pengguna" in found.message
    missing = tmp_path / "baru" / "kantor.sqlite3"
    result = probe(f"sqlite:///{missing}")
    assert result.level == "warning" and "belum ada" in result.message
    assert not missing.exists() and not missing.parent.exists()  # a test creates nothing
    if "postgresql" in kit.url:
        base = kit.url.rsplit("/", 1)[0]
        gone = probe(f"{base}/tidak_ada_db")
        assert gone.level == "error" and "tidak ada di server" in gone.message
        closed = probe("postgresql://sip@127.0.0.1:1/sipelayanan")
    else:
        closed = probe("postgresql://sip@127.0.0.1:1/sipelayanan")
    assert closed.level == "error" and "tidak menjawab" in closed.message


def test_test_button_and_saving_postgres_with_keyring(
    kit: UiKit, qtbot, memory_keyring: MemoryKeyring
) -> None:
    widget = DatabaseConnectionWidget(kit.settings, current_url=kit.url)
    qtbot.addWidget(widget)
    widget.show()
    # the database in use, tested through the button (off the UI thread)
    with qtbot.waitSignal(widget.tested, timeout=20000) as blocker:
        qtbot.mouseClick(widget.test_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].level == "success"
    assert widget.message.level == "success"

    widget.mode.setCurrentIndex(widget.mode.findData("postgresql"))
    assert widget.pg_box.isVisible() and not widget.sqlite_box.isVisible()
    for edit in (widget.host, widget.database, widget.user):
        edit.clear()
    qtbot.keyClicks(widget.host, "192.168.1.10")
    widget.port.setValue(5433)
    qtbot.keyClicks(widget.database, "sipelayanan")
    qtbot.keyClicks(widget.user, "loket1")
    qtbot.keyClicks(widget.password, "S4ndi:rahasia@server")
    assert widget.remember.isEnabled() and widget.remember.isChecked()
    with qtbot.waitSignal(widget.saved):
        qtbot.mouseClick(widget.save_button, Qt.MouseButton.LeftButton)
    stored = kit.settings.db_url()
    assert stored == "postgresql://loket1@192.168.1.10:5433/sipelayanan"
    assert "S4ndi" not in kit.settings_file.read_text()
    assert memory_keyring.entries == {(secret.KEYRING_SERVICE, stored): "S4ndi:rahasia@server"}
    assert kit.settings.db_password_expected()
    resolved = secret.resolve_url(stored, password_expected=True)
    assert not resolved.needs_password
    assert secret.password_of(resolved.url) == "S4ndi:rahasia@server"
    assert widget.password.text() == ""  # not left on screen

    # reopening the tab shows the stored connection, the password only as "tersimpan"
    again = DatabaseConnectionWidget(kit.settings, current_url=kit.url)
    qtbot.addWidget(again)
    assert again.host.text() == "192.168.1.10" and again.port.value() == 5433
    assert again.password.text() == "" and "tersimpan" in again.password.placeholderText()


def test_without_a_keyring_the_password_is_asked_at_start(
    kit: UiKit, qtbot, no_keyring: None
) -> None:
    widget = DatabaseConnectionWidget(kit.settings, current_url=kit.url)
    qtbot.addWidget(widget)
    assert not widget.remember.isEnabled()
    widget.mode.setCurrentIndex(widget.mode.findData("postgresql"))
    for edit in (widget.host, widget.database, widget.user, widget.password):
        edit.clear()
    qtbot.keyClicks(widget.host, "server-dukcapil")
    widget.port.setValue(5432)
    qtbot.keyClicks(widget.database, "sipelayanan")
    qtbot.keyClicks(widget.user, "loket2")
    qtbot.keyClicks(widget.password, "rahasia-server")
    qtbot.mouseClick(widget.save_button, Qt.MouseButton.LeftButton)
    assert widget.message.level == "warning"
    assert "setiap kali dibuka" in widget.message.text()
    stored = kit.settings.db_url()
    assert stored == "postgresql://loket2@server-dukcapil:5432/sipelayanan"
    assert "rahasia-server" not in kit.settings_file.read_text()
    resolved = secret.resolve_url(stored, password_expected=kit.settings.db_password_expected())
    assert resolved.needs_password and not resolved.keyring_available
    assert (
        secret.with_password(stored, "x@y")
        == "postgresql://loket2:x%40y@server-dukcapil:5432/sipelayanan"
    )

    qtbot.mouseClick(widget.reset_button, Qt.MouseButton.LeftButton)
    assert kit.settings.db_url() is None and not kit.settings.db_password_expected()
