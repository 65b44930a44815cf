"""The command parses its arguments first and imports only what the chosen command needs:
``--version`` loads neither SQLAlchemy nor Qt, ``status`` neither Qt nor the report, backup
or migration tooling. Checked structurally in a real child process (``sys.modules`` at exit),
not timed: the figures are in ``benchmarks/cli_startup.py``."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sipelayanan import cli
from sipelayanan.db import Database

HEAVY_FOR_EVERY_COMMAND = ("PySide6", "reportlab", "openpyxl", "qrcode", "pypdfium2", "alembic")

_CHILD = """
import atexit, json, sys
from sipelayanan.cli import main

def _dump():
    top = {m.split(".")[0] for m in sys.modules}
    top |= {m for m in sys.modules if m.startswith("sipelayanan")}
    top = sorted(top)
    sys.__stderr__.write("MODULES " + json.dumps(top) + "\\n")

atexit.register(_dump)
sys.exit(main(sys.argv[1:]))
"""


def modules_after(args: list[str], tmp_path: Path) -> tuple[int, set[str], str]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True,
        text=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "XDG_DATA_HOME": str(tmp_path)},
        cwd=tmp_path,
        timeout=120,
    )
    line = next(ln for ln in out.stderr.splitlines() if ln.startswith("MODULES "))
    return out.returncode, set(json.loads(line[len("MODULES ") :])), out.stdout


def test_version_imports_neither_sqlalchemy_nor_qt(tmp_path: Path) -> None:
    rc, modules, stdout = modules_after(["--version"], tmp_path)
    assert rc == 0 and stdout.startswith("SiPelayanan ")
    loaded = modules & {"sqlalchemy", *HEAVY_FOR_EVERY_COMMAND, "platformdirs"}
    assert not loaded, loaded
    assert not any(m.startswith(("sipelayanan.db", "sipelayanan.reports")) for m in modules)


def test_help_lists_every_command_without_the_database(tmp_path: Path) -> None:
    rc, modules, stdout = modules_after(["--help"], tmp_path)
    assert rc == 0
    for command in ("case", "status", "receipt", "report", "backup", "restore", "audit"):
        assert command in stdout
    assert not modules & {"PySide6", "reportlab", "openpyxl", "alembic"}


def test_status_loads_no_qt_and_no_document_or_backup_tooling(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kantor.sqlite3'}"
    Database(url).upgrade()
    rc, modules, _ = modules_after(["--db", url, "status", "ABCD-EFGH3"], tmp_path)
    assert rc == 2  # a well-formed code that is not there: answered, after the lookup ran
    assert "sipelayanan.services.status_sqlite" in modules  # it did read the database...
    # ...with the standard library's driver: no SQLAlchemy, ORM, holidays or phone tables
    for heavy in ("sqlalchemy", "sipelayanan.models", "holidays", "phonenumbers", "argon2"):
        assert heavy not in modules, heavy
    assert not modules & set(HEAVY_FOR_EVERY_COMMAND), modules & set(HEAVY_FOR_EVERY_COMMAND)
    assert "sipelayanan.backup" not in modules and "sipelayanan.ops_cli" not in modules


def test_status_elsewhere_takes_the_normal_read_path(tmp_path: Path) -> None:
    """No file there: the normal path answers, with its clear message about the database."""
    url = f"sqlite:///{tmp_path / 'tidak-ada' / 'kantor.sqlite3'}"
    rc, modules, _ = modules_after(["--db", url, "status", "ABCD-EFGH3"], tmp_path)
    assert rc == 2 and "sqlalchemy" in modules


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--version"], []),
        ([], []),  # the desktop app
        (["--db", "sqlite:///x", "status", "K"], ["sipelayanan.status_cli"]),
        (["--db=sqlite:///x", "backup", "-o", "f"], ["sipelayanan.ops_cli"]),
        (["case", "show", "K"], []),
        (["db", "upgrade"], ["sipelayanan.ops_cli"]),  # ops_cli adds "db grant" / "db check"
        (["--help"], list(cli.EXTENSION_COMMANDS)),
        (["statsu", "K"], list(cli.EXTENSION_COMMANDS)),  # a typo: argparse lists them all
    ],
)
def test_only_the_chosen_commands_module_is_loaded(argv: list[str], expected: list[str]) -> None:
    assert cli.extension_modules(argv) == expected


def test_each_command_module_is_imported_by_its_own_statement() -> None:
    """Every module of ``EXTENSION_COMMANDS`` has its explicit import in ``EXTENSION_IMPORTS``
    (so a search for the module finds its importer), and that import gives that module."""
    assert list(cli.EXTENSION_IMPORTS) == list(cli.EXTENSION_COMMANDS)
    for name, load in cli.EXTENSION_IMPORTS.items():
        assert load().__name__ == name


def test_the_declared_commands_are_the_ones_each_module_adds() -> None:
    """``cli.EXTENSION_COMMANDS`` must stay true when a module gains a command."""
    for name in cli.EXTENSION_COMMANDS:
        importlib.import_module(name)
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    declared = set().union(*cli.EXTENSION_COMMANDS.values())
    assert set(sub.choices) == cli.CORE_COMMANDS | declared
    bare = argparse.ArgumentParser()
    bare_sub = bare.add_subparsers()
    for command in cli.CORE_COMMANDS:
        bare_sub.add_parser(command).add_subparsers()
    added: dict[str, set[str]] = {}
    for extend in cli.EXTENSIONS:
        before = set(bare_sub.choices)
        extend(bare_sub)
        added[extend.__module__] = set(bare_sub.choices) - before
    for name, commands in cli.EXTENSION_COMMANDS.items():
        assert added[name] <= commands, (name, added[name])
