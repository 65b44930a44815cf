"""Everything the office prints or sends as a file: the tanda terima (PDF and PNG, with a status
QR code), the buku register, the rekap, the laporan kinerja, the laporan pengaduan and the SOP
chart — ReportLab PDFs and openpyxl workbooks with the office letterhead and embedded fonts.

Importing this package is cheap; ReportLab and openpyxl load on first use. Producing a document
writes an audit entry (code/kind/period only, never personal data), so call these functions in
a write transaction: ``with db.write() as session: data = report(session, ...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InputError
from ..services.context import Actor
from ..sop.catalog import complaint_codes

if TYPE_CHECKING:  # the package stays light: reports.text serves the CLI's fast status answer
    from sqlalchemy.orm import Session

__all__ = [
    "REPORT_FORMATS",
    "REPORT_KINDS",
    "REPORT_LABELS",
    "qr_content",
    "receipt",
    "report",
]

REPORT_KINDS: tuple[str, ...] = (
    "register",
    "rekap",
    "kinerja",
    "pengaduan",
    "sop",
    "standar",
    "poster",
    "maklumat",
    "skm",
    "pengaduan-rekap",
)

REPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "register": ("pdf", "xlsx"),
    "rekap": ("pdf", "xlsx"),
    "kinerja": ("pdf", "xlsx"),
    "pengaduan": ("pdf", "xlsx"),
    "pengaduan-rekap": ("pdf", "xlsx"),
    "sop": ("pdf",),
    "skm": ("pdf", "xlsx"),
    "standar": ("pdf",),
    "poster": ("pdf",),
    "maklumat": ("pdf",),
}

REPORT_LABELS: dict[str, str] = {
    "register": "Buku Register / Agenda",
    "rekap": "Rekap dan Laporan Jumlah Penerbitan",
    "kinerja": "Laporan Kinerja Layanan",
    "pengaduan": "Register dan Laporan Hasil Pengaduan",
    "pengaduan-rekap": "Rekap Pengaduan (klasifikasi, saluran, layanan, batas 60 hari)",
    "sop": "Bagan Alur SOP",
    "skm": "Survei Kepuasan Masyarakat (IKM)",
    "standar": "Standar Pelayanan (A4 per layanan)",
    "poster": "Poster Standar Pelayanan dan Maklumat (A3)",
    "maklumat": "Maklumat Pelayanan",
}

#: Kinds about the complaints only (their service is the complaint service).
COMPLAINT_REPORTS: frozenset[str] = frozenset({"pengaduan", "pengaduan-rekap"})

#: Kinds whose output does not depend on a period (the period is not checked).
PERIODLESS: frozenset[str] = frozenset({"sop", "standar", "poster", "maklumat"})


def receipt(
    session: Session,
    code: str,
    fmt: Literal["pdf", "png"],
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> bytes:
    """The tanda terima of a request: an A5 PDF for the printer or a PNG to send over
    WhatsApp. Raises InputError for a bad code or format, NotFound for an unknown code."""
    from . import tanda_terima as _receipt

    if fmt not in ("pdf", "png"):
        raise InputError(f"Format tanda terima '{fmt}' tidak dikenal; pilih pdf atau png.", "fmt")
    data = _receipt.build(session, code, now=now)
    content = _receipt.render_pdf(data) if fmt == "pdf" else _receipt.render_png(data)
    from ..services import audit

    audit.record(
        session,
        actor,
        "report.receipt",
        "case",
        data.code,
        {"fmt": fmt},
        now=now,
        username="(sistem)",
    )
    return content


def qr_content(session: Session, code: str) -> str:
    """The exact text the receipt's QR code holds: a ``wa.me`` link to the service's number
    with ``STATUS <code>``, or the office's status-page URL. Never personal data."""
    from .tanda_terima import qr_text_for

    return qr_text_for(session, code)


def report(
    session: Session,
    kind: str,
    date_from: date,
    date_to: date,
    *,
    service: str | None = None,
    fmt: Literal["pdf", "xlsx"] = "pdf",
    actor: Actor | None = None,
    progress: Callable[[int, int], None] | None = None,
    now: datetime | None = None,
) -> bytes:
    """Render a report of ``kind`` for the WIB days ``date_from``..``date_to`` (both included).

    ``progress(done, total)`` is called as the work advances. Raises InputError (Bahasa
    Indonesia) for an unknown kind, a format the kind does not offer, a bad period or service.
    """
    from .common import Progress, make_context
    from .data import check_period, check_service

    if kind not in REPORT_KINDS:
        raise InputError(
            f"Jenis laporan '{kind}' tidak dikenal. Pilihan: {', '.join(REPORT_KINDS)}.", "kind"
        )
    if fmt not in REPORT_FORMATS[kind]:
        allowed = " atau ".join(REPORT_FORMATS[kind])
        raise InputError(
            f"{REPORT_LABELS[kind]} tersedia dalam format {allowed}, bukan '{fmt}'.", "fmt"
        )
    code = check_service(service)
    if kind in COMPLAINT_REPORTS and code is not None and code not in complaint_codes():
        raise InputError(
            f"Laporan pengaduan hanya untuk layanan {' atau '.join(complaint_codes())}.",
            "service",
        )
    period = None if kind in PERIODLESS else check_period(date_from, date_to)
    tracker = Progress(progress, 100)
    tracker.to(0)
    ctx = make_context(session, actor, now)
    content, rows = _render(session, kind, fmt, ctx, period, code, tracker)
    detail: dict[str, object] = {"fmt": fmt, "service": code, "rows": rows}
    if period is not None:
        detail["from"] = period.date_from.isoformat()
        detail["to"] = period.date_to.isoformat()
    from ..services import audit

    audit.record(
        session, actor, f"report.{kind}", "report", kind, detail, now=now, username="(sistem)"
    )
    tracker.finish()
    return content


def _render(
    session: Session,
    kind: str,
    fmt: str,
    ctx: object,
    period: object,
    service: str | None,
    progress: object,
) -> tuple[bytes, int]:
    from . import kinerja, pengaduan, register, rekap, skm, sopchart, standar

    modules = {
        "register": register,
        "rekap": rekap,
        "kinerja": kinerja,
        "pengaduan": pengaduan,
        "pengaduan-rekap": pengaduan.REKAP,
        "sop": sopchart,
        "skm": skm,
        "standar": standar,
        "poster": standar.POSTER,
        "maklumat": standar.MAKLUMAT,
    }
    module: Any = modules[kind]
    render = module.render_pdf if fmt == "pdf" else module.render_xlsx
    result: tuple[bytes, int] = render(session, ctx, period, service, progress)
    return result
