"""Entry point of the PyInstaller build: the same ``sipelayanan`` command as a pip install.

``sipelayanan.cli.main`` turns every error into a clear message. What it cannot catch is a
damaged installation that fails before its own handler runs (a library quarantined by
antivirus, failing while the command modules load): that gets a
plain message in Bahasa Indonesia too - a message box from the windowed program, which has no
console - never a traceback.
"""

from __future__ import annotations

import multiprocessing
import sys

BROKEN = (
    "SiPelayanan tidak dapat dimulai: instalasi tidak lengkap atau rusak ({error}). Jalankan "
    "'Uji mandiri SiPelayanan' dari menu Start untuk melihat penyebabnya, lalu pasang ulang "
    "SiPelayanan. Antivirus yang mengkarantina file aplikasi adalah penyebab yang sering terjadi."
)


def _tell(message: str) -> None:
    if sys.stderr is not None:
        print(message, file=sys.stderr)
    elif sys.platform == "win32":  # the windowed program: no console to print to
        import ctypes

        MB_ICONERROR = 0x10
        ctypes.windll.user32.MessageBoxW(None, message, "SiPelayanan", MB_ICONERROR)


def _run() -> int:
    try:
        from sipelayanan.cli import main

        return main()
    except Exception as exc:  # main() handles its own errors: what escapes is a broken install
        _tell(BROKEN.format(error=f"{type(exc).__name__}: {exc}"))
        return 1


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(_run())
