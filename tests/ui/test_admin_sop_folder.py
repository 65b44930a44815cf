"""Admin ▸ Folder SOP: a folder is checked before it is saved (a broken file named with its
line, nothing written), saved into this PC's machine settings, and reset to the shipped SOP."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sipelayanan.machine_config import machine_db_url, machine_sop_folder
from sipelayanan.sop import shipped_folder
from sipelayanan.ui.admin.sop_folder import SopFolderTab
from sipelayanan.ui.context import UiContext

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def tab(qtbot: QtBot, ctx_for: Callable[..., UiContext], tmp_path: Path) -> SopFolderTab:
    ini = tmp_path / "sipelayanan.ini"
    ini.write_text("[database]\nmode = sqlite\n", encoding="utf-8")
    chosen: list[str] = []
    t = SopFolderTab(
        ctx_for("admin"), config_path=ini, ask_folder=lambda _parent, _start: chosen.pop()
    )
    t.chosen = chosen  # type: ignore[attr-defined]
    qtbot.addWidget(t)
    t.show()
    return t


def _folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for toml in shipped_folder().glob("*.toml"):
        shutil.copy(toml, folder / toml.name)
    shutil.copy(DATA / "SURAT_UJI.toml", folder / "SURAT_UJI.toml")
    return folder


def test_check_save_and_reset(qtbot: QtBot, tab: SopFolderTab, tmp_path: Path) -> None:
    assert "bawaan aplikasi" in tab.current.text() and "KK" in tab.current.text()
    good = _folder(tmp_path, "revisi")
    tab.chosen.append(str(good))  # type: ignore[attr-defined]
    tab._choose()  # the "Pilih…" dialog answered, then checked at once
    assert tab.message.level == "success" and "8 layanan" in tab.message.text()
    assert "SURAT_UJI" in tab.message.text()
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert machine_sop_folder(tab.config_path) == str(good.resolve())
    assert machine_db_url(tab.config_path) is None  # the rest of the file kept
    assert "dibuka ulang" in tab.message.text()

    broken = _folder(tmp_path, "rusak")
    text = (broken / "SURAT_UJI.toml").read_text(encoding="utf-8")
    (broken / "SURAT_UJI.toml").write_text(text.replace('role = "kasi"', 'role = "lurah"'))
    line = text.splitlines().index('role = "kasi"') + 1
    tab.folder.setText(str(broken))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.level == "error"
    assert f"SURAT_UJI.toml:{line}:" in tab.message.text() and "lurah" in tab.message.text()
    assert machine_sop_folder(tab.config_path) == str(good.resolve())  # nothing saved

    only = tmp_path / "sebagian"
    only.mkdir()
    shutil.copy(shipped_folder() / "KK.toml", only / "KK.toml")
    tab.folder.setText(str(only))
    qtbot.mouseClick(tab.check_button, Qt.MouseButton.LeftButton)
    assert tab.message.level == "warning" and "PENGADUAN" in tab.message.text()

    qtbot.mouseClick(tab.reset_button, Qt.MouseButton.LeftButton)
    assert machine_sop_folder(tab.config_path) is None and tab.folder.text() == ""


def test_an_unwritable_setting_is_explained(
    qtbot: QtBot, ctx_for: Callable[..., UiContext], tmp_path: Path
) -> None:
    blocked = tmp_path / "ini-folder"
    blocked.mkdir()
    tab = SopFolderTab(ctx_for("admin"), config_path=blocked)  # a folder, not a file
    qtbot.addWidget(tab)
    tab.folder.setText(str(_folder(tmp_path, "ok")))
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    assert tab.message.level == "error" and "Traceback" not in tab.message.text()
