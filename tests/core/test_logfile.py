"""The log: a file per day, shared by several processes without losing a line, old days pruned."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sipelayanan.logfile import DailyFileHandler, day_file, prune

WRITER = """
import logging, sys
from pathlib import Path
from sipelayanan.logs import setup_logging
setup_logging(directory=Path(sys.argv[1]))
log = logging.getLogger("sipelayanan.test")
tag, n = sys.argv[2], int(sys.argv[3])
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()  # start together
for i in range(n):
    log.info("%s line %06d %s", tag, i, "x" * (i % 600))
"""


def test_two_processes_write_one_log_and_lose_nothing(tmp_path: Path) -> None:
    n = 4000
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), tag, str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for tag in ("gui", "cli")
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        assert p.wait(timeout=120) == 0
    lines: list[str] = []
    for f in sorted(tmp_path.glob("sipelayanan-*.log")):  # two files if midnight passed
        lines += f.read_text(encoding="utf-8").splitlines()
    for tag in ("gui", "cli"):
        mine = [ln for ln in lines if f" {tag} line " in ln]
        numbers = [int(ln.split(" line ")[1][:6]) for ln in mine]
        assert numbers == list(range(n)), f"{tag}: lines lost, torn or out of order"
        for ln in mine:  # every line whole
            i = int(ln.split(" line ")[1][:6])
            assert ln.endswith(" " + "x" * (i % 600)) or (i % 600 == 0 and ln.endswith(" "))
    assert len(lines) == 2 * n


def _record(handler: DailyFileHandler, when: datetime, text: str) -> None:
    rec = logging.LogRecord("sipelayanan.t", logging.INFO, __file__, 1, text, None, None)
    rec.created = when.timestamp()
    handler.handle(rec)


def test_a_new_file_each_day_and_old_days_pruned(tmp_path: Path) -> None:
    today = date.today()
    for back in (3, 59, 60, 61, 400):  # files left by earlier days
        day_file(tmp_path, today - timedelta(days=back)).write_text("lama\n")
    (tmp_path / "catatan-admin.txt").write_text("bukan log\n")
    for name, age_days in (
        ("sipelayanan.log", 1),
        ("sipelayanan.log.1", 90),
        ("sipelayanan.log.5", 400),
    ):
        (tmp_path / name).write_text("dari versi lama\n")  # RotatingFileHandler's files
        then = time.time() - age_days * 86400
        os.utime(tmp_path / name, (then, then))
    handler = DailyFileHandler(tmp_path, keep_days=60)
    try:
        assert handler.path == day_file(tmp_path, today)
        remaining = sorted(p.name for p in tmp_path.iterdir())
        assert day_file(tmp_path, today - timedelta(days=59)).name in remaining
        assert day_file(tmp_path, today - timedelta(days=60)).name not in remaining
        assert day_file(tmp_path, today - timedelta(days=400)).name not in remaining
        assert "catatan-admin.txt" in remaining  # only our log files are ever deleted
        assert "sipelayanan.log" in remaining  # an old rotating file, still recent
        assert "sipelayanan.log.1" not in remaining and "sipelayanan.log.5" not in remaining
        noon = datetime.combine(today, datetime.min.time()).replace(hour=12)
        _record(handler, noon, "hari ini")
        _record(handler, noon + timedelta(days=1), "besok")
        assert "hari ini" in day_file(tmp_path, today).read_text()
        tomorrow = day_file(tmp_path, today + timedelta(days=1))
        assert "besok" in tomorrow.read_text() and "hari ini" not in tomorrow.read_text()
    finally:
        handler.close()


def test_prune_leaves_what_it_cannot_delete(tmp_path: Path) -> None:
    old = day_file(tmp_path, date(2020, 1, 1))
    old.mkdir()  # cannot be unlinked like a file: skipped, no error
    assert prune(tmp_path, date(2026, 11, 26), keep_days=30) == []
    assert old.exists()


def test_a_record_is_one_write(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """One os.write per record: what makes concurrent appends interleave whole."""
    handler = DailyFileHandler(tmp_path)
    handler.setFormatter(logging.Formatter("%(message)s"))
    writes: list[bytes] = []
    real_write = os.write

    def spy(fd: int, data: bytes) -> int:
        writes.append(bytes(data))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", spy)
    try:
        _record(handler, datetime.fromtimestamp(time.time()), "a\nb " + "z" * 20000)
    finally:
        monkeypatch.undo()
        handler.close()
    assert writes == [("a\nb " + "z" * 20000 + "\n").encode()]


CRASH = """
import ctypes, sys
from pathlib import Path
from sipelayanan.logfile import enable_crash_log
print(enable_crash_log(Path(sys.argv[1])), flush=True)
ctypes.string_at(0)  # a native fault, as a crash inside Qt or a driver would be
"""


def test_a_native_crash_reaches_the_log_folder(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CRASH, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode != 0
    crash = tmp_path / "sipelayanan-crash.log"
    assert out.stdout.strip() == str(crash)
    text = crash.read_text(encoding="utf-8")
    assert "--- SiPelayanan" in text and "Fatal Python error" in text
    assert "<string>" in text  # the Python stack of the faulting line
