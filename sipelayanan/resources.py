"""Locate the read-only resources shipped with the app (SOP files, region codes, fonts, icons).

Works from a source checkout or editable install (``<repo>/resources``), from a wheel
(``sipelayanan/_resources``) and from a PyInstaller bundle (``sys._MEIPASS/resources``).
Nothing here ever looks outside the installed application.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    here = Path(__file__).resolve().parent
    candidates = [here / "_resources", here.parent / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.insert(0, Path(bundle) / "resources")
    for candidate in candidates:
        if (candidate / "sop").is_dir():
            return candidate
    raise FileNotFoundError("Folder resources aplikasi tidak ditemukan; instalasi tidak lengkap.")


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
