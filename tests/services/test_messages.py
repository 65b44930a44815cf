"""WhatsApp message templates: validation of placeholders, storage in the office settings, and
messages rendered for real requests with a wa.me link that decodes back to the text."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import pytest

from sipelayanan.db import Database
from sipelayanan.errors import InputError
from sipelayanan.services import cases as svc
from sipelayanan.services.messages import (
    SETTING_KEY,
    TEMPLATE_KEYS,
    TEMPLATE_LABELS,
    TEMPLATE_PLACEHOLDERS,
    default_templates,
    get_templates,
    render_message,
    save_templates,
    validate_template,
)
from sipelayanan.services.office import get_setting
from tests.reports.test_reports_data import intake, run

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # Selasa 08.00 WIB


def shown(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def test_defaults_use_only_their_placeholders() -> None:
    assert TEMPLATE_KEYS == (
        "berkas_diterima",
        "berkas_kurang",
        "koreksi",
        "dokumen_selesai",
        "dikirim_pos",
        "dokumen_diambil",
        "pengaduan_dijawab",
    )
    assert set(TEMPLATE_LABELS) == set(TEMPLATE_PLACEHOLDERS) == set(default_templates())
    for key, text in default_templates().items():
        assert validate_template(key, text) == text
    with pytest.raises(InputError, match=r"Isian \{resi\} tidak dikenal"):
        validate_template("koreksi", "Halo {nama}, resi {resi}")
    with pytest.raises(InputError, match="tidak berpasangan"):
        validate_template("koreksi", "Halo {nama")
    with pytest.raises(InputError, match="tanpa nama isian"):
        validate_template("koreksi", "Halo {}")
    with pytest.raises(InputError, match=r"\{nama!r\}"):
        validate_template("koreksi", "Halo {nama!r}")
    with pytest.raises(InputError, match=r"\{nama.upper\}"):
        validate_template("koreksi", "Halo {nama.upper}")
    with pytest.raises(InputError, match="kosong"):
        validate_template("koreksi", "   ")
    with pytest.raises(InputError, match="tidak dikenal"):
        validate_template("selamat_pagi", "Halo")
    assert validate_template("koreksi", "Kurung {{biasa}} boleh, {nama}.") == (
        "Kurung {{biasa}} boleh, {nama}."
    )


def test_templates_are_stored_and_validated(db: Database, actors: dict[str, Any]) -> None:
    custom = "Halo {nama}, permohonan {kode} perlu diperbaiki: {alasan}"
    with db.write() as s:
        save_templates(s, {"koreksi": custom}, actor=actors["admin"])
    with db.write() as s:
        assert get_templates(s)["koreksi"] == custom
        assert get_templates(s)["berkas_kurang"] == default_templates()["berkas_kurang"]
        assert get_setting(s, SETTING_KEY) == {"koreksi": custom}  # only what was edited
        with pytest.raises(InputError, match=r"\{solusi\}"):
            save_templates(
                s,
                {"berkas_kurang": "Kurang: {kekurangan}", "koreksi": "Jawaban {solusi}"},
                actor=actors["admin"],
            )
    with db.read() as s:  # nothing of the refused batch was stored
        assert get_templates(s)["berkas_kurang"] == default_templates()["berkas_kurang"]
        assert get_templates(s)["koreksi"] == custom
    with db.write() as s:  # back to the default: the override disappears
        save_templates(s, {"koreksi": default_templates()["koreksi"]}, actor=actors["admin"])
    with db.read() as s:
        assert get_setting(s, SETTING_KEY) == {}


def test_messages_through_a_request(db: Database, actors: dict[str, Any]) -> None:
    code = intake(db, actors, "KK", T0, nama="Rina Marlina", present=["formulir_f102", "kk_lama"])
    with db.read() as s:
        received = render_message(s, "berkas_diterima", code)
    text = received.text
    assert text.startswith("Yth. Bapak/Ibu Rina Marlina,")
    assert f"*{shown(code)}*" in text
    assert "telah kami terima pada Selasa, 17 November 2026 pukul 08.00 WIB" in text
    assert "Perkiraan selesai: Rabu, 18 November 2026 pukul 08.00 WIB." in text
    assert f"kirim pesan WhatsApp STATUS {shown(code)} ke 0811-7961-500" in text
    prefix = "https://wa.me/6281234567890?text="
    assert received.wa_link.startswith(prefix)
    assert unquote(received.wa_link[len(prefix) :]) == text
    assert " " not in received.wa_link and "\n" not in received.wa_link

    with db.read() as s, pytest.raises(InputError, match="tidak sedang menunggu"):
        render_message(s, "berkas_kurang", code)
    with db.write() as s:
        svc.return_to_pemohon(
            s, actors["online"], code, missing=["buku_nikah", "Foto KTP-el suami terbaca"], now=T0
        )
    with db.read() as s:
        missing = render_message(s, "berkas_kurang", code).text
    assert "- Buku nikah" in missing and "- Foto KTP-el suami terbaca" in missing
    with db.write() as s:
        svc.resubmit(s, actors["online"], code, now=T0)

    with db.read() as s:
        with pytest.raises(InputError, match="alasan"):
            render_message(s, "koreksi", code)  # no correction recorded yet
        koreksi = render_message(s, "koreksi", code, alasan="Nama ayah tidak sesuai akta.")
        assert "perlu diperbaiki:\nNama ayah tidak sesuai akta." in koreksi.text
        with pytest.raises(InputError, match="resi"):
            render_message(s, "dikirim_pos", code)
        with pytest.raises(InputError, match="tidak dikenal"):
            render_message(s, "koreksi", code, alasn="typo")
        with pytest.raises(InputError, match="tidak dikenal"):
            render_message(s, "ucapan", code)
    at = run(db, actors, code, T0, until=4)
    with db.write() as s:
        svc.return_to_step(
            s, actors["kabid"], code, to_step=2, reason="Tanggal lahir anak kedua keliru.", now=at
        )
    with db.read() as s:  # the correction the officer wrote is used by default
        assert "Tanggal lahir anak kedua keliru." in render_message(s, "koreksi", code).text
    run(db, actors, code, at)  # finishes; the last step records PT POS resi P2211000123
    with db.read() as s:
        pos = render_message(s, "dikirim_pos", code).text
        done = render_message(s, "dokumen_selesai", code).text
    assert "Kartu Keluarga Anda" in pos and "Nomor resi: *P2211000123*" in pos
    assert "dikirim melalui PT POS Indonesia pada Selasa, 17 November 2026" in pos
    assert "*sudah selesai* pada Selasa, 17 November 2026" in done
    assert "Jl. Jend. Sudirman, Blambangan Umpu" in done


def test_complaint_answer_and_custom_template(db: Database, actors: dict[str, Any]) -> None:
    code = intake(db, actors, "PENGADUAN", T0, nama="Joko Pelapor")
    with db.read() as s, pytest.raises(InputError, match="Solusi"):
        render_message(s, "pengaduan_dijawab", code)
    at = run(db, actors, code, T0, until=3)
    with db.write() as s:
        svc.close_simple(s, actors["aduan"], code, solusi="NIK sudah dipadankan di SIAK.", now=at)
        save_templates(s, {"pengaduan_dijawab": "{nama}: {solusi} ({kode})"}, actor=actors["admin"])
    with db.read() as s:
        message = render_message(s, "pengaduan_dijawab", code)
    assert message.text == f"Joko Pelapor: NIK sudah dipadankan di SIAK. ({shown(code)})"
