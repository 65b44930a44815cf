"""The `case` commands call the core actions: `case new --kurang` records and returns in one
transaction, `--teruskan` finishes step 1, the notify step finishes without a collector and the
hand-over is recorded afterwards with `case record` (issue 12.1), listed by `case siap`."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from sipelayanan.db import Database
from sipelayanan.models import Case, Notice
from sipelayanan.sop import services
from tests.core.test_cli import NIK, ROLE_USER, run, show

NEW = ["case", "new", "--nama", "Budi Hartono", "--nik", NIK, "--wa", "0811-7961-501"]


def test_case_new_kurang_returns_in_the_same_transaction(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        *NEW,
        "--layanan",
        "KK",
        "--kurang",
        "buku_nikah",
        "--kurang",
        "sptjm_perkawinan",
        "--kurang",
        "akta_kematian_kepala_keluarga",
        "--kurang",
        "surat_keterangan_pindah",
        "--pengguna",
        "online",
    )
    assert rc == 0, err
    code = out.strip()
    data = show(monkeypatch, capsys, db_url, code)
    assert data["status"] == "menunggu_pemohon" and data["current_step"] == 1
    assert data["missing_items"], data
    db = Database(db_url)
    try:
        with db.read() as s:
            kinds = [
                (n.kind, n.state)
                for n in s.execute(
                    select(Notice).join(Case).where(Case.code == code.replace("-", ""))
                ).scalars()
            ]
    finally:
        db.dispose()
    assert ("berkas_kurang", "manual") in kinds
    assert ("berkas_diterima", "manual") not in kinds  # the pemohon gets the missing list only


def test_case_new_teruskan_finishes_step_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    rc, out, err = run(
        monkeypatch, capsys, db_url, *NEW, "--layanan", "KK", "--teruskan", "--pengguna", "online"
    )
    assert rc == 0, err
    data = show(monkeypatch, capsys, db_url, out.strip())
    assert data["current_step"] == 2 and data["status"] == "proses"
    # without it the request waits at step 1, as scripts written before expect
    rc, out, err = run(monkeypatch, capsys, db_url, *NEW, "--layanan", "KK", "--pengguna", "online")
    assert show(monkeypatch, capsys, db_url, out.strip())["current_step"] == 1


def test_notify_step_then_case_record(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    sdef = services()["KK"]
    notify = sdef.hand_over_step
    assert notify is not None and notify.notifies
    rc, out, err = run(monkeypatch, capsys, db_url, *NEW, "--layanan", "KK", "--pengguna", "online")
    code = out.strip()
    for step in sdef.steps:
        extra = ["--nomor-dokumen", "1808-0001"] if "nomor_dokumen" in step.records else []
        if step.no == notify.no:
            # before the resident is told, the hand-over cannot be recorded
            rc, out, err = run(
                monkeypatch,
                capsys,
                db_url,
                "case",
                "record",
                code,
                "--penerima",
                "Budi",
                "--user",
                ROLE_USER[step.role],
            )
            assert rc == 2 and "Siap diambil" in err
        rc, out, err = run(
            monkeypatch,
            capsys,
            db_url,
            "case",
            "advance",
            code,
            "--user",
            ROLE_USER[step.role],
            *extra,
        )
        assert rc == 0, err
    assert out.strip() == f"{code}: Selesai."
    user = ROLE_USER[notify.role]
    rc, out, err = run(monkeypatch, capsys, db_url, "case", "siap", "--json", "--user", user)
    assert rc == 0, err
    assert [r["code"] for r in json.loads(out)] == [code]
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "record",
        code,
        "--resi",
        "P1",
        "--penerima",
        "Budi",
        "--user",
        user,
    )
    assert rc == 2 and "bukan keduanya" in err
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "record",
        code,
        "--penerima",
        "Budi Hartono",
        "--user",
        user,
    )
    assert rc == 0 and out.strip() == f"{code}: dicatat.", err
    data = show(monkeypatch, capsys, db_url, code)
    assert data["delivery"]["recipient"] == "Budi Hartono"
    rc, out, err = run(monkeypatch, capsys, db_url, "case", "siap", "--user", user)
    assert rc == 0 and "Tidak ada dokumen" in out
