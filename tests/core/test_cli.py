"""The `sipelayanan` command: every service carried from intake to hand-over by the right users,
return paths, refusals with exit status 2 and one Indonesian line, never a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sipelayanan.cli import main
from sipelayanan.demo import DEMO_PASSWORD, DEMO_USER_FOR_ROLE
from sipelayanan.sop import services

ROLE_USER = DEMO_USER_FOR_ROLE  # who acts for each role
NIK = "1808011203850001"


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    *args: str,
    stdin: str = DEMO_PASSWORD + "\n",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["--db", db_url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def show(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str, code: str
) -> dict[str, Any]:
    rc, out, _ = run(monkeypatch, capsys, db_url, "case", "show", code, "--json", "--user", "kasi")
    assert rc == 0
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.mark.parametrize("service", list(services()))
def test_cli_carries_each_service_to_the_end(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    service: str,
) -> None:
    sdef = services()[service]
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "new",
        "--service",
        service,
        "--nama",
        "Budi Hartono",
        "--nik",
        NIK,
        "--wa",
        "0811-7961-501",
        "--kk",
        "1808010101200003",
        "--kecamatan",
        "18.08.04",
        "--user",
        ROLE_USER[sdef.step(1).role],
    )
    assert rc == 0, err
    code = out.strip()
    assert len(code) == 10 and code[4] == "-"  # printed as on the receipt
    for step in sdef.steps:
        extra: list[str] = []
        if "nomor_dokumen" in step.records:
            extra += ["--nomor-dokumen", "1808-LU-17112026-0001"]
        if "penyerahan" in step.records:
            extra += ["--penerima", "Budi Hartono"]
        rc, out, err = run(
            monkeypatch,
            capsys,
            db_url,
            "case",
            "advance",
            code,
            "--user",
            ROLE_USER[step.role],
            "--langkah",
            str(step.no),
            *extra,
        )
        assert rc == 0, err
    data = show(monkeypatch, capsys, db_url, code)
    assert data["status"] == "selesai"
    assert data["code"] == code and data["service"] == service
    if sdef.is_complaint:  # the pelapor is seen only by the complaint roles, not by the kasi
        assert data["wa"] == "" and data["pemohon_nama"] == "(identitas pelapor dirahasiakan)"
    else:
        assert data["wa"] == "+628117961501"
    assert [h["step_no"] for h in data["history"]] == [s.no for s in sdef.steps]
    assert [h["username"] for h in data["history"]] == [ROLE_USER[s.role] for s in sdef.steps]
    if any("penyerahan" in s.records for s in sdef.steps):
        assert data["delivery"]["recipient"] == "Budi Hartono"


def test_cli_return_paths(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    rc, out, _ = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "new",
        "--service",
        "AKTA_LAHIR",
        "--nama",
        "Siti",
        "--nik",
        NIK,
        "--wa",
        "081279615000",
        "--user",
        "online",
    )
    code = out.strip()
    steps = [("online", []), ("online", [])]
    for user, _ in steps[:1]:
        assert run(monkeypatch, capsys, db_url, "case", "advance", code, "--user", user)[0] == 0
    # step 2: completeness check -> back to the pemohon, then the missing berkas arrives
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "return",
        code,
        "--user",
        "online",
        "--reason",
        "Foto buram",
        "--to-pemohon",
        "--missing",
        "kartu_keluarga",
        "Foto KTP saksi kedua",
    )
    assert rc == 0, err
    data = show(monkeypatch, capsys, db_url, code)
    assert data["status"] == "menunggu_pemohon"
    assert data["missing_items"][1] == "Foto KTP saksi kedua"
    rc, out, err = run(monkeypatch, capsys, db_url, "case", "advance", code, "--user", "online")
    assert rc == 2 and "dikembalikan ke pemohon" in err
    assert run(monkeypatch, capsys, db_url, "case", "resubmit", code, "--user", "online")[0] == 0
    assert run(monkeypatch, capsys, db_url, "case", "advance", code, "--user", "online")[0] == 0
    # step 3 (Kasi) -> back to step 2; step 4 (Kabid) -> back to Kasi
    rc, _, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "return",
        code,
        "--user",
        "kasi",
        "--reason",
        "NIK ayah salah",
        "--to-step",
        "2",
    )
    assert rc == 0, err
    assert run(monkeypatch, capsys, db_url, "case", "advance", code, "--user", "online")[0] == 0
    assert run(monkeypatch, capsys, db_url, "case", "advance", code, "--user", "kasi")[0] == 0
    rc, _, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "return",
        code,
        "--user",
        "kabid",
        "--reason",
        "Cek ulang",
        "--to-step",
        "1",
    )
    assert rc == 2 and "langkah 3" in err and "\n" not in err.strip()
    rc, _, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "return",
        code,
        "--user",
        "kabid",
        "--reason",
        "Cek ulang",
        "--to-step",
        "3",
    )
    assert rc == 0, err
    data = show(monkeypatch, capsys, db_url, code)
    assert data["current_step"] == 3
    actions = [(h["step_no"], h["action"], h["to_step"]) for h in data["history"]]
    assert (3, "kembali", 2) in actions and (4, "kembali", 3) in actions
    assert (2, "kembali_pemohon", None) in actions and (2, "kirim_ulang", None) in actions


def test_cli_complaint_simple_path(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "new",
        "--service",
        "PENGADUAN",
        "--nama",
        "Pelapor",
        "--wa",
        "081279615001",
        "--uraian",
        "KK belum jadi",
        "--user",
        "aduan",
    )
    assert rc == 0, err
    code = out.strip()
    for _ in range(2):
        assert run(monkeypatch, capsys, db_url, "case", "advance", code, "--user", "aduan")[0] == 0
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "close",
        code,
        "--user",
        "aduan",
        "--solusi",
        "Sudah dicetak, silakan diambil",
    )
    assert rc == 0, err
    data = show(monkeypatch, capsys, db_url, code)
    assert (data["status"], data["closed_path"], data["solusi"]) == (
        "selesai",
        "sederhana",
        "Sudah dicetak, silakan diambil",
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            [
                "case",
                "new",
                "--service",
                "KK",
                "--nama",
                "X",
                "--nik",
                "12",
                "--wa",
                "0811",
                "--user",
                "online",
            ],
            "NIK",
        ),
        (
            [
                "case",
                "new",
                "--service",
                "KK",
                "--nama",
                "X",
                "--nik",
                NIK,
                "--wa",
                "+12025550100",
                "--user",
                "online",
            ],
            "WhatsApp",
        ),
        (
            [
                "case",
                "new",
                "--service",
                "XX",
                "--nama",
                "X",
                "--nik",
                NIK,
                "--wa",
                "0811",
                "--user",
                "online",
            ],
            "Layanan",
        ),
        (["case", "show", "ABCD-EFGH2", "--user", "kasi"], "salah ketik"),
        (["case", "show", "ABCD-EFGH3", "--user", "kasi"], "tidak ditemukan"),
        (["case", "show", "ABCD-EFGH3"], "--user"),
        (["user", "add", "x", "--name", "X", "--role", "admin"], "hanya untuk admin"),
        (["user", "passwd", "kadis"], "hanya untuk admin"),
        (["user", "list"], "hanya untuk admin"),
        (["demo", "--jumlah", "1"], "admin"),
        (
            [
                "case",
                "new",
                "--service",
                "KK",
                "--nama",
                "X",
                "--nik",
                NIK,
                "--wa",
                "081279615000",
                "--user",
                "kasi",
            ],
            "Operator Pelayanan Online",
        ),
        (["case", "advance"], "argumen wajib"),
    ],
)
def test_cli_bad_input_exit_2_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    args: list[str],
    needle: str,
) -> None:
    try:
        rc, _out, err = run(monkeypatch, capsys, db_url, *args)
    except SystemExit as exc:  # argparse usage errors
        rc, err = int(str(exc.code)), capsys.readouterr().err
    assert rc == 2
    assert needle in err
    assert "Traceback" not in err


def test_cli_wrong_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    rc, _, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "new",
        "--service",
        "KK",
        "--nama",
        "X",
        "--nik",
        NIK,
        "--wa",
        "081279615000",
        "--user",
        "online",
        stdin="salah\n",
    )
    assert rc == 2 and err.strip() == "sipelayanan: Nama pengguna atau kata sandi salah."


def test_sop_list_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    rc, out, _ = run(monkeypatch, capsys, db_url, "sop", "list", "--json")
    data = {s["code"]: s for s in json.loads(out)}
    assert rc == 0 and list(data) == list(services())
    for code, sdef in services().items():
        svc = data[code]
        assert svc["total_minutes"] == sum(s.minutes for s in sdef.steps)
        for got, step in zip(svc["steps"], sdef.steps, strict=True):
            assert set(got) >= {
                "no",
                "activity",
                "actor_label",
                "role",
                "minutes",
                "output",
                "moves",
            }
            assert (got["no"], got["role"], got["minutes"]) == (step.no, step.role, step.minutes)
    assert data["KK"]["total_minutes"] == 45
    assert {"kind": "back", "to": 2} in data["AKTA_LAHIR"]["steps"][2]["moves"]
    assert {"kind": "close"} in data["PENGADUAN"]["steps"][2]["moves"]


def test_user_add_and_login(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    rc, _out, err = run(
        monkeypatch,
        capsys,
        db_url,
        "user",
        "add",
        "rina",
        "--name",
        "Rina Oktaviani",
        "--role",
        "operator_online",
        "--role",
        "operator",
        "--user",
        "admin",
        stdin=f"{DEMO_PASSWORD}\nkunci-rahasia-1\n",
    )
    assert rc == 0, err
    rc, _out, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "new",
        "--service",
        "KK",
        "--nama",
        "Budi",
        "--nik",
        NIK,
        "--wa",
        "081279615000",
        "--user",
        "rina",
        stdin="kunci-rahasia-1\n",
    )
    assert rc == 0, err
    rc, _, err = run(
        monkeypatch,
        capsys,
        db_url,
        "user",
        "add",
        "rina",
        "--name",
        "R",
        "--role",
        "operator",
        "--user",
        "admin",
        stdin=f"{DEMO_PASSWORD}\nkunci-rahasia-1\n",
    )
    assert rc == 2 and "sudah dipakai" in err
    rc, _, err = run(
        monkeypatch,
        capsys,
        db_url,
        "user",
        "add",
        "budi",
        "--name",
        "B",
        "--role",
        "lurah",
        "--user",
        "admin",
        stdin=f"{DEMO_PASSWORD}\nkunci-rahasia-1\n",
    )
    assert rc == 2 and "Peran tidak dikenal" in err


def test_real_process_help_and_error(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("sipelayanan")
    env = {
        "PATH": "/usr/bin:/bin",
        "SIPELAYANAN_DB": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "HOME": str(tmp_path),
    }
    out = subprocess.run(
        [exe, "case", "new", "--help"], capture_output=True, text=True, env=env, check=True
    )
    assert "penggunaan:" in out.stdout and "--service" in out.stdout and "opsi" in out.stdout
    bad = subprocess.run(
        [exe, "case", "show", "XYZ", "--user", "kasi"], capture_output=True, text=True, env=env
    )
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.startswith("SiPelayanan ")


def test_broken_sop_file_stops_the_start(tmp_path: Path) -> None:
    """A broken definition stops every command before it runs, naming file and line."""
    import shutil

    from sipelayanan.resources import resource_path

    root = tmp_path / "app"
    shutil.copytree(resource_path(), root / "resources")
    kk = root / "resources" / "sop" / "KK.toml"
    text = kk.read_text(encoding="utf-8")
    kk.write_text(text.replace('role = "kasi"', 'role = "lurah"', 1), encoding="utf-8")
    line = kk.read_text(encoding="utf-8").splitlines().index('role = "lurah"') + 1
    code = (
        "import sys, sipelayanan.resources as r, pathlib\n"
        f"r.resources_dir = lambda: pathlib.Path({str(root / 'resources')!r})\n"
        "from sipelayanan.cli import main\n"
        "sys.exit(main(['sop', 'list']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 2
    assert "KK.toml" in out.stderr and "lurah" in out.stderr
    assert any(f":{n}:" in out.stderr for n in range(line - 3, line + 1)), out.stderr
    assert "Traceback" not in out.stderr


def _empty_office(tmp_path: Path) -> str:
    from sipelayanan.db import Database

    url = f"sqlite:///{tmp_path / 'kosong.sqlite3'}"
    Database(url).upgrade()
    return url


def test_first_admin_needs_no_login_but_every_later_change_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Anyone at any PC could make themselves admin or Kepala Dinas (found by an outside test):
    only the very first admin of an empty office is created without a login."""
    url = _empty_office(tmp_path)
    args = ("user", "add", "kepala", "--name", "Admin Pertama", "--role", "admin")
    rc, _, err = run(monkeypatch, capsys, url, *args, stdin="sandi-admin-1\n")
    assert rc == 0, err
    again = ("user", "add", "maling", "--name", "Maling", "--role", "admin")
    rc, _, err = run(monkeypatch, capsys, url, *again, stdin="sandi-maling-1\n")
    assert rc == 2 and "hanya untuk admin" in err
    rc, _, err = run(monkeypatch, capsys, url, "user", "passwd", "kepala", stdin="baru-sekali-1\n")
    assert rc == 2 and "hanya untuk admin" in err
    # the first admin adds a Kasi, who cannot promote anyone
    rc, _, err = run(
        monkeypatch,
        capsys,
        url,
        "user",
        "add",
        "kasi1",
        "--name",
        "Kasi Satu",
        "--role",
        "kasi",
        "--user",
        "kepala",
        stdin="sandi-admin-1\nsandi-kasi-11\n",
    )
    assert rc == 0, err
    rc, _, err = run(
        monkeypatch, capsys, url, *again, "--user", "kasi1", stdin="sandi-kasi-11\nx-123456789\n"
    )
    assert rc == 2 and "Hanya admin" in err
    # a user changes their own password with their own login
    rc, _, err = run(
        monkeypatch,
        capsys,
        url,
        "user",
        "passwd",
        "kasi1",
        "--user",
        "kasi1",
        stdin="sandi-kasi-11\nsandi-kasi-22\n",
    )
    assert rc == 0, err
    from sipelayanan.db import Database
    from sipelayanan.models import AuditEntry, User

    db = Database(url)
    with db.read() as s:
        names = [u for (u,) in s.query(User.username).order_by(User.username)]
        audit = [(a.action, a.username) for a in s.query(AuditEntry).order_by(AuditEntry.seq)]
    db.dispose()
    assert names == ["kasi1", "kepala"]
    assert ("user.create", "(penyiapan awal)") in audit
    assert ("user.create", "kepala") in audit  # the audit names the acting admin
    assert ("user.password", "kasi1") in audit
    assert not any(who == "(sistem)" for _a, who in audit)


def test_reading_personal_data_needs_a_login_and_is_recorded(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    tmp_path: Path,
) -> None:
    rc, code, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "new",
        "--service",
        "KK",
        "--nama",
        "Budi Hartono",
        "--nik",
        NIK,
        "--wa",
        "081279615000",
        "--user",
        "online",
    )
    assert rc == 0, err
    code = code.strip()
    pdf = str(tmp_path / "tt.pdf")
    reg = str(tmp_path / "reg.pdf")
    period = ("--from", "2024-01-01", "--to", "2028-12-31")
    for args in (
        ("case", "show", code),
        ("receipt", code, "-o", pdf),
        ("report", "register", *period, "-o", reg),
    ):
        try:
            rc, out, err = run(monkeypatch, capsys, db_url, *args)
        except SystemExit as exc:  # argparse: a required option is missing
            rc, (out, err) = int(str(exc.code)), capsys.readouterr()
        assert rc == 2 and "--user" in err, args
        assert "Budi" not in out
    rc, out, err = run(monkeypatch, capsys, db_url, "case", "show", code, "--user", "kasi")
    assert rc == 0 and "Budi Hartono" in out, err
    rc, _, err = run(monkeypatch, capsys, db_url, "receipt", code, "-o", pdf, "--user", "online")
    assert rc == 0, err
    # reports without personal data still need no login
    rekap = str(tmp_path / "rekap.pdf")
    rc, _, err = run(monkeypatch, capsys, db_url, "report", "rekap", *period, "-o", rekap)
    assert rc == 0, err
    from sipelayanan.db import Database
    from sipelayanan.models import AuditEntry

    db = Database(db_url)
    with db.read() as s:
        views = [
            (a.username, a.entity_id, json.loads(a.detail))
            for a in s.query(AuditEntry).filter(AuditEntry.action == "data.view")
        ]
    db.dispose()
    assert views == [("kasi", code.replace("-", ""), {"channel": "cli", "item": "case"})]


def test_every_option_and_argument_has_help() -> None:
    import argparse
    import importlib

    from sipelayanan import cli

    for name in cli.extension_modules(None):
        importlib.import_module(name)
    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")
            elif not action.help and not isinstance(
                action, argparse._HelpAction | argparse._VersionAction
            ):
                missing.append(f"{path} {action.option_strings or action.dest}")

    walk(cli.build_parser(), "sipelayanan")
    assert missing == []


def test_options_speak_one_language_and_old_names_still_work(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    new = ["case", "new", "--nama", "Budi", "--nik", NIK, "--wa", "081279615000"]
    rc, out, err = run(monkeypatch, capsys, db_url, *new, "--layanan", "KK", "--pengguna", "online")
    assert rc == 0, err
    code = out.strip()
    assert len(code) == 10 and code[4] == "-"  # one printed form: ABCD-EFGH3
    rc, out2, err = run(monkeypatch, capsys, db_url, *new, "--service", "KK", "--user", "online")
    assert rc == 0 and out2.strip()[4] == "-", err
    back = ["case", "return", code, "--pengguna", "online"]
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        *back,
        "--alasan",
        "Foto buram",
        "--ke-pemohon",
        "--kurang",
        "formulir_f102",
    )
    assert rc == 0 and out.startswith(f"{code}: dikembalikan ke pemohon"), err
    rc, out, err = run(
        monkeypatch,
        capsys,
        db_url,
        "case",
        "return",
        out2.strip(),
        "--user",
        "online",
        "--reason",
        "Foto buram",
        "--to-pemohon",
        "--missing",
        "formulir_f102",
    )
    assert rc == 0, err
