"""The readable summary of a resident's data export (UU 27/2022 Pasal 32): what the office holds
about one NIK and who accessed it, as a PDF for the resident (it names them: it is theirs)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from ..case_status import CaseStatus
from ..identity import format_tracking_code
from . import text as fmt
from .pdf import DocMeta, build_pdf, esc, frame_width, grid_table, styles

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ..services.privacy import SubjectData

ITEM_LABELS = {
    "case": "membuka permohonan",
    "nik": "melihat NIK lengkap",
    "berkas": "membuka berkas",
    "search": "pencarian",
    "export": "ekspor data pribadi",
    "receipt": "mencetak tanda terima",
    "register": "mencetak buku register yang memuatnya",
    "pengaduan": "mencetak register pengaduan yang memuatnya",
}


def _when(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return fmt.tanggal_jam_angka(value) if isinstance(value, datetime) else "-"


def render(session: Session, data: SubjectData, at: datetime) -> bytes:
    from ..services.cases import service_def
    from ..services.office import get_profile
    from ..services.outbox import KIND_LABELS, State
    from ..services.privacy import privacy_notice

    profile = get_profile(session)
    st = styles()
    width = frame_width(False)
    first = data.cases[0]
    story: list[Flowable] = [
        Paragraph(
            f"Nama: <b>{esc(first['pemohon_nama'])}</b> &nbsp; NIK: <b>{esc(first['nik'])}</b>",
            st["body"],
        ),
        Paragraph(
            f"Dibuat {esc(fmt.waktu(at))} atas permintaan pemilik data (UU No. 27 Tahun 2022 "
            "Pasal 32). Rincian setiap baris ada di data.json; berkas di folder berkas/.",
            st["small"],
        ),
        Spacer(1, 4),
        Paragraph("Permohonan", st["h2"]),
    ]
    rows: list[list[Any]] = [["Kode", "Layanan", "Diterima", "Status", "Selesai", "WhatsApp"]]
    for c in data.cases:
        try:
            name = service_def(c["service"]).name
        except Exception:  # an SOP no longer loaded: the code is still meaningful
            name = c["service"]
        rows.append(
            [
                format_tracking_code(c["code"]),
                Paragraph(esc(name), st["cell"]),
                _when(c["received_at"]),
                CaseStatus.LABELS.get(c["status"], c["status"]),
                _when(c["finished_at"]) if c["finished_at"] else "-",
                c["wa"],
            ]
        )
    story.append(grid_table(rows, [w * width for w in (0.14, 0.28, 0.15, 0.15, 0.14, 0.14)]))
    code_of = {c["id"]: format_tracking_code(c["code"]) for c in data.cases}

    story.append(Paragraph("Riwayat langkah (perubahan status)", st["h2"]))
    rows = [["Kode", "Langkah", "Tindakan", "Selesai", "Catatan"]]
    for h in data.tables["case_steps"]:
        rows.append(
            [
                code_of[h["case_id"]],
                str(h["step_no"]),
                h["action"],
                _when(h["ended_at"]),
                Paragraph(esc(h["note"] or ""), st["cell"]),
            ]
        )
    story.append(grid_table(rows, [w * width for w in (0.15, 0.1, 0.15, 0.17, 0.43)]))

    story.append(Paragraph("Pesan WhatsApp", st["h2"]))
    rows = [["Kode", "Jenis", "Dibuat", "Keadaan"]]
    for n in data.tables["notices"]:
        rows.append(
            [
                code_of[n["case_id"]],
                KIND_LABELS.get(n["kind"], n["kind"]),
                _when(n["created_at"]),
                State.LABELS.get(n["state"], n["state"]),
            ]
        )
    story.append(grid_table(rows, [w * width for w in (0.18, 0.3, 0.2, 0.32)]))

    story.append(Paragraph("Berkas", st["h2"]))
    rows = [["Kode", "File", "Ukuran", "Diunggah", "Isi"]]
    for a in data.tables["attachments"]:
        rows.append(
            [
                code_of[a["case_id"]],
                Paragraph(esc(a["filename"]), st["cell"]),
                fmt.angka(int(a["size"])),
                _when(a["uploaded_at"]),
                Paragraph(esc(a.get("file_zip") or a.get("isi") or "-"), st["cell"]),
            ]
        )
    story.append(grid_table(rows, [w * width for w in (0.15, 0.3, 0.1, 0.15, 0.3)]))

    story.append(Paragraph("Siapa mengakses data ini", st["h2"]))
    rows = [["Waktu", "Pengguna", "Komputer", "Kode", "Akses"]]
    for r in data.accesses:
        rows.append(
            [
                fmt.tanggal_jam_angka(r.at),
                r.username or "-",
                Paragraph(esc(r.workstation), st["cell"]),
                format_tracking_code(r.code) if r.code else "-",
                ITEM_LABELS.get(r.item, r.item),
            ]
        )
    story.append(grid_table(rows, [w * width for w in (0.18, 0.17, 0.25, 0.15, 0.25)]))
    story += [Spacer(1, 6 * mm), Paragraph(esc(privacy_notice(profile)), st["note"])]
    meta = DocMeta(
        "Data Pribadi yang Disimpan",
        f"{len(data.cases)} permohonan, {len(data.accesses)} catatan akses",
        profile,
        at,
        None,
    )
    return build_pdf(meta, story)
