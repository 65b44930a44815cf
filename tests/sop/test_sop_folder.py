"""The SOP's meaning lives in its files (issue 11.2): the SOP folder is replaceable
(SIPELAYANAN_SOP_DIR, or this PC's machine setting), a made-up eighth service written into a
temporary folder travels from intake to the end through the services and the CLI (a real
process) with no code change, and the complaint flow runs from PENGADUAN.toml alone. On real
SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_PASSWORD, DEMO_USER_FOR_ROLE
from sipelayanan.machine_config import (
    ENV_MACHINE_CONFIG,
    machine_db_url,
    machine_sop_folder,
    set_machine_sop_folder,
)
from sipelayanan.services import actions, cases
from sipelayanan.services.queries import case_view, inbox, inbox_counts
from sipelayanan.services.status import status_reply
from sipelayanan.sop import ENV_SOP_DIR, SopError, services, shipped_folder, sop_folder
from sipelayanan.sop.catalog import complaint_codes

DATA = Path(__file__).resolve().parents[1] / "data"
EIGHTH = "SURAT_UJI"
NIK = "1808011203850001"
T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # Selasa 08.00 WIB
ROLE_USER = DEMO_USER_FOR_ROLE


def write_folder(folder: Path, *, shipped: bool = True, only: tuple[str, ...] = ()) -> Path:
    """A SOP folder: the shipped files (all, or ``only`` these) plus the eighth service."""
    folder.mkdir(parents=True, exist_ok=True)
    for toml in shipped_folder().glob("*.toml"):
        if shipped and (not only or toml.stem in only):
            shutil.copy(toml, folder / toml.name)
    if not only:
        shutil.copy(DATA / f"{EIGHTH}.toml", folder / f"{EIGHTH}.toml")
    return folder


@pytest.fixture
def sop_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """This process reads its services from a temporary folder with the eighth service."""
    folder = write_folder(tmp_path / "sop")
    monkeypatch.setenv(ENV_SOP_DIR, str(folder))
    services.cache_clear()
    yield folder
    monkeypatch.delenv(ENV_SOP_DIR)
    services.cache_clear()


# --------------------------------------------------------------------------- where from


def test_folder_from_env_then_machine_setting_then_shipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ini = tmp_path / "sipelayanan.ini"
    ini.write_text("[database]\nmode = sqlite\n", encoding="utf-8")
    monkeypatch.setenv(ENV_MACHINE_CONFIG, str(ini))
    monkeypatch.delenv(ENV_SOP_DIR, raising=False)
    assert sop_folder().source == "shipped" and sop_folder().path == shipped_folder()
    mine = write_folder(tmp_path / "kantor")
    set_machine_sop_folder(str(mine), ini)
    assert machine_sop_folder(ini) == str(mine)
    assert machine_db_url(ini) is None  # the database section is kept as it was
    assert "mode = sqlite" in ini.read_text(encoding="utf-8")
    assert sop_folder().source == "machine" and sop_folder().path == mine
    other = write_folder(tmp_path / "env")
    monkeypatch.setenv(ENV_SOP_DIR, str(other))
    assert sop_folder().source == "env" and sop_folder().path == other
    monkeypatch.delenv(ENV_SOP_DIR)
    set_machine_sop_folder(None, ini)
    assert machine_sop_folder(ini) is None
    assert sop_folder().source == "shipped"
    assert ini.read_text(encoding="utf-8").strip() == "[database]\nmode = sqlite"


def test_a_broken_or_missing_folder_is_an_error_never_the_shipped_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_SOP_DIR, str(tmp_path / "tidak-ada"))
    services.cache_clear()
    try:
        with pytest.raises(SopError, match="Folder SOP tidak ditemukan"):
            services()
        folder = write_folder(tmp_path / "rusak")
        text = (folder / f"{EIGHTH}.toml").read_text(encoding="utf-8")
        (folder / f"{EIGHTH}.toml").write_text(
            text.replace('role = "kasi"', 'role = "lurah"'), encoding="utf-8"
        )
        line = text.splitlines().index('role = "kasi"') + 1
        monkeypatch.setenv(ENV_SOP_DIR, str(folder))
        services.cache_clear()
        with pytest.raises(SopError) as err:
            services()
        assert f"{EIGHTH}.toml:{line}:" in str(err.value) and "lurah" in str(err.value)
    finally:
        monkeypatch.delenv(ENV_SOP_DIR)
        services.cache_clear()


# --------------------------------------------------------------------------- services


def test_eighth_service_through_the_services(
    sop_dir: Path, db: Database, actors: dict[str, Any]
) -> None:
    sdef = services()[EIGHTH]
    assert list(services())[-1] == EIGHTH and len(services()) == 8
    decision = next(s for s in sdef.steps if s.decision)
    register = next(s for s in sdef.steps if s.assigns_register)
    notify = next(s for s in sdef.steps if s.notifies)
    act = {role: actors[user] for role, user in ROLE_USER.items()}
    data = cases.IntakeData(
        service=EIGHTH,
        nama="Budi Hartono",
        nik=NIK,
        wa="0811-7961-501",
        present=["formulir_uji"],  # the alternative group is missing
    )
    with db.write() as s:
        first = actions.receive(
            s,
            act[sdef.steps[0].role],
            actions.ReceiveInput(data=data, return_to_pemohon=True),
            now=T0,
        )
    assert first.returned
    with db.read() as s:
        view = case_view(s, first.code)
        reply = status_reply(s, f"STATUS {first.code}", now=T0)
    assert view.missing_items == (
        "Salah satu dari: KTP-el pemohon; Surat kehilangan KTP-el dari kepolisian",
    )
    assert "Salah satu dari: KTP-el pemohon" in reply
    at = T0 + timedelta(minutes=30)
    with db.write() as s:
        actions.resubmit(s, act[sdef.steps[0].role], first.code, actions.ResubmitInput(), now=at)
    code = first.code
    with db.read() as s:  # back in the first step's inbox, counted under its own code
        waiting = inbox(s, {sdef.steps[0].role}, service=EIGHTH)
        assert [r.code for r in waiting] == [code]
        assert inbox_counts(s, {sdef.steps[0].role}).get(EIGHTH) == 1
    went_back = False
    for _ in range(20):
        with db.read() as s:
            view = case_view(s, code)
        if view.status != "proses":
            break
        step = sdef.step(view.current_step)
        at += timedelta(minutes=step.minutes)
        with db.write() as s:
            if step is decision and not went_back:
                actions.return_to_step(
                    s,
                    act[step.role],
                    code,
                    actions.ReturnInput(to_step=step.back_targets()[0], reason="Ejaan nama."),
                    now=at,
                )
                went_back = True
                continue
            inp = actions.CompleteInput(
                nomor_dokumen="UJI-0001" if "nomor_dokumen" in step.records else None
            )
            actions.complete_step(s, act[step.role], code, inp, now=at)
    with db.read() as s:
        view = case_view(s, code)
    assert went_back and view.status == "selesai"
    assert [h.step_no for h in view.history if h.action == "selesai"][-1] == notify.no
    assert view.register_number is not None and EIGHTH in view.register_number
    assert view.documents[-1] == (
        "Surat Keterangan Uji",
        "UJI-0001",
    )  # typed again after the back move
    assert register.no in [h.step_no for h in view.history]
    with db.write() as s:  # collected afterwards, from "Siap diambil"
        actions.record_collection(
            s,
            act[notify.role],
            code,
            actions.CollectionInput(penerima="Budi Hartono"),
            now=at + timedelta(hours=1),
        )
    with db.read() as s:
        view = case_view(s, code)
    assert view.delivery is not None and view.delivery["recipient"] == "Budi Hartono"


def test_the_complaint_flow_runs_from_its_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Database, actors: dict[str, Any]
) -> None:
    folder = write_folder(tmp_path / "aduan", only=("PENGADUAN",))
    monkeypatch.setenv(ENV_SOP_DIR, str(folder))
    services.cache_clear()
    try:
        assert list(services()) == ["PENGADUAN"] and complaint_codes() == ("PENGADUAN",)
        sdef = services()["PENGADUAN"]
        act = {role: actors[user] for role, user in ROLE_USER.items()}
        simple, escalated = (
            cases.IntakeData(
                service="PENGADUAN",
                nama="Pelapor",
                wa="0811-7961-501",
                uraian="Data KK tidak sesuai.",
            )
            for _ in range(2)
        )
        with db.write() as s:
            codes = [
                actions.receive(
                    s, act[sdef.steps[0].role], actions.ReceiveInput(data=d), now=T0
                ).code
                for d in (simple, escalated)
            ]
        at = T0
        closing = next(s for s in sdef.steps if s.allows("close"))
        for code, close in zip(codes, (True, False), strict=True):
            for _ in range(20):
                with db.read() as s:
                    view = case_view(s, code)
                if view.status != "proses":
                    break
                step = sdef.step(view.current_step)
                at += timedelta(minutes=step.minutes)
                with db.write() as s:
                    if step is closing and close:
                        actions.close_simple(
                            s,
                            act[step.role],
                            code,
                            actions.CloseInput(solusi="Dijelaskan."),
                            now=at,
                        )
                        continue
                    solusi = "Solusi tim." if "solusi" in step.records else None
                    actions.complete_step(
                        s, act[step.role], code, actions.CompleteInput(solusi=solusi), now=at
                    )
        with db.read() as s:
            done = [case_view(s, c) for c in codes]
        assert [v.status for v in done] == ["selesai", "selesai"]
        assert [v.closed_path for v in done] == ["sederhana", "eskalasi"]
        assert done[0].current_step == closing.no and done[1].current_step == sdef.last_step
    finally:
        monkeypatch.delenv(ENV_SOP_DIR)
        services.cache_clear()


# --------------------------------------------------------------------------- the CLI


def _cli(env: dict[str, str], *args: str, user: bool = True) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("sipelayanan")
    return subprocess.run(
        [str(exe), *args],
        input=DEMO_PASSWORD + "\n" if user else None,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_eighth_service_through_the_cli(tmp_path: Path, db_url: str) -> None:
    folder = write_folder(tmp_path / "sop")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "SIPELAYANAN_DB": db_url,
        ENV_SOP_DIR: str(folder),
        ENV_MACHINE_CONFIG: str(tmp_path / "tidak-ada.ini"),
    }
    listed = _cli(env, "sop", "list", "--json", user=False)
    assert listed.returncode == 0, listed.stderr
    found = {s["code"]: s for s in json.loads(listed.stdout)}
    assert EIGHTH in found and len(found[EIGHTH]["steps"]) == 5
    steps = found[EIGHTH]["steps"]
    new = _cli(
        env,
        "case",
        "new",
        "--layanan",
        EIGHTH,
        "--nama",
        "Budi Hartono",
        "--nik",
        NIK,
        "--wa",
        "0811-7961-501",
        "--pengguna",
        ROLE_USER[steps[0]["role"]],
    )
    assert new.returncode == 0, new.stderr
    code = new.stdout.strip()
    went_back = False
    for _ in range(20):
        shown = _cli(env, "case", "show", code, "--json", "--pengguna", "kasi")
        assert shown.returncode == 0, shown.stderr
        data = json.loads(shown.stdout)
        if data["status"] != "proses":
            break
        step = steps[data["current_step"] - 1]
        back = [m["to"] for m in step["moves"] if m["kind"] == "back"]
        if back and not went_back:
            out = _cli(
                env,
                "case",
                "return",
                code,
                "--ke-langkah",
                str(back[0]),
                "--alasan",
                "Ejaan nama.",
                "--pengguna",
                ROLE_USER[step["role"]],
            )
            assert out.returncode == 0, out.stderr
            went_back = True
            continue
        extra = ["--nomor-dokumen", "UJI-0001"] if "nomor_dokumen" in step["records"] else []
        out = _cli(
            env,
            "case",
            "advance",
            code,
            "--langkah",
            str(step["no"]),
            *extra,
            "--pengguna",
            ROLE_USER[step["role"]],
        )
        assert out.returncode == 0, out.stderr
    assert went_back and data["status"] == "selesai", data
    assert data["service"] == EIGHTH and data["register_number"]
    notify = steps[-1]
    record = _cli(
        env,
        "case",
        "record",
        code,
        "--penerima",
        "Budi Hartono",
        "--pengguna",
        ROLE_USER[notify["role"]],
    )
    assert record.returncode == 0, record.stderr
    status = _cli(env, "status", code, user=False)
    assert status.returncode == 0 and "Surat Keterangan Uji" in status.stdout
    report = tmp_path / "rekap.xlsx"
    rekap = _cli(
        env,
        "report",
        "rekap",
        "--dari",
        (date.today() - timedelta(days=2)).isoformat(),
        "--sampai",
        (date.today() + timedelta(days=2)).isoformat(),
        "--layanan",
        EIGHTH,
        "-o",
        str(report),
        user=False,
    )
    assert rekap.returncode == 0, rekap.stderr
    from openpyxl import load_workbook

    cells = [
        str(c.value)
        for ws in load_workbook(report, read_only=True).worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert any("Uji" in c for c in cells), cells[:40]  # the service, by its declared names
    # without the folder the service is unknown: refused with one clear line
    env.pop(ENV_SOP_DIR)
    unknown = _cli(
        env,
        "case",
        "new",
        "--layanan",
        EIGHTH,
        "--nama",
        "X",
        "--nik",
        NIK,
        "--wa",
        "0811-7961-501",
        "--pengguna",
        "online",
    )
    assert unknown.returncode == 2 and "tidak dikenal" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_a_broken_file_in_the_folder_stops_the_cli(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "sop")
    path = folder / f"{EIGHTH}.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("minutes = 10", "minutes = -3", 1), encoding="utf-8")
    line = text.splitlines().index("minutes = 10") + 1
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SIPELAYANAN_DB": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        ENV_SOP_DIR: str(folder),
    }
    out = _cli(env, "sop", "list", user=False)
    assert out.returncode == 2
    assert f"{EIGHTH}.toml:{line}:" in out.stderr and "Traceback" not in out.stderr


def test_declared_names_and_words_come_from_the_file(sop_dir: Path) -> None:
    from sipelayanan.reports.common import service_short
    from sipelayanan.services.status_text import step_in_words
    from sipelayanan.sop.catalog import complaint_roles, default_service, request_codes

    sdef = services()[EIGHTH]
    assert step_in_words(sdef, 1) == "langkah 1 dari 5 — berkas uji diterima dan sedang diperiksa"
    assert step_in_words(sdef, 3).startswith("langkah 3 dari 5 — Memeriksa dan memutuskan")
    assert service_short(EIGHTH) == "Uji" and service_short("KTP_EL") == "KTP-el"
    assert request_codes()[-1] == EIGHTH and default_service() == "KK"
    assert complaint_roles() == {"petugas_aduan", "pejabat_aduan", "tim_aduan"}
    assert sdef.intake_step.no == 1 and sdef.demo_weight == 5
