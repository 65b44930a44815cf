"""Bantuan ▸ Tentang SiPelayanan: versions of the app, Qt, PySide6 and Python, and the
third-party licence list with each text readable (the list the bundle build writes; the real
generated list is checked against a real build in tests/test_bundle.py)."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sipelayanan import __version__
from sipelayanan.db import Database
from sipelayanan.ui.about import AboutDialog
from sipelayanan.ui.main_window import MainWindow
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.settings import Settings

from .conftest import user_info

ROOT = Path(__file__).resolve().parents[2]


def licence_list(tmp_path: Path) -> Path:
    """A list in the format installer/licenses.py writes, with real licence texts."""
    lgpl = (ROOT / "installer" / "licenses" / "LGPL-3.0.txt").read_text("utf-8")
    gpl = (ROOT / "installer" / "licenses" / "GPL-3.0.txt").read_text("utf-8")
    rows = [
        {
            "name": "PySide6_Essentials",
            "version": PySide6.__version__,
            "license": "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only",
            "url": "https://pyside.org",
            "note": "Qt and PySide6 are used under LGPL-3.0.",
            "texts": [
                {"title": "LGPL-3.0.txt", "text": lgpl},
                {"title": "GPL-3.0.txt", "text": gpl},
            ],
        },
        {
            "name": "Liberation Fonts",
            "version": "",
            "license": "OFL-1.1",
            "url": "",
            "note": "",
            "texts": [
                {
                    "title": "OFL.txt",
                    "text": (ROOT / "resources" / "fonts" / "OFL.txt").read_text("utf-8"),
                }
            ],
        },
    ]
    path = tmp_path / "third_party.json"
    path.write_text(json.dumps(rows), "utf-8")
    return path


def test_about_shows_versions_and_each_licence_text(tmp_path: Path, qtbot: QtBot) -> None:
    dialog = AboutDialog(None, licence_list(tmp_path))
    qtbot.addWidget(dialog)
    shown = {name: label.text() for name, label in dialog.version_labels.items()}
    assert shown == {
        "SiPelayanan": __version__,
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": platform.python_version(),
    }
    items = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert items == [
        f"PySide6_Essentials {PySide6.__version__} — LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only",
        "Liberation Fonts — OFL-1.1",
    ]
    text = dialog.text.toPlainText()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "GNU GENERAL PUBLIC LICENSE" in text
    dialog.list.setCurrentRow(1)
    assert "SIL OPEN FONT LICENSE" in dialog.text.toPlainText().upper()
    assert "LESSER" not in dialog.text.toPlainText()


def test_about_without_a_generated_list_says_where_it_is(tmp_path: Path, qtbot: QtBot) -> None:
    for path in (None, tmp_path / "tidak-ada.json", tmp_path / "rusak.json"):
        if path is not None and path.name == "rusak.json":
            path.write_text("[{", "utf-8")
        dialog = AboutDialog(None, path)
        qtbot.addWidget(dialog)
        assert dialog.list.count() == 0 and not dialog.list.isEnabled()
        assert "LISENSI-PIHAK-KETIGA.txt" in dialog.text.toPlainText()


def test_help_menu_opens_the_about_dialog(
    qtbot: QtBot, db: Database, ops: Ops, settings: Settings, qapp: QApplication
) -> None:
    window = MainWindow(ops, user_info(db, "operator"), settings)
    qtbot.addWidget(window)
    window.show()
    window.shortcut_actions["about"].trigger()
    dialogs = [w for w in qapp.topLevelWidgets() if isinstance(w, AboutDialog)]
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    assert dialogs[0].windowTitle() == "Tentang SiPelayanan"
    assert dialogs[0].version_labels["Qt"].text() == qVersion()
    dialogs[0].close()
