"""``sipelayanan --self-test``: the whole check from a source install, and how failures read."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import qrcode
from PIL import Image

from sipelayanan import __version__
from sipelayanan.db import Database
from sipelayanan.selftest import (
    CHECKS,
    FAIL_PREFIX,
    OK_LINE,
    TEST_NAMA,
    TEST_NIK,
    CheckFailed,
    State,
    _platform_plugin_present,
    check_qr,
    run_self_test,
)
from sipelayanan.services import cases


def headless_env(tmp_path: Path) -> dict[str, str]:
    """No display at all, and every per-user folder inside tmp_path (nothing of the real user's
    may be touched)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "SIPELAYANAN_DB")
    }
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "TMPDIR"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        env[name] = str(folder)
    return env


def test_self_test_passes_headless_from_a_source_install(tmp_path: Path) -> None:
    env = headless_env(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "sipelayanan", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines[0] == f"SiPelayanan {__version__}: uji mandiri"
    assert lines[-1] == OK_LINE
    checked = [line for line in lines if line.startswith("  ok  ")]
    assert len(checked) == len(CHECKS)
    assert any("QR PNG dan PDF terbaca" in line for line in checked)
    assert any("platform 'offscreen'" in line for line in checked)
    assert "Traceback" not in done.stderr
    # Personal data of the test pemohon is never printed (UU 27/2022).
    assert TEST_NIK not in done.stdout and TEST_NAMA not in done.stdout
    # It cleaned up after itself and left the user's own database alone.
    assert list(Path(env["TMPDIR"]).iterdir()) == []
    assert not list(Path(env["XDG_DATA_HOME"]).rglob("*.sqlite3"))


def _passes(state: State) -> str:
    (state.workdir / "jejak.txt").write_text("x")
    return "baik"


def test_first_failure_stops_the_run_and_says_why(tmp_path: Path) -> None:
    seen: list[Path] = []
    ran_after: list[bool] = []

    def fails(state: State) -> str:
        seen.append(state.workdir)
        raise CheckFailed("kode QR pada tanda terima PNG tidak terbaca")

    def never(state: State) -> str:
        ran_after.append(True)
        return ""

    out: list[str] = []
    code = run_self_test([("satu", _passes), ("kode QR", fails), ("tiga", never)], out=out.append)
    assert code == 1
    assert out[-1] == f"{FAIL_PREFIX}kode QR: kode QR pada tanda terima PNG tidak terbaca"
    assert out[1].startswith("  ok  satu") and "baik" in out[1]
    assert not ran_after
    assert seen and not seen[0].exists()  # the temporary folder is gone even after a failure


def test_unexpected_error_is_one_line_and_the_detail_goes_to_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def crashes(state: State) -> str:
        raise ValueError("nilai aneh\n  di baris kedua")

    out: list[str] = []
    with caplog.at_level(logging.ERROR, logger="sipelayanan.selftest"):
        code = run_self_test([("laporan", crashes)], out=out.append)
    assert code == 1
    assert out[-1] == f"{FAIL_PREFIX}laporan: ValueError: nilai aneh di baris kedua"
    assert all("Traceback" not in line for line in out)
    record = next(r for r in caplog.records if r.name == "sipelayanan.selftest")
    assert record.exc_info is not None and record.exc_info[0] is ValueError


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _qr_png(text: str) -> bytes:
    image = qrcode.make(text, border=4, box_size=8).get_image().convert("RGB")
    return _png(image)


@pytest.fixture
def intake_state(db: Database, actors: dict[str, Any], tmp_path: Path) -> State:
    data = cases.IntakeData(service="KK", nama=TEST_NAMA, wa="0812-3456-7890", nik=TEST_NIK)
    with db.write() as session:
        ref = cases.intake(session, actors["online"], data)
    return State(workdir=tmp_path, db=db, actor=actors["online"], code=ref.code)


def test_qr_check_accepts_the_exact_content(intake_state: State) -> None:
    from sipelayanan.reports import qr_content

    with intake_state.db.read() as session:
        expected = qr_content(session, intake_state.code)
    intake_state.png = _qr_png(expected)
    assert check_qr(intake_state).startswith("QR PNG terbaca")


def test_qr_check_rejects_a_receipt_without_a_readable_qr(intake_state: State) -> None:
    intake_state.png = _png(Image.new("RGB", (600, 800), "white"))
    with pytest.raises(CheckFailed, match="tidak terbaca"):
        check_qr(intake_state)


def test_qr_check_rejects_other_content(intake_state: State) -> None:
    intake_state.png = _qr_png(f"https://wa.me/6281179615000?text=STATUS%20{intake_state.code}X")
    with pytest.raises(CheckFailed, match="berbeda"):
        check_qr(intake_state)


def test_qr_check_reads_the_printed_receipt_too(intake_state: State) -> None:
    from reportlab.pdfgen import canvas

    from sipelayanan.reports import qr_content

    with intake_state.db.read() as session:
        intake_state.png = _qr_png(qr_content(session, intake_state.code))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Tanda terima tanpa kode QR")
    page.save()
    intake_state.pdf = buffer.getvalue()
    with pytest.raises(CheckFailed, match="PDF"):
        check_qr(intake_state)


def test_platform_plugin_probe(tmp_path: Path) -> None:
    assert not _platform_plugin_present([str(tmp_path), str(tmp_path / "tidak-ada")])
    (tmp_path / "platforms").mkdir()
    (tmp_path / "platforms" / "libqxcb.so").write_bytes(b"")
    assert not _platform_plugin_present([str(tmp_path)])
    (tmp_path / "platforms" / "qoffscreen.dll").write_bytes(b"")
    assert _platform_plugin_present([str(tmp_path / "tidak-ada"), str(tmp_path)])


def test_the_shipped_sop_list_names_every_shipped_file() -> None:
    """The self-test checks a build carries every SOP file the release ships (an antivirus may
    remove one) against resources/sop/shipped.txt: keep that list equal to the folder."""
    folder = Path(__file__).resolve().parents[1] / "resources" / "sop"
    listed = (folder / "shipped.txt").read_text("utf-8").split()
    assert sorted(listed) == sorted(p.name for p in folder.glob("*.toml"))
