"""The machine-wide database choice the Windows installer writes, read back by the app."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from sipelayanan.data_folder import ENV_DATA_DIR
from sipelayanan.db import ENV_DB, Database, default_url
from sipelayanan.errors import DatabaseUnavailable
from sipelayanan.machine_config import ENV_MACHINE_CONFIG, machine_config_path, machine_db_url
from sipelayanan.models import User

PG_URL = "postgresql://petugas@192.168.1.10:5432/sipelayanan"


def write_ini(path: Path, body: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(body.encode(encoding))
    return path


@pytest.fixture
def ini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The machine config file, pointed to by the environment; the user's own choice unset."""
    path = tmp_path / "ProgramData" / "SiPelayanan" / "sipelayanan.ini"
    path.parent.mkdir(parents=True)
    monkeypatch.setenv(ENV_MACHINE_CONFIG, str(path))
    monkeypatch.delenv(ENV_DB, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home-data"))  # a per-user old file
    monkeypatch.setenv(ENV_DATA_DIR, str(path.parent / "data"))  # the PC's data folder
    return path


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("win32", Path("D:/ProgramData") / "SiPelayanan" / "sipelayanan.ini"),
        ("linux", Path("/etc/sipelayanan/sipelayanan.ini")),
    ],
)
def test_path_is_machine_wide(
    monkeypatch: pytest.MonkeyPatch, platform: str, expected: Path
) -> None:
    monkeypatch.delenv(ENV_MACHINE_CONFIG, raising=False)
    monkeypatch.setenv("PROGRAMDATA", "D:/ProgramData")
    monkeypatch.setattr(sys, "platform", platform)
    assert machine_config_path() == expected


def test_no_file_means_no_choice(ini: Path, tmp_path: Path) -> None:
    """No choice: the PC's own SQLite file in the machine-wide data folder."""
    assert not ini.exists()
    assert machine_db_url() is None
    assert default_url() == f"sqlite:///{ini.parent / 'data' / 'sipelayanan.sqlite3'}"


@pytest.mark.parametrize(
    "encoding",
    # What the Windows API writes: ANSI (a new file), UTF-16 with a BOM; and plain UTF-8 by hand.
    ["cp1252", "utf-16", "utf-8-sig", "utf-8"],
)
def test_installer_file_in_every_encoding(ini: Path, encoding: str) -> None:
    write_ini(
        ini,
        "[database]\r\nmode=postgresql\r\nurl=" + PG_URL + "\r\nhost=192.168.1.10\r\nport=5432\r\n"
        "name=sipelayanan\r\nuser=petugas\r\n",
        encoding,
    )
    assert machine_db_url() == PG_URL
    assert default_url() == PG_URL


def test_environment_variable_wins(ini: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_ini(ini, f"[database]\nurl = {PG_URL}\n")
    monkeypatch.setenv(ENV_DB, "sqlite:////srv/lain.sqlite3")
    assert default_url() == "sqlite:////srv/lain.sqlite3"


@pytest.mark.parametrize(
    "body",
    [
        f"[database]\nmode = sqlite\nurl = {PG_URL}\n",  # switched back to SQLite: url ignored
        "[database]\nmode = postgresql\nurl =\n",
        "[database]\nmode = sqlite\n",
        "[lain]\nurl = postgresql://x@y/z\n",
        "",
    ],
)
def test_sqlite_or_nothing_chosen(ini: Path, body: str) -> None:
    write_ini(ini, body)
    assert machine_db_url() is None
    assert default_url().startswith("sqlite:///")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("[database]\nurl = bukan alamat\n", "tidak sah"),
        ("[database]\nurl = mysql://a@b/c\n", "mysql"),
        ("[database]\nurl = postgresql:///sipelayanan\n", "host"),
        ("url tanpa bagian\n", "tidak dapat dipahami"),
    ],
)
def test_bad_file_is_a_clear_error_not_a_silent_fallback(ini: Path, body: str, words: str) -> None:
    write_ini(ini, body)
    with pytest.raises(DatabaseUnavailable) as caught:
        default_url()
    message = str(caught.value)
    assert str(ini) in message and words in message
    assert "bukan alamat" not in message  # the URL itself is not echoed


def test_folder_instead_of_file(ini: Path) -> None:
    ini.mkdir()
    with pytest.raises(DatabaseUnavailable, match="folder"):
        machine_db_url()


def test_app_opens_the_database_the_installer_chose(ini: Path, db_url: str, tmp_path: Path) -> None:
    """End to end on both engines: no URL given, the machine config decides where the data is."""
    url = make_url(db_url)
    if url.get_backend_name() == "postgresql":
        # Exactly the form the installer writes: no driver, no password.
        url = url.set(drivername="postgresql")
    chosen = url.render_as_string(hide_password=False)
    # An SQLite URL is honoured when written by hand without "mode = sqlite" (which means "the
    # PC's own file in its data folder"), e.g. a file on another local disk.
    mode = "mode = postgresql\n" if url.get_backend_name() == "postgresql" else ""
    write_ini(ini, f"[database]\n{mode}url = {chosen}\n", "cp1252")
    db = Database()
    try:
        assert db.url == chosen
        with db.read() as session:
            users = session.execute(select(func.count(User.id))).scalar_one()
        assert users >= 10  # the demo users of the template database
    finally:
        db.dispose()
