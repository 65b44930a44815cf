"""The tanda terima: rendered to pixels and the QR code decoded back (zxing-cpp), the PDF text
read back (pypdf) for the code and the masked NIK, and no personal data in the QR."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from sipelayanan.db import Database
from sipelayanan.errors import InputError, NotFound
from sipelayanan.models import AuditEntry
from sipelayanan.reports import qr_content, receipt, report
from sipelayanan.services import cases as svc
from sipelayanan.services.office import get_profile, save_profile
from tests.reports.test_reports_data import NIK, intake, run

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # Selasa 08.00 WIB


def decode_pdf(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    try:
        image = pdf[0].render(scale=3).to_pil()
    finally:
        pdf.close()
    return [r.text for r in zxingcpp.read_barcodes(image)]


def decode_png(data: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def shown(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def make(db: Database, actors: dict[str, Any], service: str = "KK", **kw: Any) -> str:
    return intake(db, actors, service, T0, nama="Siti Aminah binti Abdullah", **kw)


def test_qr_and_text_round_trip(db: Database, actors: dict[str, Any]) -> None:
    code = make(db, actors)
    expected = f"https://wa.me/628117961500?text=STATUS%20{shown(code)}"
    with db.write() as s:
        assert qr_content(s, code) == expected
        pdf = receipt(s, code, "pdf", actor=actors["online"], now=T0)
        png = receipt(s, code, "png", now=T0)
    assert decode_pdf(pdf) == [expected]
    assert decode_png(png) == [expected]
    for private in (NIK, "Siti", "Aminah", "6281234567890"):
        assert private not in expected
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (420, 595)
    text = pdf_text(pdf)
    assert shown(code) in text
    assert "1808********0003" in text and NIK not in text
    assert "Siti Aminah binti Abdullah" in text
    assert "Diterima Selasa, 17 November 2026 pukul 08.00 WIB" in text
    assert "Perkiraan selesai Rabu, 18 November 2026 pukul 08.00 WIB" in text
    assert "Petugas penerima Rina Oktaviani" in text
    assert f"STATUS {shown(code)} ke 0811-7961-500" in text
    assert "Formulir F-1.02" in text  # the checklist
    image = Image.open(io.BytesIO(png))
    assert image.width == 1080 and image.height > image.width
    with db.read() as s:
        rows = s.execute(
            select(AuditEntry.entity_id, AuditEntry.detail, AuditEntry.username).where(
                AuditEntry.action == "report.receipt"
            )
        ).all()
    assert [(r[0], json.loads(r[1])) for r in rows] == [
        (code, {"fmt": "pdf"}),
        (code, {"fmt": "png"}),
    ]
    assert rows[0][2] == "online"


def test_office_status_page_and_own_numbers(db: Database, actors: dict[str, Any]) -> None:
    complaint = make(db, actors, "PENGADUAN")
    with db.write() as s:
        # the complaints SOP prints no number, and a complaint is never sent to a service's
        # line (the KK number): until the office sets its complaints number, no QR
        with pytest.raises(InputError, match="Nomor WhatsApp pengaduan belum diatur"):
            qr_content(s, complaint)
        profile = get_profile(s)
        profile.wa_numbers = {"PENGADUAN": "0811-7961-900"}
        save_profile(s, profile, actor=actors["admin"])
    with db.write() as s:
        expected = f"https://wa.me/628117961900?text=STATUS%20{shown(complaint)}"
        assert decode_pdf(receipt(s, complaint, "pdf")) == [expected]
        text = pdf_text(receipt(s, complaint, "pdf"))
        assert "TANDA TERIMA PENGADUAN" in text
        assert "0811-7961-900" in text and "0811-7961-500" not in text  # not the KK line
        profile = get_profile(s)
        profile.status_url_template = "https://dukcapil.waykanankab.go.id/status/{code}"
        save_profile(s, profile, actor=actors["admin"])
    code = make(db, actors, "KTP_EL")
    with db.write() as s:
        url = f"https://dukcapil.waykanankab.go.id/status/{code}"
        assert qr_content(s, code) == url
        assert decode_png(receipt(s, code, "png")) == [url]
        assert url in pdf_text(receipt(s, code, "pdf"))
        profile = get_profile(s)
        profile.status_url_template = "https://dukcapil.example/cek?nik={nik}"
        save_profile(s, profile, actor=actors["admin"])
    with db.write() as s, pytest.raises(InputError, match=r"\{nik\} yang tidak dikenal"):
        receipt(s, code, "pdf")


def test_office_logo_on_the_letterhead(db: Database, actors: dict[str, Any]) -> None:
    logo = Image.new("RGB", (120, 160), "#1f4e79")
    buf = io.BytesIO()
    logo.save(buf, format="PNG")
    code = make(db, actors)
    with db.write() as s:
        profile = get_profile(s)
        profile.logo_png = base64.b64encode(buf.getvalue()).decode()
        save_profile(s, profile, actor=actors["admin"])
    with db.write() as s:
        pdf = receipt(s, code, "pdf")
        png = receipt(s, code, "png")
        rekap = report(s, "rekap", T0.date(), T0.date())
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
    assert len(PdfReader(io.BytesIO(rekap)).pages[0].images) == 1
    expected = f"https://wa.me/628117961500?text=STATUS%20{shown(code)}"
    assert decode_pdf(pdf) == [expected] and decode_png(png) == [expected]
    # the logo's blue is on the PNG's letterhead, left of the office name
    image = Image.open(io.BytesIO(png)).convert("RGB")
    blue = sum(
        1
        for x in range(0, 200, 4)
        for y in range(0, 250, 4)
        if image.getpixel((x, y)) == (0x1F, 0x4E, 0x79)
    )
    assert blue > 50
    with db.write() as s:  # an unreadable logo is left out, never an error
        profile = get_profile(s)
        profile.logo_png = "bukan-gambar"
        save_profile(s, profile, actor=actors["admin"])
    with db.write() as s:
        assert decode_pdf(receipt(s, code, "pdf")) == [expected]
        assert report(s, "rekap", T0.date(), T0.date())[:4] == b"%PDF"


def test_incomplete_berkas_are_listed(db: Database, actors: dict[str, Any]) -> None:
    code = make(db, actors, "KIA", present=["fotokopi_kk", "fotokopi_ktp_orang_tua"])
    with db.write() as s:
        svc.return_to_pemohon(s, actors["online"], code, missing=["foto_akta_kelahiran"], now=T0)
    with db.write() as s:
        text = pdf_text(receipt(s, code, "pdf", now=T0))
    assert "Foto Kutipan Akta Kelahiran anak — belum ada" in text
    assert "Perkiraan selesai dihitung setelah berkas yang kurang diterima" in text
    assert "Fotokopi Kartu Keluarga (KK)" in text


def test_finished_request_still_prints(db: Database, actors: dict[str, Any]) -> None:
    code = make(db, actors, "KTP_EL")
    run(db, actors, code, T0)
    with db.write() as s:
        pdf = receipt(s, code, "pdf")
    assert decode_pdf(pdf) == [f"https://wa.me/628117961600?text=STATUS%20{shown(code)}"]
    assert "Perkiraan selesai" not in pdf_text(pdf)


def test_bad_codes_and_formats(db: Database, actors: dict[str, Any]) -> None:
    code = make(db, actors)
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")  # the check character no longer fits
    with db.write() as s:
        with pytest.raises(InputError, match="salah ketik"):
            receipt(s, typo, "pdf")
        with pytest.raises(NotFound, match="tidak ditemukan"):
            receipt(s, "ABCD-EFGH3", "pdf")
        with pytest.raises(InputError, match="pdf atau png"):
            receipt(s, code, "jpg")  # type: ignore[arg-type]
        with pytest.raises(InputError, match="salah ketik"):
            qr_content(s, "")
