"""The core never imports Qt: only sipelayanan.ui may (checked in a clean interpreter)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import sipelayanan


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(sipelayanan.__path__, "sipelayanan."):
        if info.name.startswith(
            ("sipelayanan.ui", "sipelayanan.migrations", "sipelayanan.__main__")
        ):
            continue
        names.append(info.name)
    return names


def test_core_imports_no_qt() -> None:
    modules = core_modules()
    assert "sipelayanan.services.cases" in modules and "sipelayanan.cli" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt imported by the core: {out.stdout}"
