"""The app's WhatsApp notice sender: a timer that runs one outbox round on the long worker
thread (``ops.run(…, long=True)``), and the status bar's line about notices not sent yet.

Every logged-in PC runs it; the outbox's claim (``queued`` -> ``sending`` in one committed
update) keeps two PCs from sending the same notice. The first round also turns notices left
``sending`` by a killed app into "mungkin terkirim". After an expired-token answer the timer
waits until the token is saved again (Admin > WhatsApp Business) instead of failing one notice
per round.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from ..i18n import tr
from .context import UiContext

WARNING_STYLE = "color: #a50e0e;"


class NoticeSender(QLabel):
    """Status bar line: "WhatsApp: 3 belum terkirim" (hidden while nothing waits)."""

    reported = Signal(object)  # outbox.SendReport

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        interval_ms: int = 60 * 1000,
        first_ms: int = 20 * 1000,
        transport: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("notice_sender")
        self.ctx = ctx
        self.running = False
        self.halted_token = False
        self.transport = transport
        self._db: Any = None
        self._db_lock = threading.Lock()
        self.setVisible(False)
        self.setToolTip(tr("Permohonan ▸ Kirim semua yang siap"))
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.send_now)
        if interval_ms > 0:
            self.timer.start()
            QTimer.singleShot(first_ms, self, self.send_now)

    def token_saved(self) -> None:
        """The admin saved a token: try again at once."""
        self.halted_token = False
        self.send_now()

    def send_now(self) -> None:
        if self.running or self.ctx.ops.offline:
            return
        url, halted, transport = self.ctx.ops.url, self.halted_token, self.transport

        def job(session: Any) -> tuple[Any, int]:
            from ..services import outbox

            db = self._database(url)
            if halted:
                report = outbox.SendReport(halted="token")
            else:
                report = outbox.run_sender(db, transport=transport)
            with db.read() as s:
                counts = outbox.state_counts(s)
            waiting = sum(counts.get(k, 0) for k in (*outbox.State.TO_WALK, "uncertain"))
            return report, waiting

        self.running = True
        self.ctx.ops.run(job, on_done=self._finished, on_error=self._failed, long=True)

    def _database(self, url: str) -> Any:
        with self._db_lock:
            if self._db is None:
                from ..db import Database

                self._db = Database(url)
            return self._db

    def _finished(self, result: tuple[Any, int]) -> None:
        self.running = False
        report, waiting = result
        if report.halted == "token":
            self.halted_token = True
        if waiting:
            self.setText(tr("WhatsApp: {n} belum terkirim", n=waiting))
            self.setStyleSheet(WARNING_STYLE if report.halted == "token" else "")
            self.setVisible(True)
        else:
            self.setVisible(False)
        if report.message and report.halted in ("token", "no_token"):
            self.setToolTip(report.message)
        self.reported.emit(report)

    def _failed(self, _error: Any) -> None:
        self.running = False

    def shutdown(self) -> None:
        self.timer.stop()
        with self._db_lock:
            if self._db is not None:
                self._db.dispose()
                self._db = None
