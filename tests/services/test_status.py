"""Status replies: safe to send to anyone holding the code, clear for a mistyped code, and never
carrying a name, NIK, phone number, document number or resi."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sipelayanan.db import Database
from sipelayanan.services import cases as svc
from sipelayanan.services.status import status_reply
from tests.reports.test_reports_data import NIK, intake, run

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)  # Selasa 08.00 WIB
PRIVATE = (
    NIK,
    "1808********",
    "Hendrawan",
    "Wulandari",
    "6281234567890",
    "0812-3456-7890",
    "P2211000123",
    "1808-0001234",
)


def shown(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def clean(reply: str) -> str:
    for private in PRIVATE:
        assert private not in reply, private
    return reply


def test_reply_for_each_state(db: Database, actors: dict[str, Any]) -> None:
    code = intake(db, actors, "KK", T0, nama="Hendrawan Wulandari")
    with db.read() as s:
        first = clean(status_reply(s, code, now=T0 + timedelta(minutes=1)))
    assert first.splitlines()[:3] == [
        f"Status permohonan {shown(code)}",
        "Layanan: Penerbitan Kartu Keluarga (KK) Baru",
        "Diterima: Selasa, 17 November 2026 pukul 08.00 WIB",
    ]
    assert "Posisi: langkah 1 dari 7 — berkas diterima dan sedang diperiksa kelengkapannya" in first
    assert "Perkiraan selesai: Rabu, 18 November 2026 pukul 08.00 WIB" in first
    assert first.endswith("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Way Kanan")

    at = run(db, actors, code, T0, until=3)
    with db.read() as s:
        third = clean(status_reply(s, f"status {code.lower()}", now=at))
        late = clean(status_reply(s, f"STATUS {shown(code)}", now=T0 + timedelta(days=2)))
    assert "Posisi: langkah 3 dari 7 — Memberikan koreksi Kartu Keluarga (Kasi)" in third
    assert "sudah lewat; mohon maaf" in late

    with db.write() as s:
        svc.return_to_step(
            s, actors["kasi"], code, to_step=2, reason="Nama Hendrawan salah.", now=at
        )
    run(db, actors, code, at)
    with db.read() as s:
        done = clean(status_reply(s, f"https://wa.me/628117961500?text=STATUS%20{shown(code)}"))
    assert "Status: selesai pada Selasa, 17 November 2026 pukul" in done
    assert (
        "Dokumen dikirim melalui PT POS pada Selasa, 17 November 2026; nomor resi sudah "
        "dikirim ke nomor WhatsApp pemohon." in done
    )
    assert "Perkiraan selesai" not in done


def test_waiting_cancelled_and_complaint(db: Database, actors: dict[str, Any]) -> None:
    waiting = intake(db, actors, "KIA", T0, nama="Hendrawan Wulandari")
    with db.write() as s:
        svc.return_to_pemohon(
            s,
            actors["online"],
            waiting,
            missing=["pas_foto_3x4", "fotokopi KK a.n. Hendrawan Wulandari"],
            note="Foto buram, Hendrawan.",
            now=T0,
        )
    cancelled = intake(db, actors, "SKPWNI", T0)
    with db.write() as s:
        svc.cancel(
            s,
            actors["kasi"],
            cancelled,
            reason="Hendrawan membatalkan.",
            now=T0 + timedelta(minutes=30),
        )
    complaint = intake(db, actors, "PENGADUAN", T0, nama="Hendrawan Wulandari")
    at = run(db, actors, complaint, T0, until=3)
    with db.write() as s:
        svc.close_simple(s, actors["aduan"], complaint, solusi="Data Hendrawan diperbaiki.", now=at)
    with db.read() as s:
        w = clean(status_reply(s, waiting))
        c = clean(status_reply(s, cancelled))
        p = clean(status_reply(s, complaint))
    assert "berkas belum lengkap" in w
    assert "- Pas foto anak ukuran 3x4 (untuk anak berumur lebih dari 5 tahun)" in w
    # the clerk's free text is counted, never echoed (it named the pemohon)
    assert "- 1 butir lain, sebagaimana disampaikan petugas melalui WhatsApp" in w
    assert "fotokopi KK a.n." not in w
    assert "dihitung kembali setelah berkas lengkap" in w
    assert "Status: permohonan dibatalkan pada Selasa, 17 November 2026 pukul 08.30 WIB" in c
    assert p.startswith(f"Status pengaduan {shown(complaint)}")
    assert "pengaduan sudah dijawab pada Selasa, 17 November 2026" in p
    assert "diperbaiki" not in p  # the solution itself goes to the pelapor only


def test_unknown_and_mistyped_codes_get_a_clear_answer(
    db: Database, actors: dict[str, Any]
) -> None:
    code = intake(db, actors, "KTP_EL", T0)
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    with db.read() as s:
        replies = {
            "typo": status_reply(s, f"STATUS {typo}"),
            "unknown": status_reply(s, "STATUS ABCD-EFGH3"),
            "empty": status_reply(s, "STATUS"),
            "nothing": status_reply(s, ""),
            "short": status_reply(s, "ABCD"),
            "letters": status_reply(s, "STATUS ABCD-EFGO3"),
            "chat": status_reply(s, "selamat pagi, mau tanya KK saya sudah jadi belum ya"),
        }
    assert "salah ketik: periksa kembali setiap karakternya" in replies["typo"]
    assert replies["unknown"].startswith("Kode ABCD-EFGH3 tidak terdaftar.")
    assert replies["empty"].startswith("Kode pelacakan belum diisi.")
    assert replies["nothing"].startswith("Kode pelacakan belum diisi.")
    assert "9 karakter" in replies["short"]
    assert "'O'" in replies["letters"]
    assert replies["chat"].startswith("Kode pelacakan tidak ditemukan dalam pesan.")
    for reply in replies.values():
        assert "STATUS ABCD-EFGH3" in reply or reply.startswith("Kode ABCD-EFGH3")
        assert ".." not in reply


def test_free_text_missing_items_never_reach_the_reply(
    db: Database, actors: dict[str, Any]
) -> None:
    """A complaint returned with "KTP a.n. <name> <NIK>" must not publish that name and NIK to
    whoever holds the code (found by an outside test)."""
    complaint = intake(db, actors, "PENGADUAN", T0, nama="Hendrawan Wulandari")
    with db.write() as s:
        svc.return_to_pemohon(
            s,
            actors["aduan"],
            complaint,
            missing=[f"KTP a.n. Hendrawan Wulandari {NIK}", "surat dari 0812-3456-7890"],
            now=T0,
        )
    with db.read() as s:
        reply = clean(status_reply(s, complaint))
    assert "- 2 butir lain, sebagaimana disampaikan petugas melalui WhatsApp" in reply
    assert "KTP a.n." not in reply and "surat dari" not in reply
