"""Every top-level window and dialog fits an office screen (issue 12.6): 1366×768 less a 40 px
taskbar, at 100 % and 125 % scaling (Qt then sees 1093×582), offscreen.

QT_SCALE_FACTOR needs a fresh QApplication, so each scale runs ``tests/ui/fit_probe.py`` in a
process of its own; it opens the login and first-start dialogs, the main window of each demo
role on every page it has (as it opens and maximised), a request window and the dialogs of the
Laporan/Bantuan menus, and reports where each window and button ended up. A window must lie
inside the available screen with room for its title bar; every button outside a scrolling
part of the window (a list, the berkas column) must be shown whole — no page of the main
window may push its buttons (Terima, Setujui, Keluar akun) below the screen.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREEN = {"name": "kantor", "x": 0, "y": 0, "width": 1366, "height": 768 - 40}
#: pages of other streams that do not fit yet (the report names them; issue 12.6 follow-up)
NOT_YET: dict[str, str] = {}


def problems(report: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for w in report:
        ax, ay, aw, ah = w["avail"]
        out = []
        if w["x"] < ax or w["y"] < ay or w["x"] + w["w"] > ax + aw or w["y"] + w["h"] > ay + ah:
            out.append(f"window at {w['x']},{w['y']} size {w['w']}x{w['h']} outside {aw}x{ah}")
        for b in w["buttons"]:
            if not b["nested_scroll"] and (b["shown_w"] < b["w"] or b["shown_h"] < b["h"]):
                out.append(
                    f"button {b['text']!r} shown {b['shown_w']}x{b['shown_h']} of {b['w']}x{b['h']}"
                )
        if out:
            found[w["name"]] = out
    return found


@pytest.mark.parametrize("scale", ["1.0", "1.25"])
def test_every_window_fits_1366x768(scale: str, tmp_path: Path) -> None:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{**SCREEN, "logicalDpi": 96, "dpr": 1}]}))
    out = tmp_path / "fit.json"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
        "QT_SCALE_FACTOR": scale,
        "QT_ENABLE_HIGHDPI_SCALING": "1",
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.ui.fit_probe", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    names = {w["name"] for w in report}
    # what was looked at: the windows every role opens
    assert {"login", "first_start", "case_window", "reports_dialog", "about"} <= names
    assert {"berkas_viewer", "print_preview"} <= names
    assert {"main:online:intake", "maximised:online:intake", "main:kasi:review"} <= names
    assert {"main:kasi:today", "main:operator:inbox", "main:aduan:pengaduan"} <= names
    expected_h = round(768 / float(scale)) - round(40 / float(scale))
    assert abs(report[0]["avail"][3] + round(32 / float(scale)) - expected_h) <= 1
    # the buttons the issue names are on screen
    intake = next(w for w in report if w["name"] == "maximised:online:intake")
    assert any(b["text"] == "Terima" and b["shown_h"] == b["h"] for b in intake["buttons"])
    header = next(w for w in report if w["name"] == "main:kasi:review")
    assert any(b["text"] == "Keluar akun" and b["shown_w"] == b["w"] for b in header["buttons"])
    # the work lists show every column, Status included, without scrolling sideways
    for w in report:
        if w["name"].endswith((":inbox", ":review", ":search")):
            assert w["tables_scrolling_sideways"] == [], w["name"]
    found = problems(report)
    elsewhere = {n: p for n, p in found.items() if n.split(":", 1)[-1] in NOT_YET}
    rest = {n: p for n, p in found.items() if n not in elsewhere}
    assert rest == {}, json.dumps(rest, indent=1)
