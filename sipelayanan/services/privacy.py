"""A resident's rights over their data (UU 27/2022): the export of everything held about one
NIK (Pasal 32), a correction applied as a recorded action, and the office's privacy notice with
its data-protection officer (Pasal 53).

:func:`export_subject` gathers every row about one NIK — the requests filed under it, their step
history (every status change), checklist, SIAK document numbers, hand-over, register entry,
WhatsApp notices sent (the outbox) and consent, the berkas files themselves — and every recorded
access to those requests (who saw, printed or searched them, and when), as one ZIP: a readable
PDF summary, ``data.json`` with every row, and the berkas files. The export itself is recorded
(one ``data.view`` entry, item ``export``; no NIK in the log).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ..errors import InputError, NotFound
from ..identity import ValidationError, clean_line, name_key, normalize_nik, normalize_wa
from ..models import Attachment, Case
from . import access
from .context import Actor, resolve_now
from .office import OfficeProfile
from .users import actor_user, require_admin


#: The tables that hold rows about a request, keyed by ``case_id`` (the request itself aside).
#: Read from the models, so a table added later (complaint details, collection, …) is part of
#: every export without a change here.
def case_tables() -> tuple[Table, ...]:
    from ..models import Base

    return tuple(
        t
        for t in sorted(Base.metadata.tables.values(), key=lambda t: t.name)
        if "case_id" in t.c and t.name != "cases"
    )


#: Pasal 32: a resident's request is answered within 3 x 24 hours.
ANSWER_WITHIN_HOURS = 72


# --------------------------------------------------------------------------- privacy notice


def privacy_notice(profile: OfficeProfile) -> str:
    """The short notice printed on the tanda terima and shown on the status page."""
    text = (
        "Data pribadi Anda dipakai hanya untuk memproses permohonan ini sesuai UU No. 27 Tahun "
        "2022 tentang Pelindungan Data Pribadi; setiap akses petugas dicatat. Anda berhak "
        "meminta salinan atau perbaikan data Anda."
    )
    contact = ", ".join(x for x in (profile.dpo_name.strip(), profile.dpo_contact.strip()) if x)
    if contact:
        text += f" Pejabat pelindungan data: {contact}."
    return text


# --------------------------------------------------------------------------- export


def _nik(value: str) -> str:
    try:
        return normalize_nik(value)
    except ValidationError as exc:
        raise InputError(str(exc), "nik") from exc


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return None  # contents travel as files, not in data.json
    return value


@dataclass
class SubjectData:
    """Every row held about one NIK, table by table (``cases`` first), plus the accesses."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    accesses: list[access.AccessRecord] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return [str(c["code"]) for c in self.cases]


def subject_data(session: Session, nik: str) -> SubjectData:
    """Every row about ``nik``: the requests filed under it and every row keyed to them."""
    nik = _nik(nik)
    cases = Case.__table__
    found = SubjectData()
    for row in session.execute(select(cases).where(cases.c.nik == nik).order_by(cases.c.id)):
        found.cases.append({k: _plain(v) for k, v in row._mapping.items()})
    ids = [c["id"] for c in found.cases]
    for table in case_tables():
        rows: list[dict[str, Any]] = []
        if ids:
            cols = [c for c in table.columns if c.key != "content"]
            stmt = select(*cols).where(table.c.case_id.in_(ids))
            pk = list(table.primary_key.columns)
            for row in session.execute(stmt.order_by(*pk)):
                rows.append({k: _plain(v) for k, v in row._mapping.items()})
        found.tables[table.name] = rows
    found.accesses = sorted(
        access.accesses_for(session, found.codes) + _lists_naming(session, found),
        key=lambda a: a.seq,
    )
    return found


#: reports that list pemohon by name: a register of a period names everyone registered in it
NAMING_REPORTS = ("report.register", "report.pengaduan")


def _is_complaint(service: str) -> bool:
    from ..sop import services

    sdef = services().get(service)
    return bool(sdef is not None and sdef.is_complaint)


def _lists_naming(session: Session, found: SubjectData) -> list[access.AccessRecord]:
    """Registers printed for a period (and service) that held one of the requests: each named
    the resident, so each is an access to report (by the day its register number was given,
    or the day the request came in)."""
    from ..calendar import WIB
    from ..models import AuditEntry

    days: list[tuple[str, str, str]] = []  # (code, service, WIB day)
    by_case = {r["case_id"]: r for r in found.tables.get("register_entries", [])}
    for c in found.cases:
        when = by_case.get(c["id"], {}).get("assigned_at") or c["received_at"]
        day = datetime.fromisoformat(when).astimezone(WIB).date().isoformat()
        days.append((str(c["code"]), str(c["service"]), day))
    if not days:
        return []
    out: list[access.AccessRecord] = []
    rows = session.execute(
        select(AuditEntry).where(AuditEntry.action.in_(NAMING_REPORTS)).order_by(AuditEntry.seq)
    ).scalars()
    for row in rows:
        detail = json.loads(row.detail or "{}")
        start, end, service = detail.get("from"), detail.get("to"), detail.get("service")
        hit = next(
            (
                code
                for code, svc, day in days
                if start
                and end
                and start <= day <= end
                and service in (None, svc)
                and (row.action != "report.pengaduan" or _is_complaint(svc))
            ),
            None,
        )
        if hit is not None:
            item = row.action.removeprefix("report.")
            out.append(
                access.AccessRecord(
                    int(row.seq), row.at, row.username, row.workstation, row.action, hit, item,
                    detail,
                )
            )  # fmt: skip
    return out


@dataclass(frozen=True)
class ExportResult:
    content: bytes
    cases: int
    files: int
    accesses: int


def export_subject(
    session: Session, actor: Actor, nik: str, *, channel: str = "gui", now: datetime | None = None
) -> ExportResult:
    """The ZIP of everything held about ``nik`` (admin only); the export is recorded."""
    require_admin(session, actor)
    at = resolve_now(now)
    data = subject_data(session, nik)
    if not data.cases:
        raise NotFound("Tidak ada permohonan dengan NIK itu di basis data ini.")
    code_of = {c["id"]: c["code"] for c in data.cases}
    buf = io.BytesIO()
    files = 0
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for att in data.tables["attachments"]:
            content = session.execute(
                select(Attachment.content).where(Attachment.id == att["id"])
            ).scalar()
            if not content:
                att["isi"] = "dihapus (masa retensi lewat)"
                continue
            name = f"berkas/{code_of[att['case_id']]}/{att['id']}_{att['filename']}"
            att["file_zip"] = name
            zf.writestr(name, bytes(content))
            files += 1
        payload = {
            "dibuat": at.isoformat(),
            "permohonan": data.cases,
            **data.tables,
            "akses": [
                {
                    "seq": a.seq,
                    "waktu": a.at.isoformat(),
                    "pengguna": a.username,
                    "komputer": a.workstation,
                    "tindakan": a.action,
                    "kode": a.code,
                    "butir": a.item,
                }
                for a in data.accesses
            ],
        }
        zf.writestr("data.json", json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        from ..reports import privacy_pdf

        zf.writestr("ringkasan.pdf", privacy_pdf.render(session, data, at))
    access.record_export(
        session,
        actor,
        data.codes[0] if len(data.codes) == 1 else None,
        "data_pribadi",
        channel=channel,
        codes=data.codes[: access.SEARCH_CODES_KEPT],
        files=files,
        now=at,
    )
    return ExportResult(buf.getvalue(), len(data.cases), files, len(data.accesses))


# --------------------------------------------------------------------------- correction


CORRECTABLE = ("nama", "nik", "no_kk", "wa")


def correct_pemohon(
    session: Session,
    actor: Actor,
    code: str,
    changes: Mapping[str, str],
    *,
    alasan: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Apply a resident's correction request (Pasal 32) to request ``code``: the pemohon's
    name, NIK, No. KK or WhatsApp number. An admin action like any other: recorded as
    ``case.correct`` (the fields changed and the reason, never the values) and sealing the
    request's new state. Returns the fields that changed."""
    from .cases import _audit, _check_version, load_case

    require_admin(session, actor)
    actor_user(session, actor)
    at = resolve_now(now)
    reason = " ".join((alasan or "").split())
    if not reason:
        raise InputError("Tuliskan dasar perbaikan (mis. permintaan pemohon tanggal …).", "alasan")
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise InputError(f"Data tidak dapat diperbaiki di sini: {', '.join(unknown)}.", "data")
    case = load_case(session, code, for_update=True)
    _check_version(case, expected_version)
    changed: list[str] = []
    for key, raw in changes.items():
        value = raw.strip()
        if key == "nama":
            name = clean_line(value)
            if not name or not any(c.isalpha() for c in name):
                raise InputError("Nama harus berisi huruf.", "nama")
            if name != case.pemohon_nama:
                case.pemohon_nama, case.name_key = name, name_key(name)
                changed.append(key)
        elif key == "nik":
            nik = _nik(value)
            if nik != case.nik:
                case.nik = nik
                changed.append(key)
        elif key == "no_kk":
            from ..identity import normalize_no_kk

            try:
                kk = normalize_no_kk(value)
            except ValidationError as exc:
                raise InputError(str(exc), "no_kk") from exc
            if kk != case.no_kk:
                case.no_kk = kk
                changed.append(key)
        else:
            try:
                wa = normalize_wa(value)
            except ValidationError as exc:
                raise InputError(str(exc), "wa") from exc
            if wa != case.wa:
                case.wa = wa
                changed.append(key)
    if not changed:
        raise InputError("Tidak ada data yang berubah.", "data")
    _audit(
        session,
        actor,
        "case.correct",
        case,
        {"fields": changed, "alasan": reason[:300], "dasar": "UU 27/2022 Pasal 32"},
        at,
    )
    return changed
