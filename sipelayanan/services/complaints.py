"""Complaints as Perpres 76/2013 and SP4N-LAPOR! manage them, on top of the complaint SOP.

The SOP's steps stay as they are (``resources/sop/*.toml``, a service whose SOP issues no
document). This module adds what the national system expects of each complaint — the channel it
came through, its LAPOR! tracking number, its classification, the service it concerns, the 60-day
settlement limit counted beside the SOP's minutes, the pelapor's identity kept to the complaint
roles (and hidden everywhere when the pelapor asks) — and one function per clerk action:

- :func:`register` — a new complaint, its details and, when the berkas came with it, the SOP's
  first step finished at once (one action, one transaction);
- :func:`act` — the current step's declared form (``[steps.forms.*]`` in the SOP file): tick the
  berkas and move on, close with a simple solution, return to the pelapor, take the berkas
  susulan — each under the version the clerk saw;
- :func:`list_complaints`, :func:`load` — the complaint page's reads (typed rows);
- :func:`recap` — the recap by classification, channel, service concerned and time to settle.

Nothing here names a service code or a step number: the complaint service is the one whose SOP
produces no document (``ServiceDef.is_complaint``), and what each step asks comes from its forms.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendar import WIB
from ..errors import DomainError, InputError, NotFound
from ..models import Case, CaseStatus, ComplaintDetail
from ..sop import ServiceDef, services
from ..sop.forms import StepForm, forms_of
from . import cases
from .berkas import BerkasFile
from .cases import CaseRef, IntakeData
from .complaint_terms import (
    CHANNELS,
    CLASSES,
    DEFAULT_CHANNEL,
    DEFAULT_CLASS,
    SETTLEMENT_DAYS,
)
from .context import Actor, resolve_now
from .pelapor import HIDDEN, complaint_codes, complaint_roles, hidden_in_view, sees_pelapor
from .queries import CaseView, case_view

#: Time-to-settle bands of the recap (upper bound in days, inclusive; None: above the last).
SETTLE_BANDS: Final[tuple[tuple[str, int | None], ...]] = (
    ("≤ 1 hari", 1),
    ("2–7 hari", 7),
    ("8–30 hari", 30),
    ("31–60 hari", SETTLEMENT_DAYS),
    ("> 60 hari", None),
)

LIST_LIMIT: Final = 500
FINISHED_DAYS: Final = 30
MAX_TEXT: Final = 4000

SCOPE_MINE: Final = "saya"
SCOPE_OPEN: Final = "terbuka"
SCOPE_DONE: Final = "selesai"

_LAPOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{3,39}$")


# --------------------------------------------------------------------------- the service


def complaint_services() -> tuple[ServiceDef, ...]:
    """Every loaded service whose SOP handles complaints (``ServiceDef.is_complaint``)."""
    return tuple(services()[code] for code in complaint_codes())


def complaint_service() -> ServiceDef:
    """The office's complaint service (the first, if an SOP folder declares several)."""
    found = complaint_services()
    if not found:
        raise DomainError("Tidak ada layanan pengaduan di SOP yang dimuat.")
    return found[0]


def settle_by(received_at: datetime) -> date:
    """The last day of the 60-day settlement limit of a complaint received then."""
    return received_at.astimezone(WIB).date() + timedelta(days=SETTLEMENT_DAYS)


def settle_days(received_at: datetime, finished_at: datetime) -> int:
    """Calendar days from receipt to settlement (0: the same day)."""
    return (finished_at.astimezone(WIB).date() - received_at.astimezone(WIB).date()).days


def channel_label(key: str | None) -> str:
    return CHANNELS.get(key or DEFAULT_CHANNEL, key or "")


def class_label(key: str | None) -> str:
    return CLASSES.get(key or DEFAULT_CLASS, key or "")


def concerns_label(code: str | None) -> str:
    if not code:
        return "Tidak disebut"
    sdef = services().get(code)
    return sdef.short_name if sdef is not None else code


# --------------------------------------------------------------------------- details


@dataclass(frozen=True)
class ComplaintInfo:
    """What the national system records of one complaint, beside its SOP state."""

    channel: str
    lapor_number: str | None
    classification: str
    concerns: str | None
    rahasia: bool
    ringkasan: str | None
    settle_by: date
    settled_days: int | None  # calendar days to settle, once finished
    overdue: bool  # past the 60-day limit (still open, or settled late)

    @property
    def channel_label(self) -> str:
        return channel_label(self.channel)

    @property
    def class_label(self) -> str:
        return class_label(self.classification)

    @property
    def concerns_label(self) -> str:
        return concerns_label(self.concerns)


def _info(
    detail: ComplaintDetail | None,
    received_at: datetime,
    finished_at: datetime | None,
    status: str,
    today: date,
) -> ComplaintInfo:
    limit = settle_by(received_at)
    days = settle_days(received_at, finished_at) if finished_at is not None else None
    if status == CaseStatus.BATAL:
        overdue = False
    elif days is not None:
        overdue = days > SETTLEMENT_DAYS
    else:
        overdue = today > limit
    return ComplaintInfo(
        channel=detail.channel if detail else DEFAULT_CHANNEL,
        lapor_number=detail.lapor_number if detail else None,
        classification=detail.classification if detail else DEFAULT_CLASS,
        concerns=detail.concerns if detail else None,
        rahasia=bool(detail.rahasia) if detail else False,
        ringkasan=detail.ringkasan if detail else None,
        settle_by=limit,
        settled_days=days,
        overdue=overdue,
    )


def _clean_lapor(value: str | None) -> str | None:
    text = (value or "").strip().lstrip("#").replace(" ", "")
    if not text:
        return None
    if not _LAPOR_RE.match(text):
        raise InputError(
            "Nomor pelacakan LAPOR! tidak sah: 4–40 huruf/angka (boleh '-', '.', '/').",
            "lapor_number",
        )
    return text


@dataclass(frozen=True)
class ComplaintFacts:
    """The Perpres 76/2013 facts a clerk records with a new complaint."""

    channel: str = DEFAULT_CHANNEL
    classification: str = DEFAULT_CLASS
    lapor_number: str | None = None
    concerns: str | None = None  # the service complained about (a service code)
    rahasia: bool = False  # the pelapor asked that their identity be kept confidential


def validate_facts(facts: ComplaintFacts) -> ComplaintFacts:
    """The facts cleaned, or InputError naming the field."""
    if facts.channel not in CHANNELS:
        raise InputError(
            f"Saluran pengaduan '{facts.channel}' tidak dikenal. Pilihan: {', '.join(CHANNELS)}.",
            "channel",
        )
    if facts.classification not in CLASSES:
        raise InputError(
            f"Klasifikasi '{facts.classification}' tidak dikenal. Pilihan: {', '.join(CLASSES)}.",
            "classification",
        )
    lapor = _clean_lapor(facts.lapor_number)
    if facts.channel == "lapor" and lapor is None:
        raise InputError(
            "Pengaduan dari SP4N-LAPOR! perlu nomor pelacakan LAPOR!-nya.", "lapor_number"
        )
    if facts.channel != "lapor" and lapor is not None:
        raise InputError(
            "Nomor pelacakan LAPOR! hanya untuk pengaduan yang datang lewat SP4N-LAPOR!.",
            "lapor_number",
        )
    concerns = (facts.concerns or "").strip().upper() or None
    if concerns is not None:
        sdef = services().get(concerns)
        if sdef is None or sdef.is_complaint:
            choices = ", ".join(s.code for s in services().values() if not s.is_complaint)
            raise InputError(
                f"Layanan yang diadukan '{facts.concerns}' tidak dikenal. Pilihan: {choices}.",
                "concerns",
            )
    return ComplaintFacts(facts.channel, facts.classification, lapor, concerns, facts.rahasia)


# --------------------------------------------------------------------------- register


@dataclass(frozen=True)
class NewComplaint:
    """Everything the Daftarkan form holds."""

    nama: str
    wa: str
    uraian: str | None
    nik: str | None = None
    kecamatan: str | None = None
    berkas: Sequence[BerkasFile] = ()
    berkas_present: bool = False  # the berkas of the complaint came with it (checklist ticked)
    receive_now: bool = True  # and the registration receives it (finishes the SOP's first step)
    setuju_wa: bool = False
    facts: ComplaintFacts = field(default_factory=ComplaintFacts)
    service: str | None = None  # default: the complaint service


@dataclass(frozen=True)
class Registered:
    ref: CaseRef
    steps_done: int  # SOP steps finished by the registration (the berkas received with it)


def register(
    session: Session, actor: Actor, data: NewComplaint, *, now: datetime | None = None
) -> Registered:
    """Record a new complaint with its details. When the berkas came with it, the step whose
    form says ``at_registration`` (the SOP's "pelapor mengirimkan berkas") is finished in the
    same transaction: the clerk is not asked to receive what they just registered."""
    at = resolve_now(now)
    sdef = cases.service_def(data.service) if data.service else complaint_service()
    if not sdef.is_complaint:
        raise InputError(f"Layanan {sdef.code} bukan layanan pengaduan.", "service")
    facts = validate_facts(data.facts)
    present = [r.key for r in sdef.requirements] if data.berkas_present else []
    ref = cases.intake(
        session,
        actor,
        IntakeData(
            service=sdef.code,
            nama=data.nama,
            wa=data.wa,
            nik=data.nik,
            kecamatan=data.kecamatan,
            present=present,
            uraian=data.uraian,
            berkas=data.berkas,
            setuju_wa=data.setuju_wa,
        ),
        now=at,
    )
    session.add(
        ComplaintDetail(
            case_id=ref.id,
            channel=facts.channel,
            lapor_number=facts.lapor_number,
            classification=facts.classification,
            concerns=facts.concerns,
            rahasia=facts.rahasia,
        )
    )
    session.flush()
    first = forms_of(sdef).at_registration()
    if (
        data.berkas_present
        and data.receive_now
        and first is not None
        and first.step_no == ref.current_step
    ):
        ref = cases.advance(
            session,
            actor,
            ref.code,
            note="Berkas diterima bersama pendaftaran pengaduan.",
            expected_version=ref.version,
            expected_step=first.step_no,
            now=at,
        )
        return Registered(ref, 1)
    return Registered(ref, 0)


# --------------------------------------------------------------------------- the forms


@dataclass(frozen=True)
class FormSpec:
    """One action form on a complaint, for this user now: what it asks and what it does."""

    key: str
    title: str
    hint: str
    button: str
    move: str  # "next" | "close" | "return_pemohon" | "resubmit"
    text_label: str | None = None
    records: str = "note"  # "note" | "solusi" | "ringkasan" | "missing" | "none"
    text_required: bool = False
    prefill: str | None = None  # the text the box starts with (what was typed before)
    note_label: str | None = None
    compose: str | None = None  # message template to compose after success
    secondary: bool = False  # folded until opened (a less common way out)
    checklist: tuple[tuple[str, str], ...] = ()  # (key, label) to tick before moving on


def _declared(
    form: StepForm | None, step_no: int, activity: str, move: str, info: ComplaintInfo | None
) -> FormSpec:
    if form is None:  # an SOP file without forms for this step: a plain "finish this step"
        return FormSpec(
            f"{move}{step_no}",
            f"Selesaikan langkah {step_no}",
            activity,
            "Selesaikan langkah" if move == "next" else "Tutup pengaduan",
            move,
            text_label="Catatan (opsional)" if move == "next" else "Solusi",
            records="note" if move == "next" else "solusi",
            text_required=move == "close",
        )
    return FormSpec(
        form.key,
        form.title,
        form.help,
        form.button,
        move,
        text_label=form.label if form.records != "none" else None,
        records=form.records,
        text_required=form.required,
        prefill=form.prefill or None,
        note_label=form.note_label or None,
        compose=form.compose or None,
    )


def forms_for(view: CaseView, info: ComplaintInfo | None, sdef: ServiceDef) -> list[FormSpec]:
    """The forms this user may use on this complaint now (driven by ``view.allowed`` and the
    forms the SOP file declares for the current step)."""
    allowed = view.allowed
    step = view.current_step
    declared = forms_of(sdef)

    def prefilled(spec: FormSpec) -> FormSpec:
        source = spec.prefill
        text = (
            view.solusi
            if source == "solusi"
            else info.ringkasan
            if source == "ringkasan" and info
            else None
        )
        return FormSpec(**{**spec.__dict__, "prefill": text or None})

    out: list[FormSpec] = []
    if view.status == CaseStatus.MENUNGGU_PEMOHON and allowed.get("resubmit"):
        out.append(
            FormSpec(
                "resubmit",
                "Berkas susulan dari pelapor",
                f"Pelapor sudah mengirim kekurangannya: pengaduan berlanjut di langkah {step}.",
                "Berkas susulan diterima",
                "resubmit",
                text_label="Catatan (opsional)",
            )
        )
        return out
    if view.status != CaseStatus.PROSES:
        return out
    if allowed.get("close"):
        out.append(
            prefilled(
                _declared(declared.get(step, "close"), step, view.current_activity, "close", info)
            )
        )
    if allowed.get("advance"):
        spec = prefilled(
            _declared(declared.get(step, "next"), step, view.current_activity, "next", info)
        )
        if allowed.get("return_pemohon"):  # a completeness step: the checklist must be whole
            missing = tuple((c.key, c.label) for c in view.checklist if c.applies and not c.present)
            spec = FormSpec(**{**spec.__dict__, "checklist": missing})
        out.append(spec)
    if allowed.get("return_pemohon"):
        out.append(
            FormSpec(
                "return",
                "Kembalikan ke pelapor",
                "Berkas belum cukup untuk menangani pengaduan: sebutkan yang harus dikirim "
                "pelapor (pisahkan dengan titik koma). Waktu SOP berhenti sampai berkas "
                "susulan diterima.",
                "Kembalikan ke pelapor",
                "return_pemohon",
                text_label="Kekurangan berkas",
                records="missing",
                text_required=True,
                note_label="Catatan untuk pelapor (opsional)",
                compose="berkas_kurang",
                secondary=True,
            )
        )
    return out


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class ComplaintAction:
    """One press of a form's button."""

    move: str  # "next" | "close" | "return_pemohon" | "resubmit"
    text: str = ""  # the form's text box (what it records depends on the step's form)
    note: str = ""  # the optional second line
    ticked: tuple[str, ...] = ()  # checklist items ticked now
    expected_version: int | None = None
    expected_step: int | None = None


def _detail_row(session: Session, case_id: int) -> ComplaintDetail:
    row = session.get(ComplaintDetail, case_id)
    if row is None:  # a complaint recorded before the details existed
        row = ComplaintDetail(
            case_id=case_id, channel=DEFAULT_CHANNEL, classification=DEFAULT_CLASS, rahasia=False
        )
        session.add(row)
    return row


def act(
    session: Session,
    actor: Actor,
    code: str,
    action: ComplaintAction,
    *,
    now: datetime | None = None,
) -> CaseRef:
    """Do what the current step's form says, in one transaction under the version the clerk
    saw: the checklist ticked now and the move together; the text recorded where the form
    declares (the step's note, the solution, or the escalation summary)."""
    at = resolve_now(now)
    text = (action.text or "").strip()
    note = (action.note or "").strip() or None
    if len(text) > MAX_TEXT:
        raise InputError(f"Teks terlalu panjang (maksimal {MAX_TEXT} karakter).", "text")
    version = action.expected_version
    if action.move == "close":
        return cases.close_simple(
            session, actor, code, solusi=text, expected_version=version, now=at
        )
    if action.move == "return_pemohon":
        items = [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]
        return cases.return_to_pemohon(
            session, actor, code, missing=items, note=note, expected_version=version, now=at
        )
    if action.move == "resubmit":
        return cases.resubmit(
            session, actor, code, note=text or None, expected_version=version, now=at
        )
    if action.move != "next":
        raise InputError(f"Tindakan '{action.move}' tidak dikenal.", "move")
    case = cases.load_case(session, code)
    sdef = cases.definition_for(session, case)
    if not sdef.is_complaint:
        raise InputError(f"Permohonan {case.code} bukan pengaduan.", "code")
    form = forms_of(sdef).get(case.current_step, "next")
    records = form.records if form is not None else "note"
    if form is not None and form.required and not text:
        raise InputError(f"{form.label} wajib diisi.", "text")
    solusi: str | None = None
    step_note: str | None = text or None
    if records == "solusi":
        solusi, step_note = text, note
    elif records == "ringkasan":
        detail = _detail_row(session, case.id)
        if text and text != (detail.ringkasan or ""):
            detail.ringkasan = text
        else:
            step_note = None  # handed on as it was: not written twice in the history
    elif records == "none":
        step_note = note
    if action.ticked:  # ticked now: the checklist and the move in one unit of work
        present = cases.present_keys(case) | set(action.ticked)
        ref = cases.update_checklist(
            session, actor, code, present=sorted(present), expected_version=version, now=at
        )
        version = ref.version
    return cases.advance(
        session,
        actor,
        code,
        note=step_note,
        solusi=solusi,
        expected_version=version,
        expected_step=action.expected_step,
        now=at,
    )


# --------------------------------------------------------------------------- reads


@dataclass(frozen=True)
class ComplaintCase:
    """One complaint as the complaint page shows it."""

    view: CaseView
    info: ComplaintInfo
    forms: tuple[FormSpec, ...]
    with_note: str | None  # for a role that joins the current step but records nothing


def _snapshot_def(session: Session, case_id: int) -> ServiceDef:
    case = session.get(Case, case_id)
    if case is None:  # pragma: no cover - the view was just read
        raise NotFound("Pengaduan tidak ditemukan.")
    return cases.definition_for(session, case)


def load(
    session: Session, code: str, roles: Iterable[str], *, now: datetime | None = None
) -> ComplaintCase:
    """The complaint, its details and the forms this user may use now (one read)."""
    role_set = set(roles)
    view = case_view(session, code, roles=role_set)
    sdef = _snapshot_def(session, view.id)
    if not sdef.is_complaint:
        raise InputError(f"Permohonan {view.code} bukan pengaduan.", "code")
    today = resolve_now(now).astimezone(WIB).date()
    info = _info(
        session.get(ComplaintDetail, view.id),
        view.received_at,
        view.finished_at,
        view.status,
        today,
    )
    if info.ringkasan is None:
        # escalated by another path (the request window, the command line): the note written
        # at the step whose form records the summary is the reason the pejabat reads
        steps = {f.step_no for f in forms_of(sdef).forms.values() if f.records == "ringkasan"}
        notes = [
            h.note
            for h in view.history
            if h.step_no in steps and h.action == cases.Action.SELESAI and h.note
        ]
        if notes:
            info = replace(info, ringkasan=notes[0])
    forms = tuple(forms_for(view, info, sdef))
    with_note: str | None = None
    if view.status == CaseStatus.PROSES and not forms:
        step = sdef.step(view.current_step)
        form = forms_of(sdef).get(step.no, "next")
        if form is not None and form.with_note and role_set & set(step.with_roles):
            with_note = form.with_note
    return ComplaintCase(view, info, forms, with_note)


@dataclass(frozen=True)
class ComplaintRow:
    code: str
    pelapor: str
    status: str
    step: int
    role: str | None  # whose turn (the role of the current step); None when not in process
    received_at: datetime
    due_at: datetime
    finished_at: datetime | None
    mine: bool  # this user can act on it now
    channel: str
    classification: str
    lapor_number: str | None
    settle_by: date
    overdue: bool  # past the 60-day settlement limit

    @property
    def channel_label(self) -> str:
        return channel_label(self.channel)

    @property
    def class_label(self) -> str:
        return class_label(self.classification)


def list_complaints(
    session: Session, scope: str, roles: Iterable[str], *, now: datetime | None = None
) -> list[ComplaintRow]:
    """Complaints for the list: open ones (most urgent first), the user's own turn, or those
    finished in the last 30 days. "Mine" is what this user can act on: the current step's role,
    not a seat at it (the Tim Penjawab Aduan joins a meeting and records nothing)."""
    at = resolve_now(now)
    today = at.astimezone(WIB).date()
    role_set = set(roles)
    codes = [s.code for s in complaint_services()]
    stmt = (
        select(
            Case.code,
            Case.service,
            Case.pemohon_nama,
            Case.status,
            Case.current_step,
            Case.current_role,
            Case.received_at,
            Case.due_at,
            Case.finished_at,
            ComplaintDetail,
        )
        .outerjoin(ComplaintDetail, ComplaintDetail.case_id == Case.id)
        .where(Case.service.in_(codes))
    )
    if scope == SCOPE_DONE:
        since = datetime.combine(today - timedelta(days=FINISHED_DAYS), datetime.min.time(), WIB)
        stmt = stmt.where(Case.status == CaseStatus.SELESAI, Case.finished_at >= since).order_by(
            Case.finished_at.desc(), Case.id.desc()
        )
    else:
        stmt = stmt.where(Case.status.in_(CaseStatus.OPEN)).order_by(Case.due_at, Case.id)
        if scope == SCOPE_MINE:
            stmt = stmt.where(
                Case.status == CaseStatus.PROSES, Case.current_role.in_(sorted(role_set) or [""])
            )
    rows: list[ComplaintRow] = []
    for r in session.execute(stmt.limit(LIST_LIMIT)).all():
        detail: ComplaintDetail | None = r.ComplaintDetail
        info = _info(detail, r.received_at, r.finished_at, r.status, today)
        hidden = info.rahasia or hidden_in_view(r.service, role_set)
        rows.append(
            ComplaintRow(
                code=r.code,
                pelapor=HIDDEN if hidden else r.pemohon_nama,
                status=r.status,
                step=int(r.current_step),
                role=r.current_role if r.status == CaseStatus.PROSES else None,
                received_at=r.received_at,
                due_at=r.due_at,
                finished_at=r.finished_at,
                mine=r.status == CaseStatus.PROSES and r.current_role in role_set,
                channel=info.channel,
                classification=info.classification,
                lapor_number=info.lapor_number,
                settle_by=info.settle_by,
                overdue=info.overdue,
            )
        )
    if scope != SCOPE_DONE:
        rows.sort(key=lambda r: (r.status != CaseStatus.PROSES, r.due_at, r.code))
    return rows


# --------------------------------------------------------------------------- recap


@dataclass(frozen=True)
class RecapLine:
    key: str
    label: str
    received: int = 0
    settled: int = 0
    settled_in_limit: int = 0  # settled within the 60-day limit
    open: int = 0
    open_overdue: int = 0  # still open past the limit
    cancelled: int = 0
    median_days: float | None = None  # median calendar days to settle


@dataclass(frozen=True)
class RecapRecord:
    """One complaint of the period, as the recap counts it (no personal data)."""

    code: str
    received_at: datetime
    finished_at: datetime | None
    status: str
    channel: str
    classification: str
    concerns: str | None
    settled_days: int | None
    overdue: bool


@dataclass(frozen=True)
class ComplaintRecap:
    date_from: date
    date_to: date
    records: tuple[RecapRecord, ...]
    total: RecapLine
    by_class: tuple[RecapLine, ...]
    by_channel: tuple[RecapLine, ...]
    by_concerns: tuple[RecapLine, ...]
    by_month: tuple[RecapLine, ...]
    settle_bands: tuple[tuple[str, int], ...]  # (band, settled complaints in it)


_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def _line(key: str, label: str, items: Sequence[RecapRecord]) -> RecapLine:
    settled = [r for r in items if r.status == CaseStatus.SELESAI and r.settled_days is not None]
    days = sorted(r.settled_days for r in settled if r.settled_days is not None)
    median: float | None = None
    if days:
        mid = len(days) // 2
        median = float(days[mid]) if len(days) % 2 else (days[mid - 1] + days[mid]) / 2
    opened = [r for r in items if r.status in CaseStatus.OPEN]
    return RecapLine(
        key=key,
        label=label,
        received=len(items),
        settled=len(settled),
        settled_in_limit=sum(1 for r in settled if not r.overdue),
        open=len(opened),
        open_overdue=sum(1 for r in opened if r.overdue),
        cancelled=sum(1 for r in items if r.status == CaseStatus.BATAL),
        median_days=median,
    )


def _grouped(
    records: Sequence[RecapRecord],
    keys: Sequence[str],
    key_of: Callable[[RecapRecord], str],
    label_of: Callable[[str], str],
) -> tuple[RecapLine, ...]:
    """One line per key (every known key, even with no complaint; then any other found)."""
    seen = Counter(key_of(r) for r in records)
    order = [*keys, *sorted(k for k in seen if k not in keys)]
    return tuple(_line(k, label_of(k), [r for r in records if key_of(r) == k]) for k in order)


def recap(
    session: Session, date_from: date, date_to: date, *, now: datetime | None = None
) -> ComplaintRecap:
    """Complaints received from ``date_from`` to ``date_to`` (WIB days, inclusive), counted by
    classification, channel, service concerned and month, with the time they took to settle
    against the 60-day limit. Cancelled complaints are counted as received and cancelled only."""
    if date_to < date_from:
        raise InputError("Tanggal akhir tidak boleh sebelum tanggal awal.", "date_to")
    today = resolve_now(now).astimezone(WIB).date()
    start = datetime.combine(date_from, datetime.min.time(), WIB)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), WIB)
    codes = [s.code for s in complaint_services()]
    stmt = (
        select(
            Case.code,
            Case.received_at,
            Case.finished_at,
            Case.status,
            ComplaintDetail,
        )
        .outerjoin(ComplaintDetail, ComplaintDetail.case_id == Case.id)
        .where(Case.service.in_(codes), Case.received_at >= start, Case.received_at < end)
        .order_by(Case.received_at, Case.id)
    )
    records: list[RecapRecord] = []
    for r in session.execute(stmt).all():
        info = _info(r.ComplaintDetail, r.received_at, r.finished_at, r.status, today)
        records.append(
            RecapRecord(
                code=r.code,
                received_at=r.received_at,
                finished_at=r.finished_at,
                status=r.status,
                channel=info.channel,
                classification=info.classification,
                concerns=info.concerns,
                settled_days=info.settled_days if r.status == CaseStatus.SELESAI else None,
                overdue=info.overdue,
            )
        )
    months: list[str] = []
    day = date_from.replace(day=1)
    while day <= date_to:
        months.append(f"{day.year:04d}-{day.month:02d}")
        day = (day + timedelta(days=32)).replace(day=1)

    def month_of(r: RecapRecord) -> str:
        d = r.received_at.astimezone(WIB).date()
        return f"{d.year:04d}-{d.month:02d}"

    def month_label(key: str) -> str:
        year, month = key.split("-")
        return f"{_MONTHS[int(month) - 1]} {year}"

    service_keys = [s.code for s in services().values() if not s.is_complaint]
    bands: list[tuple[str, int]] = []
    settled_days = [r.settled_days for r in records if r.settled_days is not None]
    low = -1
    for label, high in SETTLE_BANDS:
        bands.append(
            (label, sum(1 for d in settled_days if d > low and (high is None or d <= high)))
        )
        low = high if high is not None else low
    return ComplaintRecap(
        date_from=date_from,
        date_to=date_to,
        records=tuple(records),
        total=_line("", "Jumlah", records),
        by_class=_grouped(records, list(CLASSES), lambda r: r.classification, class_label),
        by_channel=_grouped(records, list(CHANNELS), lambda r: r.channel, channel_label),
        by_concerns=_grouped(
            records, [*service_keys, ""], lambda r: r.concerns or "", concerns_label
        ),
        by_month=_grouped(records, months, month_of, month_label),
        settle_bands=tuple(bands),
    )


__all__ = [
    "CHANNELS",
    "CLASSES",
    "DEFAULT_CHANNEL",
    "DEFAULT_CLASS",
    "HIDDEN",
    "SETTLEMENT_DAYS",
    "ComplaintAction",
    "ComplaintCase",
    "ComplaintFacts",
    "ComplaintInfo",
    "ComplaintRecap",
    "ComplaintRow",
    "FormSpec",
    "NewComplaint",
    "RecapLine",
    "Registered",
    "act",
    "complaint_roles",
    "complaint_service",
    "forms_for",
    "list_complaints",
    "load",
    "recap",
    "register",
    "sees_pelapor",
]
