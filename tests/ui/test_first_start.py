"""Start-up: a new SQLite file is created and migrated; an empty database asks for the office
profile and the first admin (and loads demo data with a progress bar); then login and the main
window. A database that cannot be used is explained, with Coba lagi."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USERS
from sipelayanan.models import Case, User
from sipelayanan.services.office import get_profile
from sipelayanan.ui.app import AppController, DbCheck
from sipelayanan.ui.first_start import FirstStartDialog
from sipelayanan.ui.login import LoginDialog
from sipelayanan.ui.main_window import MainWindow
from sipelayanan.ui.settings import Settings

from ..pgserver import PgServer


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no users: a brand-new SQLite file (the app creates and migrates it), or
    a PostgreSQL database whose schema the admin created with `sipelayanan db upgrade`."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'baru' / 'sipelayanan.sqlite3'}"
        return
    server: PgServer | None = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL not installed here (set SIPELAYANAN_REQUIRE_PG=1 to fail)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    server.psql(f"CREATE DATABASE {name}")
    db = Database(server.url(name))
    db.upgrade()
    db.dispose()
    yield server.url(name)
    server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def controllers() -> Iterator[list[AppController]]:
    made: list[AppController] = []
    yield made
    for c in made:
        for w in (c.main_window, c.login, c.first_start):
            if w is not None:
                w.close()
        c.shutdown()


def _controller(
    url: str, settings: Settings, made: list[AppController], quits: list[bool]
) -> AppController:
    c = AppController(url, settings, poll_ms=0, demo_count=4, on_quit=lambda: quits.append(True))
    made.append(c)
    c.start()
    return c


def test_first_start_then_login(
    qtbot: QtBot, empty_url: str, settings: Settings, controllers: list[AppController]
) -> None:
    quits: list[bool] = []
    app = _controller(empty_url, settings, controllers, quits)
    qtbot.waitUntil(lambda: app.first_start is not None, timeout=60000)
    dialog = app.first_start
    assert isinstance(dialog, FirstStartDialog)
    assert not app.startup.isVisible()
    dialog.kadis_name.setText("")
    qtbot.keyClicks(dialog.kadis_name, "Drs. Hendra Wijaya, M.Si.")
    qtbot.keyClicks(dialog.kadis_nip, "19700101 199003 1 001")
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, "kepala")
    qtbot.keyClicks(dialog.full_name, "Kepala Seksi TI")
    qtbot.keyClicks(dialog.password, "sandi-kuat-1")
    qtbot.keyClicks(dialog.password2, "sandi-kuat-2")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Kedua kata sandi tidak sama."
    dialog.password2.clear()
    qtbot.keyClicks(dialog.password2, "sandi-kuat-1")
    qtbot.keyClick(dialog.demo, Qt.Key.Key_Space)
    assert dialog.demo.isChecked()
    seen: list[tuple[int, int]] = []
    dialog.progress.valueChanged.connect(lambda v: seen.append((v, dialog.progress.maximum())))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.login is not None, timeout=120000)
    assert seen and seen[-1][0] == seen[-1][1]  # the progress bar reached its end

    db = Database(empty_url)
    try:
        with db.read() as s:
            users = dict(s.execute(select(User.username, User.full_name)).all())
            cases = s.execute(select(func.count(Case.id))).scalar_one()
            profile = get_profile(s)
    finally:
        db.dispose()
    assert users["kepala"] == "Kepala Seksi TI"
    assert {u for u, _n, _r in DEMO_USERS} - {"admin"} <= set(users)
    assert 0 < cases <= 4
    assert profile.kepala_dinas == "Drs. Hendra Wijaya, M.Si."
    assert profile.kepala_dinas_nip == "197001011990031001"

    login = app.login
    assert isinstance(login, LoginDialog)
    assert login.username.text() == "kepala"
    qtbot.keyClicks(login.password, "sandi-kuat-1")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: app.main_window is not None, timeout=10000)
    window = app.main_window
    assert isinstance(window, MainWindow)
    assert window.user_label.text() == "Kepala Seksi TI (kepala)"
    assert window.roles_label.text() == "Administrator"

    # logout leads back to the login, closing the window does not end the app yet
    window.logout()
    qtbot.waitUntil(lambda: app.login is not None and app.login.isVisible())
    assert app.main_window is None and not quits


def test_setup_elsewhere_first_is_detected(
    qtbot: QtBot, empty_url: str, settings: Settings, controllers: list[AppController]
) -> None:
    quits: list[bool] = []
    app = _controller(empty_url, settings, controllers, quits)
    qtbot.waitUntil(lambda: app.first_start is not None, timeout=60000)
    dialog = app.first_start
    assert isinstance(dialog, FirstStartDialog)
    # another PC finishes the setup meanwhile
    db = Database(empty_url)
    try:
        from sipelayanan.services.users import create_user

        with db.write() as s:
            create_user(
                s, username="admin", full_name="Admin Lain", password="rahasia123", roles=["admin"]
            )
    finally:
        db.dispose()
    qtbot.keyClicks(dialog.full_name, "Saya")
    qtbot.keyClicks(dialog.password, "rahasia123")
    qtbot.keyClicks(dialog.password2, "rahasia123")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.level == "error", timeout=10000)
    assert "sudah memiliki pengguna" in dialog.message.text()
    assert app.login is None  # the clerk is told; nothing was created twice


def test_unusable_sqlite_location_is_explained_and_retried(
    qtbot: QtBot, tmp_path: Path, settings: Settings, controllers: list[AppController]
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    url = f"sqlite:///{blocker / 'sipelayanan.sqlite3'}"
    quits: list[bool] = []
    app = _controller(url, settings, controllers, quits)
    qtbot.waitUntil(lambda: app.startup.retry_button.isVisible(), timeout=30000)
    assert "tidak dapat dibuat" in app.startup.label.text()
    assert app.ops is None and app.first_start is None
    # the clerk fixes the folder and tries again: the same location now works
    blocker.unlink()
    qtbot.mouseClick(app.startup.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.first_start is not None, timeout=60000)
    assert (blocker / "sipelayanan.sqlite3").exists()
    assert not app.startup.isVisible()
    app.first_start.reject()  # "Keluar" on the setup ends the app
    assert quits == [True]


def test_another_database_can_be_chosen_at_start(
    qtbot: QtBot, tmp_path: Path, settings: Settings, controllers: list[AppController]
) -> None:
    from sipelayanan.ui.admin.database import DatabaseConnectionDialog

    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    app = _controller(f"sqlite:///{blocker / 'x.sqlite3'}", settings, controllers, [])
    qtbot.waitUntil(lambda: app.startup.connection_button.isVisible(), timeout=30000)
    qtbot.mouseClick(app.startup.connection_button, Qt.MouseButton.LeftButton)
    dialog = app.startup.findChild(DatabaseConnectionDialog)
    assert dialog is not None
    target = tmp_path / "lokal" / "kantor.sqlite3"
    dialog.widget.sqlite_path.setText(str(target))
    qtbot.mouseClick(dialog.widget.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.first_start is not None, timeout=60000)
    assert settings.db_url() == f"sqlite:///{target}"
    assert app.url == f"sqlite:///{target}" and target.exists()


def test_postgres_problems_are_explained(
    qtbot: QtBot, pg_server: PgServer | None, settings: Settings, controllers: list[AppController]
) -> None:
    if pg_server is None:
        pytest.skip("PostgreSQL not installed here (set SIPELAYANAN_REQUIRE_PG=1 to fail)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    pg_server.psql(f"CREATE DATABASE {name}")  # no schema: nobody ran `db upgrade`
    try:
        app = _controller(pg_server.url(name), settings, controllers, [])
        qtbot.waitUntil(lambda: app.startup.retry_button.isVisible(), timeout=30000)
        assert "belum berisi skema" in app.startup.label.text()
        assert "sipelayanan db upgrade" in app.startup.label.text()
        assert app.startup.retry_button.text() == "Periksa lagi"
        assert app.ops is None
    finally:
        for c in controllers:
            c.shutdown()
        controllers.clear()
        pg_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    app = _controller(
        f"postgresql+psycopg://x@127.0.0.1:{closed_port}/none", settings, controllers, []
    )
    qtbot.waitUntil(lambda: app.startup.retry_button.isVisible(), timeout=30000)
    assert "tidak dapat dihubungi" in app.startup.label.text()
    assert app.startup.retry_button.text() == "Coba lagi"


def test_check_database_reports_plain_data(tmp_path: Path, qapp: QApplication) -> None:
    from sipelayanan.ui.app import check_database

    result = check_database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result == DbCheck(True, needs_setup=True, where=str(tmp_path / "x.sqlite3"))
