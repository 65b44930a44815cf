"""Penerimaan fills the kecamatan and KIA's age condition from the NIK typed (issue 12.12); the
clerk's own choice of kecamatan is kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sipelayanan.ui.context import UiContext
from sipelayanan.ui.intake import IntakePage


def _nik(kec: str, years_ago: int) -> str:
    born = date.today().replace(year=date.today().year - years_ago, day=1)
    return f"{kec}{born.day:02d}{born.month:02d}{born.year % 100:02d}0001"


@pytest.fixture
def page(qtbot: QtBot, ctx_for: Callable[..., UiContext]) -> IntakePage:
    p = IntakePage(ctx_for("online"), ask_files=lambda _parent: [])
    qtbot.addWidget(p)
    p.resize(1100, 760)
    p.show()
    p.refresh()
    return p


def _type_nik(qtbot: QtBot, page: IntakePage, nik: str) -> None:
    page.nik.edit.clear()
    qtbot.keyClicks(page.nik.edit, nik)


def test_kia_condition_and_kecamatan_follow_the_nik(qtbot: QtBot, page: IntakePage) -> None:
    page.set_service("KIA")
    older = page.checklist.condition_box("anak_lebih_5_tahun")
    photo = page.checklist.box("pas_foto_3x4")
    assert not older.isChecked() and not photo.isEnabled()
    _type_nik(qtbot, page, _nik("180805", 8))
    assert older.isChecked() and photo.isEnabled()
    assert "pas_foto_3x4" in [m.key for m in page.checklist.missing()]
    assert page.kecamatan.currentData() == "18.08.05"
    _type_nik(qtbot, page, _nik("180802", 2))
    assert not older.isChecked() and not photo.isEnabled()
    assert page.kecamatan.currentData() == "18.08.02"  # the NIK's own fill follows the NIK


def test_a_kecamatan_chosen_by_hand_is_kept(qtbot: QtBot, page: IntakePage) -> None:
    page.set_service("KK")
    page.kecamatan.setCurrentIndex(page.kecamatan.findData("18.08.10"))
    _type_nik(qtbot, page, _nik("180803", 30))
    assert page.kecamatan.currentData() == "18.08.10"
    page.kecamatan.setCurrentIndex(0)  # "(tidak diisi)": the NIK may fill it again
    qtbot.keyClick(page.nik.edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(page.nik.edit, "1")
    assert page.kecamatan.currentData() == "18.08.03"
    _type_nik(qtbot, page, _nik("317101", 30))  # outside the kabupaten: left as it is
    assert page.kecamatan.currentData() == "18.08.03"
