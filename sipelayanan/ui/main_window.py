"""The main window: navigation between pages, who is logged in, the connection banner, the
status bar, shortcuts for the daily actions, the Laporan menu and logout.

Pages are constructed as ``Page(ctx, parent)`` and expose ``title`` and ``refresh()``; the window
shows only the pages the user's roles fit and refreshes the visible one on ``Ops.changed``.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..i18n import tr
from ..identity import extract_tracking_code
from ..services.changes import EVERYTHING, Changes
from ..services.office import get_profile
from ..services.users import UserInfo
from ..sop import OVERSEER_ROLES, REVIEW_ROLES
from .context import UiContext
from .ops import Ops
from .settings import Settings
from .widgets.common import MessageBar, roles_text
from .widgets.screen_fit import keep_on_screen, size_to_screen

log = logging.getLogger("sipelayanan.ui")

EVERYONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PageSpec:
    key: str
    page: Callable[[], type]  # imports the page's module (on first use) and gives its class
    roles: frozenset[str]  # empty: every user
    title: str  # shown in the navigation before the page is built
    eager: bool = False  # built at start (its badge counts): the others on first use


# Each page's module imported by an explicit statement, inside a function so that a page is
# built (and its module loaded) only when first opened.
def _inbox_page() -> type:
    from .inbox import InboxPage

    return InboxPage


def _today_page() -> type:
    from .today import TodayPage

    return TodayPage


def _intake_page() -> type:
    from .intake import IntakePage

    return IntakePage


def _review_page() -> type:
    from .review import ReviewPage

    return ReviewPage


def _search_page() -> type:
    from .search import SearchPage

    return SearchPage


def _pengaduan_page() -> type:
    from .pengaduan import PengaduanPage

    return PengaduanPage


def _skm_page() -> type:
    from .skm import SkmPage

    return SkmPage


def _collection_page() -> type:
    from .collection import CollectionPage

    return CollectionPage


def _admin_page() -> type:
    from .admin import AdminPage

    return AdminPage


PAGES: tuple[PageSpec, ...] = (
    PageSpec("inbox", _inbox_page, EVERYONE, tr("Kotak Masuk"), True),
    PageSpec("today", _today_page, OVERSEER_ROLES, tr("Hari ini")),
    PageSpec(
        "intake",
        _intake_page,
        frozenset({"operator_online"}),
        tr("Penerimaan"),
    ),
    PageSpec(
        "review",
        _review_page,
        REVIEW_ROLES,
        tr("Tinjauan"),
    ),
    PageSpec("search", _search_page, EVERYONE, tr("Cari")),
    PageSpec(
        "pengaduan",
        _pengaduan_page,
        frozenset({"petugas_aduan", "pejabat_aduan", "tim_aduan"}),
        tr("Pengaduan"),
    ),
    PageSpec(
        "collection",
        _collection_page,
        frozenset({"petugas_penyerahan"}),
        tr("Siap diambil"),
    ),
    PageSpec(
        "skm",
        _skm_page,
        frozenset({"admin", "operator_online"}),
        tr("Survei Kepuasan"),
    ),
    PageSpec("admin", _admin_page, frozenset({"admin"}), tr("Admin")),
)


def page_concerned(key: str, changes: Changes) -> bool:
    """Whether page ``key`` shows anything ``changes`` touched: every page lists requests
    (or the office's settings that time them); only the admin page lists users."""
    if changes.everything or changes.office or changes.queues or changes.cases:
        return True
    return changes.users and key == "admin"


def _note(page: QWidget, changes: Changes) -> None:
    """Tell a page what changed before it refreshes (``note_changes``, where it has one)."""
    note = getattr(page, "note_changes", None)
    if callable(note):
        note(changes)


def pages_for(roles: tuple[str, ...]) -> list[PageSpec]:
    mine = set(roles)
    return [p for p in PAGES if not p.roles or p.roles & mine]


class _Pages(Mapping[str, QWidget]):
    """The pages a user may open, by key; looking one up builds it (``MainWindow.page``)."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window

    def __getitem__(self, key: str) -> QWidget:
        page = self._window.page(key)
        if page is None:
            raise KeyError(key)
        return page

    def __contains__(self, key: object) -> bool:
        return key in self._window._specs

    def __iter__(self) -> Iterator[str]:
        return iter(self._window._specs)

    def __len__(self) -> int:
        return len(self._window._specs)


class PageHolder(QScrollArea):
    """Holds one page: the page fills the window and scrolls only when the window is smaller
    than the page's *minimum* size. (``widgetResizable`` would give a page with word-wrapped
    text its preferred height, pushing its buttons below a 1366×768 screen at 125 %.)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(False)

    def _fit(self) -> None:
        page = self.widget()
        if page is None:
            return
        view = self.viewport().size()
        minimum = page.minimumSizeHint().expandedTo(page.minimumSize())
        page.resize(max(view.width(), minimum.width()), max(view.height(), minimum.height()))

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        return super().eventFilter(watched, event)


class ConnectionBanner(QFrame):
    """Non-blocking: says the database is unreachable, that retries run, that typed data is
    kept; turns green for a moment when the connection is back."""

    retry_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ConnectionBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.retry = QPushButton(tr("Coba sekarang"), self)
        self.retry.clicked.connect(self.retry_clicked)
        layout.addWidget(self.retry)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.timeout.connect(self.hide)
        self.state = "ok"
        self.hide()

    def show_lost(self, message: str) -> None:
        self._hide_timer.stop()
        self.state = "lost"
        self.setStyleSheet(
            "#ConnectionBanner { background: #fce8e6; border-bottom: 1px solid "
            "#f6aea9; } #ConnectionBanner QLabel { color: #a50e0e; }"
        )
        self.label.setText(
            tr(
                "<b>Koneksi basis data terputus.</b> {pesan} Aplikasi mencoba menghubungkan "
                "kembali setiap beberapa detik. Isian di layar tetap tersimpan; tekan lagi "
                "tombolnya setelah koneksi pulih.",
                pesan=message,
            )
        )
        self.retry.show()
        self.show()

    def show_restored(self) -> None:
        self.state = "ok"
        self.setStyleSheet(
            "#ConnectionBanner { background: #e6f4ea; border-bottom: 1px solid "
            "#a8dab5; } #ConnectionBanner QLabel { color: #137333; }"
        )
        self.label.setText(tr("<b>Koneksi basis data pulih.</b> Data dimuat ulang."))
        self.retry.hide()
        self.show()
        self._hide_timer.start(4000)


class OpenCodeDialog(QDialog):
    """Type or scan a tracking code (or a link holding one) to open that request."""

    def __init__(self, open_case: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Buka permohonan"))
        self._open_case = open_case
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(tr("Kode pelacakan, mis. ABCD-EFGH5, atau pindai QR"))
        self.edit.setMinimumWidth(360)
        self.message = MessageBar(self)
        ok = QPushButton(tr("Buka"), self)
        ok.setDefault(True)
        ok.clicked.connect(self.submit)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(ok)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("Ketik atau pindai kode pelacakan:"), self))
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.edit.returnPressed.connect(self.submit)

    def submit(self) -> None:
        code = extract_tracking_code(self.edit.text())
        if code is None:
            self.message.error(
                tr(
                    "Tidak ada kode pelacakan yang sah pada isian ini. Periksa "
                    "kembali setiap karakternya (contoh ABCD-EFGH5)."
                )
            )
            self.edit.selectAll()
            return
        self.accept()
        self._open_case(code)


class MainWindow(QMainWindow):
    logout_requested = Signal()

    def __init__(
        self, ops: Ops, user: UserInfo, settings: Settings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.user = user
        self.settings = settings
        self._case_windows: dict[str, QWidget] = {}
        self._logging_out = False
        self.ctx = UiContext(
            ops=ops,
            user=user,
            settings=settings,
            open_case=self.open_case,
            show_status=self.show_status,
        )
        self.setWindowTitle(tr("SiPelayanan — {nama}", nama=user.full_name))
        size_to_screen(self, 1280, 800)  # inside the available screen (1366×768, 125 %)

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header())
        self.banner = ConnectionBanner(central)
        self.banner.retry_clicked.connect(ops.retry_now)
        outer.addWidget(self.banner)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.nav = QListWidget(central)
        self.nav.setObjectName("Nav")
        self.nav.setFixedWidth(165)  # room for the work lists at 1366×768 and 125 %
        self.nav.setAccessibleName(tr("Navigasi halaman"))
        body.addWidget(self.nav)
        self.stack = QStackedWidget(central)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self._built: dict[str, QWidget] = {}  # the pages built so far
        self._specs: dict[str, PageSpec] = {}  # every page this user may open
        self.pages = _Pages(self)  # every page this user may open, built on first access
        self._holders: dict[str, PageHolder] = {}
        self._page_keys: list[str] = []
        self._dirty: set[str] = set()
        self._build_pages()
        self._build_status_bar()
        self._build_menus()

        self.nav.currentRowChanged.connect(self._on_nav)
        ops.changed.connect(self._on_changed)
        ops.connection_lost.connect(self._on_lost)
        ops.connection_restored.connect(self._on_restored)
        ops.busy_changed.connect(self._on_busy)
        if ops.offline:
            self._on_lost(tr("Basis data belum dapat dihubungi."))

        geometry = settings.window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
            keep_on_screen(self)  # saved on a larger monitor: back inside this one
        state = settings.window_state()
        if state is not None:
            self.restoreState(state)
        last = settings.last_page()
        self.go_to_page(last if last in self._specs else self._page_keys[0])
        for key, page in self._built.items():  # badges of the pages not shown yet
            counts = getattr(page, "refresh_counts", None)
            if key != self.current_page_key() and callable(counts):
                counts()
        ops.run(
            lambda s: get_profile(s).name,
            on_done=self.office_label.setText,
            on_error=lambda e: None,
            parent=self,
        )

    # ------------------------------------------------------------------ building
    def _build_header(self) -> QWidget:
        header = QFrame(self)
        header.setObjectName("Header")
        header.setStyleSheet(
            "#Header { background: #174ea6; } #Header QLabel { color: white; }"
            "#Header QPushButton { color: white; background: transparent; border: 1px solid "
            "#8ab4f8; border-radius: 4px; padding: 4px 10px; }"
            "#Header QPushButton:hover { background: #1967d2; }"
        )
        layout = QHBoxLayout(header)
        layout.setContentsMargins(14, 8, 14, 8)
        left = QVBoxLayout()
        title = QLabel(tr("SiPelayanan"), header)
        title.setStyleSheet("font-size: 17px; font-weight: 600;")
        self.office_label = QLabel(tr("Disdukcapil Kabupaten Way Kanan"), header)
        self.office_label.setStyleSheet("color: #d2e3fc;")
        left.addWidget(title)
        left.addWidget(self.office_label)
        layout.addLayout(left, 1)
        who = QVBoxLayout()
        self.user_label = QLabel(
            tr("{nama} ({username})", nama=self.user.full_name, username=self.user.username),
            header,
        )
        self.user_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.user_label.setStyleSheet("font-weight: 600;")
        self.roles_label = QLabel(roles_text(self.user.roles), header)
        self.roles_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.roles_label.setStyleSheet("color: #d2e3fc;")
        who.addWidget(self.user_label)
        who.addWidget(self.roles_label)
        layout.addLayout(who)
        self.logout_button = QPushButton(tr("Keluar akun"), header)
        self.logout_button.setToolTip(tr("Keluar dari akun ini (Ctrl+Shift+L)"))
        self.logout_button.clicked.connect(self.logout)
        layout.addWidget(self.logout_button)
        return header

    def _build_pages(self) -> None:
        """The navigation for every page the user's roles fit; a page's module is imported
        and the page built when it is first shown (the inbox at once, for its badge)."""
        for spec in pages_for(self.user.roles):
            self._specs[spec.key] = spec
            self._page_keys.append(spec.key)
            # a page wider than a small screen scrolls instead of forcing the window wider
            holder = PageHolder(self.stack)
            holder.setFrameShape(QFrame.Shape.NoFrame)
            self._holders[spec.key] = holder
            self.stack.addWidget(holder)
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.nav.addItem(item)
        for spec in self._specs.values():
            if spec.eager:
                self.page(spec.key)
        self.nav.setStyleSheet(
            "#Nav { background: #f8f9fa; border: none; border-right: 1px solid #dadce0;"
            " font-size: 14px; padding-top: 6px; }"
            "#Nav::item { padding: 9px 12px; }"
            "#Nav::item:selected { background: #d2e3fc; color: #174ea6; font-weight: 600; }"
        )

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy = QProgressBar(self)
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.timeout.connect(self.busy.show)
        self.db_label = QLabel(self._db_text(), self)
        self.db_label.setStyleSheet("color: #5f6368;")
        bar.addPermanentWidget(self.busy)
        bar.addPermanentWidget(self.db_label)
        from .backup_watch import BackupWatch  # automatic backups; admins see the last one

        self.backup_watch = BackupWatch(self.ctx, self)
        bar.addPermanentWidget(self.backup_watch)
        from .notice_sender import NoticeSender  # WhatsApp notices: outbox sender, "belum terkirim"

        self.notice_sender = NoticeSender(self.ctx, self)
        bar.addPermanentWidget(self.notice_sender)
        from .status_site_watch import StatusSiteWatch  # publishes the status page by itself

        self.status_site_watch = StatusSiteWatch(self.ctx, self)
        bar.addPermanentWidget(self.status_site_watch)

    def _db_text(self) -> str:
        from sqlalchemy.engine import make_url

        try:
            u = make_url(self.ops.url)
        except Exception:
            return ""
        if u.get_backend_name() == "sqlite":
            return tr("Basis data: SQLite {file}", file=u.database or "")
        return tr(
            "Basis data: PostgreSQL {host}/{db}", host=u.host or "localhost", db=u.database or ""
        )

    def _build_menus(self) -> None:
        menu = self.menuBar()
        self.shortcut_actions: dict[str, QAction] = {}

        def act(
            key: str,
            text: str,
            shortcut: str | QKeySequence.StandardKey | None,
            slot: Callable[[], None],
            tip: str = "",
        ) -> QAction:
            action = QAction(text, self)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            if tip:
                action.setStatusTip(tip)
            action.triggered.connect(slot)
            self.addAction(action)
            self.shortcut_actions[key] = action
            return action

        app_menu = menu.addMenu(tr("&Aplikasi"))
        app_menu.addAction(act("logout", tr("Keluar &akun"), "Ctrl+Shift+L", self.logout))
        app_menu.addAction(act("quit", tr("&Tutup aplikasi"), "Ctrl+Q", self.close_app))

        go = menu.addMenu(tr("&Halaman"))
        for n, key in enumerate(self._page_keys, start=1):
            title = self._specs[key].title
            go.addAction(
                act(
                    f"page:{key}",
                    title,
                    f"Ctrl+{n}" if n <= 9 else None,
                    partial(self.go_to_page, key),
                )
            )
        go.addSeparator()
        go.addAction(act("refresh", tr("&Muat ulang"), "F5", self.refresh_current))

        cases = menu.addMenu(tr("&Permohonan"))
        if "intake" in self._specs:
            cases.addAction(
                act(
                    "new",
                    tr("Penerimaan &baru"),
                    "Ctrl+N",
                    self.new_intake,
                    tr("Catat permohonan baru dari WhatsApp"),
                )
            )
        cases.addAction(
            act(
                "open_code",
                tr("&Buka kode pelacakan…"),
                "Ctrl+K",
                self.open_code_dialog,
                tr("Ketik atau pindai kode pelacakan"),
            )
        )
        cases.addAction(
            act(
                "status_reply",
                tr("Balas &status…"),
                "Ctrl+Shift+S",
                self.open_status_reply,
                tr("Tempel pesan STATUS dari pemohon, dapatkan jawabannya"),
            )
        )
        if "search" in self._specs:
            cases.addAction(act("search", tr("&Cari / pindai"), "Ctrl+F", self.focus_search))
        if "review" in self._specs:
            cases.addAction(
                act("review", tr("&Tinjauan"), "Ctrl+T", lambda: self.show_page("review"))
            )

        cases.addAction(
            act(
                "notices",
                tr("&Kirim semua yang siap…"),
                None,
                self.open_notice_walk,
                tr("Pemberitahuan WhatsApp yang belum terkirim, satu klik per pesan"),
            )
        )

        reports = menu.addMenu(tr("&Laporan"))
        self.reports_action = act(
            "reports", tr("&Laporan dan tanda terima…"), "Ctrl+L", self.open_reports
        )
        reports.addAction(self.reports_action)
        if importlib.util.find_spec("sipelayanan.ui.reports_dialog") is None:  # not imported
            self.reports_action.setEnabled(False)
            self.reports_action.setStatusTip(tr("Modul laporan belum terpasang."))

        help_menu = menu.addMenu(tr("Ba&ntuan"))
        help_menu.addAction(act("shortcuts", tr("&Pintasan keyboard"), "F1", self.show_shortcuts))
        help_menu.addAction(
            act(
                "log_folder",
                tr("Buka &folder log"),
                None,
                self.open_log_folder,
                tr("Folder berisi log aplikasi (untuk admin atau dukungan teknis)"),
            )
        )
        help_menu.addAction(act("about", tr("&Tentang SiPelayanan"), None, self.show_about))

    # ------------------------------------------------------------------ pages
    def page(self, key: str) -> QWidget | None:
        """Page ``key``, built now if it was not yet; None when it cannot be built."""
        if key in self._built:
            return self._built[key]
        spec = self._specs.get(key)
        if spec is None:
            return None
        holder = self._holders[key]
        try:
            page = spec.page()(self.ctx, holder)
        except Exception:  # one broken page must not take the whole app down
            log.exception("page %s failed to build", key)
            page = None
        if page is None:
            if holder.widget() is None:
                note = QLabel(tr("Halaman ini tidak tersedia; rinciannya dicatat di log."))
                note.setAlignment(Qt.AlignmentFlag.AlignCenter)
                holder.setWidget(note)
            return None
        self._built[key] = page
        holder.setWidget(page)
        page.installEventFilter(holder)  # a page whose minimum grows is refitted
        badge = getattr(page, "badge_changed", None)
        if badge is not None:
            badge.connect(partial(self._set_badge, key))
        built: QWidget = page
        return built

    def show_page(self, key: str) -> None:
        if key not in self._specs:
            return
        row = self._page_keys.index(key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # -> _on_nav
        else:
            self._on_nav(row)

    def go_to_page(self, key: str) -> None:
        """Show page ``key`` with the keyboard in it (its list: Enter opens the first row)."""
        self.show_page(key)
        page = self._built.get(key)
        if page is not None:
            page.setFocus()

    def current_page_key(self) -> str:
        row = self.stack.currentIndex()
        return self._page_keys[row] if 0 <= row < len(self._page_keys) else ""

    def _on_nav(self, row: int) -> None:
        if not 0 <= row < len(self._page_keys):
            return
        key = self._page_keys[row]
        page = self.page(key)
        self.stack.setCurrentIndex(row)
        self.settings.set_last_page(key)
        if page is None:
            return
        if key in self._dirty or not getattr(page, "_shown_once", False):
            self._dirty.discard(key)
            page._shown_once = True  # type: ignore[attr-defined]
            self._refresh(page)

    def _refresh(self, page: QWidget) -> None:
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            try:
                refresh()
            except Exception:
                log.exception("refresh failed")

    def refresh_current(self) -> None:
        key = self.current_page_key()
        if key in self._built:
            _note(self._built[key], EVERYTHING)
            self._refresh(self._built[key])
        self.ops.check_changes()

    def _on_changed(self, changes: Changes = EVERYTHING) -> None:
        current = self.current_page_key()
        for key, page in self._built.items():  # a page not built yet loads when first shown
            if not page_concerned(key, changes):
                continue
            _note(page, changes)
            if key == current:
                self._refresh(page)
            else:
                self._dirty.add(key)
                counts = getattr(page, "refresh_counts", None)
                if callable(counts):
                    counts()

    def _set_badge(self, key: str, count: int) -> None:
        row = self._page_keys.index(key)
        item = self.nav.item(row)
        title = self._specs[key].title
        item.setText(f"{title}  ({count})" if count else title)

    def nav_text(self, key: str) -> str:
        return self.nav.item(self._page_keys.index(key)).text()

    # ------------------------------------------------------------------ actions
    def open_case(self, code: str) -> None:
        from .case import CaseWindow

        norm = extract_tracking_code(code) or code.strip().upper()
        existing = self._case_windows.get(norm)
        if existing is not None:
            existing.showNormal()
            existing.raise_()
            existing.activateWindow()
            return
        window = CaseWindow(self.ctx, norm, self)
        self._case_windows[norm] = window
        window.destroyed.connect(lambda _=None, c=norm: self._case_windows.pop(c, None))
        window.show()
        window.raise_()
        window.activateWindow()

    def case_windows(self) -> dict[str, QWidget]:
        return dict(self._case_windows)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def new_intake(self) -> None:
        self.show_page("intake")
        page = self.pages.get("intake")
        start = getattr(page, "start_new", None)
        if callable(start):
            start()

    def focus_search(self) -> None:
        self.show_page("search")
        page = self.pages.get("search")
        for name in ("focus_box", "focus_search", "focus_input"):
            fn = getattr(page, name, None)
            if callable(fn):
                fn()
                return
        if page is not None:
            page.setFocus()

    def open_code_dialog(self) -> None:
        dialog = OpenCodeDialog(self.open_case, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()

    def open_status_reply(self, text: str = "") -> None:
        from .status_reply import StatusReplyDialog

        dialog = StatusReplyDialog(self.ctx, self, text=text)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()

    def open_notice_walk(self) -> None:
        from .notices_walk import open_notice_walk

        open_notice_walk(self.ctx, self)

    def open_reports(self) -> None:
        from .reports_dialog import ReportsDialog

        dialog = ReportsDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()

    def show_shortcuts(self) -> None:
        lines = [
            (tr("Ctrl+1 … Ctrl+{n}", n=len(self._page_keys)), tr("pindah halaman")),
            ("Ctrl+N", tr("penerimaan baru")),
            ("Ctrl+K", tr("buka permohonan dengan kode pelacakan")),
            ("Ctrl+F", tr("cari / pindai")),
            ("Ctrl+Shift+S", tr("balas status: jawaban untuk pesan STATUS pemohon")),
            ("Ctrl+T", tr("tinjauan (Kasi, Kabid, Kepala Dinas)")),
            ("F5", tr("muat ulang")),
            ("Enter", tr("buka permohonan terpilih / setujui di Tinjauan")),
            ("K", tr("kembalikan dengan koreksi di Tinjauan")),
            ("Ctrl+Enter", tr("Terima / selesaikan langkah")),
            ("Ctrl+L", tr("laporan dan tanda terima")),
            ("Ctrl+Shift+L", tr("keluar akun")),
        ]
        rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in lines)
        box = QMessageBox(self)
        box.setWindowTitle(tr("Pintasan keyboard"))
        box.setText(f"<table>{rows}</table>")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()

    def show_about(self) -> None:
        from .about import AboutDialog  # versions and third-party licences

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()

    def open_log_folder(self) -> None:
        """Bantuan ▸ Buka folder log: the day files and the crash file, in the file manager."""
        import contextlib

        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from ..logs import log_dir

        folder = log_dir()
        with contextlib.suppress(OSError):  # else opening fails and the clerk is told where
            folder.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            box = QMessageBox(
                QMessageBox.Icon.Information,
                tr("Folder log"),
                tr("Folder log tidak dapat dibuka otomatis. Letaknya: {folder}", folder=folder),
                parent=self,
            )
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            box.open()

    def close_app(self) -> None:
        self.close()

    def logout(self) -> None:
        self._logging_out = True
        self.close()

    # ------------------------------------------------------------------ connection / busy
    def _on_lost(self, message: str) -> None:
        self.banner.show_lost(message)

    def _on_restored(self) -> None:
        self.banner.show_restored()

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self._busy_timer.start(400)
        else:
            self._busy_timer.stop()
            self.busy.hide()

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.set_window_geometry(QByteArray(self.saveGeometry()))
        self.settings.set_window_state(QByteArray(self.saveState()))
        self.settings.sync()
        for window in list(self._case_windows.values()):
            window.close()
        self.notice_sender.shutdown()
        super().closeEvent(event)
        if self._logging_out:
            self._logging_out = False
            self.logout_requested.emit()
