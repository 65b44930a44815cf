"""Shared UI fixtures: settings in a temporary ini file, an ``Ops`` on the real test database
(SQLite file or PostgreSQL), and logged-in contexts for the demo users."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_USER_FOR_ROLE
from sipelayanan.services import cases as svc
from sipelayanan.services.users import UserInfo, get_user
from sipelayanan.sop import services
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.settings import Settings

ROLE_USER = DEMO_USER_FOR_ROLE  # who acts for each role
NIK = "1808015708900003"  # woman born 17-08-1990, Kec. Blambangan Umpu
NO_KK = "1808011203150004"
WA = "0812-3456-7890"


@pytest.fixture
def settings(tmp_path: Path, qapp: QApplication) -> Settings:
    return Settings(QSettings(str(tmp_path / "sipelayanan.ini"), QSettings.Format.IniFormat))


def make_ops(url: str) -> Ops:
    return Ops(url, poll_ms=0)  # tests trigger change checks themselves


@pytest.fixture
def ops(db_url: str, qapp: QApplication) -> Iterator[Ops]:
    o = make_ops(db_url)
    yield o
    o.shutdown()


@pytest.fixture
def second_ops(db_url: str, qapp: QApplication) -> Iterator[Ops]:
    """Another PC on the same database."""
    o = make_ops(db_url)
    yield o
    o.shutdown()


def user_info(db: Database, username: str) -> UserInfo:
    with db.read() as session:
        return get_user(session, username)


@dataclass
class Opened:
    codes: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)


@pytest.fixture
def opened() -> Opened:
    return Opened()


@pytest.fixture
def ctx_for(db: Database, ops: Ops, settings: Settings, opened: Opened) -> Callable[..., UiContext]:
    """``ctx_for("kasi")``: a UiContext logged in as that demo user."""

    def make(username: str, *, on_ops: Ops | None = None) -> UiContext:
        return UiContext(
            ops=on_ops or ops,
            user=user_info(db, username),
            settings=settings,
            open_case=opened.codes.append,
            show_status=opened.status.append,
        )

    return make


def new_case(
    db: Database,
    actors: dict[str, Any],
    service: str = "KK",
    *,
    nama: str = "Siti Aminah",
    now: datetime | None = None,
    **kw: Any,
) -> str:
    """A request recorded through the service layer (test set-up, not what is tested)."""
    sdef = services()[service]
    data = svc.IntakeData(service=service, nama=nama, nik=NIK, wa=WA, kecamatan="18.08.01", **kw)
    with db.write() as s:
        return svc.intake(s, actors[ROLE_USER[sdef.step(1).role]], data, now=now).code


def advance_to(db: Database, actors: dict[str, Any], code: str, step: int) -> None:
    """Carry a request forward through the service layer until it stands at ``step``."""
    while True:
        with db.write() as s:
            case = svc.load_case(s, code)
            if case.current_step >= step:
                return
            sdef = svc.definition_for(s, case)
            st = sdef.step(case.current_step)
            kw: dict[str, str] = {}
            if "nomor_dokumen" in st.records:
                kw["nomor_dokumen"] = "1808-0000001"
            if "penyerahan" in st.records:
                kw["resi"] = "P000000001"
            svc.advance(s, actors[ROLE_USER[st.role]], code, **kw)


def png_bytes(
    width: int = 40, height: int = 30, rgb: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A real PNG file (no Qt needed to make it)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(text: str = "Formulir F-1.02") -> bytes:
    """A one-page PDF made with ReportLab (a project dependency)."""
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buf = BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("Helvetica", 28)
    c.drawString(72, 720, text)
    c.rect(72, 400, 300, 200, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()
