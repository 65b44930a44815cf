"""The rekap pengaduan as documents (PDF parsed back, xlsx read back) and from the command line,
against the core recap and independent counts; a confidential pelapor is named in no output."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from sipelayanan import cli
from sipelayanan.db import Database
from sipelayanan.models import Case, ComplaintDetail
from sipelayanan.reports import report
from sipelayanan.services import complaints as core
from sipelayanan.services.complaints import ComplaintAction, ComplaintFacts, NewComplaint
from sipelayanan.services.queries import case_view

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
D0, D1 = date(2026, 3, 1), date(2026, 3, 31)


def _complaint(
    db: Database, actors: dict[str, Any], at: datetime, nama: str, settle: int | None, **facts: Any
) -> str:
    with db.write() as s:
        code = core.register(
            s,
            actors["aduan"],
            NewComplaint(
                nama=nama,
                wa="0812-3456-7890",
                uraian="Data salah.",
                berkas_present=True,
                facts=ComplaintFacts(**facts),
            ),
            now=at,
        ).ref.code
    if settle is not None:
        for move, text, when in (
            ("next", "", at),
            ("close", "Sudah diperbaiki.", at + timedelta(days=settle)),
        ):
            with db.read() as s:
                v = case_view(s, code)
            with db.write() as s:
                core.act(
                    s,
                    actors["aduan"],
                    code,
                    ComplaintAction(move, text, expected_version=v.version),
                    now=when,
                )
    return code


def _build(db: Database, actors: dict[str, Any]) -> dict[str, str]:
    return {
        "a": _complaint(db, actors, T0, "Ani Terbuka", 2, channel="whatsapp", concerns="KK"),
        "b": _complaint(
            db,
            actors,
            T0 + timedelta(days=3),
            "Budi Rahasia",
            None,
            channel="lapor",
            lapor_number="LAP-77001",
            classification="aspirasi",
            rahasia=True,
        ),
        "c": _complaint(
            db, actors, T0 + timedelta(days=5), "Citra Surat", 75, channel="surat", concerns="KK"
        ),
        "d": _complaint(db, actors, T0 + timedelta(days=45), "Dedi April", 1),  # not in March
    }


def _pdf(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _sheet(data: bytes, name: str) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)]


def test_rekap_documents_equal_the_recap_and_independent_counts(
    db: Database, actors: dict[str, Any]
) -> None:
    codes = _build(db, actors)
    with db.write() as s:
        pdf = report(s, "pengaduan-rekap", D0, D1, fmt="pdf", actor=actors["kasi"], now=NOW)
        xlsx = report(s, "pengaduan-rekap", D0, D1, fmt="xlsx", actor=actors["kasi"], now=NOW)
        recap = core.recap(s, D0, D1, now=NOW)
        start = datetime(2026, 2, 28, 17, tzinfo=UTC)
        end = datetime(2026, 3, 31, 17, tzinfo=UTC)
        by_channel = dict(
            s.execute(
                select(ComplaintDetail.channel, func.count())
                .join(Case, Case.id == ComplaintDetail.case_id)
                .where(Case.received_at >= start, Case.received_at < end)
                .group_by(ComplaintDetail.channel)
            ).all()
        )
    assert by_channel == {"whatsapp": 1, "lapor": 1, "surat": 1}
    assert recap.total.received == 3 and recap.total.settled == 2
    assert recap.total.settled_in_limit == 1 and recap.total.open == 1

    text = _pdf(pdf)
    assert "REKAP PENGADUAN MASYARAKAT" in text and "60 hari" in text
    for name in ("Ani Terbuka", "Budi Rahasia", "Citra Surat", "0812"):
        assert name not in text  # no personal data in the recap
    assert "SP4N-LAPOR!" in text and "Aspirasi" in text and "Permintaan informasi" in text
    assert "> 60 hari" in text and "&gt;" not in text

    rows = _sheet(xlsx, "Saluran pengaduan")
    got = {r[0]: r[1] for r in rows if r and r[0] in core.CHANNELS.values()}
    assert got == {label: by_channel.get(key, 0) for key, label in core.CHANNELS.items()}
    total = next(r for r in rows if r and r[0] == "Jumlah")
    assert total[1:4] == (3, 2, 1)
    klas = {r[0]: r[1] for r in _sheet(xlsx, "Klasifikasi") if r and r[0] in core.CLASSES.values()}
    assert klas == {"Pengaduan": 2, "Aspirasi": 1, "Permintaan informasi": 0}
    sheet = _sheet(xlsx, "Layanan yang diadukan")
    layanan = {r[0]: r[1] for r in sheet if len(r) > 1 and isinstance(r[1], int) and r[1]}
    assert layanan == {core.concerns_label("KK"): 2, "Tidak disebut": 1, "Jumlah": 3}
    data = _sheet(xlsx, "Data")
    from sipelayanan.identity import show_code

    listed = {r[0] for r in data if r}
    assert {show_code(codes[k]) for k in "abc"} <= listed
    assert show_code(codes["d"]) not in listed  # received in April
    days = {r[7] for r in data if len(r) > 7 and isinstance(r[7], int)}
    assert days == {2, 75}
    flat = " ".join(str(c) for r in data for c in r if c is not None)
    for name in ("Ani Terbuka", "Budi Rahasia", "Citra Surat"):
        assert name not in flat


def test_register_never_names_a_confidential_pelapor(db: Database, actors: dict[str, Any]) -> None:
    _build(db, actors)
    with db.write() as s:
        pdf = report(s, "pengaduan", D0, D1, fmt="pdf", actor=actors["kasi"], now=NOW)
        xlsx = report(s, "pengaduan", D0, D1, fmt="xlsx", actor=actors["kasi"], now=NOW)
    text = _pdf(pdf)
    assert "Ani Terbuka" in text and "Citra Surat" in text  # the register names the pelapor
    assert "Budi Rahasia" not in text and "dirahasiakan" in text
    flat = " ".join(str(c) for r in _sheet(xlsx, "Register pengaduan") for c in r if c)
    assert "Ani Terbuka" in flat and "Budi Rahasia" not in flat


def test_command_line(
    db: Database,
    actors: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _build(db, actors)
    out = tmp_path / "rekap-pengaduan.xlsx"
    args = ["--db", db.url, "report", "pengaduan-rekap", "--dari", "2026-03-01"]
    rc = cli.main([*args, "--sampai", "2026-03-31", "-o", str(out)])
    assert rc == 0, capsys.readouterr()
    assert "Rekap Pengaduan" in capsys.readouterr().out
    total = next(r for r in _sheet(out.read_bytes(), "Klasifikasi") if r and r[0] == "Jumlah")
    assert total[1] == 3
    pdf = tmp_path / "rekap.pdf"
    assert cli.main([*args, "--sampai", "2026-06-30", "-o", str(pdf)]) == 0
    assert "4 pengaduan" in _pdf(pdf.read_bytes())
    assert cli.main([*args, "--sampai", "2026-02-01", "-o", str(pdf)]) == 2  # reversed period
