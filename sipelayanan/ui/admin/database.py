"""This PC's database connection: an SQLite file (one PC) or the office PostgreSQL server
(several PCs), with "Tes koneksi". The URL is stored per PC without its password; the password
goes to the OS keyring (see :mod:`.secret`).

The widget needs no login and no open database, so the app can also show it at start-up when
the database cannot be reached (:class:`DatabaseConnectionDialog`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ...i18n import tr
from ..settings import Settings
from ..widgets.common import MessageBar
from . import secret

log = logging.getLogger("sipelayanan.ui.admin.database")

MODE_SQLITE = "sqlite"
MODE_POSTGRES = "postgresql"


@dataclass(frozen=True)
class ProbeResult:
    level: str  # "success" | "warning" | "error"
    message: str

    @property
    def ok(self) -> bool:
        return self.level != "error"


def _pg_reason(exc: BaseException, url: URL) -> str | None:
    orig = getattr(exc, "orig", exc)
    state = str(getattr(orig, "sqlstate", "") or "")
    text = str(orig).lower()
    if state in ("28P01", "28000") or "password authentication failed" in text:
        return tr(
            "Server menolak nama pengguna atau kata sandi PostgreSQL ({user}).",
            user=url.username or "-",
        )
    if "no password supplied" in text:
        return tr(
            "Server meminta kata sandi untuk pengguna {user}; isi kata sandinya.",
            user=url.username or "-",
        )
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return tr(
            "Basis data '{db}' tidak ada di server {host}. Periksa namanya, atau minta "
            "admin server membuatnya.",
            db=url.database or "-",
            host=url.host or "-",
        )
    if (
        "connection refused" in text
        or "could not connect" in text
        or "timeout" in text
        or "timed out" in text
        or "could not translate host name" in text
    ):
        return tr(
            "Server {host}:{port} tidak menjawab. Periksa alamat, port, jaringan, dan "
            "bahwa PostgreSQL berjalan di server.",
            host=url.host or "-",
            port=url.port or 5432,
        )
    return None


def probe(url: str) -> ProbeResult:
    """Connect once and report what was found. Never raises; never creates a file."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from ...db import (
        NETWORK_SQLITE_MESSAGE,
        Database,
        describe_db_error,
        is_network_path,
        sqlite_path,
    )
    from ...db_open import schema_refusal
    from ...errors import SipelayananError
    from ...migrate import current_revision, head_revision

    try:
        parsed = make_url(url)
    except ArgumentError:
        return ProbeResult("error", tr("Alamat basis data tidak dapat dibaca."))
    path = sqlite_path(url)
    if path is not None:
        if is_network_path(path):
            return ProbeResult("error", NETWORK_SQLITE_MESSAGE.format(path=path))
        if not path.exists():
            folder = path.parent
            while not folder.exists() and folder != folder.parent:
                folder = folder.parent
            if not os.access(folder, os.W_OK):
                return ProbeResult(
                    "error",
                    tr(
                        "Folder {folder} tidak dapat ditulis; pilih folder lain.",
                        folder=str(folder),
                    ),
                )
            return ProbeResult(
                "warning",
                tr(
                    "File {path} belum ada. File dibuat dan diisi skema saat aplikasi dibuka "
                    "ulang dengan pengaturan ini (basis data kosong, lalu penyiapan awal).",
                    path=str(path),
                ),
            )
    db: Database | None = None
    try:
        db = Database(url)
        with db.engine.connect() as conn:
            if path is not None:
                version = "SQLite " + str(conn.execute(text("select sqlite_version()")).scalar())
            else:
                raw = str(conn.execute(text("show server_version")).scalar())
                version = "PostgreSQL " + raw.split()[0]
        revision = current_revision(db.engine)
        head = head_revision()
        where = str(path) if path is not None else f"{parsed.host}/{parsed.database}"
        if revision is None:
            if path is not None:
                return ProbeResult(
                    "warning",
                    tr(
                        "Terhubung ke {ver} ({where}), tetapi file ini belum berisi skema "
                        "SiPelayanan; skema dibuat saat aplikasi dibuka ulang.",
                        ver=version,
                        where=where,
                    ),
                )
            return ProbeResult(  # the policy's own words (db_open): the owner upgrades it
                "warning",
                tr("Terhubung ke {ver} ({where}).", ver=version, where=where)
                + " "
                + schema_refusal("empty"),
            )
        if revision != head:
            if path is not None:
                return ProbeResult(
                    "warning",
                    tr(
                        "Terhubung ke {ver} ({where}); skemanya lebih lama dan diperbarui otomatis "
                        "saat aplikasi dibuka ulang.",
                        ver=version,
                        where=where,
                    ),
                )
            return ProbeResult(
                "warning",
                tr("Terhubung ke {ver} ({where}).", ver=version, where=where)
                + " "
                + schema_refusal("behind"),
            )
        from ...services.users import count_users

        with db.read() as session:
            users = count_users(session)
        return ProbeResult(
            "success",
            tr(
                "Terhubung ke {ver} ({where}). Skema SiPelayanan terbaru; {n} pengguna.",
                ver=version,
                where=where,
                n=users,
            ),
        )
    except SipelayananError as exc:
        return ProbeResult("error", str(exc))
    except SQLAlchemyError as exc:
        log.info("connection test failed: %s", type(exc).__name__)
        reason = _pg_reason(exc, parsed) if path is None else None
        return ProbeResult("error", reason or describe_db_error(exc))
    except Exception:
        log.exception("connection test failed")
        return ProbeResult(
            "error",
            tr("Koneksi gagal karena kesalahan tak terduga; rinciannya dicatat di log aplikasi."),
        )
    finally:
        if db is not None:
            db.dispose()


class _Bridge(QObject):
    result = Signal(object)


Probe = Callable[[str], ProbeResult]
ChooseFile = Callable[[QWidget, str], "str | None"]


def _choose_sqlite_file(parent: QWidget, current: str) -> str | None:
    path, _selected = QFileDialog.getSaveFileName(
        parent,
        tr("File basis data SQLite"),
        current,
        tr("Basis data SQLite (*.sqlite3 *.sqlite *.db);;Semua berkas (*)"),
        options=QFileDialog.Option.DontConfirmOverwrite,
    )
    return path or None


class DatabaseConnectionWidget(QWidget):
    """Choose SQLite or PostgreSQL, test the connection, save it for this PC."""

    saved = Signal(str)  # the URL stored (without password)
    tested = Signal(object)  # ProbeResult

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        current_url: str | None = None,
        probe_fn: Probe | None = None,
        choose_file: ChooseFile | None = None,
    ) -> None:
        super().__init__(parent)
        from ...db import default_url

        self.settings = settings
        self.probe_fn: Probe = probe_fn or probe
        self.choose_file: ChooseFile = choose_file or _choose_sqlite_file
        self._testing = False
        self._default_url = default_url()
        in_use = secret.without_password(current_url) if current_url else None

        intro = QLabel(
            tr(
                "Pengaturan ini berlaku untuk PC ini saja. SQLite untuk satu PC (file di disk "
                "lokal); bila beberapa PC harus memakai data yang sama, semua diarahkan ke server "
                "PostgreSQL kantor."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.in_use = QLabel(self)
        self.in_use.setWordWrap(True)
        if in_use:
            self.in_use.setText(tr("Sedang dipakai: {url}", url=_describe(in_use)))

        self.mode = QComboBox(self)
        self.mode.setObjectName("db_mode")
        self.mode.addItem(tr("SQLite — file di PC ini"), MODE_SQLITE)
        self.mode.addItem(tr("PostgreSQL — server kantor (beberapa PC)"), MODE_POSTGRES)

        self.sqlite_path = QLineEdit(self)
        self.sqlite_path.setObjectName("db_sqlite_path")
        self.browse = QPushButton(tr("&Pilih…"), self)
        self.sqlite_box = QGroupBox(tr("File SQLite"), self)
        sl = QFormLayout(self.sqlite_box)
        file_row = QWidget(self.sqlite_box)
        row = QHBoxLayout(file_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.sqlite_path, 1)
        row.addWidget(self.browse)
        file_label = QLabel(tr("&File"), self.sqlite_box)
        file_label.setBuddy(self.sqlite_path)
        sl.addRow(file_label, file_row)

        self.host = QLineEdit(self)
        self.host.setObjectName("db_host")
        self.host.setPlaceholderText(tr("mis. 192.168.1.10 atau server-dukcapil"))
        self.port = QSpinBox(self)
        self.port.setObjectName("db_port")
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit(self)
        self.database.setObjectName("db_name")
        self.database.setText("sipelayanan")
        self.user = QLineEdit(self)
        self.user.setObjectName("db_user")
        self.password = QLineEdit(self)
        self.password.setObjectName("db_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.keyring_ok = secret.keyring_available()
        self.remember = QCheckBox(
            tr("Simpan kata sandi di brankas kata sandi sistem (keyring)"), self
        )
        self.remember.setChecked(self.keyring_ok)
        self.remember.setEnabled(self.keyring_ok)
        if not self.keyring_ok:
            self.remember.setToolTip(
                tr(
                    "PC ini tidak memiliki brankas kata sandi; kata sandi "
                    "ditanyakan setiap kali aplikasi dibuka."
                )
            )
        self.pg_box = QGroupBox(tr("Server PostgreSQL"), self)
        pl = QFormLayout(self.pg_box)
        pl.addRow(tr("&Server"), self.host)
        pl.addRow(tr("P&ort"), self.port)
        pl.addRow(tr("&Basis data"), self.database)
        pl.addRow(tr("Pen&gguna"), self.user)
        pl.addRow(tr("&Kata sandi"), self.password)
        pl.addRow("", self.remember)

        self.test_button = QPushButton(tr("&Tes koneksi"), self)
        self.test_button.setObjectName("db_test")
        self.save_button = QPushButton(tr("&Simpan untuk PC ini"), self)
        self.save_button.setObjectName("db_save")
        self.reset_button = QPushButton(tr("Kembali ke &bawaan"), self)
        self.message = MessageBar(self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)

        form = QFormLayout()
        form.addRow(tr("&Jenis"), self.mode)
        self.setMaximumWidth(820)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.in_use)
        layout.addLayout(form)
        layout.addWidget(self.sqlite_box)
        layout.addWidget(self.pg_box)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.browse.clicked.connect(self._browse)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset_to_default)
        for edit in (self.sqlite_path, self.host, self.database, self.user, self.password):
            edit.returnPressed.connect(self.test_connection)
        self.load(settings.db_url() or in_use or self._default_url)

    # ------------------------------------------------------------------ fields <-> URL

    def load(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            parsed = make_url(self._default_url)
        if parsed.get_backend_name() == "postgresql":
            self.mode.setCurrentIndex(self.mode.findData(MODE_POSTGRES))
            self.host.setText(parsed.host or "")
            self.port.setValue(parsed.port or 5432)
            self.database.setText(parsed.database or "")
            self.user.setText(parsed.username or "")
            stored = secret.load_password(url) if self.keyring_ok else None
            self.password.clear()
            self.password.setPlaceholderText(
                tr("(tersimpan di brankas kata sandi)") if stored else ""
            )
        else:
            self.mode.setCurrentIndex(self.mode.findData(MODE_SQLITE))
            self.sqlite_path.setText(parsed.database or "")
        self._mode_changed()

    def _mode_changed(self, *_args: object) -> None:
        sqlite = self.current_mode() == MODE_SQLITE
        self.sqlite_box.setVisible(sqlite)
        self.pg_box.setVisible(not sqlite)

    def current_mode(self) -> str:
        return str(self.mode.currentData())

    def url(self, *, with_password: bool = True) -> str | None:
        """The URL for the fields (None, with the reason shown, when something is missing)."""
        if self.current_mode() == MODE_SQLITE:
            text = self.sqlite_path.text().strip()
            if not text:
                self.message.error(tr("Pilih lokasi file basis data SQLite."))
                self.sqlite_path.setFocus()
                return None
            path = Path(text).expanduser()
            if not path.is_absolute():
                self.message.error(
                    tr("Tulis lokasi file lengkap, mis. C:\\Data\\sipelayanan.sqlite3.")
                )
                self.sqlite_path.setFocus()
                return None
            return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)
        host, db, user = (
            self.host.text().strip(),
            self.database.text().strip(),
            self.user.text().strip(),
        )
        for value, widget, label in (
            (host, self.host, tr("Server")),
            (db, self.database, tr("Basis data")),
            (user, self.user, tr("Pengguna")),
        ):
            if not value:
                self.message.error(tr("{label} PostgreSQL wajib diisi.", label=label))
                widget.setFocus()
                return None
        password = self.password.text() if with_password else ""
        if with_password and not password:
            stored = secret.load_password(self._pg_url(host, db, user, None))
            password = stored or ""
        return self._pg_url(host, db, user, password or None)

    def _pg_url(self, host: str, db: str, user: str, password: str | None) -> str:
        return URL.create(
            "postgresql",
            username=user,
            password=password,
            host=host,
            port=self.port.value(),
            database=db,
        ).render_as_string(hide_password=False)

    # ------------------------------------------------------------------ actions

    def _browse(self) -> None:
        chosen = self.choose_file(self, self.sqlite_path.text().strip())
        if chosen:
            self.sqlite_path.setText(chosen)

    def test_connection(self) -> None:
        if self._testing:
            return
        url = self.url()
        if url is None:
            return
        self._testing = True
        self.test_button.setEnabled(False)
        self.message.info(tr("Menghubungi basis data…"))
        bridge = _Bridge(self)
        bridge.result.connect(self._tested)
        bridge.result.connect(bridge.deleteLater)
        probe_fn = self.probe_fn

        def work() -> None:
            result = probe_fn(url)
            if isValid(bridge):
                bridge.result.emit(result)

        threading.Thread(target=work, daemon=True, name="sipelayanan-db-test").start()

    @property
    def testing(self) -> bool:
        return self._testing

    def _tested(self, result: ProbeResult) -> None:
        if not isValid(self):
            return
        self._testing = False
        self.test_button.setEnabled(True)
        self.message.show_message(result.message, result.level)
        self.tested.emit(result)

    def save(self) -> None:
        url = self.url()
        if url is None:
            return
        stored_url = secret.without_password(url)
        notes = [tr("Tersimpan untuk PC ini. Berlaku setelah aplikasi dibuka ulang.")]
        level = "success"
        if self.current_mode() == MODE_POSTGRES:
            password = self.password.text()
            if password:
                self.settings.set_db_password_expected(True)
                if self.remember.isChecked() and secret.store_password(stored_url, password):
                    notes.append(tr("Kata sandi disimpan di brankas kata sandi sistem."))
                else:
                    secret.forget_password(stored_url)
                    level = "warning"
                    notes.append(
                        tr(
                            "Kata sandi tidak disimpan di PC ini; aplikasi "
                            "menanyakannya setiap kali dibuka."
                        )
                    )
            elif secret.password_of(url) is None:
                self.settings.set_db_password_expected(False)  # trust / .pgpass
        else:
            self.settings.set_db_password_expected(False)
        self.settings.set_db_url(None if stored_url == self._default_url else stored_url)
        self.settings.sync()
        self.password.clear()
        self.message.show_message(" ".join(notes), level)
        self.saved.emit(stored_url)

    def reset_to_default(self) -> None:
        self.settings.set_db_url(None)
        self.settings.set_db_password_expected(False)
        self.settings.sync()
        self.load(self._default_url)
        self.message.success(
            tr(
                "Kembali ke basis data bawaan PC ini ({path}). Berlaku setelah "
                "aplikasi dibuka ulang.",
                path=_describe(self._default_url),
            )
        )


def _describe(url: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite":
        return tr("SQLite, {path}", path=parsed.database or "-")
    return tr(
        "PostgreSQL {user}@{host}:{port}/{db}",
        user=parsed.username or "-",
        host=parsed.host or "-",
        port=parsed.port or 5432,
        db=parsed.database or "-",
    )


class DatabaseConnectionDialog(QDialog):
    """The connection settings on their own (e.g. at start-up when the database is out of
    reach and nobody can log in to the Admin page)."""

    def __init__(
        self, settings: Settings, parent: QWidget | None = None, *, current_url: str | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Koneksi basis data"))
        self.setMinimumWidth(560)
        self.widget = DatabaseConnectionWidget(settings, self, current_url=current_url)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.widget)
        layout.addWidget(buttons)


class PasswordDialog(QDialog):
    """Ask for the PostgreSQL password at start-up (no keyring, or nothing stored in it).
    The password is kept in memory for this session only."""

    def __init__(self, url: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Kata sandi basis data"))
        label = QLabel(
            tr("Kata sandi untuk {where}:", where=_describe(secret.without_password(url))), self
        )
        label.setWordWrap(True)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.password)
        layout.addWidget(buttons)


def ask_password(url: str, parent: QWidget | None = None) -> str | None:
    """Modal prompt used before the main window exists; None when cancelled."""
    dialog = PasswordDialog(url, parent)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.password.text():
        return secret.with_password(url, dialog.password.text())
    return None


def startup_url(settings: Settings, url: str, parent: QWidget | None = None) -> str | None:
    """The URL to open at start-up, with the PostgreSQL password from the keyring or asked
    for (None: the clerk cancelled)."""
    resolved = secret.resolve_url(url, password_expected=settings.db_password_expected())
    if not resolved.needs_password:
        return resolved.url
    return ask_password(resolved.url, parent)
