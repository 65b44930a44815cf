"""Desktop entry point: open the database, first-start setup, login, then the main window.

The database is opened and (for SQLite) migrated on a background thread behind a small
"opening" window; a PostgreSQL schema that is behind is not touched — the clerk is told to ask the
admin to run ``sipelayanan db upgrade``.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..i18n import tr
from .ops import Ops
from .settings import Settings

log = logging.getLogger("sipelayanan.ui")


@dataclass(frozen=True)
class DbCheck:
    """What opening the database found. ``fatal``: retrying will not help."""

    ok: bool
    needs_setup: bool = False
    message: str = ""
    fatal: bool = False
    where: str = ""


def check_database(url: str) -> DbCheck:
    """Open the database, migrate SQLite, check a PostgreSQL schema, count users.

    Runs on a background thread; returns plain data and never raises.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from ..db import Database, describe_db_error, sqlite_path
    from ..db_open import SchemaNotReady, prepare_schema
    from ..errors import SipelayananError
    from ..migrate import SchemaTooNew
    from ..services.first_start import first_start_needed

    db: Database | None = None
    try:
        db = Database(url)
        where = db.describe()
        try:
            prepare_schema(db)  # the one database-open policy (db_open)
        except SchemaNotReady as exc:  # retrying will not help until the owner upgrades it
            return DbCheck(False, fatal=True, where=where, message=str(exc))
        with db.read() as session:
            needs_setup = first_start_needed(session)
        return DbCheck(True, needs_setup=needs_setup, where=where)
    except SchemaTooNew as exc:  # a newer app migrated it: retrying will not help
        return DbCheck(False, message=str(exc), fatal=True, where=db.describe() if db else url)
    except SipelayananError as exc:
        return DbCheck(False, message=str(exc), where=db.describe() if db else url)
    except SQLAlchemyError as exc:
        log.warning("opening the database failed: %s", type(exc).__name__)
        return DbCheck(
            False,
            message=describe_db_error(exc, sqlite_path(url)),
            where=db.describe() if db else "",
        )
    except Exception:
        log.exception("opening the database failed")
        return DbCheck(
            False,
            message=tr(
                "Basis data tidak dapat dibuka karena kesalahan tak "
                "terduga; rinciannya dicatat di log aplikasi."
            ),
        )
    finally:
        if db is not None:
            db.dispose()


class _Bridge(QObject):
    result = Signal(object)


def run_in_thread(
    fn: Callable[[], object], on_done: Callable[[object], None], parent: QObject
) -> threading.Thread:
    """Run ``fn`` on a plain thread and hand its result to ``on_done`` on the UI thread."""
    bridge = _Bridge(parent)
    bridge.result.connect(on_done)
    bridge.result.connect(bridge.deleteLater)
    thread = threading.Thread(
        target=lambda: bridge.result.emit(fn()), daemon=True, name="sipelayanan-startup"
    )
    thread.start()
    return thread


class StartupWindow(QWidget):
    """'Membuka basis data…' and, when that fails, the reason with Coba lagi / Keluar."""

    retry = Signal()
    quit = Signal()
    change_connection = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("SiPelayanan"))
        self.setMinimumWidth(480)
        title = QLabel(tr("SiPelayanan"), self)
        title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.label = QLabel(tr("Membuka basis data…"), self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where = QLabel(self)
        self.where.setWordWrap(True)
        self.where.setStyleSheet("color: #5f6368;")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.retry_button = QPushButton(tr("Coba lagi"), self)
        self.retry_button.setDefault(True)
        self.retry_button.clicked.connect(self.retry)
        self.quit_button = QPushButton(tr("Keluar"), self)
        self.quit_button.clicked.connect(self.quit)
        self.connection_button = QPushButton(tr("Ubah koneksi…"), self)
        self.connection_button.setToolTip(
            tr("Pilih file SQLite lain atau server PostgreSQL kantor untuk PC ini")
        )
        self.connection_button.clicked.connect(self.change_connection)
        buttons = QHBoxLayout()
        buttons.addWidget(self.connection_button)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.label)
        layout.addWidget(self.where)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.show_opening()

    def show_opening(self) -> None:
        self.label.setText(tr("Membuka basis data…"))
        self.label.setStyleSheet("")
        self.progress.show()
        self.retry_button.hide()
        self.quit_button.hide()
        self.connection_button.hide()

    def show_failure(self, check: DbCheck) -> None:
        self.label.setText(check.message)
        self.label.setStyleSheet("color: #a50e0e;")
        self.where.setText(tr("Basis data: {where}", where=check.where) if check.where else "")
        self.progress.hide()
        self.retry_button.setVisible(True)
        self.retry_button.setText(tr("Periksa lagi") if check.fatal else tr("Coba lagi"))
        self.quit_button.show()
        self.connection_button.setVisible(connection_dialog_available())


class AppController(QObject):
    """Drives startup → first start → login → main window → (logout → login …)."""

    def __init__(
        self,
        url: str,
        settings: Settings,
        *,
        poll_ms: int | None = None,
        demo_count: int | None = None,
        on_quit: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.url = url
        self.settings = settings
        self.poll_ms = poll_ms if poll_ms is not None else settings.poll_seconds() * 1000
        self.demo_count = demo_count
        self._on_quit = on_quit
        self.ops: Ops | None = None
        self.startup = StartupWindow()
        self.startup.retry.connect(self.start)
        self.startup.quit.connect(self.quit)
        self.startup.change_connection.connect(self.change_connection)
        self.first_start: QDialog | None = None
        self.login: QDialog | None = None
        self.main_window: QWidget | None = None
        self.finished = False

    # ------------------------------------------------------------------ flow
    def start(self) -> None:
        self.startup.show_opening()
        self.startup.show()
        run_in_thread(lambda: check_database(self.url), self._on_checked, self)

    def change_connection(self) -> None:
        """The database cannot be used: let the clerk point this PC at another one."""
        from .admin.database import DatabaseConnectionDialog

        dialog = DatabaseConnectionDialog(self.settings, self.startup, current_url=self.url)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.widget.saved.connect(lambda _url: self._connection_saved(dialog))
        dialog.open()

    def _connection_saved(self, dialog: QDialog) -> None:
        from ..db import default_url

        url = resolve_start_url(
            self.settings, self.settings.db_url() or default_url(), self.startup
        )
        if url is None:
            return
        dialog.close()
        if self.ops is not None and self.ops.url != url:
            self.ops.shutdown()
            self.ops = None
        self.url = url
        self.start()

    def _on_checked(self, result: object) -> None:
        assert isinstance(result, DbCheck)
        if not result.ok:
            self.startup.show_failure(result)
            return
        if self.ops is None:
            self.ops = Ops(self.url, poll_ms=self.poll_ms)
        self.startup.hide()
        self._tell_data_folder_notice()
        if result.needs_setup:
            self.show_first_start()
        else:
            self.show_login()

    def _tell_data_folder_notice(self) -> None:
        """Once: this Windows account still has an old database of its own (not merged)."""
        from ..data_folder import take_notice

        notice = take_notice()
        if notice:
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Information, tr("SiPelayanan"), notice)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            self._notice_box = box  # no parent window to keep it: the controller does
            box.open()

    def bring_to_front(self) -> None:
        """Another start of the app on this session: show the window the clerk is at."""
        window: QWidget = next(
            (w for w in (self.main_window, self.login, self.first_start) if w is not None),
            self.startup,
        )
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()

    def show_first_start(self) -> None:
        from .first_start import FirstStartDialog

        assert self.ops is not None
        if self.demo_count is None:
            dialog = FirstStartDialog(self.ops)
        else:
            dialog = FirstStartDialog(self.ops, demo_count=self.demo_count)
        dialog.finished_setup.connect(self._after_setup)
        dialog.rejected.connect(self.quit)
        self.first_start = dialog
        dialog.show()

    def _after_setup(self, username: str) -> None:
        self.settings.set_last_username(username)
        self.first_start = None
        self.show_login()

    def show_login(self) -> None:
        from .login import LoginDialog

        assert self.ops is not None  # opened by the database check that precedes the login
        dialog = LoginDialog(self.ops, self.settings)
        dialog.logged_in.connect(self.show_main)
        dialog.rejected.connect(self._login_cancelled)
        self.login = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        QTimer.singleShot(0, self, prepare_main_window)  # while the clerk types

    def _login_cancelled(self) -> None:
        if self.main_window is None:
            self.quit()

    def show_main(self, user: object) -> None:
        from .main_window import MainWindow

        self.login = None
        window = MainWindow(self.ops, user, self.settings)  # type: ignore[arg-type]
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        window.logout_requested.connect(self._on_logout)
        window_id = id(window)
        window.destroyed.connect(lambda _=None: self._on_main_destroyed(window_id))
        self.main_window = window
        window.show()

    def _on_logout(self) -> None:
        self.main_window = None
        self.show_login()

    def _on_main_destroyed(self, window_id: int) -> None:
        if self.main_window is not None and id(self.main_window) == window_id:
            self.main_window = None  # closed without logout: the app ends
            self.quit()

    def quit(self) -> None:
        self.finished = True
        if self._on_quit is not None:
            self._on_quit()
            return
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def shutdown(self) -> None:
        if self.ops is not None:
            self.ops.shutdown()
        self.startup.deleteLater()


def prepare_main_window() -> None:
    """Import the main window and the inbox while the login form waits for the clerk (or,
    once submitted, while the password hash is checked on a worker thread)."""
    from . import inbox, main_window  # noqa: F401


def connection_dialog_available() -> bool:
    try:
        from .admin.database import DatabaseConnectionDialog  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_start_url(settings: Settings, url: str, parent: QWidget | None = None) -> str | None:
    """The URL with the PostgreSQL password from the OS keyring (or asked for when this PC
    has no keyring); None when the clerk cancelled the password prompt."""
    if _is_sqlite(url):  # no password: neither the keyring nor the admin page is loaded
        return url
    try:
        from .admin.database import startup_url
    except ImportError:
        return url
    return startup_url(settings, url, parent)


def _is_sqlite(url: str) -> bool:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).get_backend_name() == "sqlite"
    except ArgumentError:
        return False


def install_excepthook() -> None:
    """A fault in a window's code is logged with its traceback; the clerk sees one plain
    message (never the traceback) and the app keeps running."""

    def hook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)  # type: ignore[arg-type]
            return
        log.error("unhandled error in the desktop app", exc_info=(kind, value, tb))  # type: ignore[arg-type]
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QApplication.activeWindow())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(tr("SiPelayanan"))
        box.setText(
            tr(
                "Terjadi kesalahan tak terduga di jendela ini. Data yang sudah "
                "tersimpan aman; rinciannya dicatat di log aplikasi. Bila terulang, "
                "tutup jendela lalu buka lagi."
            )
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()

    sys.excepthook = hook


def setup_application(app: QApplication) -> None:
    from ..calendar import set_holiday_cache
    from ..data_folder import data_folder
    from ..resources import resource_path

    set_holiday_cache(data_folder() / "cache")  # the holiday tables of past starts

    app.setApplicationName("SiPelayanan")
    app.setOrganizationName("Disdukcapil Way Kanan")
    app.setApplicationDisplayName("SiPelayanan")
    app.setStyle("Fusion")
    from .qt_locale import install_indonesian

    install_indonesian(app)  # Qt's own texts and date/number formats in Bahasa Indonesia
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):  # the colours of the app assume a light scheme
        hints.setColorScheme(Qt.ColorScheme.Light)
    try:
        icon = resource_path("icons", "app.png")
        if icon.exists():
            app.setWindowIcon(QIcon(str(icon)))
    except FileNotFoundError:
        pass
    app.setQuitOnLastWindowClosed(False)  # between login and main window nothing is shown


def run(db_url: str | None = None) -> int:
    from ..db import default_url
    from ..logfile import enable_crash_log
    from ..logs import log_dir
    from .single_instance import claimed, hand_over

    state = hand_over()  # already open in this session: that window comes to the front
    if state == "shown":
        return 0
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    if state == "no_answer":
        tell_not_responding()
        return 0
    instance = claimed()
    assert instance is not None
    instance.listen()
    enable_crash_log(log_dir())  # a native crash (Qt, a driver) leaves its stacks in the log folder
    setup_application(app)
    install_excepthook()
    settings = Settings()
    url = resolve_start_url(settings, db_url or settings.db_url() or default_url_shown(default_url))
    if url is None:
        instance.release()
        return 0
    controller = AppController(url, settings)
    instance.activated.connect(controller.bring_to_front)
    controller.start()
    code = int(app.exec())
    controller.shutdown()
    instance.release()
    return code


def default_url_shown(default_url: Callable[[], str]) -> str:
    """``default_url()``; when it first moves an old per-user database to the PC's data folder
    (a backup and a full integrity check: about two minutes for a million requests) a small
    window says so meanwhile instead of nothing at all."""
    from PySide6.QtCore import QEventLoop

    from ..data_folder import move_pending

    if not move_pending():
        return default_url()
    window = QWidget()
    window.setWindowTitle(tr("SiPelayanan"))
    window.setMinimumWidth(460)
    label = QLabel(
        tr(
            "Memindahkan basis data ke folder data PC ini agar semua akun Windows memakai data "
            "yang sama. Ini hanya sekali dan dapat memakan beberapa menit; jangan matikan PC."
        ),
        window,
    )
    label.setWordWrap(True)
    bar = QProgressBar(window)
    bar.setRange(0, 0)
    bar.setTextVisible(False)
    layout = QVBoxLayout(window)
    layout.addWidget(label)
    layout.addWidget(bar)
    window.show()
    loop = QEventLoop()
    outcome: list[object] = []

    def work() -> object:
        try:
            return default_url()
        except Exception as exc:  # handed back to this thread and raised here
            return exc

    def done(value: object) -> None:
        outcome.append(value)
        loop.quit()

    run_in_thread(work, done, window)
    loop.exec()
    window.close()
    window.deleteLater()
    if isinstance(outcome[0], Exception):
        raise outcome[0]
    assert isinstance(outcome[0], str)
    return outcome[0]


def tell_not_responding() -> None:
    from PySide6.QtWidgets import QMessageBox

    log.warning("a second start found the app open but not answering")
    QMessageBox.information(
        None,
        tr("SiPelayanan"),
        tr(
            "SiPelayanan sudah terbuka di PC ini tetapi belum menjawab. Tunggu sebentar lalu "
            "cari jendelanya di taskbar; bila tetap tidak muncul, tutup SiPelayanan lewat Task "
            "Manager lalu buka lagi."
        ),
    )
