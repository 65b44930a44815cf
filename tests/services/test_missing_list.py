"""Issue 12.2 end to end: the one missing list (sop/checklist) in what the pemohon receives -
the stored list, the WhatsApp text, the public status answer and the printed tanda terima - on
real SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from pypdf import PdfReader

from sipelayanan.db import Database
from sipelayanan.reports import receipt
from sipelayanan.services import cases as svc
from sipelayanan.services.messages import render_message
from sipelayanan.services.queries import case_view
from sipelayanan.services.status import status_reply
from sipelayanan.sop import services
from tests.reports.test_reports_data import NIK, ROLE_USER

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # Selasa 08.00 WIB
GROUP = "Salah satu dari: Buku nikah/kutipan akta perkawinan atau kutipan akta perceraian"


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _kk_returned(db: Database, actors: dict[str, Any]) -> str:
    """KK Baru with only F-1.02 ticked, returned to the pemohon with what the checklist misses."""
    kk = services()["KK"]
    present = ["formulir_f102"]
    missing = [m.key for m in kk.missing_requirements(present)]
    assert missing == ["dasar_penerbitan"]
    actor = actors[ROLE_USER[kk.steps[0].role]]
    data = svc.IntakeData(
        service="KK", nama="Siti Aminah", nik=NIK, wa="0812-3456-7890", present=present
    )
    with db.write() as s:
        code = svc.intake(s, actor, data, now=T0).code
        svc.return_to_pemohon(s, actor, code, missing=missing, now=T0)
    return code


def test_kk_with_only_the_form_asks_for_one_alternative(
    db: Database, actors: dict[str, Any]
) -> None:
    code = _kk_returned(db, actors)
    with db.read() as s:
        view = case_view(s, code)
    (item,) = view.missing_items
    assert item.startswith(GROUP) and item.count("Surat Keterangan Pindah") == 1
    with db.read() as s:
        wa = render_message(s, "berkas_kurang", code, now=T0).text
        reply = status_reply(s, f"STATUS {code}", now=T0)
    # WhatsApp: one bullet, the group, never the optional old KK
    bullets = [ln for ln in wa.splitlines() if ln.startswith("- ")]
    assert bullets == [f"- {item}"], wa
    assert "Kartu Keluarga lama" not in wa
    # the public answer may repeat the SOP's own group line, and nothing is "lain"
    assert GROUP in reply and "butir lain" not in reply
    assert "Kartu Keluarga lama" not in reply
    with db.write() as s:
        text = _pdf_text(receipt(s, code, "pdf", actor=actors["online"], now=T0))
    # the tanda terima: the optional old KK never "belum ada"; the group printed once
    assert "penggantian kepala keluarga) (tidak wajib)" in text
    assert text.count("belum ada") == 1  # the group only, not the optional old KK
    assert text.count("Salah satu dari") == 1
    assert text.count("SPTJM") == 1


def test_complete_kk_receipt_prints_the_optional_item_as_not_required(
    db: Database, actors: dict[str, Any]
) -> None:
    kk = services()["KK"]
    actor = actors[ROLE_USER[kk.steps[0].role]]
    data = svc.IntakeData(
        service="KK",
        nama="Siti Aminah",
        nik=NIK,
        wa="0812-3456-7890",
        present=["formulir_f102", "buku_nikah"],
    )
    with db.write() as s:
        code = svc.intake(s, actor, data, now=T0).code
        text = _pdf_text(receipt(s, code, "pdf", actor=actors["online"], now=T0))
    assert "belum ada" not in text  # complete: nothing in red, though kk_lama was not brought
    assert "(tidak wajib)" in text
    assert "Buku nikah" in text and "SPTJM" not in text  # only the alternative brought
    assert "Salah satu dari" not in text


def test_kia_photo_missing_only_for_an_older_child(db: Database, actors: dict[str, Any]) -> None:
    kia = services()["KIA"]
    actor = actors[ROLE_USER[kia.steps[0].role]]
    base = ["fotokopi_kk", "foto_akta_kelahiran", "fotokopi_ktp_orang_tua"]
    codes = {}
    for older in (False, True):
        data = svc.IntakeData(
            service="KIA",
            nama="Anak Uji",
            nik=NIK,
            wa="0812-3456-7890",
            present=base,
            conditions=["anak_lebih_5_tahun"] if older else [],
        )
        with db.write() as s:
            codes[older] = svc.intake(s, actor, data, now=T0).code
            text = _pdf_text(receipt(s, codes[older], "pdf", actor=actors["online"], now=T0))
        assert ("Pas foto anak" in text) is older
        assert ("belum ada" in text) is older
