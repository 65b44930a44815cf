"""One SiPelayanan window per Windows session: a second start brings the running one to the front.

The first process holds a ``QLockFile`` in the PC's data folder and listens on a ``QLocalServer``;
a second process finds the lock taken, sends ``show`` over a ``QLocalSocket`` and exits 0. Both
names are per user *and* per session, so another Windows account of the same PC (fast user
switching, a second clerk logged in) runs its own app — SQLite's WAL and PostgreSQL both serve two
processes safely, and a locked screen must not lock the other clerk out.

A lock left by a process that died is taken over (``QLockFile`` checks the process id; the stale
*time* is switched off because a working app holds its lock for hours).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from ..instance import ACK, SHOW, allow_foreground, instance_key

log = logging.getLogger("sipelayanan.ui")


class SingleInstance(QObject):
    """``acquire()`` first; when it returns False another instance runs: ``notify_running()``."""

    activated = Signal()  # a second start asked this instance to come to the front

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        key = instance_key(folder)
        self.folder = folder
        self.server_name = f"sipelayanan-{key}"
        self.lock_path = folder / f"sipelayanan-{key}.lock"
        self._lock = QLockFile(str(self.lock_path))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """``lock()`` then ``listen()``: True when this process is the first."""
        if not self.lock():
            return False
        self.listen()
        return True

    def lock(self) -> bool:
        """True when this process is the first (needs no QApplication). A lock that cannot be
        made at all (an unwritable folder) does not stop the app: True, logged."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning("single-instance lock unavailable (%s): not enforced", exc.strerror)
            return True
        if self._lock.tryLock(0):
            return True
        if self._lock.error() == QLockFile.LockError.LockFailedError:
            return False
        log.warning("single-instance lock unavailable (%s): not enforced", self._lock.error())
        return True

    def listen(self) -> None:
        """Serve ``show`` requests of later starts (once the application object exists)."""
        if self._server is not None or not self._lock.isLocked():
            return
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.server_name):
            # a socket file left by a process that died (Unix); the lock says it is ours now
            QLocalServer.removeServer(self.server_name)
            if not server.listen(self.server_name):
                log.warning("single-instance server not listening: %s", server.errorString())
                return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _on_connection(self) -> None:
        assert self._server is not None
        while (sock := self._server.nextPendingConnection()) is not None:
            sock.readyRead.connect(lambda s=sock: self._on_message(s))
            sock.disconnected.connect(sock.deleteLater)
            if sock.bytesAvailable():
                self._on_message(sock)

    def _on_message(self, sock: QLocalSocket) -> None:
        if not sock.canReadLine():
            return
        line = bytes(sock.readLine().data())
        if line == SHOW:
            sock.write(ACK)
            sock.flush()
            log.info("a second start asked for the running window")
            self.activated.emit()
        sock.disconnectFromServer()

    def notify_running(self, timeout_s: float = 8.0) -> bool:
        """Ask the running instance to show itself; True when it answered."""
        allow_foreground(self._holder_pid())
        deadline = time.monotonic() + timeout_s
        while True:
            sock = QLocalSocket()
            sock.connectToServer(self.server_name)
            if sock.waitForConnected(500):
                sock.write(SHOW)
                sock.flush()
                sock.waitForBytesWritten(1000)
                answered = sock.waitForReadyRead(3000) and bytes(sock.readAll().data()) == ACK
                sock.disconnectFromServer()
                if answered:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)  # the first instance may hold the lock but not listen yet

    def _holder_pid(self) -> int | None:
        info = self._lock.getLockInfo()  # PySide6: (pid, hostname, appname)
        pid = info[0] if isinstance(info, tuple) and info else None
        return pid if isinstance(pid, int) and pid > 0 else None

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock.isLocked():
            self._lock.unlock()


_state: tuple[str, SingleInstance] | None = None


def hand_over(folder: Path | None = None) -> str:
    """The first step of a desktop start, before anything heavy is loaded (no QApplication):

    - ``"first"``: no other instance in this session; the lock is held (:func:`claimed`);
    - ``"shown"``: the running instance was asked to come to the front: exit 0;
    - ``"no_answer"``: one runs but did not answer (busy or hung): say so, exit 0.

    Idempotent. (The command line first tries :func:`sipelayanan.instance.quick_hand_over`,
    which needs no Qt; this is the authoritative check.)
    """
    global _state
    if _state is None:
        from ..data_folder import data_folder

        inst = SingleInstance(folder or data_folder())
        if inst.lock():
            state = "first"
        elif inst.notify_running():
            state = "shown"
        else:
            state = "no_answer"
        _state = (state, inst)
    return _state[0]


def claimed() -> SingleInstance | None:
    """This process's instance after :func:`hand_over` returned ``"first"``."""
    return _state[1] if _state is not None and _state[0] == "first" else None
