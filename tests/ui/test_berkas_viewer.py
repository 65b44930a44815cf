"""The berkas viewer (issue 12.11): double-clicking a thumbnail opens that file; zoom, fit,
rotate, previous/next, a PDF's pages; a stored file's opening is recorded (services.access);
"Buka di aplikasi lain" hands a private temporary copy to the system viewer."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from sipelayanan.db import Database
from sipelayanan.models import AuditEntry
from sipelayanan.services.berkas import BerkasFile
from sipelayanan.services.queries import attachment_content, case_view
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.widgets import berkas_viewer
from sipelayanan.ui.widgets.berkas import BerkasEntry, BerkasStrip
from sipelayanan.ui.widgets.berkas_viewer import BerkasViewer

from .conftest import new_case, png_bytes


def two_page_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = BytesIO()
    c = canvas.Canvas(buf)
    for text in ("Halaman satu", "Halaman dua"):
        c.drawString(72, 720, text)
        c.showPage()
    c.save()
    return buf.getvalue()


class Host(QWidget):
    """A window with a UiContext, as the request window and the pages are."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.strip = BerkasStrip(parent=self)
        QVBoxLayout(self).addWidget(self.strip)


def _views(db: Database) -> list[dict[str, Any]]:
    with db.read() as s:
        rows = s.execute(
            select(AuditEntry.entity_id, AuditEntry.username, AuditEntry.detail).where(
                AuditEntry.action == "data.view"
            )
        ).all()
    return [{"code": r[0], "user": r[1], **json.loads(r[2])} for r in rows]


@pytest.fixture(autouse=True)
def _own_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(berkas_viewer, "TEMP_ROOT", tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(berkas_viewer, "_temp_dir", None)


def test_double_click_opens_the_file_recorded_with_zoom_rotate_pages(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
    tmp_path: Path,
) -> None:
    photo = png_bytes(400, 300, (20, 120, 200))  # a landscape "photo"
    code = new_case(
        db,
        actors,
        berkas=[BerkasFile("ktp.png", photo), BerkasFile("kk.pdf", two_page_pdf())],
    )
    with db.read() as s:
        atts = case_view(s, code).attachments
        contents = [attachment_content(s, a.id) for a in atts]
    host = Host(ctx_for("kasi"))
    qtbot.addWidget(host)
    host.resize(600, 300)
    host.show()
    for att, (name, mime, content) in zip(atts, contents, strict=True):
        host.strip.add_entry(BerkasEntry(att.id, name, mime, att.size, content=content))
    before = len(_views(db))

    at = host.strip.visualItemRect(host.strip.item(0)).center()
    # a real double-click: press, release, then the double-click event
    qtbot.mouseClick(host.strip.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(host.strip.viewport(), Qt.MouseButton.LeftButton, pos=at)
    viewer = host.strip.last_viewer
    assert isinstance(viewer, BerkasViewer)
    qtbot.waitUntil(lambda: not viewer.image.isNull(), timeout=10000)
    assert viewer.name.text() == "ktp.png" and viewer.position.text() == "1/2"
    # the opening is recorded: who, which request, which file
    views = _views(db)[before:]
    assert [(v["code"], v["user"], v["item"], v["berkas"]) for v in views] == [
        (code, "kasi", "berkas", atts[0].id)
    ]
    # fit: the whole picture inside the window
    viewport = viewer.canvas.viewport().size()
    w, h = viewer.shown_size()
    assert viewer.fit and 0 < w <= viewport.width() and 0 < h <= viewport.height()
    # zoom in and out by keyboard; 0 is the picture's own size
    qtbot.keyClick(viewer, Qt.Key.Key_0)
    assert viewer.shown_size() == (400, 300) and viewer.zoom_label.text() == "100 %"
    qtbot.keyClick(viewer, Qt.Key.Key_Plus)
    assert viewer.shown_size() == (500, 375)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus)
    assert viewer.shown_size() == (300, 225)
    # rotate: a landscape photo becomes portrait; Shift+R turns it back
    qtbot.keyClick(viewer, Qt.Key.Key_R)
    assert viewer.rotation == 90 and viewer.shown_size() == (225, 300)
    qtbot.keyClick(viewer, Qt.Key.Key_R, Qt.KeyboardModifier.ShiftModifier)
    assert viewer.rotation == 0 and viewer.shown_size() == (300, 225)
    qtbot.keyClick(viewer, Qt.Key.Key_F)
    assert viewer.fit
    # next file: the PDF, page by page
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: viewer.pages == 2 and not viewer.image.isNull(), timeout=10000)
    assert viewer.name.text() == "kk.pdf" and viewer.page_label.text() == "hal. 1/2"
    assert viewer.page_label.isVisible() and not viewer.next_file.isEnabled()
    first = viewer.image
    qtbot.keyClick(viewer, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: viewer.page == 1 and viewer.image is not first, timeout=10000)
    assert viewer.page_label.text() == "hal. 2/2"
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: viewer.name.text() == "ktp.png" and not viewer.image.isNull())
    assert [v["berkas"] for v in _views(db)[before:]] == [atts[0].id, atts[1].id, atts[0].id]

    # the system viewer gets a private copy, removed when the app ends
    opened: list[QUrl] = []
    viewer.opener = lambda url: opened.append(url) or True
    viewer.external.click()
    path = Path(opened[0].toLocalFile())
    assert path.name == "ktp.png" and path.read_bytes() == photo
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert str(path).startswith(str(tmp_path / "tmp"))
    berkas_viewer.remove_temp_dir()
    assert not path.exists()
    viewer.close()


def test_a_file_not_stored_yet_is_shown_without_a_record(
    qtbot: QtBot, db: Database, ctx_for: Callable[..., UiContext]
) -> None:
    host = Host(ctx_for("online"))
    qtbot.addWidget(host)
    host.show()
    content = png_bytes(30, 60)
    host.strip.add_entry(
        BerkasEntry("sha256-of-file", "foto.png", "image/png", 99, content=content)
    )
    host.strip.setCurrentRow(0)
    host.strip.setFocus()
    qtbot.keyClick(host.strip, Qt.Key.Key_Return)  # Enter opens it too
    viewer = host.strip.last_viewer
    assert isinstance(viewer, BerkasViewer)
    qtbot.waitUntil(lambda: not viewer.image.isNull(), timeout=10000)
    assert (viewer.image.width(), viewer.image.height()) == (30, 60)
    assert _views(db) == []
    viewer.close()


def test_stale_temporary_folders_of_earlier_runs_are_removed(tmp_path: Path) -> None:
    old = tmp_path / "tmp" / f"{berkas_viewer.TEMP_PREFIX}123-abc"
    old.mkdir()
    (old / "ktp.png").write_bytes(b"x")
    fresh = tmp_path / "tmp" / f"{berkas_viewer.TEMP_PREFIX}456-def"
    fresh.mkdir()
    now = old.stat().st_mtime + berkas_viewer.STALE_SECONDS + 60
    os.utime(fresh, (now, now))
    assert berkas_viewer.remove_stale_temp_dirs(now=now) == 1
    assert not old.exists() and fresh.exists()


def test_a_purged_file_says_why_it_is_empty(
    qtbot: QtBot,
    db: Database,
    actors: dict[str, Any],
    ctx_for: Callable[..., UiContext],
) -> None:
    """A berkas whose content the retention schedule removed opens with the reason, not as a
    blank or unreadable picture (issue 17.3)."""
    from datetime import UTC, datetime, timedelta

    from sipelayanan.services import cases as svc
    from sipelayanan.services import retention

    old = datetime(2019, 3, 4, 2, tzinfo=UTC)
    photo = png_bytes(400, 300, (20, 120, 200))
    code = new_case(db, actors, now=old, berkas=[BerkasFile("ktp.png", photo)])
    with db.write() as s:
        svc.cancel(s, actors["kasi"], code, reason="Pemohon pindah", now=old + timedelta(hours=1))
        retention.save_schedule(s, actors["admin"], retention.Schedule({"KK": 1}))
    with db.write() as s:
        assert retention.purge(s, actors["admin"]).files == 1
    with db.read() as s:
        att = case_view(s, code).attachments[0]
    host = Host(ctx_for("kasi"))
    qtbot.addWidget(host)
    host.resize(600, 300)
    host.show()
    host.strip.add_entry(BerkasEntry(att.id, "ktp.png", "image/png", att.size))
    at = host.strip.visualItemRect(host.strip.item(0)).center()
    qtbot.mouseClick(host.strip.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(host.strip.viewport(), Qt.MouseButton.LeftButton, pos=at)
    viewer = host.strip.last_viewer
    assert isinstance(viewer, BerkasViewer)
    qtbot.waitUntil(lambda: viewer.canvas.label.text() == berkas_viewer.PURGED_TEXT, timeout=10000)
    assert viewer.image.isNull()
