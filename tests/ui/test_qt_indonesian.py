"""Qt's own texts (standard buttons, context menus) and date/number formats in Bahasa Indonesia,
as ``setup_application`` installs them (sipelayanan/ui/qt_locale.py)."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import QDate, QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDialogButtonBox,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
)
from pytestqt.qtbot import QtBot

from sipelayanan.ui.qt_locale import install_indonesian

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "qtbase_id.ts"
QM = TS.with_suffix(".qm")


@pytest.fixture
def indonesian(qapp: QApplication) -> Iterator[None]:
    before = QLocale()
    translators = install_indonesian(qapp)
    assert translators, "no Qt catalogue installed"
    yield
    for translator in translators:
        qapp.removeTranslator(translator)
    QLocale.setDefault(before)


def plain(text: str) -> str:
    """A menu or button text without its accelerator marker and shortcut column."""
    return text.split("\t")[0].replace("&", "")


def menu_texts(menu: QMenu) -> list[str]:
    return [plain(a.text()) for a in menu.actions() if not a.isSeparator()]


def test_message_box_standard_buttons_speak_indonesian(indonesian: None, qtbot: QtBot) -> None:
    box = QMessageBox()
    qtbot.addWidget(box)
    yes, no, cancel = (
        QMessageBox.StandardButton.Yes,
        QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Cancel,
    )
    box.setStandardButtons(yes | no | cancel)
    assert [plain(box.button(b).text()) for b in (yes, no, cancel)] == ["Ya", "Tidak", "Batal"]

    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save
        | QDialogButtonBox.StandardButton.Close
        | QDialogButtonBox.StandardButton.Open
    )
    qtbot.addWidget(buttons)
    texts = {plain(b.text()) for b in buttons.buttons()}
    assert texts == {"Simpan", "Tutup", "Buka"}


def test_dates_and_numbers_read_indonesian_on_any_system_locale(
    indonesian: None, qtbot: QtBot
) -> None:
    locale = QLocale()
    assert locale.language() == QLocale.Language.Indonesian
    assert locale.toString(QDate(2026, 8, 17), "dddd, d MMMM yyyy") == "Senin, 17 Agustus 2026"
    assert locale.toString(1234567.5, "f", 1) == "1.234.567,5"
    picker = QDateEdit(QDate(2026, 12, 1))
    qtbot.addWidget(picker)
    picker.setDisplayFormat("d MMMM yyyy")
    assert picker.text() == "1 Desember 2026"


def test_text_field_context_menus_speak_indonesian(indonesian: None, qtbot: QtBot) -> None:
    line = QLineEdit("1808011203850001")
    qtbot.addWidget(line)
    line.selectAll()
    menu = line.createStandardContextMenu()
    assert menu is not None
    texts = menu_texts(menu)
    for expected in ("Urungkan", "Ulangi", "Potong", "Salin", "Tempel", "Hapus", "Pilih Semua"):
        assert expected in texts, texts
    assert not {"Undo", "Copy", "Paste", "Select All"} & set(texts)

    note = QPlainTextEdit("catatan")
    qtbot.addWidget(note)
    texts = menu_texts(note.createStandardContextMenu())
    assert {"Salin", "Tempel", "Pilih Semua"} <= set(texts), texts


def _messages() -> list[tuple[str, str, str]]:
    out = []
    for context in ET.parse(TS).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            out.append((name, message.findtext("source") or "", message.findtext("translation")))
    return out


def test_catalogue_sources_are_qts_own_strings() -> None:
    # A typo in a source text would silently leave that text English: every (context, source)
    # must be one Qt really asks for - checked against the German catalogue the wheel ships.
    reference = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    assert reference.load("qtbase_de", folder), folder
    messages = _messages()
    assert len(messages) > 100
    unknown = [(c, s) for c, s, _ in messages if not reference.translate(c, s)]
    assert not unknown
    for context, source, translation in messages:
        assert translation, (context, source)
        assert translation.count("%1") == source.count("%1"), (context, source)
        assert translation.count("&") <= 1, (context, source)


def test_compiled_catalogue_matches_its_source(tmp_path: Path) -> None:
    exe = Path(PySide6.__file__).parent / (
        "lrelease.exe" if sys.platform == "win32" else "lrelease"
    )
    out = tmp_path / "qtbase_id.qm"
    subprocess.run([str(exe), "-silent", str(TS), "-qm", str(out)], check=True, timeout=60)
    assert out.read_bytes() == QM.read_bytes(), (
        "resources/translations/qtbase_id.qm is stale: run "
        ".venv/bin/pyside6-lrelease resources/translations/qtbase_id.ts"
    )
