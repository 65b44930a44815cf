"""Desktop entry point (a minimal window until the GUI issue lands)."""

from __future__ import annotations

import sys


def run(db_url: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv)
    label = QLabel("SiPelayanan — aplikasi desktop sedang disiapkan.")
    label.setWindowTitle("SiPelayanan")
    label.resize(480, 120)
    label.show()
    return int(app.exec())
