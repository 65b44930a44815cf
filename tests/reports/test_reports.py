"""Every report kind rendered for real and read back: PDF text through pypdf, workbooks through
openpyxl; register numbers and rekap counts against the database; the SOP chart against the SOP
definitions; the audit entries; bad input; the command line."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import insert, select

from sipelayanan import cli
from sipelayanan.db import Database
from sipelayanan.errors import InputError
from sipelayanan.identity import TRACKING_ALPHABET
from sipelayanan.models import AuditEntry, Case, RegisterEntry
from sipelayanan.reports import REPORT_FORMATS, REPORT_KINDS, REPORT_LABELS, report
from sipelayanan.reports.data import rekap_data
from sipelayanan.reports.sopchart import notes
from sipelayanan.services.cases import snapshot_for
from sipelayanan.services.register import format_number
from sipelayanan.sop import services
from tests.reports.test_reports_data import (
    NOVEMBER,
    _between,
    build_november,
    db_counts,
    intake,
    run,
    wib,
)

D0, D1 = NOVEMBER.date_from, NOVEMBER.date_to
EMPTY = (date(2025, 1, 1), date(2025, 1, 31))
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09.00 WIB
OFFICE = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Way Kanan"


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def sheet_rows(data: bytes, sheet: str | None = None) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def render(db: Database, kind: str, d0: date, d1: date, **kw: Any) -> bytes:
    with db.write() as s:
        return report(s, kind, d0, d1, now=NOW, **kw)


def test_public_constants() -> None:
    assert REPORT_KINDS[:5] == ("register", "rekap", "kinerja", "pengaduan", "sop")
    assert {"standar", "poster", "maklumat"} <= set(REPORT_KINDS)  # tests/reports/test_standar.py
    assert set(REPORT_FORMATS) == set(REPORT_LABELS) == set(REPORT_KINDS)
    assert REPORT_FORMATS["sop"] == ("pdf",)
    assert all("pdf" in f for f in REPORT_FORMATS.values())


def test_every_kind_renders_for_an_empty_and_a_full_period(
    db: Database, actors: dict[str, Any]
) -> None:
    story = build_november(db, actors)
    rendered = 0
    for kind in REPORT_KINDS:
        for fmt in REPORT_FORMATS[kind]:
            for d0, d1 in (EMPTY, (D0, D1)):
                data = render(db, kind, d0, d1, fmt=fmt, actor=actors["kasi"])
                rendered += 1
                if fmt == "pdf":
                    text, pages = pdf_text(data)
                    assert pages >= 1
                    assert "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL" in text
                    assert "Halaman 1 dari" in text
                else:
                    rows = sheet_rows(data)
                    assert rows[0][0] == OFFICE
    # one audit entry per document, with the kind and period and nothing personal
    with db.read() as s:
        entries = s.execute(
            select(AuditEntry.action, AuditEntry.detail, AuditEntry.username).where(
                AuditEntry.action.like("report.%")
            )
        ).all()
    assert len(entries) == rendered
    details = [json.loads(e[1]) for e in entries]
    assert {e[0] for e in entries} == {f"report.{k}" for k in REPORT_KINDS}
    assert all(e[2] == "kasi" for e in entries)
    assert {"from": "2026-11-01", "to": "2026-11-30"}.items() <= details[1].items()
    everything = " ".join(e[1] for e in entries)
    for name in ("Ahmad Fauzi", "Siti Aminah", "Budi Pelapor", "1808015708900003"):
        assert name not in everything
    assert story.codes["A"] not in everything


def test_rekap_and_register_documents_match_the_database(
    db: Database, actors: dict[str, Any]
) -> None:
    story = build_november(db, actors)
    with db.read() as s:
        expected = db_counts(s, NOVEMBER)
    book = render(db, "rekap", D0, D1, fmt="xlsx")
    rows = sheet_rows(book, "Per layanan")
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Layanan")
    labels = {sdef.short_name: code for code, sdef in services().items()}
    seen = set()
    for row in rows[header + 1 :]:
        if not row:
            continue
        if row[0] in labels:
            code = labels[row[0]]
            seen.add(code)
            assert row[1] == expected["diterima"].get(code, 0)
            assert row[2] == expected["selesai"].get(code, 0)
            assert row[3] == expected["tepat_waktu"].get(code, 0)
            assert row[5] == expected["dikembalikan"].get(code, 0)
            assert row[6] == expected["dibatalkan"].get(code, 0)
            assert row[7] == expected["dalam_proses"].get(code, 0)
        elif row[0] == "Jumlah":
            assert row[1] == sum(expected["diterima"].values()) == 9
            assert row[2] == sum(expected["selesai"].values()) == 8
    assert seen == set(services())
    per_day = sheet_rows(book, "Per hari")
    day17 = next(r for r in per_day if r and isinstance(r[0], datetime) and r[0].day == 17)
    assert day17[1:3] == ("Selasa", 2)

    text = flat(pdf_text(render(db, "rekap", D0, D1))[0])
    # the total row of section A: received, finished, on time, share, returned, cancelled,
    # open, open past the due time; E (SKPWNI, open since 20 November) is late though not
    # finished, so the share is 7 of 8 + 1
    assert "Jumlah 9 8 7 77,8% 1 1 1 1" in text
    assert "KK Baru 3 4 3 75,0% 0 0 0 0" in text
    assert "SKPWNI 1 0 0 0,0% 0 0 1 1" in text
    assert "Periode 1–30 November 2026" in text
    assert "Selasa, 17 November 2026 2 2 0" in text  # A and B came in and finished that day
    assert "NIP." in text and "Blambangan Umpu, 1 Desember 2026" in text

    with db.read() as s:
        one = rekap_data(s, NOVEMBER, "KTP_EL")
    assert one.services == ("KTP_EL",)
    assert (one.per_service["KTP_EL"].diterima, one.per_service["KTP_EL"].selesai) == (1, 1)

    # the register printed for the same month
    with db.read() as s:
        entries = s.execute(
            select(RegisterEntry.service, RegisterEntry.year, RegisterEntry.number, Case.code)
            .join(Case, Case.id == RegisterEntry.case_id)
            .where(_between(RegisterEntry.assigned_at, NOVEMBER))
        ).all()
    expected = sorted(format_number(e[0], e[1], e[2]) for e in entries)
    text, _pages = pdf_text(render(db, "register", D0, D1))
    printed = re.findall(r"\b\d{5}/[A-Z_]+/\d{4}\b", text)
    assert sorted(printed) == expected and len(printed) == 8
    flat_text = flat(text)
    a_code = story.codes["A"]
    assert f"{a_code[:4]}-{a_code[4:]}" in flat_text
    assert "Ahmad Fauzi" in flat_text and "1808-0001234" in flat_text
    assert "PT POS resi P2211000123" in flat_text
    assert "Buku Agenda KK — KK Baru (4 entri)" in flat_text

    kk_only, _ = pdf_text(render(db, "register", D0, D1, service="KK"))
    assert re.findall(r"\b\d{5}/[A-Z_]+/\d{4}\b", kk_only) == [
        f"0000{i}/KK/2026" for i in (1, 2, 3, 4)
    ]
    assert "BUKU AGENDA KK" in kk_only

    rows = sheet_rows(render(db, "register", D0, D1, fmt="xlsx"), "KK")
    assert [r[0] for r in rows if r and r[0] and str(r[0]).endswith("/KK/2026")] == [
        f"0000{i}/KK/2026" for i in (1, 2, 3, 4)
    ]


def _bulk_register(db: Database, actors: dict[str, Any], n: int) -> None:
    """``n`` KK requests with register entries, inserted in bulk (names of varying length)."""
    sdef = services()["KK"]
    at = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    uid = actors["operator"].user_id
    with db.write() as s:
        snap = snapshot_for(s, sdef, at).id
        cases = []
        for i in range(n):
            name = f"Pemohon {i:03d} " + ("Panjang Sekali Namanya " * (i % 4))
            cases.append(
                {
                    "code": "".join(TRACKING_ALPHABET[int(c)] for c in f"{i:09d}"),
                    "service": "KK",
                    "sop_snapshot_id": snap,
                    "sop_version": sdef.version,
                    "pemohon_nama": name.strip(),
                    "name_key": name.strip().upper(),
                    "wa": "+628123",
                    "conditions": "",
                    "status": "selesai",
                    "current_step": 7,
                    "step_started_at": at,
                    "received_at": at,
                    "due_at": at,
                    "finished_at": at,
                    "returned_count": 0,
                    "created_by": uid,
                    "version": 1,
                }
            )
        ids = (
            s.execute(insert(Case).returning(Case.id, sort_by_parameter_order=True), cases)
            .scalars()
            .all()
        )
        regs = [
            {
                "case_id": case_id,
                "service": "KK",
                "year": 2026,
                "number": 100 + i,
                "assigned_at": at,
                "assigned_by": uid,
            }
            for i, case_id in enumerate(ids)
        ]
        s.execute(insert(RegisterEntry), regs)


def test_long_register_splits_over_pages_without_losing_a_row(
    db: Database, actors: dict[str, Any]
) -> None:
    _bulk_register(db, actors, 140)
    reader = PdfReader(io.BytesIO(render(db, "register", D0, D1, service="KK")))
    pages = [p.extract_text() for p in reader.pages]
    numbers = re.findall(r"\b\d{5}/KK/2026\b", "\n".join(pages))
    assert numbers == [f"{100 + i:05d}/KK/2026" for i in range(140)]  # all, once, in order
    assert len(pages) >= 4
    assert all(p.count("No. Register") == 1 for p in pages)  # the header on every page
    assert all(f"Halaman {i} dari {len(pages)}" in p for i, p in enumerate(pages, start=1))
    assert "Panjang Sekali Namanya" in "".join(pages)


def test_kinerja_and_pengaduan_documents(db: Database, actors: dict[str, Any]) -> None:
    build_november(db, actors)
    kinerja = flat(pdf_text(render(db, "kinerja", D0, D1))[0])
    assert "LAPORAN KINERJA LAYANAN" in kinerja
    assert "KK Baru 4 3 75,0%" in kinerja  # finished, on time, share
    assert "40% (2/5)" in kinerja  # KK step 2 over its 10 minutes in two of five visits
    assert "Mengetik/menginput data Kartu Keluarga" in kinerja
    steps = sheet_rows(render(db, "kinerja", D0, D1, fmt="xlsx"), "Per langkah")
    kk2 = next(r for r in steps if r and r[0] == "KK Baru" and r[1] == 2)
    assert kk2[4:9] == (10, 5, 10.0, 480.0, 2)

    text = flat(pdf_text(render(db, "pengaduan", D0, D1))[0])
    assert "REGISTER DAN LAPORAN HASIL PENGADUAN" in text
    assert "Data sudah diperbaiki di SIAK." in text
    assert "Tim menetapkan perbaikan biodata melalui SIAK." in text
    assert "Sederhana" in text and "Eskalasi" in text
    assert "00001/2026" in text and "00002/2026" in text
    assert "Budi Pelapor" in text
    book = sheet_rows(render(db, "pengaduan", D0, D1, fmt="xlsx"), "Ringkasan")
    summary = {r[0]: r[1:4] for r in book if len(r) > 1 and isinstance(r[1], int)}
    assert summary["Selesai, jalur sederhana"] == (1, 1, 1)
    assert summary["Selesai, jalur eskalasi"] == (1, 1, 1)
    assert summary["Jumlah pengaduan"] == (2, 2, 2)


def test_sop_chart_lists_every_step_with_its_minutes(db: Database) -> None:
    text, pages = pdf_text(render(db, "sop", D0, D0))
    body = flat(text)
    assert pages >= len(services())
    for sdef in services().values():
        assert f"SOP {sdef.name}" in body
        assert sdef.sop_number in body
        for step in sdef.steps:
            row = " ".join(
                [
                    str(step.no),
                    step.activity,
                    step.needs or "-",
                    step.output or "-",
                    "; ".join(notes(step)) or "-",
                    str(step.minutes),
                ]
            )
            assert flat(row) in body, (sdef.code, step.no)
        assert f"Jumlah waktu penyelesaian (mutu baku) {sdef.total_minutes} menit" in body
        assert f"sidik jari {sdef.fingerprint()[:12]}" in body
    one, _pages_one = pdf_text(render(db, "sop", D0, D0, service="KIA"))
    assert "Kartu Identitas Anak" in one and "Kartu Keluarga (KK) Baru" not in one


def test_bad_requests_are_refused_before_anything_is_written(db: Database) -> None:
    cases = [
        (("laporan", D0, D1), {}, "tidak dikenal"),
        (("sop", D0, D1), {"fmt": "xlsx"}, "format pdf"),
        (("register", D0, D1), {"fmt": "docx"}, "format pdf atau xlsx"),
        (("rekap", D1, D0), {}, "sesudah tanggal akhir"),
        (("rekap", D0, D1), {"service": "PASPOR"}, "Layanan 'PASPOR' tidak dikenal"),
        (("pengaduan", D0, D1), {"service": "KK"}, "hanya untuk layanan PENGADUAN"),
    ]
    for args, kw, message in cases:
        with pytest.raises(InputError, match=message), db.write() as s:
            report(s, *args, **kw)
    with db.read() as s:
        audited = select(AuditEntry.id).where(AuditEntry.action.like("report.%"))
        assert s.execute(audited).first() is None
    # the sop chart needs no period
    assert render(db, "sop", D1, D0, service="kk")[:4] == b"%PDF"


def test_progress_goes_up_to_the_end(db: Database, actors: dict[str, Any]) -> None:
    _bulk_register(db, actors, 30)
    for kind in ("register", "rekap"):
        seen: list[tuple[int, int]] = []
        with db.write() as s:
            report(s, kind, D0, D1, progress=lambda d, t, seen=seen: seen.append((d, t)))
        done = [d for d, _t in seen]
        assert done == sorted(done) and len(done) >= 3
        assert seen[-1] == (100, 100) and seen[0][0] == 0


def test_command_line(
    db: Database,
    actors: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    done = intake(db, actors, "KK", wib(2026, 11, 17, 8))
    run(db, actors, done, wib(2026, 11, 17, 8))
    waiting = intake(db, actors, "SKPWNI", wib(2026, 11, 18, 8))
    run(db, actors, waiting, wib(2026, 11, 18, 8), until=3)
    out = tmp_path / "rekap.xlsx"
    rc = cli.main(
        [
            "--db",
            db.url,
            "report",
            "rekap",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--service",
            "KK",
            "-o",
            str(out),
        ]
    )
    assert rc == 0
    assert "disimpan ke" in capsys.readouterr().out
    rows = sheet_rows(out.read_bytes(), "Per layanan")
    assert next(r for r in rows if r and r[0] == "KK Baru")[:4] == ("KK Baru", 1, 1, 1)

    pdf = tmp_path / "sop.pdf"
    assert cli.main(["--db", db.url, "report", "sop", "-o", str(pdf)]) == 0
    assert pdf.read_bytes()[:4] == b"%PDF"

    png = tmp_path / "tanda-terima.png"
    monkeypatch.setattr("sys.stdin", io.StringIO("rahasia123\n"))
    receipt = ["receipt", done.lower(), "-o", str(png), "--pengguna", "online"]
    assert cli.main(["--db", db.url, *receipt]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert cli.main(["--db", db.url, "status", "STATUS", waiting]) == 0
    assert "langkah 3 dari 7" in capsys.readouterr().out

    capsys.readouterr()
    assert cli.main(["--db", db.url, "report", "sop", "-o", str(tmp_path / "sop.xlsx")]) == 2
    assert "harus berakhiran .pdf" in capsys.readouterr().err
    assert cli.main(["--db", db.url, "report", "rekap", "-o", str(tmp_path / "r.pdf")]) == 2
    assert "--dari" in capsys.readouterr().err
    missing = tmp_path / "tidak-ada" / "r.pdf"
    assert (
        cli.main(
            [
                "--db",
                db.url,
                "report",
                "rekap",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
                "-o",
                str(missing),
            ]
        )
        == 2
    )
    assert "tidak ada" in capsys.readouterr().err
    assert not missing.parent.exists()
