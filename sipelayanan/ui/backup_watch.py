"""The status bar's backup line and the in-app schedule of automatic backups (for every
logged-in user; the line itself only for admins). Kept out of the admin package so the main
window does not import the admin pages for clerks."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from ..backup import auto
from ..errors import SipelayananError
from ..i18n import tr
from .context import UiContext

WARNING_STYLE = "color: #a50e0e; font-weight: 600;"


class BackupWatch(QLabel):
    """The status bar's backup line and the in-app schedule.

    Every few minutes one settings read asks "is a backup due?"; when it is, the backup is made
    and verified on the long worker thread — on any PC where the app runs, whoever is logged in
    (a claim in the database keeps PCs from doing it twice). Admins see the last verified
    backup's time here, in red when it is older than two days."""

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        clock: auto.Clock = auto.system_clock,
        interval_ms: int = 5 * 60 * 1000,
        first_ms: int = 30 * 1000,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backup_watch")
        self.ctx = ctx
        self.clock = clock
        self.running = False
        self.warning = False
        self.show_to_user = ctx.has_role("admin")
        self.setVisible(False)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        if interval_ms > 0:
            self.timer.start()
            QTimer.singleShot(first_ms, self, self.check)

    def check(self) -> None:
        if self.running:
            return
        self.ctx.ops.run(auto.load, on_done=self._loaded, on_error=lambda e: None, parent=self)

    def _loaded(self, loaded: tuple[auto.AutoSettings, auto.AutoState]) -> None:
        settings, state = loaded
        now = self.clock()
        text, self.warning = auto.status_text(state, now)
        if self.show_to_user:
            self.setText(text)
            self.setToolTip(tr("Admin ▸ Cadangan"))
            self.setStyleSheet(WARNING_STYLE if self.warning else "color: #5f6368;")
            self.setVisible(True)
        if auto.due(settings, state, now) and not self.ctx.ops.offline:
            self._run()

    def _run(self) -> None:
        url, clock = self.ctx.ops.url, self.clock

        def job(session: Any) -> auto.Outcome:
            from ..db import Database

            db = Database(url)
            try:
                return auto.run(db, clock=clock)
            finally:
                db.dispose()

        self.running = True
        self.ctx.ops.run(job, on_done=self._finished, on_error=self._finished, long=True)

    def _finished(self, result: Any) -> None:
        self.running = False
        if isinstance(result, SipelayananError) and self.show_to_user:
            self.ctx.show_status(tr("Cadangan otomatis gagal: {e}", e=str(result)))
        self.check()
