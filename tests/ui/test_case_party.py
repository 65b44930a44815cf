"""The request window names who brought the request as the clerk's office does: a complaint's
"pelapor", every other request's "pemohon" (issue 12.8), decided from the SOP's declared
properties (``sop.catalog.party_word``), in the forms a clerk acts with."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QGroupBox, QPushButton
from pytestqt.qtbot import QtBot

from sipelayanan.db import Database
from sipelayanan.sop import services
from sipelayanan.sop.catalog import complaint_codes, request_codes
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.settings import Settings

from .conftest import ROLE_USER, advance_to, new_case
from .test_click_round import WINDOWS, main_window, open_case


@pytest.fixture(autouse=True)
def _close_windows() -> Iterator[None]:
    yield
    for w in WINDOWS:
        with contextlib.suppress(RuntimeError):
            w.close()
    WINDOWS.clear()


def _words(window: Any) -> str:
    titles = [g.title() for g in window.findChildren(QGroupBox)]
    buttons = [b.text() for b in window.findChildren(QPushButton)]
    return " | ".join(titles + buttons).lower()


@pytest.mark.parametrize(
    ("pick", "party", "other"),
    [(complaint_codes, "pelapor", "pemohon"), (request_codes, "pemohon", "pelapor")],
)
def test_the_return_form_names_the_party(
    qtbot: QtBot,
    db: Database,
    ops: Ops,
    settings: Settings,
    actors: dict[str, Any],
    pick: Any,
    party: str,
    other: str,
) -> None:
    code_of_service = pick()[0]
    sdef = services()[code_of_service]
    step = next(s for s in sdef.steps if s.allows("return_pemohon"))
    code = new_case(db, actors, code_of_service)
    advance_to(db, actors, code, step.no)
    window = main_window(qtbot, ops, db, ROLE_USER[step.role], settings)
    case_window = open_case(qtbot, ops, window, code)
    words = _words(case_window)
    assert f"kembalikan ke {party}" in words
    assert other not in words
