"""The PyInstaller bundle (dist/SiPelayanan/) works on its own, headless: ``--version``,
``--self-test``, the admin commands, the machine-wide database choice, and a damaged copy is
caught by the self-test with a clear message instead of a crash.

Runs against the bundle named by ``SIPELAYANAN_BUNDLE_DIR`` (``make package-test``; CI builds it
first with ``installer/build.sh``), or builds one into a temporary folder (about two minutes)
when ``SIPELAYANAN_BUILD_BUNDLE=1``; otherwise skipped, so the ordinary test run stays quick.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sipelayanan import __version__
from sipelayanan.selftest import FAIL_PREFIX, OK_LINE

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXE = ".exe" if sys.platform == "win32" else ""


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    given = os.environ.get("SIPELAYANAN_BUNDLE_DIR")
    if given:
        folder = Path(given).resolve()
        assert (folder / f"sipelayanan-cli{EXE}").is_file(), f"no bundle in {folder}"
        yield folder
        return
    if os.environ.get("SIPELAYANAN_BUILD_BUNDLE") != "1":
        pytest.skip("bundle not built: `make package-test`, or set SIPELAYANAN_BUILD_BUNDLE=1")
    work = tmp_path_factory.mktemp("pyinstaller")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(ROOT / "installer" / "sipelayanan.spec"),
        ],
        check=True,
        cwd=ROOT,
        timeout=1200,
    )
    yield work / "dist" / "SiPelayanan"


def headless_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DISPLAY",
            "WAYLAND_DISPLAY",
            "QT_QPA_PLATFORM",
            "SIPELAYANAN_DB",
            "PYTHONPATH",
            "VIRTUAL_ENV",
        )
    }
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "TMPDIR"):
        folder = tmp_path / name.lower()
        folder.mkdir(exist_ok=True)
        env[name] = str(folder)
    env["SIPELAYANAN_MACHINE_CONFIG"] = str(tmp_path / "tidak-ada.ini")
    return env


def run(
    exe: Path, *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    # cwd outside the source tree: the bundle must not lean on the checkout.
    return subprocess.run(
        [str(exe), *args],
        env=env,
        cwd=env["TMPDIR"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_version_of_both_programs(bundle: Path, tmp_path: Path) -> None:
    env = headless_env(tmp_path)
    for name in ("SiPelayanan", "sipelayanan-cli"):
        done = run(bundle / f"{name}{EXE}", "--version", env=env)
        assert done.returncode == 0, done.stderr
        if name == "sipelayanan-cli" or sys.platform != "win32":  # windowed: may have no stdout
            assert done.stdout.strip() == f"SiPelayanan {__version__}"


def test_self_test_of_the_bundle_without_a_display(bundle: Path, tmp_path: Path) -> None:
    env = headless_env(tmp_path)
    done = run(bundle / f"sipelayanan-cli{EXE}", "--self-test", env=env)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines[0] == f"SiPelayanan {__version__} (paket): uji mandiri"  # really frozen
    assert lines[-1] == OK_LINE
    assert str(bundle) in done.stdout  # resources found inside the bundle, not the checkout
    assert list(Path(env["TMPDIR"]).iterdir()) == []


def test_admin_commands_and_the_machine_database_choice(bundle: Path, tmp_path: Path) -> None:
    env = headless_env(tmp_path)
    cli = bundle / f"sipelayanan-cli{EXE}"
    listed = run(cli, "sop", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    services = {s["code"] for s in json.loads(listed.stdout)}
    assert services == {"KK", "SKPWNI", "KTP_EL", "KIA", "AKTA_LAHIR", "AKTA_MATI", "PENGADUAN"}

    # The installer's INI decides where the data goes (ANSI, as the Windows API writes it).
    chosen = tmp_path / "kantor" / "data.sqlite3"
    ini = tmp_path / "sipelayanan.ini"
    ini.write_bytes(f"[database]\r\nurl=sqlite:///{chosen}\r\n".encode("cp1252"))
    env["SIPELAYANAN_MACHINE_CONFIG"] = str(ini)
    upgraded = run(cli, "db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert chosen.is_file()
    added = run(
        cli,
        "user",
        "add",
        "petugas1",
        "--name",
        "Petugas Satu",
        "--role",
        "operator_online",
        env=env,
        stdin="kata-sandi-panjang\n",
    )
    assert added.returncode == 0, added.stderr
    users = run(cli, "user", "list", env=env)
    assert "petugas1" in users.stdout

    ini.write_text("[database]\nurl = bukan-alamat\n")
    refused = run(cli, "user", "list", env=env)
    assert refused.returncode == 3
    assert str(ini) in refused.stderr and "Traceback" not in refused.stderr


def test_bundle_holds_what_it_needs_and_not_more(bundle: Path) -> None:
    internal = bundle / "_internal"
    for toml in (ROOT / "resources" / "sop").glob("*.toml"):
        assert (internal / "resources" / "sop" / toml.name).read_bytes() == toml.read_bytes()
    shipped = {p.name for p in (internal / "sipelayanan" / "migrations" / "versions").glob("*.py")}
    source = {p.name for p in (ROOT / "sipelayanan" / "migrations" / "versions").glob("*.py")}
    assert shipped == source and (internal / "sipelayanan" / "migrations" / "env.py").is_file()
    assert (internal / "resources" / "wilayah" / "LICENSE.cahyadsn-wilayah").is_file()
    names = {p.name for p in bundle.rglob("*")}
    assert any("offscreen" in n for n in names)
    for unwanted in ("QtQml", "QtQuick", "QtWebEngine", "Qt63D", "QtMultimedia", "geodata"):
        found = sorted(n for n in names if unwanted in n)
        assert not found, f"{unwanted} should not be in the bundle: {found[:5]}"


def _damaged_copy(bundle: Path, tmp_path: Path, remove: str) -> Path:
    """A copy of the bundle (hard links: cheap) with one file gone, as antivirus might leave it."""
    copy = tmp_path / "SiPelayanan"
    shutil.copytree(bundle, copy, symlinks=True, copy_function=os.link)
    matches = sorted(copy.glob(remove))
    assert matches, remove
    for path in matches:
        path.unlink()
    return copy


@pytest.mark.parametrize(
    ("remove", "reason"),
    [
        ("_internal/resources/sop/KK.toml", "resources dan SOP: definisi SOP tidak lengkap"),
        ("_internal/PySide6/**/platforms/*offscreen*", "Qt tanpa layar: plugin platform Qt"),
        ("_internal/resources/fonts/*.ttf", "tanda terima: "),
    ],
)
def test_damaged_bundle_fails_with_a_reason(
    bundle: Path, tmp_path: Path, remove: str, reason: str
) -> None:
    copy = _damaged_copy(bundle, tmp_path, remove)
    env = headless_env(tmp_path)
    done = run(copy / f"sipelayanan-cli{EXE}", "--self-test", env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    last = done.stdout.splitlines()[-1]
    assert last.startswith(FAIL_PREFIX) and reason in last, last
    assert "Traceback" not in done.stdout + done.stderr


def test_broken_install_explains_itself_instead_of_a_traceback(
    bundle: Path, tmp_path: Path
) -> None:
    # Without the sqlite3 extension the command modules cannot even load.
    copy = _damaged_copy(bundle, tmp_path, "_internal/**/_sqlite3*")
    done = run(copy / f"sipelayanan-cli{EXE}", "--version", env=headless_env(tmp_path))
    assert done.returncode == 1
    assert "instalasi tidak lengkap atau rusak" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
