"""The complaint flow runs from its SOP file alone (issue 11.2): the complaint SOP copied under
another code, its forms reworded, read from a temporary SOP folder (SIPELAYANAN_SOP_DIR) - the
complaint page registers, receives, escalates (the summary handed on, not retyped) and the
pejabat decides, with the words and rules of that file and no code change."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from sipelayanan.services import complaints as core
from sipelayanan.services.queries import case_view
from sipelayanan.sop import ENV_SOP_DIR, services, shipped_folder
from sipelayanan.ui.pengaduan import SCOPE_OPEN, PengaduanPage

from .support_b import UiKit

OTHER = "ADUAN_WARGA"


@pytest.fixture
def kit(db_url: str, tmp_path: Path, db, ops, settings, ctx_for, opened) -> UiKit:
    return UiKit(db_url, tmp_path, ops, settings, db, ctx_for, opened)


@pytest.fixture
def sop_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "sop"
    folder.mkdir()
    complaint = next(c for c, s in services().items() if s.is_complaint)
    for toml in shipped_folder().glob("*.toml"):
        if toml.stem != complaint:
            shutil.copy(toml, folder / toml.name)
    text = (shipped_folder() / f"{complaint}.toml").read_text(encoding="utf-8")
    text = text.replace(f'code = "{complaint}"', f'code = "{OTHER}"')
    text = text.replace('button = "Eskalasi ke pejabat"', 'button = "Naikkan ke pejabat"')
    text = text.replace('button = "Catat di buku register"', 'button = "Catat di buku aduan"')
    assert "Naikkan ke pejabat" in text and "Catat di buku aduan" in text
    (folder / f"{OTHER}.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(ENV_SOP_DIR, str(folder))
    services.cache_clear()
    yield folder
    monkeypatch.delenv(ENV_SOP_DIR)
    services.cache_clear()


def _page(kit: UiKit, qtbot, user: str) -> PengaduanPage:
    page = PengaduanPage(kit.ctx(user))
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    page.detail.message_composed.connect(qtbot.addWidget)
    return page


def _form(page: PengaduanPage, key: str):
    forms = {f.spec.key: f for f in page.detail.forms}
    assert key in forms, sorted(forms)
    return forms[key]


def _at(page: PengaduanPage, qtbot, code: str, step: int) -> None:
    qtbot.waitUntil(
        lambda: (
            page.detail.view is not None
            and page.detail.view.code == code
            and page.detail.view.current_step == step
            and not page.detail._busy
        ),
        timeout=10000,
    )


def test_the_complaint_flow_runs_from_its_sop_file(sop_dir: Path, kit: UiKit, qtbot) -> None:
    assert core.complaint_service().code == OTHER
    page = _page(kit, qtbot, "aduan")
    page.show_register()
    form = page.register
    form.compose.setChecked(False)
    qtbot.keyClicks(form.nama, "Warga Satu")
    qtbot.keyClicks(form.wa.edit, "0812-3456-7890")
    qtbot.keyClicks(form.uraian, "Jalan rusak menuju kantor kecamatan.")
    form.classification.setCurrentIndex(form.classification.findData("aspirasi"))
    form.present.setChecked(True)
    qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.detail.loaded is not None, timeout=10000)
    code = page.detail.code
    _at(page, qtbot, code, 2)  # received with the registration, as the file declares
    with kit.db.read() as s:
        assert case_view(s, code).service == OTHER
    register = _form(page, "register")
    assert register.button.text() == "Catat di buku aduan"  # the file's words
    qtbot.mouseClick(register.button, Qt.MouseButton.LeftButton)
    _at(page, qtbot, code, 3)
    escalate = _form(page, "escalate")
    assert escalate.button.text() == "Naikkan ke pejabat"
    qtbot.keyClicks(escalate.text, "Perlu keputusan dinas PU.")
    qtbot.mouseClick(escalate.button, Qt.MouseButton.LeftButton)
    _at(page, qtbot, code, 4)
    report = _form(page, "report")
    assert report.text.toPlainText() == "Perlu keputusan dinas PU."  # handed on, not retyped
    qtbot.mouseClick(report.button, Qt.MouseButton.LeftButton)
    _at(page, qtbot, code, 5)

    pejabat = _page(kit, qtbot, "pejabat")
    pejabat.scope.setCurrentIndex(pejabat.scope.findData(SCOPE_OPEN))
    qtbot.waitUntil(lambda: pejabat.model.row_of(code) >= 0, timeout=10000)
    pejabat.table.selectRow(pejabat.model.row_of(code))
    _at(pejabat, qtbot, code, 5)
    assert "Perlu keputusan dinas PU." in pejabat.detail.ringkasan.text()
    row = pejabat.model.rows[pejabat.model.row_of(code)]
    assert row.mine and row.classification == "aspirasi"
