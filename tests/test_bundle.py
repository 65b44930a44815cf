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
    for asset in ("index.html", "app.js", "style.css"):  # the status site's page
        assert (internal / "resources" / "statussite" / asset).is_file(), asset
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
    # Without the sqlite3 extension no database command can load (`--version` imports nothing
    # it does not need, so it still answers).
    copy = _damaged_copy(bundle, tmp_path, "_internal/**/_sqlite3*")
    done = run(copy / f"sipelayanan-cli{EXE}", "user", "list", env=headless_env(tmp_path))
    assert done.returncode == 1
    assert "instalasi tidak lengkap atau rusak" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


# --------------------------------------------------------------------------- licences (LGPL)

LGPL_PACKAGES = ("PySide6", "shiboken6", "psycopg", "psycopg_binary", "paramiko")
LIST_ARCHIVE = """
import json, sys
from importlib.metadata import packages_distributions
from PyInstaller.archive.readers import pkg_archive_contents
print(json.dumps({"contents": pkg_archive_contents(sys.argv[1]),
                  "dists": packages_distributions()}))
"""


def build_python() -> str:
    """An interpreter with PyInstaller and the packages the bundle was built from: the one
    named by SIPELAYANAN_BUILD_PYTHON, this one, or installer/build.sh's build/venv."""
    named = os.environ.get("SIPELAYANAN_BUILD_PYTHON")
    if named:
        return named
    import importlib.util

    if importlib.util.find_spec("PyInstaller") is not None:
        return sys.executable
    venv = ROOT / "build" / "venv"
    exe = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    assert exe.is_file(), "no interpreter with PyInstaller: run installer/build.sh first"
    return str(exe)


@pytest.fixture(scope="module")
def archive(bundle: Path) -> dict[str, object]:
    """What the executable's embedded archive (with its PYZ) holds, and which distribution
    each top-level module name belongs to in the build environment."""
    done = subprocess.run(
        [build_python(), "-c", LIST_ARCHIVE, str(bundle / f"sipelayanan-cli{EXE}")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    listing: dict[str, object] = json.loads(done.stdout)
    return listing


def test_lgpl_components_are_loose_replaceable_files(
    bundle: Path, archive: dict[str, object]
) -> None:
    internal = bundle / "_internal"
    for package in LGPL_PACKAGES:
        assert (internal / package / "__init__.py").is_file(), package
    assert (internal / "psycopg" / "connection.py").is_file()
    # Qt's compiled parts are separate files too (extension modules and Qt libraries).
    assert any(p.suffix in (".so", ".pyd") for p in (internal / "PySide6").glob("QtWidgets.*"))
    contents = archive["contents"]
    assert isinstance(contents, list)
    in_archive = [n for n in contents if n.split(".")[0] in LGPL_PACKAGES]
    assert not in_archive, f"LGPL modules compiled into the executable: {in_archive[:5]}"
    # The listing is real: the app's own modules are in the archive.
    assert "sipelayanan.cli" in contents and "sqlalchemy" in contents


def _licences(bundle: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(
        (bundle / "_internal" / "licenses" / "third_party.json").read_text("utf-8")
    )
    return rows


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_every_shipped_package_has_its_licence_in_the_bundle(
    bundle: Path, archive: dict[str, object]
) -> None:
    rows = _licences(bundle)
    listed = {_norm(str(r["name"])) for r in rows}
    for row in rows:
        texts = row["texts"]
        assert isinstance(texts, list) and texts, row["name"]
        assert all(str(t["text"]).strip() for t in texts), row["name"]

    # Every third-party distribution whose modules are in the bundle - in the executable's
    # archive or as files in _internal - is listed.
    contents = archive["contents"]
    dists = archive["dists"]
    assert isinstance(contents, list) and isinstance(dists, dict)
    tops = {str(n).split(".")[0] for n in contents}
    tops |= {p.name.split(".")[0] for p in (bundle / "_internal").iterdir()}
    shipped = {_norm(d) for top in tops for d in dists.get(top, [])} - {"sipelayanan"}
    assert shipped, "no distribution recognised in the bundle"
    missing = sorted(shipped - listed)
    assert not missing, f"shipped without a licence: {missing}"
    for name in ("pyside6-essentials", "shiboken6", "psycopg", "psycopg-binary", "python"):
        assert name in listed, name

    by_name = {_norm(str(r["name"])): r for r in rows}
    for name in ("pyside6-essentials", "shiboken6", "psycopg"):
        text = "\n".join(str(t["text"]) for t in by_name[name]["texts"])  # type: ignore[attr-defined]
        assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "Version 3" in text, name
        assert "GNU GENERAL PUBLIC LICENSE" in text, name

    combined = (bundle / "_internal" / "licenses" / "THIRD-PARTY-LICENSES.txt").read_text("utf-8")
    for row in rows:
        assert f"{row['name']} {row['version']}".strip() in combined
    assert combined.count("GNU LESSER GENERAL PUBLIC LICENSE") >= 3


def test_about_box_reads_the_bundled_licences(bundle: Path, qtbot: object) -> None:
    from sipelayanan.ui.about import AboutDialog

    dialog = AboutDialog(None, bundle / "_internal" / "licenses" / "third_party.json")
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    assert dialog.list.count() == len(_licences(bundle)) > 30
    items = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    row = next(i for i, t in enumerate(items) if t.startswith("psycopg "))
    dialog.list.setCurrentRow(row)
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in dialog.text.toPlainText()
