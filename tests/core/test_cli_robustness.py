"""Input that broke the app from outside ends in a clear Indonesian message and exit 2 or 3,
never "terjadi kesalahan tak terduga" — and names are stored as the clerk meant them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_PASSWORD
from sipelayanan.errors import InputError
from sipelayanan.models import Case, User
from sipelayanan.services import cases as svc
from sipelayanan.services.berkas import BerkasFile
from sipelayanan.services.queries import search
from sipelayanan.services.users import create_user, update_user

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)
EXE = Path(sys.executable).with_name("sipelayanan")
NIK = "1808011203850001"


def cli(*args: str | bytes, stdin: bytes = b"", env: dict[str, str] | None = None) -> Any:
    """A real process: invalid UTF-8 can only reach argv and stdin this way."""
    base = {k: v for k, v in os.environ.items() if k != "SIPELAYANAN_DB"}
    return subprocess.run(
        [str(EXE), *args], input=stdin, capture_output=True, env={**base, **(env or {})}
    )


def one_line(err: bytes) -> str:
    text = err.decode()
    assert text.count("\n") == 1 and "Traceback" not in text and "tak terduga" not in text, text
    return text


def test_invalid_utf8_in_user_or_password(db: Database) -> None:
    new = (b"case", b"new", b"--service", b"KK", b"--nama", b"X", b"--nik", NIK.encode())
    new += (b"--wa", b"081279615000")
    bad_user = cli(b"--db", db.url.encode(), *new, b"--user", b"onl\xffine", stdin=b"x\n")
    assert bad_user.returncode == 2 and "--user" in one_line(bad_user.stderr)
    bad_pw = cli(b"--db", db.url.encode(), *new, b"--user", b"online", stdin=b"rahasia\xff\n")
    assert bad_pw.returncode == 2 and "UTF-8" in one_line(bad_pw.stderr)


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("foo://x", "tidak didukung"),
        ("mysql://u@localhost/db", "tidak didukung"),
        ("postgresql+asyncpg://u@localhost/db", "tidak didukung"),
        ("bukan alamat sama sekali", "tidak dapat dibaca"),
    ],
)
def test_unusable_database_addresses(url: str, needle: str) -> None:
    done = cli("--db", url, "user", "list")
    assert done.returncode == 2 and needle in one_line(done.stderr)


def test_a_text_file_or_a_missing_folder_is_not_a_database(tmp_path: Path) -> None:
    text = tmp_path / "catatan.txt"
    text.write_text("bukan basis data\n" * 100)
    done = cli("--db", f"sqlite:///{text}", "user", "list")
    assert done.returncode == 2 and "bukan basis data SQLite" in one_line(done.stderr)
    assert text.read_text() == "bukan basis data\n" * 100  # untouched

    missing = tmp_path / "tidak" / "ada" / "x.sqlite3"
    for env in ({}, {"SIPELAYANAN_DB": f"sqlite:///{missing}"}):
        args = () if env else ("--db", f"sqlite:///{missing}")
        done = cli(*args, "user", "list", env=env)
        assert done.returncode == 2 and "tidak ada" in one_line(done.stderr)
        assert not missing.parent.exists()  # nothing was created
    made = cli("--db", f"sqlite:///{missing}", "db", "upgrade")
    assert made.returncode == 0 and missing.is_file()  # 'db upgrade' creates it deliberately


def test_status_of_an_unknown_or_mistyped_code_exits_2(db: Database) -> None:
    for code in ("ABCD-EFGH3", "ABCD-EFGH2", "halo"):
        done = cli("--db", db.url, "status", code)
        assert done.returncode == 2
        assert done.stdout.decode().strip()  # the reply to send back is still printed
        assert not done.stderr


def _intake(db: Database, actors: dict[str, Any], nama: str, **kw: Any) -> str:
    with db.write() as s:
        return svc.intake(
            s,
            actors["online"],
            svc.IntakeData(service="KK", nama=nama, nik=NIK, wa="081279615000", **kw),
            now=T0,
        ).code


@pytest.mark.parametrize("nama", ["ß" * 200, "ﬃ" * 150])
def test_a_name_whose_upper_case_is_longer_than_its_column(
    db: Database, actors: dict[str, Any], nama: str
) -> None:
    """Upper-casing lengthens these names past the search key's 200 characters (PostgreSQL
    refused the row with an unexpected error); the request is kept and found by its name."""
    code = _intake(db, actors, nama)
    with db.read() as s:
        stored = s.execute(select(Case.pemohon_nama).where(Case.code == code)).scalar_one()
        found = [r.code for r in search(s, nama[:5])]
    assert stored == nama and code in found


def test_names_are_one_clean_line(db: Database, actors: dict[str, Any]) -> None:
    code = _intake(db, actors, "Budi\r\n\tHartono")
    with db.write() as s:
        create_user(
            s,
            username="rina",
            full_name="Rina\x1b[31m \u202eOktaviani\u200b",
            password="sandi-rina-123",
            roles=["operator"],
            actor=actors["admin"],
        )
        update_user(s, "rina", full_name="Rina\tOktaviani\x07 S.Kom.", actor=actors["admin"])
    with db.read() as s:
        assert s.execute(select(Case.pemohon_nama).where(Case.code == code)).scalar() == (
            "Budi Hartono"
        )
        assert s.execute(select(User.full_name).where(User.username == "rina")).scalar() == (
            "Rina Oktaviani S.Kom."
        )


def test_look_alike_usernames_are_refused(db: Database, actors: dict[str, Any]) -> None:
    for name in ("аdmin", "kаsi", "ｋａｓｉ", "adminǃ"):  # Cyrillic а, full-width, click
        with pytest.raises(InputError, match="a–z"), db.write() as s:
            create_user(
                s,
                username=name,
                full_name="Peniru",
                password="sandi-peniru-1",
                roles=["kasi"],
                actor=actors["admin"],
            )


def test_one_request_holds_a_bounded_total_of_berkas(db: Database, actors: dict[str, Any]) -> None:
    from sipelayanan.services.office import get_profile, save_profile

    with db.write() as s:
        profile = get_profile(s)
        profile.max_attachment_bytes = 64 * 1024  # so that the test stays small
        save_profile(s, profile, actor=actors["admin"])
    png = _png(60 * 1024)
    with pytest.raises(InputError, match="Jumlah ukuran berkas"), db.write() as s:
        svc.intake(
            s,
            actors["online"],
            svc.IntakeData(
                service="KK",
                nama="Budi",
                nik=NIK,
                wa="081279615000",
                berkas=[BerkasFile(f"f{i}.png", png) for i in range(6)],
            ),
            now=T0,
        )
    code = _intake(db, actors, "Budi", berkas=[BerkasFile(f"f{i}.png", png) for i in range(5)])
    with pytest.raises(InputError, match="Jumlah ukuran berkas"), db.write() as s:
        svc.add_attachments(s, actors["online"], code, [BerkasFile("lagi.png", png)], now=T0)
    with db.read() as s:
        assert len(svc.load_case(s, code).attachments) == 5  # nothing lost, nothing added


def _png(size: int) -> bytes:
    """A real PNG of about ``size`` bytes (random pixels do not compress)."""
    import io
    import random

    from PIL import Image

    side = int((size / 3) ** 0.5)
    rng = random.Random(size)
    img = Image.frombytes(
        "RGB", (side, side), bytes(rng.randrange(256) for _ in range(side * side * 3))
    )
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_demo_twice_asks_for_tambah(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    first = cli("--db", url, "demo", "--jumlah", "5")
    assert first.returncode == 0, first.stderr
    again = cli("--db", url, "demo", "--jumlah", "5", "--user", "admin", stdin=b"rahasia123\n")
    assert again.returncode == 2 and "--tambah" in one_line(again.stderr)
    more = cli(
        "--db",
        url,
        "demo",
        "--jumlah",
        "5",
        "--tambah",
        "--user",
        "admin",
        stdin=DEMO_PASSWORD.encode() + b"\n",
    )
    assert more.returncode == 0, more.stderr
    db = Database(url)
    with db.read() as s:
        count = len(s.execute(select(Case.id)).all())
    db.dispose()
    assert 5 < count <= 10
