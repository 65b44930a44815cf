"""The Windows build's inputs, checked where they can be without Windows: the lock file both the
workflow and installer/build.sh install from, the vendored Inno Setup translation and its
licence, the licence files the installer script shows and installs, and the workflow's shape.

What only a Windows runner can show (ISCC compiling the script, the wizard in Indonesian, the
silent install, signing) is exercised by .github/workflows/windows.yml itself.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
INSTALLER = ROOT / "installer"
LOCK = INSTALLER / "requirements.lock"
ISS = INSTALLER / "sipelayanan.iss"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"


def locked() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from the lock file."""
    out: dict[str, tuple[str, list[str]]] = {}
    text = LOCK.read_text("utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        first = block.split("\n", 1)[0]
        if first.startswith("#") or not first.strip():
            continue
        m = re.match(r"([A-Za-z0-9._-]+)==([^ ;\\]+)", first)
        assert m, f"not pinned with ==: {first!r}"
        out[canonicalize_name(m.group(1))] = (m.group(2), re.findall(r"--hash=sha256:(\w+)", block))
    return out


def test_lock_pins_every_package_with_hashes() -> None:
    pins = locked()
    assert len(pins) > 40
    for name, (_version, hashes) in pins.items():
        assert hashes and all(len(h) == 64 for h in hashes), name


def test_lock_covers_pyproject_and_keeps_its_pins() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    extras = project["optional-dependencies"]
    wanted = [*project["dependencies"], *extras["package"], *extras["test"]]
    extra_inputs = [
        line.strip()
        for line in (INSTALLER / "requirements.in").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    pins = locked()
    for line in [*wanted, *extra_inputs]:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name == "sipelayanan":
            continue
        assert name in pins, f"{name} is in pyproject.toml but not in the lock: installer/lock.sh"
        version = pins[name][0]
        assert req.specifier.contains(version, prereleases=True), (
            f"{name}=={version} in the lock does not satisfy {req}: installer/lock.sh"
        )
    # The Qt pin the app depends on (see pyproject.toml) is the one the build installs.
    assert pins["pyside6-essentials"][0] == "6.11.3"
    assert pins["shiboken6"][0] == "6.11.3"


def test_build_script_and_workflow_install_from_the_lock() -> None:
    build_sh = (INSTALLER / "build.sh").read_text("utf-8")
    assert "installer/requirements.lock" in build_sh and "--require-hashes" in build_sh
    build_ps1 = (INSTALLER / "build.ps1").read_text("utf-8")
    assert "installer\\requirements.lock" in build_ps1 and "--require-hashes" in build_ps1
    workflow = WORKFLOW.read_text("utf-8")
    assert "-r installer\\requirements.lock" in workflow and "--require-hashes" in workflow
    # Nothing but the lock (and the project itself, without its dependencies) is installed.
    installs = re.findall(r"pip install [^\n]*", workflow)
    assert installs and all(
        "requirements.lock" in line or "--no-deps" in line for line in installs
    ), installs


def test_workflow_uses_a_supported_python_and_current_actions() -> None:
    workflow = WORKFLOW.read_text("utf-8")
    versions = re.findall(r'python-version:\s*"([\d.]+)"', workflow)
    assert versions and all(v in ("3.12", "3.13") for v in versions), versions
    uses = dict(re.findall(r"uses:\s*([\w-]+/[\w-]+)@v(\d+)", workflow))
    minimum = {
        "actions/checkout": 6,
        "actions/setup-python": 6,
        "actions/upload-artifact": 7,
        "actions/download-artifact": 7,
    }
    for action, version in uses.items():
        assert int(version) >= minimum.get(action, 0), f"{action}@v{version}"
    # Nothing is fetched from a branch at build time.
    assert "Invoke-WebRequest" not in workflow and "raw.githubusercontent" not in workflow


def test_workflow_publishes_tags_with_the_checksum_and_signs_only_with_secrets() -> None:
    workflow = WORKFLOW.read_text("utf-8")
    release = workflow[workflow.index("\n  release:") :]
    assert "if: startsWith(github.ref, 'refs/tags/v')" in release
    assert "needs: build" in release and "contents: write" in release
    assert "sha256sum -c" in release and ".sha256" in release
    assert "Get-FileHash -Algorithm SHA256" in workflow
    # Signing steps run only when the secret exists; the secret never sits in a command line
    # of a step that runs without it.
    assert "HAVE_SIGNING: ${{ secrets.WINDOWS_SIGNING_PFX != '' }}" in workflow
    signing_steps = re.findall(r"- name: ([^\n]*[Ss]ign[^\n]*)\n\s+if: ([^\n]+)", workflow)
    assert len(signing_steps) >= 2
    for _name, condition in signing_steps:
        assert "env.HAVE_SIGNING == 'true'" in condition or "PFX_PATH" in condition


def test_indonesian_wizard_texts_are_vendored_with_their_licence() -> None:
    isl = (INSTALLER / "Indonesian.isl").read_text("utf-8")
    assert "LanguageName=Bahasa Indonesia" in isl and "LanguageID=$0421" in isl
    assert "ButtonCancel=" in isl and "ButtonInstall=" in isl
    licence = (INSTALLER / "LICENSE.innosetup.txt").read_text("utf-8")
    assert "Inno Setup License" in licence and "Jordan Russell" in licence
    iss = ISS.read_text("utf-8")
    assert 'MessagesFile: "compiler:Default.isl,Indonesian.isl"' in iss
    assert "#else" not in iss.split("[Languages]")[1].split("[CustomMessages]")[0]


def test_installer_shows_and_installs_the_licences() -> None:
    iss = ISS.read_text("utf-8")
    info = re.search(r"^InfoBeforeFile=(.+)$", iss, re.M)
    assert info, "the wizard shows no licence notice"
    notice = (INSTALLER / info.group(1).strip()).read_text("utf-8-sig")
    assert "LGPL-3.0" in notice and "LISENSI-PIHAK-KETIGA.txt" in notice
    for package in ("PySide6", "shiboken6", "psycopg"):
        assert package in notice
    # The generated list the spec puts in the bundle is the file the installer copies.
    spec = (INSTALLER / "sipelayanan.spec").read_text("utf-8")
    assert 'f"licenses/{_name}"' in spec and '"THIRD-PARTY-LICENSES.txt"' in spec
    assert "_internal\\licenses\\THIRD-PARTY-LICENSES.txt" in iss
    assert re.search(
        r'^Source: "\{#ThirdPartyLicences\}"; DestDir: "\{app\}"; '
        r'DestName: "LISENSI-PIHAK-KETIGA.txt"',
        iss,
        re.M,
    )
    assert re.search(r'^Source: "PEMBERITAHUAN-LISENSI.txt"; DestDir: "\{app\}"', iss, re.M)
    assert re.search(r'Filename: "\{app\}\\LISENSI-PIHAK-KETIGA.txt"', iss)
    # The spec keeps the LGPL components as loose files.
    assert re.search(r'"PySide6", "shiboken6", "psycopg", "psycopg_binary"', spec)
    assert "module_collection_mode=LOOSE_LGPL" in spec


def test_licence_texts_kept_for_wheels_without_them() -> None:
    for name, heading in (
        ("LGPL-3.0.txt", "GNU LESSER GENERAL PUBLIC LICENSE"),
        ("GPL-3.0.txt", "GNU GENERAL PUBLIC LICENSE"),
    ):
        text = (INSTALLER / "licenses" / name).read_text("utf-8")
        assert heading in text and "Version 3, 29 June 2007" in text
