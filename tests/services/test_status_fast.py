"""The command line's fast status answer (standard-library SQLite driver, no ORM) says exactly
what the app's own read path says, for every request of a demo office and every kind of input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from sipelayanan.db import Database
from sipelayanan.demo import load_demo
from sipelayanan.models import Case
from sipelayanan.services.office import get_profile, save_profile
from sipelayanan.services.status import answer_status
from sipelayanan.services.status_sqlite import answer_from_file, sqlite_file_of

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def _office(tmp_path: Path) -> tuple[Database, Path]:
    path = tmp_path / "kantor.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    load_demo(db, count=120, seed=5, now=NOW)
    return db, path


def test_every_request_of_a_demo_office_answers_the_same(tmp_path: Path) -> None:
    db, path = _office(tmp_path)
    at0 = NOW + timedelta(hours=1)
    with db.read() as s:  # before any profile is saved: both use the same default name
        first = s.execute(select(Case.code).limit(5)).scalars().all()
        for code in first:
            assert answer_from_file(path, code, now=at0) == answer_status(s, code, now=at0)
    with db.write() as s:  # a renamed office: its name is read, not assumed
        profile = get_profile(s)
        profile.name = "Disdukcapil Uji"
        save_profile(s, profile, actor=None)
    with db.read() as s:
        codes = list(s.execute(select(Case.code)).scalars())
        statuses = set(s.execute(select(Case.status)).scalars())
    assert statuses == {"proses", "menunggu_pemohon", "selesai", "batal"}
    at = NOW + timedelta(hours=3)
    inputs = [*codes, "", "STATUS", "halo", "ABCD-EFGH3", f"cek status {codes[0].lower()}"]
    with db.read() as s:
        for text in inputs:
            slow = answer_status(s, text, now=at)
            fast = answer_from_file(path, text, now=at)
            assert fast == slow, text
    assert "Disdukcapil Uji" in slow.text or not slow.found
    db.dispose()


def test_the_fast_path_steps_aside_when_it_cannot_answer(tmp_path: Path) -> None:
    assert answer_from_file(tmp_path / "tidak-ada.sqlite3", "ABCD-EFGH3") is None
    empty = tmp_path / "kosong.sqlite3"
    empty.write_bytes(b"")  # a SQLite file without the app's tables
    assert answer_from_file(empty, "ABCD-EFGH3") is None
    text = tmp_path / "teks.sqlite3"
    text.write_text("bukan basis data")
    assert answer_from_file(text, "ABCD-EFGH3") is None
    assert sqlite_file_of("postgresql://u@h/db") is None
    assert sqlite_file_of("sqlite:///C:/Data/x.sqlite3") == Path("C:/Data/x.sqlite3")
    assert sqlite_file_of("sqlite:///file:x?mode=ro&uri=true") is None
