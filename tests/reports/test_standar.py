"""Standar pelayanan, maklumat and the SOP's identity page (issue 16.3): every document rendered
for real and read back with pypdf, compared with the loaded SOP definitions (never with strings
copied here); the admin's components saved and printed; the status-site pages hold them and no
personal data."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from sipelayanan import cli
from sipelayanan.db import Database
from sipelayanan.errors import InputError, PermissionDenied
from sipelayanan.reports import report
from sipelayanan.services import office
from sipelayanan.services.standar import (
    COMPONENTS,
    StandarSettings,
    get_standar,
    role_counts,
    save_standar,
    standards,
)
from sipelayanan.sop import ROLES, ServiceDef, SopError, services
from sipelayanan.sop.identity import IDENTITY_LISTS, identities, identity_of, load_identity_file
from sipelayanan.statussite.build import build_site, ensure_salt
from sipelayanan.statussite.standar_pages import PAGES_DIR, page_name
from tests.reports.test_reports_data import NIK, intake

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
D0 = date(2026, 11, 26)
KADIS = "Drs. Kepala Uji Coba, M.Si."
KADIS_NIP = "19700101 199503 1 001"


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() for p in reader.pages), len(reader.pages)


def flat(text: str) -> str:
    """One line, single spaces; the running header of a later page removed."""
    text = re.sub(r"STANDAR PELAYANAN\s*\n[^\n]*ditetapkan[^\n]*\n", " ", text)
    return " ".join(text.split())


def render(db: Database, kind: str, actor: Any = None, **kw: Any) -> bytes:
    with db.write() as s:
        return report(s, kind, D0, D0, now=NOW, actor=actor, **kw)


def set_kadis(db: Database, actor: Any) -> None:
    with db.write() as s:
        profile = office.get_profile(s)
        profile.kepala_dinas, profile.kepala_dinas_nip = KADIS, KADIS_NIP
        office.save_profile(s, profile, actor=actor)


def section(text: str, start: str, end: str) -> str:
    """The text between the component title ``start`` and the next one, ``end``."""
    a = text.index(start) + len(start)
    return text[a : text.index(end, a)].strip()


def expected_requirements(sdef: ServiceDef) -> str:
    """The checklist as the standar must print it, derived here from the definition alone:
    numbered in order, each alternative group once as "Salah satu dari:" with a., b., …"""
    conditions = {c.key: c.label for c in sdef.conditions}

    def label(r: Any) -> str:
        text = r.label
        if r.condition:
            text += f" (hanya bila: {conditions[r.condition]})"
        if not r.required:
            text += " (tidak wajib, bila ada)"
        return text

    entries: list[str] = []
    done: set[str] = set()
    for r in sdef.requirements:
        if r.alternative_group is None:
            entries.append(label(r))
        elif r.alternative_group not in done:
            done.add(r.alternative_group)
            members = [m for m in sdef.requirements if m.alternative_group == r.alternative_group]
            entries.append(
                "Salah satu dari: "
                + " ".join(f"{'abcdefgh'[i]}. {label(m)}" for i, m in enumerate(members))
            )
    if len(entries) == 1:
        return entries[0]
    return " ".join(f"{i}. {e}" for i, e in enumerate(entries, start=1))


# --------------------------------------------------------------------------- the standard


@pytest.mark.parametrize("code", list(services()))
def test_standar_lists_exactly_the_checklist_and_the_steps(db: Database, code: str) -> None:
    sdef = services()[code]
    text, pages = pdf_text(render(db, "standar", service=code))
    body = flat(text)
    titles = [title for _key, title in COMPONENTS]
    assert len(titles) == 14
    positions = [body.index(f"{no} {title}") for no, title in enumerate(titles, start=1)]
    assert positions == sorted(positions)  # all fourteen, in the order of UU 25/2009 Pasal 21
    # persyaratan: exactly the checklist, alternatives and conditions as such
    assert section(body, "2 Persyaratan", "3 Sistem, mekanisme dan prosedur") == (
        expected_requirements(sdef)
    )
    # prosedur: exactly the steps, numbered as the SOP numbers them, with actor and minutes
    prosedur = section(body, "3 Sistem, mekanisme dan prosedur", "4 Jangka waktu penyelesaian")
    found = [int(n) for n in re.findall(r"(?:^| )(\d+)\. ", prosedur)]
    assert found == [s.no for s in sdef.steps]
    at = 0
    for step in sdef.steps:
        piece = f"{step.no}. {step.activity} — {step.actor_label}"
        at = prosedur.index(piece, at)
        assert f"{step.minutes} menit" in prosedur[at : at + len(piece) + 200]
    waktu = section(body, "4 Jangka waktu penyelesaian", "5 Biaya/tarif")
    assert f"{sdef.standard_working_days} (satu) hari kerja" in waktu
    assert f"{sdef.total_minutes} menit" in waktu
    produk = section(body, "6 Produk pelayanan", "7 Sarana")
    assert (sdef.document_kind or "solusi atas pengaduan") in produk
    complaint = next(s for s in services().values() if s.is_complaint)
    pengaduan = section(body, "10 Penanganan pengaduan, saran dan masukan", "11 Jumlah pelaksana")
    assert complaint.sop_number in pengaduan and f"{complaint.total_minutes} menit" in pengaduan
    for step in complaint.steps[1:]:
        assert step.actor_label in pengaduan
        for role in step.with_roles:
            assert ROLES[role] in pengaduan
    assert sdef.sop_number in body and sdef.fingerprint()[:12] in body
    assert pages <= 3


def test_admin_components_are_saved_checked_and_printed(
    db: Database, actors: dict[str, Any]
) -> None:
    admin = actors["admin"]
    set_kadis(db, admin)
    with db.read() as s:
        assert get_standar(s) == StandarSettings()  # never saved: the defaults
    mine = StandarSettings(
        biaya="Gratis, tanpa pungutan apa pun (uji biaya)",
        sarana="Ruang tunggu ber-AC (uji sarana)\nPojok baca anak (uji sarana)",
        jumlah_pelaksana="Sembilan orang petugas (uji jumlah)",
        maklumat="Kami berjanji melayani dengan cepat dan tanpa biaya (uji maklumat).",
        pengaduan_lain="Kotak pengaduan di Kecamatan (uji saluran)",
        tanggal_penetapan="2026-01-02",
    )
    with db.write() as s:
        save_standar(s, mine, actor=admin)
    with db.read() as s:
        stored = get_standar(s)
    assert stored.biaya == mine.biaya and stored.penetapan() == date(2026, 1, 2)
    assert stored.dasar_hukum == StandarSettings().dasar_hukum  # untouched: the default

    body = flat(pdf_text(render(db, "standar", service="KK"))[0])
    for needle in (
        "Gratis, tanpa pungutan apa pun (uji biaya)",
        "1. Ruang tunggu ber-AC (uji sarana) 2. Pojok baca anak (uji sarana)",
        "Sembilan orang petugas (uji jumlah)",
        "Kotak pengaduan di Kecamatan (uji saluran)",
        "2 Januari 2026",  # ditetapkan
        KADIS,
        f"NIP. {KADIS_NIP}",
    ):
        assert needle in body, needle
    maklumat = flat(pdf_text(render(db, "maklumat"))[0])
    assert mine.maklumat in maklumat and KADIS in maklumat and "MAKLUMAT PELAYANAN" in maklumat
    poster, pages = pdf_text(render(db, "poster"))
    poster = flat(poster)
    assert pages == 1 and mine.maklumat in poster and KADIS in poster
    for sdef in services().values():
        assert sdef.name in poster
        for r in sdef.requirements:  # every checklist item on the poster too
            assert r.label in poster, (sdef.code, r.key)

    # bad input loses nothing and says why; only an admin may change it
    for bad, field in (
        (StandarSettings(biaya="   "), "biaya"),
        (StandarSettings(tanggal_penetapan="2 Januari 2026"), "tanggal_penetapan"),
        (StandarSettings(maklumat="x" * 5000), "maklumat"),
    ):
        with pytest.raises(InputError) as info, db.write() as s:
            save_standar(s, bad, actor=admin)
        assert info.value.field == field
    with pytest.raises(PermissionDenied), db.write() as s:
        save_standar(s, StandarSettings(), actor=actors["kasi"])
    with db.read() as s:
        assert get_standar(s) == stored


def test_jumlah_pelaksana_is_counted_from_the_active_users(
    db: Database, actors: dict[str, Any]
) -> None:
    with db.read() as s:
        counts = role_counts(s)
        book = standards(s, "KK")
    jumlah = book.standards[0].component("jumlah_pelaksana").items[0].text
    for step in services()["KK"].steps:
        assert f"{ROLES[step.role]}: {counts.get(step.role, 0)} orang" in jumlah
    assert counts.get("operator", 0) >= 1


# --------------------------------------------------------------------------- identity page


def test_sop_chart_has_the_identity_page_and_pengesahan(
    db: Database, actors: dict[str, Any]
) -> None:
    set_kadis(db, actors["admin"])
    assert set(identities()) == set(services())
    for code in ("KK", "AKTA_LAHIR"):
        sdef = services()[code]
        ident = identity_of(code)
        assert ident is not None
        reader = PdfReader(io.BytesIO(render(db, "sop", service=code)))
        first = flat(reader.pages[0].extract_text())
        for label in ("Nomor SOP", "Tgl. Pembuatan", "Tgl. Revisi", "Tgl. Efektif"):
            assert label in first
        assert f"Nomor SOP {sdef.sop_number}" in first
        assert f"Tgl. Pembuatan {ident.tanggal_pembuatan}" in first
        assert f"Tgl. Revisi {ident.tanggal_revisi}" in first
        assert f"Tgl. Efektif {ident.tanggal_efektif}" in first
        assert f"{ident.disahkan_oleh}, {KADIS} NIP. {KADIS_NIP}" in first  # pengesahan
        assert sdef.sop_title.upper() in first
        if ident.unit:
            assert ident.unit.upper() in first
        for key, heading in IDENTITY_LISTS:
            assert heading.upper() in first
            for n, item in enumerate(ident.items(key), start=1):
                assert f"{n}. {item}" in first, (code, key, n)
        # the chart follows on the next page
        assert "Jumlah waktu penyelesaian" in flat(reader.pages[-1].extract_text())


def test_identity_table_errors_name_file_and_line(tmp_path: Path) -> None:
    good = Path(__file__).resolve().parents[2] / "resources" / "sop" / "KK.toml"
    text = good.read_text(encoding="utf-8")
    assert load_identity_file(good) == identity_of("KK")
    cases = {
        "unknown": (text.replace("tanggal_revisi =", "tanggal_revisi_baru ="), "tidak dikenal"),
        "missing": (re.sub(r"(?ms)^peralatan = \[.*?^\]\n", "", text), "'peralatan'"),
        "type": (text.replace('tanggal_efektif = "', 'tanggal_efektif = 2022 #"'), "teks"),
    }
    for name, (broken, reason) in cases.items():
        path = tmp_path / f"{name}.toml"
        path.write_text(broken, encoding="utf-8")
        with pytest.raises(SopError) as info:
            load_identity_file(path)
        assert reason in str(info.value) and info.value.line and info.value.line > 1, name


# --------------------------------------------------------------------------- outputs


def test_status_site_pages_hold_the_standard_and_no_personal_data(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    set_kadis(db, actors["admin"])
    name = "Sulastri Wulandari"
    code = intake(db, actors, "KK", NOW, nama=name)
    with db.write() as s:
        save_standar(s, StandarSettings(biaya="Gratis (uji situs)"), actor=actors["admin"])
        settings = ensure_salt(s)
    folder = tmp_path / "situs"
    with db.read() as s:
        first = build_site(s, folder, settings, now=NOW)
        book = standards(s)
    pages = sorted(p.relative_to(folder).as_posix() for p in (folder / PAGES_DIR).iterdir())
    assert pages == sorted(
        [f"{PAGES_DIR}/index.html", f"{PAGES_DIR}/maklumat.html"]
        + [f"{PAGES_DIR}/{page_name(c)}" for c in services()]
    )
    assert set(pages) <= set(first.changed)
    for std in book.standards:
        html = (folder / PAGES_DIR / page_name(std.code)).read_text(encoding="utf-8")
        for _key, title in COMPONENTS:
            assert title in html
        sdef = services()[std.code]
        for r in sdef.requirements:
            assert _html(r.label) in html
        for step in sdef.steps:
            assert _html(step.activity) in html
        assert "Gratis (uji situs)" in html
    maklumat = (folder / PAGES_DIR / "maklumat.html").read_text(encoding="utf-8")
    assert _html(book.settings.maklumat) in maklumat
    everything = " ".join(p.read_text(encoding="utf-8") for p in (folder / PAGES_DIR).iterdir())
    for secret in (name, NIK, "0812-3456-7890", "6281234567890", code, KADIS, KADIS_NIP):
        assert secret not in everything, secret
    # unchanged standard: nothing rewritten; a changed one: its pages rewritten
    with db.read() as s:
        again = build_site(s, folder, settings, now=NOW)
    assert not [c for c in again.changed if c.startswith(PAGES_DIR)]
    with db.write() as s:
        save_standar(s, StandarSettings(biaya="Gratis (diubah)"), actor=actors["admin"])
    with db.read() as s:
        third = build_site(s, folder, settings, now=NOW)
    assert {c for c in third.changed if c.startswith(PAGES_DIR)} == set(pages) - {
        f"{PAGES_DIR}/maklumat.html"
    }


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def test_command_line(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for kind, extra in (
        ("standar", ["--layanan", "kia"]),
        ("standar", []),
        ("poster", []),
        ("maklumat", []),
    ):
        out = tmp_path / f"{kind}{len(extra)}.pdf"
        assert cli.main(["--db", db.url, "report", kind, *extra, "-o", str(out)]) == 0
        assert out.read_bytes()[:4] == b"%PDF"
    assert "Standar Pelayanan" in capsys.readouterr().out
    # every service: its own sheet under the letterhead, with its own signature
    sheets = [p.extract_text() for p in PdfReader(tmp_path / "standar0.pdf").pages]
    firsts = [flat(t) for t in sheets if "Halaman 1 dari" in t]
    assert len(firsts) == len(services())
    for sdef, first in zip(services().values(), firsts, strict=True):
        assert "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL" in first and sdef.name in first
    assert sum("NIP." in t for t in sheets) == len(services())
    kia = flat(pdf_text((tmp_path / "standar2.pdf").read_bytes())[0])
    assert services()["KIA"].name in kia and services()["KK"].name not in kia
    assert (
        cli.main(
            ["--db", db.url, "report", "standar", "--layanan", "XX", "-o", str(tmp_path / "x.pdf")]
        )
        == 2
    )
    assert "tidak dikenal" in capsys.readouterr().err
    assert cli.main(["--db", db.url, "report", "maklumat", "-o", str(tmp_path / "m.xlsx")]) == 2
