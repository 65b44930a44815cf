"""``case new`` for a complaint with what SP4N-LAPOR! records (complaints_cli), on both engines:
the details stored, refused input exits 2 before the password and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sipelayanan.db import Database
from sipelayanan.models import Case, ComplaintDetail
from sipelayanan.services.queries import case_view
from tests.core.test_cli import run

BASE = ("case", "new", "--layanan", "PENGADUAN", "--nama", "Pelapor CLI", "--wa", "081279615001")


def test_case_new_records_the_complaint_details(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        *BASE,
        "--uraian",
        "KK belum terbit",
        "--saluran",
        "lapor",
        "--nomor-lapor",
        "LAP-2026-42",
        "--klasifikasi",
        "aspirasi",
        "--layanan-diadukan",
        "KK",
        "--rahasia",
        "--pengguna",
        "aduan",
    )
    assert rc == 0, err
    code = out.strip()
    db = Database(db_url)
    try:
        with db.read() as s:
            view = case_view(s, code)
            detail = s.get(ComplaintDetail, view.id)
        assert detail is not None
        assert (detail.channel, detail.lapor_number, detail.classification) == (
            "lapor",
            "LAP-2026-42",
            "aspirasi",
        )
        assert detail.concerns == "KK" and detail.rahasia
        assert view.current_step == 1 and all(c.present for c in view.checklist)

        rc, out, err = run(monkeypatch, capsys, db_url, *BASE, "--teruskan", "--pengguna", "aduan")
        assert rc == 0, err
        with db.read() as s:  # --teruskan: the berkas received with the registration
            assert case_view(s, out.strip()).current_step == 2

        before = _count(db)
        for extra, needle in (
            (("--saluran", "lapor"), "nomor pelacakan LAPOR!"),
            (("--saluran", "surat", "--nomor-lapor", "123456"), "hanya untuk pengaduan"),
            (("--layanan-diadukan", "XYZ"), "tidak dikenal"),
            (("--kurang", "berkas_permasalahan"), "case return"),
        ):
            rc, out, err = run(
                monkeypatch, capsys, db_url, *BASE, "--uraian", "x", *extra, "--pengguna", "aduan"
            )
            assert rc == 2 and needle in err, (extra, err)
            assert "Traceback" not in err and "Kata sandi" not in err  # before the password
        rc, out, err = run(
            monkeypatch, capsys, db_url, "case", "new", "--layanan", "KK", "--nama", "Budi",
            "--nik", "1808014506900001", "--wa", "081279615001", "--rahasia", "--pengguna",
            "online",
        )  # fmt: skip
        assert rc == 2 and "hanya untuk layanan pengaduan" in err
        assert _count(db) == before
    finally:
        db.dispose()


def _count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(Case)).scalar_one())
