"""The database server going away: a non-blocking banner, retries, the clerk's typing kept and
nothing half-saved; when the server is back the same button press saves.

The network between the PC and the PostgreSQL server is a real TCP relay that the test cuts and
restores (the edge of the world); everything else is the real app.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.models import Case
from sipelayanan.ui.intake import IntakePage
from sipelayanan.ui.main_window import MainWindow
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.settings import Settings

from ..conftest import TEMPLATE_PG
from ..pgserver import PgServer
from .conftest import NIK, WA, make_ops, user_info


class TcpRelay:
    """127.0.0.1:<port> → the PostgreSQL server; ``cut()`` drops every connection and refuses
    new ones, ``restore()`` listens again on the same port."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(32)
        self._server = srv
        threading.Thread(target=self._accept, args=(srv,), daemon=True).start()

    def _accept(self, srv: socket.socket) -> None:
        while True:
            try:
                client, _ = srv.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        with self._lock:
            conns, self._conns = self._conns, []
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()


@pytest.fixture
def pg_via_relay(pg_server: PgServer | None) -> Iterator[tuple[str, str, TcpRelay]]:
    """(url through the relay, direct url, relay) for a fresh PostgreSQL database."""
    if pg_server is None:
        pytest.skip("PostgreSQL not installed here (set SIPELAYANAN_REQUIRE_PG=1 to fail)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    pg_server.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_PG}")
    relay = TcpRelay(pg_server.port)
    direct = pg_server.url(name)
    yield direct.replace(f":{pg_server.port}/", f":{relay.port}/"), direct, relay
    relay.cut()
    pg_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _cases(db: Database) -> int:
    with db.read() as s:
        return s.execute(select(func.count(Case.id))).scalar_one()


def test_server_gone_banner_keeps_typing_then_saves(
    qtbot: QtBot, pg_via_relay: tuple[str, str, TcpRelay], settings: Settings
) -> None:
    url, direct_url, relay = pg_via_relay
    direct = Database(direct_url)
    ops: Ops = make_ops(url)
    try:
        window = MainWindow(ops, user_info(direct, "online"), settings)
        qtbot.addWidget(window)
        window.show()
        window.show_page("intake")
        page = window.pages["intake"]
        assert isinstance(page, IntakePage)
        page.set_service("KK")
        qtbot.keyClicks(page.nama, "Rudi Setiawan")
        qtbot.keyClicks(page.nik.edit, NIK)
        qtbot.keyClicks(page.wa.edit, WA)
        for key in ("formulir_f102", "buku_nikah"):
            qtbot.keyClick(page.checklist.box(key), Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: not ops.busy, timeout=10000)
        before = _cases(direct)

        relay.cut()  # the office network (or the server) goes away
        with qtbot.waitSignal(ops.connection_lost, timeout=15000):
            qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.accept_button.isEnabled(), timeout=10000)
        assert window.banner.isVisible() and window.banner.state == "lost"
        assert "Koneksi basis data terputus" in window.banner.label.text()
        assert "tidak dapat dihubungi" in page.message.text()
        # nothing typed is lost, nothing is half-saved
        assert page.nama.text() == "Rudi Setiawan" and page.nik.text() == NIK
        assert set(page.checklist.present()) == {"formulir_f102", "buku_nikah"}
        assert _cases(direct) == before
        # the window stays usable (the banner does not block)
        window.show_page("inbox")
        window.show_page("intake")

        relay.restore()
        with qtbot.waitSignal(ops.connection_restored, timeout=15000):
            qtbot.mouseClick(window.banner.retry, Qt.MouseButton.LeftButton)
        assert window.banner.state == "ok" and "pulih" in window.banner.label.text()

        with qtbot.waitSignal(page.created, timeout=15000) as got:
            qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
        assert _cases(direct) == before + 1
        assert got.args[0][:4] in page.result_label.text()
    finally:
        ops.shutdown()
        direct.dispose()
