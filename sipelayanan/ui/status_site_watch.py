"""The status bar's status-site line and the automatic publishing of the resident's status page.

After any change (``ops.changed``) a timer waits ``debounce_ms`` (2 minutes) after the *last*
change, then builds the site and publishes it on the long worker thread
(``ops.run(long=True)``): a clerk is never blocked. A publish that fails (the office is offline,
the server is down) stays queued and is tried again with a growing pause (1, 2, 4 … 30
minutes); the build and the record of what was sent are on disk, so nothing is lost and the next
try sends only what is still missing. The line shows the last successful publish."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from ..calendar import WIB
from ..errors import SipelayananError
from ..i18n import tr
from .context import UiContext

RETRY_MIN_MS = 60 * 1000
#: New names (PBKDF2, ~0.1 s each) per round: a round holds the long worker thread for seconds,
#: not the half hour a first build of a big office takes; the next round follows at once.
NAMES_PER_ROUND = 200
RETRY_MAX_MS = 30 * 60 * 1000


def default_folder() -> Path:
    from ..statussite.cli import default_build_folder

    return default_build_folder()


def publish_job(folder: Path, *, force: bool = False) -> Callable[[Any], Any]:
    """``fn(session)`` for ops.run: build the site in ``folder`` and publish it to the target
    set in Admin. Returns None when the site is not set up (or automatic publishing is off and
    ``force`` is False), else the PublishResult."""

    def job(session: Any) -> Any:
        from ..statussite.build import build_site, get_site_settings
        from ..statussite.publish import publish

        settings = get_site_settings(session)
        if not settings.salt or not settings.target.strip():
            return None
        if not (settings.auto_publish or force):
            return None
        if not force and not settings.key_file:
            from ..statussite.publish import load_password, parse_target

            spec = parse_target(settings.target)
            if spec.kind != "folder" and load_password(spec) is None:
                return None  # another PC holds the credentials and publishes
        folder.mkdir(parents=True, exist_ok=True)
        built = build_site(session, folder, settings, max_new_names=NAMES_PER_ROUND)
        result = publish(folder, settings.target, key_file=settings.key_file)
        result.pending = built.pending
        return result

    return job


def last_text(folder: Path) -> str:
    from ..statussite.publish import last_success

    last = last_success(folder)
    if last is None:
        return ""
    at = datetime.fromtimestamp(last[0], WIB)
    return tr("Situs status diterbitkan {when}", when=at.strftime("%d-%m %H.%M"))


class StatusSiteWatch(QLabel):
    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        folder: Path | None = None,
        debounce_ms: int = 2 * 60 * 1000,
        first_ms: int = 60 * 1000,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("status_site_watch")
        self.ctx = ctx
        self.folder = folder or default_folder()
        self.running = False
        self.again = False  # a change arrived while publishing
        self.retry_ms = RETRY_MIN_MS
        self.failures = 0
        self.setStyleSheet("color: #5f6368;")
        self.setToolTip(tr("Admin ▸ Situs status"))
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(debounce_ms)
        self.debounce.timeout.connect(self.publish)
        self.retry = QTimer(self)
        self.retry.setSingleShot(True)
        self.retry.timeout.connect(self.publish)
        self._show(last_text(self.folder))
        ctx.ops.changed.connect(self.on_changed)
        if first_ms > 0:  # changes made while the app was closed
            QTimer.singleShot(first_ms, self, self.publish)

    def _show(self, text: str, warning: bool = False) -> None:
        self.setText(text)
        self.setStyleSheet("color: #a50e0e;" if warning else "color: #5f6368;")
        self.setVisible(bool(text))

    def on_changed(self, _changes: Any = None) -> None:
        self.debounce.start()  # restarts: 2 minutes after the last change

    def publish(self, *, force: bool = False) -> None:
        if self.running:
            self.again = True
            return
        self.running = True
        self.ctx.ops.run(
            publish_job(self.folder, force=force),
            on_done=self._done,
            on_error=self._failed,
            long=True,
        )

    def _done(self, result: Any) -> None:
        self.running = False
        if result is not None:
            self.failures = 0
            self.retry_ms = RETRY_MIN_MS
            self.retry.stop()
            self._show(last_text(self.folder))
            if result.pending:  # a big office's first build: the next round, soon
                QTimer.singleShot(1000, self, self.publish)
                return
        if self.again:
            self.again = False
            self.debounce.start()

    def _failed(self, error: SipelayananError) -> None:
        self.running = False
        self.failures += 1
        last = last_text(self.folder)
        minutes = max(1, self.retry_ms // 60000)
        self._show(
            tr(
                "Situs status belum terbit (dicoba lagi {m} menit lagi){last}",
                m=minutes,
                last=f" · {last}" if last else "",
            ),
            warning=True,
        )
        self.setToolTip(str(error))
        self.retry.start(self.retry_ms)
        self.retry_ms = min(self.retry_ms * 2, RETRY_MAX_MS)
        self.again = False

    def seconds_since_success(self) -> float | None:
        from ..statussite.publish import last_success

        last = last_success(self.folder)
        return None if last is None else time.time() - last[0]
