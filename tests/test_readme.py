"""The README's shell blocks work exactly as written.

A newcomer runs the two set-up commands of "Mulai cepat" (``./scripts/run``, ``./scripts/test``)
and then copies the other ```bash blocks into a fresh terminal. This test does the same: the
repository's ``.venv`` as those commands leave it, a shell whose PATH does NOT hold ``.venv/bin``
(a block that needs the command activates the venv itself, as the README says), an empty
temporary folder standing in for the project folder as working directory and home, and each
block run as written with ``bash -e``: the first command that fails stops it and is named in
the failure.

The set-up block itself is not run here (it opens the app and runs the whole suite); its
scripts must exist and be executable.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SETUP_SECTION = "Mulai cepat"

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="the README's shell blocks are for Linux/macOS (bash)"
)


def bash_blocks() -> list[tuple[str, str]]:
    """(section heading, block text) of every ```bash block, in order."""
    blocks = []
    section = ""
    in_block = False
    lines: list[str] = []
    for line in README.read_text("utf-8").splitlines():
        if in_block:
            if line.strip() == "```":
                blocks.append((section, "\n".join(lines) + "\n"))
                in_block = False
            else:
                lines.append(line)
        elif line.startswith("#"):
            section = line.lstrip("#").strip()
        elif line.strip() == "```bash":
            in_block, lines = True, []
    return blocks


BLOCKS = [(s, b) for s, b in bash_blocks() if not s.startswith(SETUP_SECTION)]


def test_readme_has_the_blocks_this_test_runs() -> None:
    sections = [s for s, _ in bash_blocks()]
    assert any(s.startswith(SETUP_SECTION) for s in sections)
    assert any("Perintah" in s and "sipelayanan" in s for s, _ in BLOCKS), sections


def test_setup_commands_exist() -> None:
    for section, block in bash_blocks():
        if not section.startswith(SETUP_SECTION):
            continue
        for line in block.splitlines():
            command = line.split("#", 1)[0].split()
            if command:
                script = ROOT / command[0]
                assert script.is_file() and os.access(script, os.X_OK), command[0]


def newcomer_env(home: Path) -> dict[str, str]:
    """A fresh terminal after the set-up commands: no venv activated, nothing of this run."""
    venv_bins = {
        str(Path(p).resolve())
        for p in (Path(sys.executable).parent, ROOT / ".venv" / "bin")
        if Path(p).exists()
    }
    path = [
        p
        for p in os.environ.get("PATH", "").split(os.pathsep)
        if p
        and Path(p).exists()
        and str(Path(p).resolve()) not in venv_bins
        and not (Path(p) / "activate").is_file()
    ]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SIPELAYANAN_", "VIRTUAL_ENV", "PYTHON", "XDG_"))
        and k not in ("PYTEST_CURRENT_TEST", "PYTEST_ADDOPTS")
    }
    env.update(
        PATH=os.pathsep.join(path),
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        QT_QPA_PLATFORM="offscreen",
    )
    # The machine-wide settings of this PC, if any, must not decide where the data goes.
    env["SIPELAYANAN_MACHINE_CONFIG"] = str(home / "tidak-ada.ini")
    return env


@pytest.mark.parametrize(
    "block", [b for _, b in BLOCKS], ids=[f"{s}#{i}" for i, (s, _) in enumerate(BLOCKS)]
)
def test_readme_block_runs_as_written(block: str, tmp_path: Path) -> None:
    work = tmp_path / "coba"
    work.mkdir()
    # The README's blocks run from the project folder, where the set-up left `.venv`; the
    # temporary folder stands in for it (nothing is written into the repository).
    (work / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    (tmp_path / "home").mkdir()
    script = (
        "set -eE -o pipefail\n"
        "trap 'echo \"README: perintah gagal (status $?): $BASH_COMMAND\" >&2' ERR\n"
        f"cd {str(work)!r}\n" + block
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=work,
        env=newcomer_env(tmp_path / "home"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, (
        f"README block failed (exit {done.returncode}):\n{block}\n"
        f"--- stdout ---\n{done.stdout[-2000:]}\n--- stderr ---\n{done.stderr[-3000:]}"
    )
    assert "Traceback" not in done.stdout + done.stderr
    # Files the block asks for are there and are what they claim to be.
    for name in re.findall(r"-o (\S+\.pdf)\b", block):
        assert (work / name).read_bytes().startswith(b"%PDF"), name
