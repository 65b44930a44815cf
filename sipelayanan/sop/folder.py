"""Where the office's SOP files are read from.

An office revises its SOPs every few years; the folder can be replaced without a new build:

1. ``SIPELAYANAN_SOP_DIR`` (environment), else
2. this PC's setting ``[sop] folder = …`` in the machine-wide ``sipelayanan.ini`` (set by the
   admin in Admin ▸ Folder SOP; see :mod:`sipelayanan.machine_config`), else
3. the shipped ``resources/sop``.

A folder named but missing, or a broken file in it, stops the start (``SopError`` naming the
folder, or the file and line) — never a silent fall back to the shipped files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sipelayanan.resources import resource_path
from sipelayanan.sop.definitions import SopError

__all__ = ["ENV_SOP_DIR", "SopFolder", "shipped_folder", "sop_folder"]

ENV_SOP_DIR = "SIPELAYANAN_SOP_DIR"

Source = Literal["env", "machine", "shipped"]

_LABELS: dict[Source, str] = {
    "env": f"variabel lingkungan {ENV_SOP_DIR}",
    "machine": "pengaturan PC ini (Admin ▸ Folder SOP)",
    "shipped": "bawaan aplikasi",
}


@dataclass(frozen=True)
class SopFolder:
    path: Path
    source: Source

    @property
    def source_label(self) -> str:
        return _LABELS[self.source]


def shipped_folder() -> Path:
    return resource_path("sop")


def sop_folder() -> SopFolder:
    """The folder the services are loaded from, and why."""
    env = os.environ.get(ENV_SOP_DIR, "").strip()
    if env:
        return SopFolder(Path(env).expanduser(), "env")
    from sipelayanan.errors import DatabaseUnavailable
    from sipelayanan.machine_config import machine_config_path, machine_sop_folder

    try:
        chosen = machine_sop_folder()
    except DatabaseUnavailable as exc:  # the machine file is unreadable: say so, don't guess
        raise SopError(str(exc), machine_config_path()) from exc
    if chosen:
        return SopFolder(Path(chosen).expanduser(), "machine")
    return SopFolder(shipped_folder(), "shipped")
