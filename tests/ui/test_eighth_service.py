"""Issue 11.2's proof in the windows: a made-up eighth service (tests/data/SURAT_UJI.toml, with a
decision step and its back move, a register step and a notify step) read from a temporary SOP
folder through SIPELAYANAN_SOP_DIR, received in Penerimaan, carried step by step in the request
window by each step's role, and collected from "Siap diambil" - with no code change."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USER_FOR_ROLE
from sipelayanan.models import CaseStatus
from sipelayanan.services.queries import case_view
from sipelayanan.sop import ENV_SOP_DIR, services, shipped_folder
from sipelayanan.ui.case import CaseWindow
from sipelayanan.ui.collection import CollectionPage
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.inbox import InboxPage
from sipelayanan.ui.intake import IntakePage

from .conftest import NIK, WA

DATA = Path(__file__).resolve().parents[1] / "data"
EIGHTH = "SURAT_UJI"
WINDOWS: list[QWidget] = []


@pytest.fixture
def sop_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "sop"
    folder.mkdir()
    for toml in shipped_folder().glob("*.toml"):
        shutil.copy(toml, folder / toml.name)
    shutil.copy(DATA / f"{EIGHTH}.toml", folder / f"{EIGHTH}.toml")
    monkeypatch.setenv(ENV_SOP_DIR, str(folder))
    services.cache_clear()
    yield folder
    for w in WINDOWS:
        with contextlib.suppress(RuntimeError):
            w.close()
    WINDOWS.clear()
    monkeypatch.delenv(ENV_SOP_DIR)
    services.cache_clear()


def _window(qtbot: QtBot, ctx: UiContext, code: str) -> CaseWindow:
    window = CaseWindow(ctx, code)
    WINDOWS.append(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None, timeout=10000)
    return window


def _act(qtbot: QtBot, window: CaseWindow, key: str) -> None:
    button = window.findChild(QPushButton, f"btn:{key}")
    assert button is not None, f"no {key} action; forms: {list(window.forms)}"
    with qtbot.waitSignal(window.acted, timeout=10000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window._signature is not None, timeout=10000)


def test_eighth_service_from_intake_to_collection(
    sop_dir: Path, qtbot: QtBot, db: Database, ctx_for: Callable[..., UiContext]
) -> None:
    sdef = services()[EIGHTH]
    user = DEMO_USER_FOR_ROLE
    intake = IntakePage(ctx_for(user[sdef.steps[0].role]))
    WINDOWS.append(intake)
    intake.show()
    assert intake.service.findData(EIGHTH) >= 0  # listed by Penerimaan
    intake.set_service(EIGHTH)
    # the checklist is the file's: one alternative group, a conditional and an optional item
    assert [m.key for m in intake.checklist.missing()] == ["formulir_uji", "identitas"]
    assert not intake.checklist.box("surat_kuasa").isEnabled()
    qtbot.keyClicks(intake.nama, "Budi Hartono")
    qtbot.keyClicks(intake.nik.edit, NIK)
    qtbot.keyClicks(intake.wa.edit, WA)
    for key in ("formulir_uji", "surat_kehilangan_ktp"):
        qtbot.keyClick(intake.checklist.box(key), Qt.Key.Key_Space)
    assert intake.checklist.missing() == []  # the optional photo is never missing
    with qtbot.waitSignal(intake.created, timeout=10000) as got:
        qtbot.mouseClick(intake.accept_button, Qt.MouseButton.LeftButton)
    code = got.args[0]

    # the inbox of the next step's role lists it under the service's own filter
    second = sdef.steps[1]
    inbox = InboxPage(ctx_for(user[second.role]))
    WINDOWS.append(inbox)
    inbox.show()
    assert EIGHTH in inbox.filter_buttons

    decision = next(s for s in sdef.steps if s.decision)
    went_back = False
    for _ in range(12):
        with db.read() as s:
            view = case_view(s, code)
        if view.status != CaseStatus.PROSES:
            break
        step = sdef.step(view.current_step)
        w = _window(qtbot, ctx_for(user[step.role]), code)
        if step is decision and not went_back:
            assert w.back_target.itemData(0) == decision.back_targets()[0]
            qtbot.keyClicks(w.back_reason, "Ejaan nama salah")
            _act(qtbot, w, "back")
            went_back = True
        else:
            if "nomor_dokumen" in step.records and w.doc_edit is not None and not view.documents:
                qtbot.keyClicks(w.doc_edit, "UJI-0001")
            _act(qtbot, w, "advance")
        w.close()

    assert went_back
    with db.read() as s:
        view = case_view(s, code)
    assert view.status == CaseStatus.SELESAI
    assert view.register_number is not None and f"/{EIGHTH}/" in view.register_number
    assert view.documents == (("Surat Keterangan Uji", "UJI-0001"),)
    notify = next(s for s in sdef.steps if s.notifies)

    page = CollectionPage(ctx_for(user[notify.role]))
    WINDOWS.append(page)
    page.show()
    qtbot.waitUntil(lambda: code in page.codes(), timeout=10000)
    assert page.select(code)
    qtbot.keyClicks(page.penerima_edit, "Budi Hartono")
    with qtbot.waitSignal(page.recorded, timeout=10000):
        qtbot.mouseClick(page.record_button, Qt.MouseButton.LeftButton)
    with db.read() as s:
        view = case_view(s, code)
    assert view.delivery is not None and view.delivery["recipient"] == "Budi Hartono"
    assert [h.step_no for h in view.history if h.action == "kembali"] == [decision.no]
