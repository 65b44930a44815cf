"""Every clerk action, one function each: what the request window, the intake page, the CLI and
the tests call.

Each function takes ``(session, actor, …, <Action>Input)`` and does the whole action in the
caller's transaction — the state change, its audit entry, the notices the SOP calls for — and
returns an :class:`ActionResult` holding what a window needs afterwards: where the request is
now, its register number, the WhatsApp message that fits the moment (composed, ready to open)
and, when ``roles`` is given, the request as it now stands (read once, in the same
transaction), so a click loads the request once.

The building blocks are in :mod:`sipelayanan.services.cases`; nothing outside this module
composes two of them for one click.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..errors import InputError, SipelayananError
from ..models import CaseStatus
from ..sop import ServiceDef
from . import cases, outbox
from .audit import change_token
from .berkas import BerkasFile
from .context import Actor
from .queries import CaseView, case_view

if TYPE_CHECKING:
    from .messages import Message

__all__ = [
    "ActionResult",
    "CancelInput",
    "CloseInput",
    "CollectionInput",
    "CompleteInput",
    "ReceiveInput",
    "ReceiveResult",
    "ResubmitInput",
    "ReturnInput",
    "ReturnToPemohonInput",
    "cancel",
    "close_simple",
    "complete_step",
    "receive",
    "record_collection",
    "record_delivery",
    "resubmit",
    "return_to_pemohon",
    "return_to_step",
]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ActionResult:
    """What an action did, for the window or command that asked for it."""

    kind: str  # receive, complete, back, return_pemohon, resubmit, cancel, close, collection
    code: str
    version: int
    status: str
    step: int
    register_number: str | None = None
    #: the notice this moment calls for (template key) and its composed text, or None
    message_key: str | None = None
    message: Message | None = None
    #: why the message could not be composed (a template the office broke), else None
    message_error: str | None = None
    #: the request as it now stands, read in the action's transaction (``roles`` given)
    view: CaseView | None = None
    #: the audit log position the view is at least as new as
    seq: int = 0

    @property
    def current_step(self) -> int:
        """The step the request stands at (the name :class:`cases.CaseRef` uses)."""
        return self.step


@dataclass(frozen=True)
class ReceiveResult(ActionResult):
    #: the berkas were incomplete: the request went back to the pemohon at once
    returned: bool = False
    service: str = ""


def _result(
    session: Session,
    kind: str,
    ref: cases.CaseRef,
    *,
    message_key: str | None = None,
    roles: Iterable[str] | None = None,
    result_type: type[ActionResult] = ActionResult,
    **extra: object,
) -> ActionResult:
    message: Message | None = None
    message_error: str | None = None
    if message_key is not None:
        from .messages import render_message

        try:
            message = render_message(session, message_key, ref.code)
        except SipelayananError as exc:  # the action stands; the clerk sees why no text
            message_error = str(exc)
    view: CaseView | None = None
    seq = 0
    register_number: str | None = None
    if roles is not None:
        seq = change_token(session)  # the head of the log: this action's own last entry
        view = case_view(session, ref.code, roles=roles)
        register_number = view.register_number
    else:
        register_number = _register_number(session, ref.id)
    return result_type(
        kind=kind,
        code=ref.code,
        version=ref.version,
        status=ref.status,
        step=ref.current_step,
        register_number=register_number,
        message_key=message_key if message is not None else None,
        message=message,
        message_error=message_error,
        view=view,
        seq=seq,
        **extra,
    )


def _register_number(session: Session, case_id: int) -> str | None:
    from sqlalchemy import select

    from ..models import RegisterEntry
    from .register import format_number

    entry = session.execute(
        select(RegisterEntry.service, RegisterEntry.year, RegisterEntry.number).where(
            RegisterEntry.case_id == case_id
        )
    ).first()
    return format_number(entry.service, entry.year, entry.number) if entry else None


def _definition(session: Session, ref: cases.CaseRef) -> ServiceDef:
    """The SOP of a request the action just changed (the move's own, else read again)."""
    if ref.sdef is not None:
        return ref.sdef
    from ..models import Case

    case = session.get(Case, ref.id)
    assert case is not None
    return cases.definition_for(session, case)


def _notice_key(
    sdef: ServiceDef, action: str, ref: cases.CaseRef, *, resi: str | None, left_step: int | None
) -> str | None:
    """The message the SOP calls for after ``action`` — the same rule that writes the notice."""
    finished = ref.status == CaseStatus.SELESAI
    kinds = outbox.notices_for(
        sdef,
        action,
        finished=finished,
        entered_step=None if finished else ref.current_step,
        resi=(resi or "").strip() or None,
        left_step=left_step,
    )
    return kinds[0] if kinds else None


# --------------------------------------------------------------------------- receive


@dataclass(frozen=True)
class ReceiveInput:
    """A new request. ``return_to_pemohon``: the berkas are incomplete — it goes back to the
    pemohon at once with ``missing`` (requirement keys, labels or free text; empty: the
    checklist's missing items). Otherwise intake finishes the SOP's first step ("berkas sent and
    recorded") itself, so the request leaves the clerk's inbox (``finish_first_step``)."""

    data: cases.IntakeData
    return_to_pemohon: bool = False
    missing: Sequence[str] = ()
    note: str | None = None
    finish_first_step: bool = True


def receive(
    session: Session,
    actor: Actor,
    inp: ReceiveInput,
    *,
    roles: Iterable[str] | None = None,
    now: datetime | None = None,
) -> ReceiveResult:
    """Intake, and in the same transaction either the return to the pemohon (with the composed
    list of what is missing) or the end of the SOP's first step."""
    sdef, _values = cases.validate_intake(inp.data)
    ref = cases.intake(session, actor, inp.data, now=now)
    if inp.return_to_pemohon:
        missing = [m for m in inp.missing if m and m.strip()]
        if not missing:
            present = (
                set(inp.data.present)
                if inp.data.present is not None
                else {r.key for r in sdef.requirements}
            )
            missing = [r.key for r in sdef.missing_requirements(present, inp.data.conditions)]
        if not missing:
            raise InputError(
                "Persyaratan sudah lengkap; tidak ada yang perlu dikembalikan ke pemohon.",
                "missing",
            )
        ref = cases.return_to_pemohon(
            session, actor, ref.code, missing=missing, note=inp.note, now=now
        )
        key = "berkas_kurang"
    else:
        if inp.finish_first_step:
            ref = cases.advance(
                session,
                actor,
                ref.code,
                note=inp.note,
                expected_version=ref.version,
                expected_step=sdef.intake_step.no,
                now=now,
            )
        key = "berkas_diterima"
    result = _result(
        session,
        "receive",
        ref,
        message_key=key,
        roles=roles,
        result_type=ReceiveResult,
        returned=inp.return_to_pemohon,
        service=sdef.code,
    )
    assert isinstance(result, ReceiveResult)
    return result


# --------------------------------------------------------------------------- complete a step


@dataclass(frozen=True)
class CompleteInput:
    """Finish the current step. ``present``: the checklist as ticked now (None: unchanged);
    ``nomor_dokumen`` / ``resi`` / ``penerima`` / ``solusi``: what the step records.
    ``expected_version`` / ``expected_step``: the state the clerk saw (a stale window is a
    conflict)."""

    expected_version: int | None = None
    expected_step: int | None = None
    present: Sequence[str] | None = None
    note: str | None = None
    nomor_dokumen: str | None = None
    resi: str | None = None
    penerima: str | None = None
    solusi: str | None = None


def complete_step(
    session: Session,
    actor: Actor,
    code: str,
    inp: CompleteInput,
    *,
    roles: Iterable[str] | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Tick the checklist (when it changed), record the step's fields and the note, finish the
    step under the expected version and step, and compose the message the SOP calls for."""
    expected = inp.expected_version
    if inp.present is not None:
        case = cases.load_case(session, code)
        cases.check_version(case, expected)
        if set(inp.present) != cases.present_keys(case):
            ref = cases.update_checklist(
                session, actor, code, present=inp.present, expected_version=expected, now=now
            )
            expected = ref.version
    ref = cases.advance(
        session,
        actor,
        code,
        note=inp.note,
        nomor_dokumen=inp.nomor_dokumen,
        resi=inp.resi,
        penerima=inp.penerima,
        solusi=inp.solusi,
        expected_version=expected,
        expected_step=inp.expected_step,
        now=now,
    )
    sdef = _definition(session, ref)
    # a step finishes into the next one, or (the last) finishes the request where it stands
    left_step = ref.current_step if ref.status == CaseStatus.SELESAI else ref.current_step - 1
    key = _notice_key(sdef, "advance", ref, resi=inp.resi, left_step=left_step)
    return _result(session, "complete", ref, message_key=key, roles=roles)


# --------------------------------------------------------------------------- moves back


@dataclass(frozen=True)
class ReturnInput:
    to_step: int
    reason: str
    expected_version: int | None = None


def return_to_step(
    session: Session,
    actor: Actor,
    code: str,
    inp: ReturnInput,
    *,
    roles: Iterable[str] | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Send the request back to an earlier step the SOP allows, with the koreksi."""
    ref = cases.return_to_step(
        session,
        actor,
        code,
        to_step=inp.to_step,
        reason=inp.reason,
        expected_version=inp.expected_version,
        now=now,
    )
    return _result(session, "back", ref, roles=roles)


@dataclass(frozen=True)
class ReturnToPemohonInput:
    missing: Sequence[str]
    note: str | None = None
    expected_version: int | None = None


def return_to_pemohon(
    session: Session,
    actor: Actor,
    code: str,
    inp: ReturnToPemohonInput,
    *,
    roles: Iterable[str] | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Berkas incomplete: back to the pemohon, with the composed list of what is missing."""
    ref = cases.return_to_pemohon(
        session,
        actor,
        code,
        missing=inp.missing,
        note=inp.note,
        expected_version=inp.expected_version,
        now=now,
    )
    return _result(session, "return_pemohon", ref, message_key="berkas_kurang", roles=roles)


@dataclass(frozen=True)
class ResubmitInput:
    present: Sequence[str] | None = None  # None: every item present
    berkas: Sequence[BerkasFile] = field(default_factory=tuple)
    note: str | None = None
    expected_version: int | None = None


def resubmit(
    session: Session,
    actor: Actor,
    code: str,
    inp: ResubmitInput,
    *,
    roles: Iterable[str] | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """The pemohon sent what was missing: the request resumes where it was."""
    ref = cases.resubmit(
        session,
        actor,
        code,
        present=inp.present,
        berkas=inp.berkas,
        note=inp.note,
        expected_version=inp.expected_version,
        now=now,
    )
    return _result(session, "resubmit", ref, roles=roles)


# --------------------------------------------------------------------------- endings


@dataclass(frozen=True)
class CancelInput:
    reason: str
    expected_version: int | None = None


def cancel(
    session: Session,
    actor: Actor,
    code: str,
    inp: CancelInput,
    *,
    roles: Iterable[str] | None = None,
    now: datetime | None = None,
) -> ActionResult:
    ref = cases.cancel(
        session, actor, code, reason=inp.reason, expected_version=inp.expected_version, now=now
    )
    return _result(session, "cancel", ref, roles=roles)


@dataclass(frozen=True)
class CloseInput:
    solusi: str
    expected_version: int | None = None


def close_simple(
    session: Session,
    actor: Actor,
    code: str,
    inp: CloseInput,
    *,
    roles: Iterable[str] | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """A complaint solved at a step that may close it; the answer to the pelapor composed."""
    ref = cases.close_simple(
        session, actor, code, solusi=inp.solusi, expected_version=inp.expected_version, now=now
    )
    key = _notice_key(_definition(session, ref), "close", ref, resi=None, left_step=None)
    return _result(session, "close", ref, message_key=key, roles=roles)


# --------------------------------------------------------------------------- after the SOP


@dataclass(frozen=True)
class CollectionInput:
    """The hand-over after the notify step: who collected (``penerima``) or the PT POS resi.
    ``nomor_dokumen``: a SIAK number recorded (or corrected) afterwards, alone or with it."""

    penerima: str | None = None
    resi: str | None = None
    nomor_dokumen: str | None = None


def record_collection(
    session: Session,
    actor: Actor,
    code: str,
    inp: CollectionInput,
    *,
    roles: Iterable[str] | None = None,
    now: datetime | None = None,
) -> ActionResult:
    """Record the hand-over (the request leaves "Siap diambil") and compose the message that
    fits it: collected, or sent by PT POS with its resi."""
    if not ((inp.penerima or "").strip() or (inp.resi or "").strip() or inp.nomor_dokumen):
        raise InputError("Isi nama yang mengambil dokumen atau nomor resi PT POS.", "penerima")
    ref: cases.CaseRef | None = None
    if inp.nomor_dokumen:
        ref = cases.record_document(session, actor, code, number=inp.nomor_dokumen, now=now)
    key: str | None = None
    if (inp.penerima or "").strip() or (inp.resi or "").strip():
        ref = cases.record_delivery(
            session, actor, code, resi=inp.resi or None, penerima=inp.penerima or None, now=now
        )
        key = "dikirim_pos" if (inp.resi or "").strip() else "dokumen_diambil"
    assert ref is not None
    return _result(session, "collection", ref, message_key=key, roles=roles)


#: The same action under the name the CLI and older code use.
record_delivery = record_collection
