"""Database operations off the UI thread (after Anki's CollectionOp/QueryOp).

Windows never hold a Session or an ORM object. They call ``ops.run(fn, on_done=…)`` where ``fn``
takes a Session and returns plain data (dataclasses, ids, bytes). ``fn`` runs on a worker thread
inside one unit of work: ``Database.write()`` with ``write=True``, else the read unit
``Database.read()``, which the database keeps read-only; the callbacks run back on the UI
thread. Every read function works in either unit, so there is nothing else to choose.
After a successful write, and when the periodic check of the audit chain head (one primary-key
read) finds that another PC wrote, every window hears ``changed(Changes)``: what changed, read
from the new audit entries (:mod:`sipelayanan.services.changes`), so each window refreshes only
for what concerns it; entries that change no state (a printed tanda terima) reach no one.

Errors: a SipelayananError goes to ``on_error`` (default: a message box with its Indonesian
text); DatabaseUnavailable also raises the "connection lost" banner and starts a retry ping;
anything else is logged with its traceback and shown as a generic message — never a traceback.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from ..db import Database
from ..errors import DatabaseUnavailable, SipelayananError
from ..i18n import tr
from ..services.changes import EVERYTHING, Changes, changes_since

log = logging.getLogger("sipelayanan.ui.ops")

Progress = Callable[[int, int], None]


@dataclass
class _Job:
    id: int
    fn: Callable[..., Any]
    write: bool
    wants_progress: bool
    after: int | None = None  # a write: the audit log position the UI knew at submission


@dataclass(frozen=True)
class _Written:
    """A write's result and what it changed, read from the audit log in its transaction."""

    result: Any
    after: int | None
    head: int
    changes: Changes


class _Worker(QObject):
    """Lives on its own QThread with its own Database (engine, connections)."""

    done = Signal(int, object)
    failed = Signal(int, object)
    progress = Signal(int, int, int)

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url
        self._db: Database | None = None

    def database(self) -> Database:
        if self._db is None:
            self._db = Database(self._url)
        return self._db

    @Slot(object)
    def execute(self, job: _Job) -> None:
        try:
            db = self.database()
            with db.write() if job.write else db.read() as session:
                if job.wants_progress:
                    result = job.fn(session, lambda d, t: self.progress.emit(job.id, d, t))
                else:
                    result = job.fn(session)
                if job.write:  # what it changed, without another round trip
                    head, changes = changes_since(session, job.after)
                    result = _Written(result, job.after, head, changes)
            self.done.emit(job.id, result)
        except SipelayananError as exc:
            self.failed.emit(job.id, exc)
        except Exception as exc:  # a fault: log it, show a plain message
            log.exception("operation failed")
            self.failed.emit(job.id, exc)

    @Slot()
    def shutdown(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


@dataclass
class _Pending:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[SipelayananError], None] | None
    on_progress: Progress | None
    parent: QWidget | None
    write: bool


class Ops(QObject):
    """The UI's single door to the database. Create one per database URL."""

    changed = Signal(object)  # a non-empty Changes (here or another PC): refresh what it touches
    connection_lost = Signal(str)
    connection_restored = Signal()
    busy_changed = Signal(bool)
    _submit = Signal(object)
    _submit_long = Signal(object)

    def __init__(self, url: str, *, poll_ms: int = 3000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._lost = False
        self._token: int | None = None
        self._checking = False  # a change check is on its way
        self._check_again = False
        self._wrote = False  # a local write happened since the last check
        self._lock = threading.Lock()
        self._threads: list[QThread] = []
        self._workers: list[_Worker] = []
        for signal in (self._submit, self._submit_long):
            thread = QThread(self)
            worker = _Worker(url)
            worker.moveToThread(thread)
            signal.connect(worker.execute)
            worker.done.connect(self._on_done)
            worker.failed.connect(self._on_failed)
            worker.progress.connect(self._on_progress)
            thread.start()
            self._threads.append(thread)
            self._workers.append(worker)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.check_changes)
        if poll_ms > 0:
            self._poll.start()
        self._retry = QTimer(self)
        self._retry.setInterval(5000)
        self._retry.timeout.connect(self._ping)

    # ------------------------------------------------------------------ API

    def run(
        self,
        fn: Callable[..., Any],
        *,
        write: bool = False,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[SipelayananError], None] | None = None,
        on_progress: Progress | None = None,
        parent: QWidget | None = None,
        long: bool = False,
    ) -> int:
        """Run ``fn(session)`` (or ``fn(session, progress)`` when on_progress is given) off the
        UI thread, in a write unit when ``write`` else in the read unit. ``long`` uses a second
        worker so a big report never blocks the inbox."""
        job = _Job(next(self._ids), fn, write, on_progress is not None, self._token)
        self._pending[job.id] = _Pending(on_done, on_error, on_progress, parent, write)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        (self._submit_long if long else self._submit).emit(job)
        return job.id

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def offline(self) -> bool:
        return self._lost

    def check_changes(self) -> None:
        """Cheap change check: one primary-key read of the audit chain head."""
        if self._lost:
            return
        if self._checking:  # one check at a time; ask again when it is back
            self._check_again = True
            return
        from ..services.changes import changes_since

        self._checking = True
        after, wrote = self._token, self._wrote
        self._wrote = False
        self.run(
            lambda s: changes_since(s, after),
            on_done=lambda result: self._on_token(result, wrote),
            on_error=lambda _e: self._on_check_failed(wrote),
        )

    def retry_now(self) -> None:
        """Ping the database at once (the connection banner's "Coba sekarang")."""
        self._ping()

    def shutdown(self) -> None:
        self._poll.stop()
        self._retry.stop()
        for worker, thread in zip(self._workers, self._threads, strict=True):
            QTimer.singleShot(0, worker, worker.shutdown)
            thread.quit()
            thread.wait(5000)

    # ------------------------------------------------------------------ internals

    def _on_token(self, result: tuple[int, Changes], wrote: bool = False) -> None:
        head, changes = result
        if wrote and (self._token is None or head == self._token):
            changes = EVERYTHING  # a write that recorded nothing we can read: refresh all
        self._token = head
        self._checking = False
        if changes:
            self.changed.emit(changes)
        if self._check_again:
            self._check_again = False
            self.check_changes()

    def _on_check_failed(self, wrote: bool) -> None:
        self._checking = False
        if wrote:
            self.changed.emit(EVERYTHING)

    def _finish(self, job_id: int) -> _Pending | None:
        pending = self._pending.pop(job_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        return pending

    @Slot(int, object)
    def _on_done(self, job_id: int, result: object) -> None:
        written = result if isinstance(result, _Written) else None
        if written is not None:
            result = written.result
        pending = self._finish(job_id)
        if self._lost:
            self._set_lost(False)
        if pending is None:
            return
        if pending.on_done is not None and _receiver_alive(pending, pending.on_done):
            pending.on_done(result)
        if pending.write:
            self._after_write(written)

    def _after_write(self, written: _Written | None) -> None:
        """Tell the windows what a write of this PC changed: read in its own transaction when
        the log position it started from is still the one known here, else read it back."""
        if (
            written is None
            or written.after is None
            or written.after != self._token
            or written.head == written.after  # it recorded nothing: refresh everything
            or self._checking
        ):
            self._wrote = True
            self.check_changes()
            return
        self._token = written.head
        if written.changes:
            self.changed.emit(written.changes)

    @Slot(int, object)
    def _on_failed(self, job_id: int, error: object) -> None:
        pending = self._finish(job_id)
        if isinstance(error, DatabaseUnavailable):
            self._set_lost(True, str(error))
        if pending is None or not _receiver_alive(pending, pending.on_error):
            return
        if isinstance(error, SipelayananError):
            if pending.on_error is not None:
                pending.on_error(error)
            else:
                show_error(pending.parent, str(error))
            return
        message = tr(
            "Terjadi kesalahan tak terduga; tidak ada yang tersimpan setengah jalan. "
            "Rinciannya dicatat di log aplikasi."
        )
        if pending.on_error is not None:
            pending.on_error(SipelayananError(message))
        else:
            show_error(pending.parent, message)

    @Slot(int, int, int)
    def _on_progress(self, job_id: int, done: int, total: int) -> None:
        pending = self._pending.get(job_id)
        if (
            pending is not None
            and pending.on_progress is not None
            and _receiver_alive(pending, pending.on_progress)
        ):
            pending.on_progress(done, total)

    def _set_lost(self, lost: bool, message: str = "") -> None:
        if lost == self._lost and not lost:
            return
        self._lost = lost
        if lost:
            self.connection_lost.emit(message)
            self._retry.start()
        else:
            self._retry.stop()
            self.connection_restored.emit()
            self.changed.emit(EVERYTHING)

    def _ping(self) -> None:
        from sqlalchemy import text

        self.run(lambda s: s.execute(text("SELECT 1")).scalar(), on_error=lambda e: None)


def _receiver_alive(pending: _Pending, callback: Callable[..., Any] | None) -> bool:
    """False when the window that asked has been closed and deleted meanwhile: its answer
    is dropped instead of reaching a dead widget."""
    if pending.parent is not None and not shiboken6.isValid(pending.parent):
        return False
    owner = getattr(callback, "__self__", None)
    return not (isinstance(owner, QObject) and not shiboken6.isValid(owner))


def show_error(parent: QWidget | None, message: str) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(tr("SiPelayanan"))
    box.setText(message)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open() if parent is not None else box.exec()
