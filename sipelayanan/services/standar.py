"""Standar pelayanan (UU 25/2009 Pasal 21, PermenPANRB 15/2014) and maklumat pelayanan.

Each service's fourteen components come from two places:

- from the data the app runs — persyaratan (the SOP checklist, alternatives and conditions as
  such), sistem/mekanisme/prosedur (the SOP steps with their actors), jangka waktu (the working
  days and the steps' mutu baku minutes), produk (the document), penanganan pengaduan (the
  complaint SOP and its WhatsApp number) and, unless the admin wrote it, jumlah pelaksana (the
  active users holding each role of the SOP);
- from what the admin fills once for the office (:class:`StandarSettings`, stored as the office
  setting ``standar_pelayanan``): dasar hukum, biaya, sarana, kompetensi, pengawasan internal,
  jaminan, keamanan, evaluasi kinerja, other complaint channels and the maklumat text.

The result is plain data (:class:`ServiceStandard`) for the PDF (``reports/standar.py``) and the
status site alike. It holds no personal data: the Kepala Dinas who signs the maklumat is taken
from the office profile by the PDF only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..models import User, UserRole
from ..sop import ROLES, Requirement, ServiceDef, Step, services
from ..sop.identity import SopIdentity, identity_of
from .context import Actor
from .office import OfficeProfile, get_profile, get_setting, set_setting

SETTING_KEY: Final = "standar_pelayanan"
MAX_TEXT: Final = 4000  # characters per component

#: The maklumat pelayanan in the words of PermenPANRB 15/2014 (Lampiran, contoh maklumat).
DEFAULT_MAKLUMAT: Final = (
    "Dengan ini, kami menyatakan sanggup menyelenggarakan pelayanan sesuai standar pelayanan "
    "yang telah ditetapkan dan apabila tidak menepati janji ini, kami siap menerima sanksi "
    "sesuai peraturan perundang-undangan yang berlaku."
)


@dataclass
class StandarSettings:
    """What the admin fills once. Every text holds one item per line."""

    dasar_hukum: str = "\n".join(
        (
            "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
            "Peraturan Pemerintah Nomor 96 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 25 "
            "Tahun 2009 tentang Pelayanan Publik",
            "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 15 "
            "Tahun 2014 tentang Pedoman Standar Pelayanan",
            "Peraturan Menteri Dalam Negeri Nomor 7 Tahun 2019 tentang Pelayanan Administrasi "
            "Kependudukan secara Daring",
        )
    )
    biaya: str = (
        "Tidak dipungut biaya (gratis), sesuai Pasal 79A Undang-Undang Nomor 24 Tahun 2013 "
        "tentang Perubahan atas Undang-Undang Nomor 23 Tahun 2006 tentang Administrasi "
        "Kependudukan"
    )
    sarana: str = "\n".join(
        (
            "Nomor WhatsApp pelayanan online untuk tiap layanan",
            "Komputer, printer, pemindai dan jaringan internet",
            "Aplikasi SIAK dan aplikasi SiPelayanan untuk pelacakan permohonan",
            "Blangko dokumen kependudukan, ribbon dan alat tulis kantor",
            "Ruang pelayanan, ruang tunggu dan loket pengambilan dokumen",
        )
    )
    kompetensi: str = "\n".join(
        (
            "Pendidikan paling rendah SLTA",
            "Mampu mengoperasikan komputer dan melakukan entri data dengan aplikasi SIAK",
            "Memahami peraturan perundang-undangan administrasi kependudukan",
            "Mampu berkomunikasi dengan santun dan jelas melalui WhatsApp",
        )
    )
    pengawasan: str = "\n".join(
        (
            "Pengawasan melekat oleh atasan langsung (Kepala Seksi dan Kepala Bidang)",
            "Laporan kinerja layanan bulanan: persentase selesai dalam 1 hari kerja dan waktu "
            "tiap langkah dibanding mutu baku SOP",
            "Log audit SiPelayanan yang mencatat setiap tindakan petugas",
            "Pemeriksaan oleh Inspektorat Kabupaten",
        )
    )
    jumlah_pelaksana: str = ""  # empty: counted from the active users holding the SOP's roles
    jaminan: str = "\n".join(
        (
            "Permohonan dengan persyaratan lengkap diselesaikan paling lama 1 (satu) hari kerja "
            "sesuai SOP yang ditandatangani Kepala Dinas",
            "Pelayanan tidak dipungut biaya",
            "Status permohonan dapat dicek setiap saat dengan kode pelacakan pada tanda terima",
        )
    )
    keamanan: str = "\n".join(
        (
            "Data pribadi pemohon dilindungi sesuai Undang-Undang Nomor 27 Tahun 2022 tentang "
            "Pelindungan Data Pribadi; hanya petugas berwenang yang dapat membukanya",
            "Berkas permohonan disimpan sebagai arsip dan dicadangkan setiap hari",
            "Dokumen hanya diserahkan kepada pemohon atau dikirim melalui PT POS",
        )
    )
    evaluasi: str = "\n".join(
        (
            "Evaluasi kinerja pelaksana setiap bulan berdasarkan laporan kinerja layanan",
            "Survei Kepuasan Masyarakat sesuai Peraturan Menteri PANRB Nomor 14 Tahun 2017, "
            "paling sedikit setiap semester",
        )
    )
    pengaduan_lain: str = "\n".join(
        (
            "SP4N-LAPOR! (www.lapor.go.id)",
            "Datang langsung ke loket pengaduan Dinas Kependudukan dan Pencatatan Sipil",
            "Kotak saran di ruang pelayanan",
        )
    )
    maklumat: str = DEFAULT_MAKLUMAT
    tanggal_penetapan: str = ""  # YYYY-MM-DD; empty: the day it is printed

    def items(self, key: str) -> tuple[str, ...]:
        """The non-empty lines of the text ``key``."""
        text: str = getattr(self, key)
        return tuple(" ".join(line.split()) for line in text.splitlines() if line.strip())

    def penetapan(self) -> date | None:
        return date.fromisoformat(self.tanggal_penetapan) if self.tanggal_penetapan else None


#: The admin's components in the Admin tab's order: key, label, hint.
ADMIN_FIELDS: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "dasar_hukum",
        "Dasar hukum",
        "Peraturan yang berlaku untuk semua layanan, satu per baris. Dasar hukum SOP tiap "
        "layanan dicetak lebih dahulu.",
    ),
    ("biaya", "Biaya/tarif", "Dokumen kependudukan tidak dipungut biaya (UU 24/2013 Pasal 79A)."),
    ("sarana", "Sarana, prasarana dan/atau fasilitas", "Satu butir per baris."),
    ("kompetensi", "Kompetensi pelaksana", "Satu butir per baris."),
    ("pengawasan", "Pengawasan internal", "Satu butir per baris."),
    (
        "jumlah_pelaksana",
        "Jumlah pelaksana",
        "Kosongkan agar dihitung dari pengguna aktif yang memegang peran tiap langkah SOP.",
    ),
    ("jaminan", "Jaminan pelayanan", "Satu butir per baris."),
    ("keamanan", "Jaminan keamanan dan keselamatan pelayanan", "Satu butir per baris."),
    ("evaluasi", "Evaluasi kinerja pelaksana", "Satu butir per baris."),
    (
        "pengaduan_lain",
        "Saluran pengaduan lain",
        "Dicetak di komponen penanganan pengaduan setelah nomor WhatsApp pengaduan.",
    ),
    ("maklumat", "Maklumat pelayanan", "Janji kantor yang ditandatangani Kepala Dinas."),
    (
        "tanggal_penetapan",
        "Tanggal penetapan",
        "YYYY-MM-DD; kosongkan agar tanggal cetak yang dipakai.",
    ),
)

#: The fourteen components in the order of UU 25/2009 Pasal 21: key, title.
COMPONENTS: Final[tuple[tuple[str, str], ...]] = (
    ("dasar_hukum", "Dasar hukum"),
    ("persyaratan", "Persyaratan"),
    ("prosedur", "Sistem, mekanisme dan prosedur"),
    ("jangka_waktu", "Jangka waktu penyelesaian"),
    ("biaya", "Biaya/tarif"),
    ("produk", "Produk pelayanan"),
    ("sarana", "Sarana, prasarana dan/atau fasilitas"),
    ("kompetensi", "Kompetensi pelaksana"),
    ("pengawasan", "Pengawasan internal"),
    ("pengaduan", "Penanganan pengaduan, saran dan masukan"),
    ("jumlah_pelaksana", "Jumlah pelaksana"),
    ("jaminan", "Jaminan pelayanan"),
    ("keamanan", "Jaminan keamanan dan keselamatan pelayanan"),
    ("evaluasi", "Evaluasi kinerja pelaksana"),
)


# --------------------------------------------------------------------------- settings


def default_standar() -> StandarSettings:
    return StandarSettings()


def get_standar(session: Session) -> StandarSettings:
    """The stored settings; components never saved keep their defaults."""
    data = get_setting(session, SETTING_KEY, {}) or {}
    names = {f.name for f in fields(StandarSettings)}
    known = {k: str(v) for k, v in data.items() if k in names}
    return StandarSettings(**known)


def save_standar(
    session: Session,
    settings: StandarSettings,
    *,
    actor: Actor | None,
    now: datetime | None = None,
) -> StandarSettings:
    """Check and store the admin's components (admins only). Texts are trimmed line by line."""
    from .users import require_admin

    if actor is not None:
        require_admin(session, actor)
    labels = {key: label for key, label, _hint in ADMIN_FIELDS}
    clean: dict[str, str] = {}
    for f in fields(StandarSettings):
        value = getattr(settings, f.name)
        if not isinstance(value, str):
            raise InputError(f"{labels[f.name]}: isinya harus teks.", f.name)
        lines = [" ".join(line.split()) for line in value.splitlines()]
        text = "\n".join(line for line in lines if line)
        if len(text) > MAX_TEXT:
            raise InputError(
                f"{labels[f.name]} terlalu panjang ({len(text)} karakter; paling banyak "
                f"{MAX_TEXT}).",
                f.name,
            )
        clean[f.name] = text
    optional = {"jumlah_pelaksana", "tanggal_penetapan", "pengaduan_lain"}
    for key, label, _hint in ADMIN_FIELDS:
        if key not in optional and not clean[key]:
            raise InputError(f"{label} tidak boleh kosong.", key)
    if clean["tanggal_penetapan"]:
        try:
            date.fromisoformat(clean["tanggal_penetapan"])
        except ValueError:
            raise InputError(
                "Tanggal penetapan ditulis YYYY-MM-DD, mis. 2026-01-02 (atau dikosongkan).",
                "tanggal_penetapan",
            ) from None
    result = StandarSettings(**clean)
    set_setting(session, SETTING_KEY, asdict(result), actor=actor, now=now)
    return result


# --------------------------------------------------------------------------- the standard


@dataclass(frozen=True)
class Item:
    """One printed item; ``sub`` holds the members of an alternative group (any one suffices)."""

    text: str
    sub: tuple[str, ...] = ()


@dataclass(frozen=True)
class Component:
    no: int
    key: str
    title: str
    items: tuple[Item, ...]
    from_sop: bool  # generated from the SOP the app runs (else: the admin's text)


@dataclass(frozen=True)
class ServiceStandard:
    code: str
    name: str
    sop_number: str
    version: str
    fingerprint: str
    wa_number: str
    components: tuple[Component, ...]

    def component(self, key: str) -> Component:
        for c in self.components:
            if c.key == key:
                return c
        raise KeyError(key)


ANGKA: Final = {1: "satu", 2: "dua", 3: "tiga", 4: "empat", 5: "lima", 6: "enam", 7: "tujuh"}


def _count(n: int) -> str:
    return f"{n} ({ANGKA[n]})" if n in ANGKA else str(n)


def requirement_items(sdef: ServiceDef) -> tuple[Item, ...]:
    """The checklist as printed: an alternative group is one item ("salah satu dari"), a
    conditional item says when it applies, an optional one says so, a count says how many."""
    conditions = {c.key: c.label for c in sdef.conditions}

    def label(req: Requirement) -> str:
        text = req.label  # a count (2 saksi) is in the label's own words
        if req.condition is not None:
            text += f" (hanya bila: {conditions.get(req.condition, req.condition)})"
        if not req.required:
            text += " (tidak wajib, bila ada)"
        return text

    out: list[Item] = []
    seen: set[str] = set()
    for req in sdef.requirements:
        group = req.alternative_group
        if group is None:
            out.append(Item(label(req)))
            continue
        if group in seen:
            continue
        seen.add(group)
        members = tuple(label(r) for r in sdef.requirements if r.alternative_group == group)
        out.append(Item("Salah satu dari:", members))
    return tuple(out)


def step_notes(step: Step) -> list[str]:
    """What the app does at a step besides moving on, in the SOP's words."""
    out: list[str] = []
    if step.allows("return_pemohon"):
        out.append("Tidak lengkap: kembali ke pemohon")
    for target in step.back_targets():
        out.append(f"Ada kesalahan: kembali ke langkah {target}")
    if step.allows("close"):
        out.append("Pengaduan sederhana: selesai di langkah ini")
    if step.assigns_register:
        out.append("Nomor register dicatat")
    if "nomor_dokumen" in step.records:
        out.append("Nomor dokumen SIAK dicatat")
    if "penyerahan" in step.records:
        out.append("Penyerahan / resi PT POS dicatat")
    for role in step.with_roles:
        out.append(f"Bersama {ROLES.get(role, role)}")
    return out


def step_line(step: Step) -> str:
    """One SOP step as the standar pelayanan prints it: activity, who, mutu baku minutes."""
    who = step.actor_label
    role = ROLES.get(step.role, step.role)
    if role.lower() != who.lower():
        who += f" (dicatat oleh {role})"
    return f"{step.activity} — {who}; {step.minutes} menit"


def _roles_of(sdef: ServiceDef) -> list[str]:
    roles: list[str] = []
    for step in sdef.steps:
        for role in (step.role, *step.with_roles):
            if role not in roles:
                roles.append(role)
    return roles


def role_counts(session: Session) -> dict[str, int]:
    """Active users per role."""
    rows = session.execute(
        select(UserRole.role, func.count(UserRole.user_id))
        .join(User, User.id == UserRole.user_id)
        .where(User.active.is_(True))
        .group_by(UserRole.role)
    ).all()
    return {str(role): int(n) for role, n in rows}


def _complaint_service() -> ServiceDef | None:
    for sdef in services().values():
        if sdef.is_complaint:
            return sdef
    return None


def _minutes_until_close(sdef: ServiceDef) -> list[tuple[int, int]]:
    """(step, minutes from the start) for each step where a case may end early."""
    out = []
    total = 0
    for step in sdef.steps:
        total += step.minutes
        if step.allows("close") and step.no != sdef.last_step:
            out.append((step.no, total))
    return out


def build_standard(
    sdef: ServiceDef,
    settings: StandarSettings,
    profile: OfficeProfile,
    *,
    identity: SopIdentity | None,
    counts: Mapping[str, int],
) -> ServiceStandard:
    """The fourteen components of ``sdef``'s standar pelayanan."""
    wa = profile.wa_number(sdef.code)
    complaint = _complaint_service()

    def admin(key: str) -> tuple[Item, ...]:
        return tuple(Item(t) for t in settings.items(key))

    dasar = list(identity.dasar_hukum if identity else ())
    dasar += [t for t in settings.items("dasar_hukum") if t not in dasar]

    prosedur = []  # item i is step i: the printed numbers are the SOP's step numbers
    for step in sdef.steps:
        notes = step_notes(step)
        line = step_line(step)
        prosedur.append(Item(line + (f" ({'; '.join(notes)})" if notes else "")))

    days = sdef.standard_working_days
    waktu = [
        Item(
            f"Paling lama {_count(days)} hari kerja sejak persyaratan diterima lengkap",
        ),
        Item(f"Mutu baku waktu kerja menurut SOP: {sdef.total_minutes} menit"),
    ]
    for no, minutes in _minutes_until_close(sdef):
        waktu.append(Item(f"Selesai di langkah {no} (penyelesaian sederhana): {minutes} menit"))

    if sdef.document_kind:
        produk = [
            Item(sdef.document_kind),
            Item("Pemberitahuan melalui WhatsApp bila dokumen sudah selesai"),
        ]
    else:
        produk = [Item("Jawaban dan solusi atas pengaduan, disampaikan kepada pelapor")]
    produk.append(Item("Tanda terima dengan kode pelacakan untuk cek status"))

    pengaduan: list[Item] = []
    if complaint is not None:
        number = profile.wa_number(complaint.code)
        pengaduan.append(
            Item(
                f"Pengaduan, saran dan masukan melalui WhatsApp pengaduan {number}"
                if number
                else "Pengaduan, saran dan masukan melalui nomor WhatsApp pengaduan kantor"
            )
        )
        early = "".join(
            f"; selesai di langkah {no} bila sederhana: {minutes} menit"
            for no, minutes in _minutes_until_close(complaint)
        )
        actors = ", ".join(
            dict.fromkeys(
                label
                for s in complaint.steps[1:]  # step 1 is the pelapor's own
                for label in (s.actor_label, *(ROLES.get(r, r) for r in s.with_roles))
            )
        )
        pengaduan.append(
            Item(
                f"Ditangani menurut SOP {complaint.name} nomor {complaint.sop_number} "
                f"({len(complaint.steps)} langkah, oleh {actors}); mutu baku "
                f"{complaint.total_minutes} menit{early}"
            )
        )
    pengaduan += admin("pengaduan_lain")

    if settings.items("jumlah_pelaksana"):
        jumlah = admin("jumlah_pelaksana")
    else:
        jumlah = (
            Item(
                "; ".join(
                    f"{ROLES.get(role, role)}: {counts.get(role, 0)} orang"
                    for role in _roles_of(sdef)
                )
            ),
        )

    parts: dict[str, tuple[tuple[Item, ...], bool]] = {
        "dasar_hukum": (tuple(Item(t) for t in dasar), False),
        "persyaratan": (requirement_items(sdef), True),
        "prosedur": (tuple(prosedur), True),
        "jangka_waktu": (tuple(waktu), True),
        "biaya": (admin("biaya"), False),
        "produk": (tuple(produk), True),
        "sarana": (admin("sarana"), False),
        "kompetensi": (admin("kompetensi"), False),
        "pengawasan": (admin("pengawasan"), False),
        "pengaduan": (tuple(pengaduan), True),
        "jumlah_pelaksana": (jumlah, not settings.items("jumlah_pelaksana")),
        "jaminan": (admin("jaminan"), False),
        "keamanan": (admin("keamanan"), False),
        "evaluasi": (admin("evaluasi"), False),
    }
    components = tuple(
        Component(no, key, title, parts[key][0], parts[key][1])
        for no, (key, title) in enumerate(COMPONENTS, start=1)
    )
    return ServiceStandard(
        code=sdef.code,
        name=sdef.name,
        sop_number=sdef.sop_number,
        version=sdef.version,
        fingerprint=sdef.fingerprint(),
        wa_number=wa,
        components=components,
    )


@dataclass(frozen=True)
class StandardsBook:
    """Everything the documents and the status-site pages print."""

    office: str
    standards: tuple[ServiceStandard, ...]
    settings: StandarSettings


def standards(session: Session, service: str | None = None) -> StandardsBook:
    """The standar pelayanan of every service (or of ``service`` only), as the app runs them."""
    profile = get_profile(session)
    settings = get_standar(session)
    counts = role_counts(session)
    chosen = [services()[service]] if service else list(services().values())
    return StandardsBook(
        office=profile.name,
        standards=tuple(
            build_standard(sdef, settings, profile, identity=identity_of(sdef.code), counts=counts)
            for sdef in chosen
        ),
        settings=settings,
    )
