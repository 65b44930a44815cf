"""The desktop app's cold start loads only what the first window needs: no document tooling
(ReportLab, openpyxl, qrcode, pdfium), no keyring or admin page for a SQLite database, no page
the user has not opened; and the core is imported before PySide6, whose import hook otherwise
reads the source of every module imported after it. Checked in a real child process that goes
from a cold interpreter to the logged-in inbox (``benchmarks/ui_coldstart.py``), not timed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sipelayanan.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]

_CHILD = """
import json, sys, time
import benchmarks.ui_coldstart as cold
result = cold.real(sys.argv[1], sys.argv[2], sys.argv[3], time.time())
print(json.dumps({"rows": result.get("rows"), "modules": list(sys.modules)}))
"""


def cold_start(url: str, username: str, tmp_path: Path) -> tuple[int, list[str]]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        PYTHONPATH=str(ROOT),
        SIPELAYANAN_DATA_DIR=str(tmp_path / "machine"),
    )
    env.pop("SIPELAYANAN_DB", None)
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, url, username, DEMO_PASSWORD],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    assert lines, out.stderr[-3000:]
    found = json.loads(lines[-1])
    assert time.time() - started < 300
    return int(found["rows"]), list(found["modules"])


@pytest.mark.parametrize("username", ["operator", "kasi"])
def test_the_first_window_loads_only_what_it_shows(
    db_url: str, tmp_path: Path, username: str
) -> None:
    if not db_url.startswith("sqlite"):
        if username == "kasi":
            pytest.skip("one PostgreSQL start is enough: what it adds does not depend on roles")
        # PostgreSQL reads a stored password through admin.database/admin.secret: neither the
        # admin tabs nor the keyring load when this PC's connection needs no password
        _, modules = cold_start(db_url, username, tmp_path)
        assert "sipelayanan.ui.admin.page" not in modules
        assert "keyring" not in {m.split(".")[0] for m in modules}
        assert "psycopg" in {m.split(".")[0] for m in modules}
        return
    _, first = cold_start(db_url, username, tmp_path)
    if "holidays" in first:  # the first start computed this year's holidays and kept them
        assert list((tmp_path / "machine" / "cache").glob("hari-libur-ID-*.json"))
    rows, modules = cold_start(db_url, username, tmp_path)  # a later start reads it back
    assert rows >= 0
    top = {m.split(".")[0] for m in modules}
    heavy_modules = ("reportlab", "openpyxl", "qrcode", "pypdfium2", "PIL", "keyring", "alembic")
    for heavy in (*heavy_modules, "holidays"):  # holidays: every country's module
        assert heavy not in top, heavy
    for page in ("search", "intake", "review", "pengaduan", "admin", "reports_dialog"):
        assert f"sipelayanan.ui.{page}" not in modules, page  # built when first opened
    assert "sipelayanan.ui.inbox" in modules
    # the core came before Qt (PySide6's import hook reads every later module's source)
    first_qt = modules.index("PySide6")
    for core in ("sqlalchemy", "sipelayanan.models", "phonenumbers"):
        assert modules.index(core) < first_qt, core
