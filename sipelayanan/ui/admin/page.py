"""Admin: users and roles, office profile, office hours and closures, message templates,
this PC's database connection, and backups — one tab each."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from ...i18n import tr
from ..context import UiContext
from .backup import BackupTab
from .database import DatabaseConnectionWidget
from .hours import HoursTab
from .privacy import PrivacyTab
from .profile import ProfileTab
from .sop_folder import SopFolderTab
from .standar import StandarTab
from .status_site import StatusSiteTab
from .templates import TemplatesTab
from .users import UsersTab
from .whatsapp_api import WhatsAppApiTab


class AdminPage(QWidget):
    title = "Admin"

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._started = False
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("admin_tabs")
        self._scrolls: dict[QWidget, QScrollArea] = {}
        self.users = UsersTab(ctx, self)
        self.profile = ProfileTab(ctx, self)
        self.hours = HoursTab(ctx, self)
        self.templates = TemplatesTab(ctx, self)
        self.database = DatabaseConnectionWidget(ctx.settings, self, current_url=ctx.ops.url)
        self.backup = BackupTab(ctx, self)
        self.status_site = StatusSiteTab(ctx, self)
        self.whatsapp = WhatsAppApiTab(ctx, self)
        self.privacy = PrivacyTab(ctx, self)
        self.standar = StandarTab(ctx, self)
        self.sop_folder = SopFolderTab(ctx, self)
        self._add_tab(self.users, tr("&Pengguna"))
        self._add_tab(self.profile, tr("P&rofil kantor"))
        self._add_tab(self.hours, tr("&Jam kantor && hari tutup"))
        self._add_tab(self.templates, tr("&Templat pesan"))
        self._add_tab(self.database, tr("&Koneksi basis data"))
        self._add_tab(self.backup, tr("C&adangan"))
        self._add_tab(self.status_site, tr("S&itus status"))
        self._add_tab(self.whatsapp, tr("&WhatsApp Business"))
        self._add_tab(self.privacy, tr("Data pri&badi"))
        self._add_tab(self.standar, tr("Standar pe&layanan"))
        self._add_tab(self.sop_folder, tr("&Folder SOP"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def _add_tab(self, tab: QWidget, title: str) -> None:
        """Each tab in its own scroll area: on a short screen (1366x768 at 125 %) a long tab
        scrolls by itself instead of making the whole Admin page taller than the window."""
        scroll = QScrollArea(self.tabs)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(tab)
        self._scrolls[tab] = scroll
        self.tabs.addTab(scroll, title)

    def show_tab(self, tab: QWidget) -> None:
        """Bring ``tab`` (e.g. ``self.users``) to the front."""
        self.tabs.setCurrentWidget(self._scrolls[tab])

    def current_tab(self) -> QWidget | None:
        scroll = self.tabs.currentWidget()
        return scroll.widget() if isinstance(scroll, QScrollArea) else None

    def refresh(self) -> None:
        """Reload what changed; tabs with unsaved edits keep them."""
        self._started = True
        self.users.refresh()
        self.profile.refresh()
        self.hours.refresh()
        self.templates.refresh()
        self.backup.refresh()
        self.status_site.refresh()
        self.whatsapp.refresh()
        self.privacy.refresh()
        self.standar.refresh()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._started:
            self.refresh()
