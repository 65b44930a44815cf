"""Which desktop app instance a start belongs to, and the quick hand-over of a second start.

The running desktop app (:mod:`sipelayanan.ui.single_instance`) listens on a ``QLocalServer``
named by :func:`server_name` — per Windows user, session and data folder. A second start first
tries :func:`quick_hand_over`: a plain socket (Unix) or named-pipe (Windows) client that sends
``show`` and waits for ``ok``, without loading Qt or the app's modules, so it ends at once. When
that does not succeed (no app running, or it did not answer this way) the start goes on to the
Qt path, which holds the lock and decides.

No Qt here: the core stays free of it (a test checks).
"""

from __future__ import annotations

import getpass
import hashlib
import os
import socket
import sys
import threading
from pathlib import Path

SHOW = b"show\n"
ACK = b"ok\n"


def _session_id() -> str:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes
        from ctypes import wintypes

        session = wintypes.DWORD()
        kernel32 = ctypes.windll.kernel32
        if kernel32.ProcessIdToSessionId(kernel32.GetCurrentProcessId(), ctypes.byref(session)):
            return str(session.value)
        return os.environ.get("SESSIONNAME", "")
    return os.environ.get("XDG_SESSION_ID", "")


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        return str(os.getuid()) if hasattr(os, "getuid") else ""


def instance_key(folder: Path) -> str:
    """A short name unique to this user, session and data folder."""
    raw = "\0".join((_user(), _session_id(), str(folder.resolve()).lower()))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def server_name(folder: Path) -> str:
    return f"sipelayanan-{instance_key(folder)}"


def unix_socket_path(name: str) -> Path:
    """Where ``QLocalServer.listen(name)`` puts its socket on Unix (``QDir::tempPath()``)."""
    return Path(os.environ.get("TMPDIR") or "/tmp") / name


def allow_foreground(pid: int | None = None) -> None:
    """Windows lets only the foreground process hand the foreground to another: the second
    start (which the clerk just launched) grants it to the running app before asking."""
    if sys.platform != "win32":
        return
    import ctypes  # pragma: no cover - Windows only

    ASFW_ANY = 0xFFFFFFFF
    ctypes.windll.user32.AllowSetForegroundWindow(pid if pid else ASFW_ANY)


def quick_hand_over(folder: Path | None = None, timeout_s: float = 3.0) -> bool:
    """True when an app running in this session took ``show`` (the caller then exits 0)."""
    if folder is None:
        from .data_folder import data_folder

        folder = data_folder()
    name = server_name(folder)
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            return _over_pipe(name, timeout_s)
        return _over_unix_socket(name, timeout_s)
    except OSError:
        return False


def _over_unix_socket(name: str, timeout_s: float) -> bool:
    path = unix_socket_path(name)
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout_s)
        sock.connect(str(path))
        sock.sendall(SHOW)
        answer = b""
        while not answer.endswith(b"\n") and len(answer) < 16:
            chunk = sock.recv(16)
            if not chunk:
                break
            answer += chunk
    return answer == ACK


def _over_pipe(name: str, timeout_s: float) -> bool:  # pragma: no cover - Windows only
    answers: list[bytes] = []

    def talk() -> None:
        try:
            with open(rf"\\.\pipe\{name}", "r+b", buffering=0) as pipe:
                pipe.write(SHOW)
                answers.append(pipe.read(len(ACK)) or b"")
        except OSError:
            answers.append(b"")

    allow_foreground()
    worker = threading.Thread(target=talk, daemon=True, name="sipelayanan-hand-over")
    worker.start()
    worker.join(timeout_s)  # a pipe read cannot time out by itself
    return bool(answers) and answers[0] == ACK
