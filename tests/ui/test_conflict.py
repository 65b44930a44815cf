"""Two clerks on two PCs have the same request open; the second to act gets a clear message that
someone else already moved it, nothing of theirs is saved, and the window reloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.services.queries import case_view
from sipelayanan.services.users import create_user
from sipelayanan.ui.case import CaseWindow
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.ops import Ops

from .conftest import advance_to, new_case


@pytest.fixture
def second_kasi(db: Database, actors: dict[str, Any]) -> str:
    with db.write() as s:
        create_user(
            s,
            username="kasi2",
            full_name="Rahmat Hidayat",
            password="rahasia123",
            roles=["kasi"],
            actor=actors["admin"],
        )
    return "kasi2"


@pytest.fixture
def windows() -> Iterator[list[CaseWindow]]:
    opened: list[CaseWindow] = []
    yield opened
    for w in opened:
        w.close()


def _open(qtbot: QtBot, ctx: UiContext, code: str, windows: list[CaseWindow]) -> CaseWindow:
    window = CaseWindow(ctx, code)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    windows.append(window)
    window.show()
    qtbot.waitUntil(lambda: window.view is not None, timeout=10000)
    # opening may write (the access record) and so trigger a change check and a reload: let
    # it finish, so a later "loaded" is the answer to the click, not to the opening
    for _ in range(3):
        qtbot.waitUntil(lambda: not ctx.ops.busy, timeout=10000)
        qtbot.wait(100)
    return window


def _button(window: CaseWindow, key: str) -> QPushButton:
    b = window.findChild(QPushButton, f"btn:{key}")
    assert b is not None
    return b


def test_second_clerk_is_told_and_the_window_reloads(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    second_ops: Ops,
    second_kasi: str,
    ctx_for: Callable[..., UiContext],
    windows: list[CaseWindow],
) -> None:
    code = new_case(db, actors, "KK")
    advance_to(db, actors, code, 3)
    first = _open(qtbot, ctx_for("kasi"), code, windows)
    second = _open(qtbot, ctx_for(second_kasi, on_ops=second_ops), code, windows)
    assert "advance" in first.forms and "advance" in second.forms

    # the first Kasi approves
    with qtbot.waitSignal(first.acted, timeout=10000):
        qtbot.mouseClick(_button(first, "advance"), Qt.MouseButton.LeftButton)

    # the second, on another PC whose window still shows step 3, writes a koreksi and returns
    qtbot.keyClicks(second.back_reason, "NIK anak ketiga tertukar")
    with qtbot.waitSignal(second.loaded, timeout=10000):
        qtbot.mouseClick(_button(second, "back"), Qt.MouseButton.LeftButton)
    assert second.message.level == "warning"
    assert "baru saja diubah oleh petugas lain" in second.message.text()
    assert "langkah 4" in second.message.text()
    # reloaded: now at Kabid's step, no action left for a Kasi
    assert second.view is not None and second.view.current_step == 4
    assert "advance" not in second.forms and "back" not in second.forms
    with db.read() as s:
        view = case_view(s, code)
    assert view.current_step == 4
    assert [h.username for h in view.history][-1] == "kasi"
    assert all(h.note != "NIK anak ketiga tertukar" for h in view.history)


def test_stale_approval_is_refused_too(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    second_ops: Ops,
    second_kasi: str,
    ctx_for: Callable[..., UiContext],
    windows: list[CaseWindow],
) -> None:
    code = new_case(db, actors, "KIA")
    advance_to(db, actors, code, 3)
    first = _open(qtbot, ctx_for("kasi"), code, windows)
    second = _open(qtbot, ctx_for(second_kasi, on_ops=second_ops), code, windows)
    qtbot.keyClicks(first.back_reason, "Foto akta kelahiran terpotong")
    with qtbot.waitSignal(first.acted, timeout=10000):
        qtbot.mouseClick(_button(first, "back"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(second.loaded, timeout=10000):
        qtbot.mouseClick(_button(second, "advance"), Qt.MouseButton.LeftButton)
    assert "baru saja diubah oleh petugas lain" in second.message.text()
    assert second.view is not None and second.view.current_step == 2
    with db.read() as s:
        assert case_view(s, code).current_step == 2
