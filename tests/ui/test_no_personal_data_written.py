"""Least visibility (issue 17.4): a full demo run through the command line and the desktop writes
no NIK, No. KK, name or phone number of any pemohon into anything the app writes for itself —
the daily log files, the crash report, the data folder's text files, the settings.

The command line runs as real processes with a home, log and data folder of their own (the
demo, new requests, views, a receipt, a register, a resident's export, a NIK reveal, refusals
with bad input and a wrong password); the desktop runs in this process with pytest-qt under
the app's own log setup and crash log (every page, searches by name and NIK, request windows,
a NIK revealed, an admin export, and a worker error whose message quotes a name). Then every
file under those folders is read and searched for every personal value in the database, in
every written form (``+62812…``, ``62812…``, ``0812…``, ``0812-3456-7890``). The outputs meant to
carry personal data (the receipt, the register, the export) go to a folder outside them.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_PASSWORD
from sipelayanan.models import Case
from sipelayanan.ui.main_window import MainWindow

from .conftest import user_info

ROOT = Path(__file__).resolve().parents[2]
NEW = [
    ("KK", "Wulandari Kusumaningrum", "1808014507910002", "0812-3456-7890"),
    ("KTP_EL", "Bambang Sutrisno", "1808021203850001", "0813-7788-9900"),
]


@pytest.fixture
def app_dirs(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """The folders the app writes to, all under tmp_path/app, for the subprocesses (env) and
    for this process (logging and crash log redirected there)."""
    from sipelayanan.logfile import enable_crash_log
    from sipelayanan.logs import setup_logging

    base = tmp_path / "app"
    dirs = {
        "home": base / "home",
        "log": base / "home" / "state" / "SiPelayanan" / "log",
        "data": base / "data",
        "gui_log": base / "gui-log",
        "out": tmp_path / "keluaran",  # documents that rightly carry personal data
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger("sipelayanan")
    saved, level = root.handlers[:], root.level
    root.handlers.clear()
    try:
        assert setup_logging(logging.DEBUG, directory=dirs["gui_log"]) is not None
        enable_crash_log(dirs["gui_log"])
        yield dirs
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved
        root.setLevel(level)
        faulthandler.enable(file=sys.stderr, all_threads=True)


def _env(dirs: dict[str, Path], url: str) -> dict[str, str]:
    home = dirs["home"]
    env = dict(os.environ)
    env.update(
        HOME=str(home),
        XDG_STATE_HOME=str(home / "state"),
        XDG_DATA_HOME=str(home / "share"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        SIPELAYANAN_DATA_DIR=str(dirs["data"]),
        SIPELAYANAN_DB=url,
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def _cli(env: dict[str, str], *args: str, stdin: str = DEMO_PASSWORD + "\n") -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "sipelayanan", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    return done.returncode, done.stdout + done.stderr


def _forms(e164: str) -> set[str]:
    local = "0" + e164.removeprefix("+62")
    return {e164, e164.lstrip("+"), local, f"{local[:4]}-{local[4:8]}-{local[8:]}"}


def _personal_values(db: Database) -> set[str]:
    with db.read() as s:
        rows = s.execute(select(Case.pemohon_nama, Case.nik, Case.no_kk, Case.wa)).all()
    values: set[str] = set()
    for nama, nik, no_kk, wa in rows:
        values.add(nama)
        values |= {v for v in (nik, no_kk) if v}
        values |= _forms(wa)
    return values


def _written(folders: list[Path]) -> dict[Path, str]:
    out: dict[Path, str] = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if not path.is_file() or path.name.endswith((".sqlite3", "-wal", "-shm")):
                continue
            out[path] = path.read_bytes().decode("utf-8", errors="replace")
    return out


def test_a_full_demo_run_writes_no_personal_data_where_the_app_keeps_its_own_files(
    db: Database,
    db_url: str,
    app_dirs: dict[str, Path],
    ops: Any,
    settings: Any,
    qtbot: Any,
) -> None:
    env = _env(app_dirs, db_url)
    out = app_dirs["out"]
    # --- the command line, as an office would run it
    rc, text = _cli(env, "demo", "--jumlah", "25", "--tambah", "--pengguna", "admin")
    assert rc == 0, text
    codes = []
    for service, nama, nik, wa in NEW:
        rc, text = _cli(
            env, "case", "new", "--layanan", service, "--nama", nama, "--nik", nik, "--wa", wa,
            "--pengguna", "online",
        )  # fmt: skip
        assert rc == 0, text
        codes.append(text.strip().splitlines()[-1])
    code = codes[0]
    for args in (
        ("case", "advance", code, "--pengguna", "online"),
        ("case", "show", code, "--pengguna", "kasi"),
        ("case", "show", code, "--json", "--pengguna", "kasi"),
        ("receipt", code, "-o", str(out / "tanda-terima.pdf"), "--pengguna", "online"),
        ("data-pribadi", "nik", code, "--pengguna", "operator"),
        ("data-pribadi", "ekspor", "--nik", NEW[0][2], "-o", str(out / "data.zip"),
         "--pengguna", "admin"),
        ("status", code),
        ("audit", "verify"),
    ):  # fmt: skip
        rc, text = _cli(env, *args)
        assert rc == 0, (args, text)
    from datetime import date

    today = date.today().isoformat()
    rc, text = _cli(
        env, "report", "register", "--dari", today, "--sampai", today,
        "-o", str(out / "register.pdf"), "--pengguna", "kasi",
    )  # fmt: skip
    assert rc == 0, text
    # refusals: a bad NIK, a wrong password, a name too odd to store
    rc, _ = _cli(
        env, "case", "new", "--layanan", "KK", "--nama", "Wulandari Kusumaningrum",
        "--nik", "1808014507910003", "--wa", "0812-3456-7890", "--pengguna", "online",
    )  # fmt: skip
    rc2, _ = _cli(env, "case", "show", code, "--pengguna", "kasi", stdin="salah-sandi\n")
    rc3, _ = _cli(env, "data-pribadi", "nik", code, "--pengguna", "kasi")
    assert (rc2, rc3) == (2, 2)

    # --- the desktop, in this process, under the app's own log and crash log
    for username in ("admin", "operator"):
        window = MainWindow(ops, user_info(db, username), settings)
        qtbot.addWidget(window)
        window.show()
        from sipelayanan.ui.main_window import PAGES

        for spec in PAGES:
            if not spec.roles or spec.roles & set(window.user.roles):
                window.show_page(spec.key)
                qtbot.wait(150)
        qtbot.waitUntil(lambda: not ops.busy, timeout=20000)
        from sipelayanan.ui.search import SearchPage

        page = window.findChild(SearchPage)
        assert page is not None
        for text in ("Wulandari", NEW[1][2]):
            page.box.clear()
            qtbot.keyClicks(page.box, text)
            qtbot.keyClick(page.box, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda t=text, p=page: p.model.text == t and not p.model.fetching)
        page.access.commit()
        window.open_case(codes[1])
        qtbot.waitUntil(lambda: not ops.busy, timeout=20000)
        qtbot.wait(300)

    from sipelayanan.ui.case import CaseWindow
    from sipelayanan.ui.context import UiContext

    ctx = UiContext(ops, user_info(db, "operator"), settings, lambda c: None, lambda m: None)
    case_window = CaseWindow(ctx, codes[0])
    qtbot.addWidget(case_window)
    case_window.show()
    qtbot.waitUntil(lambda: case_window.view is not None, timeout=10000)
    qtbot.waitUntil(lambda: case_window.nik_reveal.reveal_button.isVisible())
    case_window.nik_reveal.reveal()
    qtbot.waitUntil(lambda: case_window.nik_reveal.full is not None)

    # a bug in a worker whose exception quotes a name: the traceback is logged, not the name
    failures: list[Any] = []
    ops.run(lambda s: int(NEW[0][1]), on_error=failures.append)
    qtbot.waitUntil(lambda: bool(failures) and not ops.busy, timeout=10000)
    for handler in logging.getLogger("sipelayanan").handlers:
        handler.flush()

    # --- everything the app wrote for itself
    written = _written([app_dirs["home"], app_dirs["data"], app_dirs["gui_log"]])
    logs = [p for p in written if p.suffix == ".log"]
    assert any(p.parent == app_dirs["log"] for p in logs), sorted(written)  # the CLI's log
    gui_text = "".join(t for p, t in written.items() if p.parent == app_dirs["gui_log"])
    assert "operation failed" in gui_text and "ValueError" in gui_text  # the bug was logged
    assert "sipelayanan-crash.log" in {p.name for p in written}
    values = _personal_values(db)
    assert len(values) > 100 and NEW[0][2] in values and "Bambang Sutrisno" in values
    leaks = {
        (str(path.relative_to(path.parents[len(path.parents) - 1])), value)
        for path, content in written.items()
        for value in values
        if value in content
    }
    assert not leaks, sorted(leaks)[:20]
    # the documents meant for people do carry them (the search above was not vacuous)
    from pypdf import PdfReader

    receipt = "".join(p.extract_text() for p in PdfReader(out / "tanda-terima.pdf").pages)
    assert NEW[0][1] in receipt
