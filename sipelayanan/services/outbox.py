"""The durable outbox of WhatsApp notices to the pemohon, and its background sender.

**Enqueue.** The case actions call :func:`on_intake` / :func:`after_action` inside their own
transaction, so a notice exists exactly when its step does. Which notice an action calls for
comes from the SOP's declared properties, never from a service code: intake -> berkas diterima;
a return to the pemohon -> the missing list; entering the step that records the hand-over
(``records = ["penyerahan"]``) -> document ready; a PT POS resi recorded -> sent with resi;
finishing a service that issues no document (``document_kind`` unset) -> complaint answered.
A notice goes to the Cloud API (state ``queued``) when the pemohon consented at intake and the
office set an approved template for its kind; otherwise it is ``manual`` (click-to-chat), and
the clerk's "Kirim semua yang siap" list walks it.

**Send, at most once.** The Cloud API has no idempotency key. :func:`send_due` commits
``sending`` *before* each request, then records the answer. A notice found still ``sending``
by :func:`recover_interrupted` (the sender was killed, or the database went away between the
request and the record) becomes ``uncertain`` ("mungkin terkirim") and is never sent again
automatically: a delivery status (:func:`apply_status`, matched by message id or by the
``biz_opaque_callback_data`` reference sent with it) or a clerk (:func:`resend`,
:func:`mark_sent`) settles it. No row is ever deleted.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..errors import InputError, NotFound, SipelayananError
from ..models import Case, CaseStatus, Delivery, Notice, NoticeConsent
from ..reports import text as fmt
from ..sop import ServiceDef
from . import audit, wa_cloud
from .context import Actor, resolve_now

if TYPE_CHECKING:
    from ..db import Database

log = logging.getLogger("sipelayanan.outbox")


class State:
    QUEUED = "queued"  # waiting for the Cloud API sender
    SENDING = "sending"  # committed just before the request
    SENT = "sent"  # the API returned a message id
    DELIVERED = "delivered"
    READ = "read"
    UNCERTAIN = "uncertain"  # interrupted after the request left: never re-sent automatically
    FAILED = "failed"  # the API refused it: click-to-chat ("belum terkirim")
    MANUAL = "manual"  # click-to-chat from the start (no consent / no Cloud API template)
    MANUAL_SENT = "manual_sent"  # the clerk sent it by hand
    SKIPPED = "skipped"  # superseded in its own transaction (received, then returned at once)

    LABELS = {
        QUEUED: "Antre (dikirim otomatis)",
        SENDING: "Sedang dikirim",
        SENT: "Terkirim",
        DELIVERED: "Sampai",
        READ: "Dibaca",
        UNCERTAIN: "Mungkin terkirim",
        FAILED: "Gagal — belum terkirim",
        MANUAL: "Belum terkirim (manual)",
        MANUAL_SENT: "Terkirim manual",
        SKIPPED: "Tidak dikirim (diganti pesan kekurangan berkas)",
    }
    #: waiting for a clerk's click-to-chat
    TO_WALK = (MANUAL, FAILED)
    #: sent by the Cloud API (billed)
    BILLED = (SENT, DELIVERED, READ)
    _RANK = {SENT: 1, DELIVERED: 2, READ: 3}


KIND_LABELS: dict[str, str] = {
    "berkas_diterima": "Berkas diterima",
    "berkas_kurang": "Berkas belum lengkap",
    "dokumen_selesai": "Dokumen selesai",
    "dikirim_pos": "Dikirim PT POS",
    "pengaduan_dijawab": "Pengaduan dijawab",
}

MAX_ATTEMPTS = 10  # network down for this many tries (about 8 hours): back to click-to-chat
BACKOFF_FIRST = 30.0  # seconds
BACKOFF_MAX = 3600.0
#: A ``sending`` row older than this is an interrupted send (longer than any request lasts).
STALE_SENDING = 2 * wa_cloud.TIMEOUT + 30
MAX_PARAM = 900  # characters of one template parameter (the API's limit is higher)


def reference(notice_id: int) -> str:
    return f"sipelayanan-notice-{notice_id}"


# --------------------------------------------------------------------------- enqueue


def _one_line(value: str) -> str:
    """Template parameters may hold no newline, tab or run of spaces (error 132018)."""
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_PARAM else text[: MAX_PARAM - 1] + "…"


def _params(session: Session, case: Case, sdef: ServiceDef, kind: str) -> list[str]:
    from ..reports.common import show_code
    from .office import get_profile

    def resi() -> str:
        row = session.execute(select(Delivery).where(Delivery.case_id == case.id)).scalar()
        return row.resi if row is not None and row.resi else "-"

    def kekurangan() -> str:
        items = json.loads(case.missing_items) if case.missing_items else []
        return "; ".join(str(i) for i in items) or "-"

    values: dict[str, Callable[[], str]] = {
        "nama": lambda: case.pemohon_nama,
        "layanan": lambda: sdef.name,
        "kode": lambda: show_code(case.code),
        "perkiraan_selesai": lambda: fmt.waktu(case.due_at),
        "kekurangan": kekurangan,
        "dokumen": lambda: sdef.document_kind or sdef.short_name,
        "alamat_kantor": lambda: get_profile(session).address,
        "resi": resi,
        "solusi": lambda: case.solusi or "-",
    }
    return [_one_line(values[name]()) for name in wa_cloud.API_PARAMETERS[kind]]


def consent_of(session: Session, case_id: int) -> bool:
    row = session.get(NoticeConsent, case_id)
    return bool(row is not None and row.consent)


def enqueue(
    session: Session,
    case: Case,
    sdef: ServiceDef,
    kind: str,
    *,
    at: datetime,
    consent: bool | None = None,
) -> Notice | None:
    """Write notice ``kind`` for ``case`` in the caller's transaction (None when the very same
    notice is already there, e.g. a resi recorded twice). ``consent``: known by the caller
    (at intake), else read."""
    from .messages import render_message

    config = wa_cloud.load_config(session)
    error_code: str | None = None
    error: str | None = None
    try:
        text = render_message(session, kind, case.code, now=at).text
        params = _params(session, case, sdef, kind)
    except SipelayananError as exc:  # a template that cannot be filled: visible, never lost
        text, params = "", []
        error_code, error = "compose", f"Pesan tidak dapat disusun: {exc}"
    if consent is None and error is None and kind not in ("berkas_diterima", "berkas_kurang"):
        # e.g. the same resi recorded again (a second return to the pemohon is a new notice)
        same = session.execute(
            select(Notice.id).where(
                Notice.case_id == case.id,
                Notice.kind == kind,
                Notice.params == json.dumps(params, ensure_ascii=False),
            )
        ).first()
        if same is not None:
            return None
    agreed = consent if consent is not None else consent_of(session, case.id)
    auto = error is None and agreed and config.template_for(kind)
    notice = Notice(
        case_id=case.id,
        kind=kind,
        to_wa=case.wa,
        params=json.dumps(params, ensure_ascii=False),
        text=text,
        state=State.QUEUED if auto else (State.FAILED if error else State.MANUAL),
        attempts=0,
        created_at=at,
        next_attempt_at=at if auto else None,
        via_api=False,
        error_code=error_code,
        error=error,
    )
    session.add(notice)
    session.info.setdefault(_NEW, []).append(notice)
    return notice


_NEW = "outbox.new_notices"  # notices written in this transaction


def notices_for(
    sdef: ServiceDef,
    action: str,
    *,
    finished: bool,
    entered_step: int | None,
    resi: str | None = None,
    left_step: int | None = None,
) -> list[str]:
    """The notice kinds an action calls for, from the SOP's declared properties.

    ``action``: ``intake``, ``return_pemohon``, ``advance``, ``close`` or ``delivery``;
    ``left_step``: the step an ``advance`` finished."""
    if action == "intake":
        return ["berkas_diterima"]
    if action == "return_pemohon":
        return ["berkas_kurang"]
    kinds: list[str] = []
    step = sdef.hand_over_step
    hand_over = [step.no] if step is not None else []
    if resi and action in ("advance", "delivery"):
        kinds.append("dikirim_pos")
    if action == "advance" and step is not None and step.notifies:
        if left_step == step.no and not resi:
            kinds.append("dokumen_selesai")  # the notify step: the resident is told
    elif (
        action == "advance"
        and not finished
        and entered_step in hand_over
        and sdef.hand_over_default == "diambil"
    ):
        kinds.append("dokumen_selesai")  # an SOP without a notify step: ready at the hand-over
    if finished and action in ("advance", "close"):
        if sdef.is_complaint:
            kinds.append("pengaduan_dijawab")
        elif not hand_over and not resi:
            kinds.append("dokumen_selesai")
    return kinds


def on_intake(
    session: Session, case: Case, sdef: ServiceDef, *, consent: bool, at: datetime
) -> None:
    """At intake: record the pemohon's consent and the 'berkas diterima' notice."""
    session.add(NoticeConsent(case_id=case.id, consent=bool(consent), recorded_at=at))
    session.flush()
    for kind in notices_for(sdef, "intake", finished=False, entered_step=case.current_step):
        enqueue(session, case, sdef, kind, at=at, consent=bool(consent))


def after_action(
    session: Session,
    case: Case,
    sdef: ServiceDef,
    action: str,
    *,
    at: datetime,
    resi: str | None = None,
    left_step: int | None = None,
) -> None:
    """After a step's change (flushed), in its transaction: the notices it calls for."""
    finished = case.status == CaseStatus.SELESAI
    kinds = notices_for(
        sdef,
        action,
        finished=finished,
        entered_step=None if finished else case.current_step,
        resi=(resi or "").strip() or None,
        left_step=left_step,
    )
    if action == "return_pemohon":
        # Returned in the same transaction as its intake (incomplete from the start): the
        # pemohon gets the missing list only, not a "received, ready by …" first.
        for earlier in session.info.get(_NEW, []):
            if (
                earlier.case_id == case.id
                and earlier.kind == "berkas_diterima"
                and earlier.state in (State.QUEUED, State.MANUAL)
            ):
                earlier.state = State.SKIPPED
                earlier.next_attempt_at = None
    for kind in kinds:
        enqueue(session, case, sdef, kind, at=at)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class NoticeRow:
    id: int
    code: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    created_at: datetime
    sent_at: datetime | None
    attempts: int
    error: str | None
    to_wa: str
    text: str
    wa_link: str
    consent: bool


def _wa_link(to_wa: str, text: str) -> str:
    from urllib.parse import quote

    digits = "".join(c for c in to_wa if c.isdigit())
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def list_notices(
    session: Session, *, states: Sequence[str] | None = None, limit: int = 500
) -> list[NoticeRow]:
    """Notices, newest first (``states`` to filter)."""
    stmt = (
        select(Notice, Case.code, NoticeConsent.consent)
        .join(Case, Case.id == Notice.case_id)
        .outerjoin(NoticeConsent, NoticeConsent.case_id == Notice.case_id)
        .order_by(Notice.id.desc())
        .limit(limit)
    )
    if states:
        stmt = stmt.where(Notice.state.in_(list(states)))
    from ..reports.common import show_code

    out: list[NoticeRow] = []
    for n, code, consent in session.execute(stmt).all():
        out.append(
            NoticeRow(
                n.id,
                show_code(code),
                n.kind,
                KIND_LABELS.get(n.kind, n.kind),
                n.state,
                State.LABELS.get(n.state, n.state),
                n.created_at,
                n.sent_at,
                n.attempts,
                n.error,
                n.to_wa,
                n.text,
                _wa_link(n.to_wa, n.text),
                bool(consent),
            )
        )
    return out


def pending_manual(session: Session, *, limit: int = 500) -> list[NoticeRow]:
    """The "belum terkirim" list the clerk walks (oldest first)."""
    rows = list_notices(session, states=State.TO_WALK, limit=limit)
    return [r for r in reversed(rows) if r.text]


def state_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Notice.state, func.count(Notice.id)).group_by(Notice.state))
    return {state: int(n) for state, n in rows.all()}


def monthly_counts(session: Session, year: int, month: int) -> dict[str, int]:
    """Messages the Cloud API accepted in a month (WIB), per notice kind: what is billed.
    Every kind is a utility template (Meta's billing category)."""
    from ..calendar import WIB

    start = datetime(year, month, 1, tzinfo=WIB)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=WIB)
    rows = session.execute(
        select(Notice.kind, func.count(Notice.id))
        .where(
            Notice.via_api.is_(True),
            Notice.state.in_(State.BILLED),
            Notice.sent_at >= start.astimezone(UTC),
            Notice.sent_at < end.astimezone(UTC),
        )
        .group_by(Notice.kind)
    ).all()
    return {kind: int(n) for kind, n in rows}


# --------------------------------------------------------------------------- clerk decisions


def _load(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id, with_for_update=True)
    if notice is None:
        raise NotFound(f"Pemberitahuan nomor {notice_id} tidak ditemukan.")
    return notice


def resend(session: Session, actor: Actor, notice_id: int, *, now: datetime | None = None) -> str:
    """A clerk decided a failed / "mungkin terkirim" notice did not arrive: send it again
    (by the Cloud API when it can, else by hand). Returns the new state."""
    at = resolve_now(now)
    notice = _load(session, notice_id)
    if notice.state not in (State.UNCERTAIN, State.FAILED):
        raise InputError(
            "Hanya pemberitahuan yang gagal atau mungkin terkirim yang dapat dikirim ulang "
            f"(sekarang: {State.LABELS.get(notice.state, notice.state)})."
        )
    config = wa_cloud.load_config(session)
    auto = consent_of(session, notice.case_id) and config.template_for(notice.kind)
    before = notice.state
    notice.state = State.QUEUED if auto else State.MANUAL
    notice.next_attempt_at = at if auto else None
    notice.attempts = 0
    notice.error_code = None
    notice.error = None
    audit.record(session, actor, "notice.resend", "notice", notice.id, {"from": before}, now=at)
    return notice.state


def mark_sent(
    session: Session, actor: Actor, notice_id: int, *, now: datetime | None = None
) -> str:
    """A clerk says the notice reached the pemohon: sent by hand (click-to-chat), or — for a
    "mungkin terkirim" one — by the API after all."""
    at = resolve_now(now)
    notice = _load(session, notice_id)
    if notice.state not in (State.UNCERTAIN, State.FAILED, State.MANUAL):
        raise InputError(
            "Pemberitahuan ini sudah tercatat "
            f"{State.LABELS.get(notice.state, notice.state).lower()}."
        )
    before = notice.state
    if before == State.UNCERTAIN:
        notice.state = State.SENT
        notice.via_api = True
        notice.sent_at = notice.sending_at or at
    else:
        notice.state = State.MANUAL_SENT
        notice.sent_at = at
    notice.status_at = at
    audit.record(session, actor, "notice.mark_sent", "notice", notice.id, {"from": before}, now=at)
    return notice.state


def mark_sent_for_case(
    session: Session, actor: Actor, code: str, kind: str, *, now: datetime | None = None
) -> int:
    """The clerk sent notice ``kind`` of request ``code`` by hand from the action's own message
    window: its waiting notices (manual, failed, or still queued for the API — the claim only
    takes ``queued`` rows, so the API cannot send it as well) are recorded as sent by hand."""
    from .cases import load_case

    at = resolve_now(now)
    case = load_case(session, code)
    rows = list(
        session.execute(
            select(Notice)
            .where(
                Notice.case_id == case.id,
                Notice.kind == kind,
                Notice.state.in_((State.MANUAL, State.FAILED, State.QUEUED)),
            )
            .with_for_update()
        ).scalars()
    )
    for notice in rows:
        before = notice.state
        notice.state = State.MANUAL_SENT
        notice.sent_at = notice.status_at = at
        audit.record(
            session, actor, "notice.mark_sent", "notice", notice.id, {"from": before}, now=at
        )
    return len(rows)


# --------------------------------------------------------------------------- delivery statuses


def apply_status(session: Session, status: Mapping[str, Any]) -> bool:
    """Apply one webhook status ``{"id": wamid, "status": "sent"|"delivered"|"read"|"failed",
    …}`` (``biz_opaque_callback_data`` finds a notice whose answer was never recorded).
    States only move forward; True when a notice changed."""
    wamid = status.get("id")
    kind = status.get("status")
    if kind not in ("sent", "delivered", "read", "failed"):
        return False
    notice = None
    if isinstance(wamid, str) and wamid:
        notice = session.execute(
            select(Notice).where(Notice.wamid == wamid).with_for_update()
        ).scalar()
    ref = status.get("biz_opaque_callback_data")
    if notice is None and isinstance(ref, str) and ref.startswith("sipelayanan-notice-"):
        tail = ref.rsplit("-", 1)[-1]
        if tail.isdigit():
            notice = session.get(Notice, int(tail), with_for_update=True)
    if notice is None:
        return False
    at = _status_time(status)
    if kind == "failed":
        if notice.state not in (State.SENT, State.DELIVERED, State.UNCERTAIN, State.SENDING):
            return False
        errors = status.get("errors")
        code = None
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            raw = errors[0].get("code")
            code = raw if isinstance(raw, int) else None
        outcome = wa_cloud.describe_code(code, 400, notice.kind)
        notice.state = State.FAILED
        notice.error_code = outcome.code
        notice.error = "Status pengiriman: gagal. " + outcome.message
        notice.status_at = at
        return True
    target = {"sent": State.SENT, "delivered": State.DELIVERED, "read": State.READ}[kind]
    if notice.state in (State.UNCERTAIN, State.SENDING):
        notice.state = target
        notice.via_api = True
        notice.sent_at = notice.sending_at or at
        notice.wamid = wamid if isinstance(wamid, str) and wamid else notice.wamid
        notice.error_code = notice.error = None
        notice.status_at = at
        return True
    rank = State._RANK
    if notice.state in rank and rank[target] > rank[notice.state]:
        notice.state = target
        notice.status_at = at
        return True
    return False


def _status_time(status: Mapping[str, Any]) -> datetime:
    stamp = status.get("timestamp")
    try:
        return datetime.fromtimestamp(int(str(stamp)), UTC)
    except (TypeError, ValueError, OverflowError):
        return resolve_now(None)


def statuses_in(payload: Any) -> list[Mapping[str, Any]]:
    """The statuses in a webhook body (``entry[].changes[].value.statuses[]``), a list of
    statuses, or one status."""
    if isinstance(payload, list):
        return [s for s in payload if isinstance(s, Mapping)]
    if not isinstance(payload, Mapping):
        return []
    if "status" in payload and "id" in payload:
        return [payload]
    out: list[Mapping[str, Any]] = []
    for entry in payload.get("entry", []) or []:
        for change in (entry or {}).get("changes", []) or []:
            value = (change or {}).get("value", {}) or {}
            out.extend(s for s in value.get("statuses", []) or [] if isinstance(s, Mapping))
    return out


def import_statuses(session: Session, payload: Any) -> tuple[int, int]:
    """Apply every status in ``payload``; (applied, seen)."""
    statuses = statuses_in(payload)
    applied = sum(1 for s in statuses if apply_status(session, s))
    return applied, len(statuses)


# --------------------------------------------------------------------------- the sender


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    uncertain: int = 0
    recovered: int = 0
    manual: int = 0
    halted: str | None = None  # "token", "rate", "network", "server", "no_token"
    message: str = ""  # the last error, in Indonesian, for the admin
    seconds: float = 0.0
    ids: list[int] = field(default_factory=list)


Transport = Callable[[str, str, Mapping[str, Any]], wa_cloud.ApiAnswer]
#: ``on_stage(stage, notice_id)``: "before_request" (``sending`` committed), "after_request"
#: (answer in hand, not yet recorded), "after_record".
StageHook = Callable[[str, int], None]


def _default_transport(url: str, token: str, body: Mapping[str, Any]) -> wa_cloud.ApiAnswer:
    return wa_cloud.post_json(url, token, body)


def backoff(attempts: int) -> float:
    return float(min(BACKOFF_FIRST * 2 ** max(0, attempts - 1), BACKOFF_MAX))


def recover_interrupted(db: Database, *, older_than: float = STALE_SENDING) -> int:
    """``sending`` rows older than ``older_than`` seconds were interrupted after (or while)
    their request left: they become ``uncertain``, never re-sent automatically."""
    cutoff = resolve_now(None) - timedelta(seconds=older_than)
    with db.read() as s:  # the usual case writes nothing (a read-only database stays quiet)
        if (
            s.execute(select(Notice.id).where(Notice.state == State.SENDING).limit(1)).first()
            is None
        ):
            return 0
    with db.write() as s:
        result = s.execute(
            update(Notice)
            .where(Notice.state == State.SENDING, Notice.sending_at <= cutoff)
            .values(
                state=State.UNCERTAIN,
                error_code=wa_cloud.MAYBE.code,
                error=wa_cloud.MAYBE.message,
            )
        )
        count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.warning("%d notice(s) interrupted mid-send marked uncertain", count)
    return count


def _due_ids(db: Database, now: datetime, limit: int) -> list[int]:
    with db.read() as s:
        return list(
            s.execute(
                select(Notice.id)
                .where(Notice.state == State.QUEUED, Notice.next_attempt_at <= now)
                .order_by(Notice.id)
                .limit(limit)
            ).scalars()
        )


def _claim(
    db: Database, notice_id: int, config: wa_cloud.CloudConfig, now: datetime
) -> tuple[str, dict[str, Any]] | None:
    """Commit ``sending`` for one due notice; (template, body) to post, or None."""
    with db.write() as s:
        claimed = s.execute(
            update(Notice)
            .where(Notice.id == notice_id, Notice.state == State.QUEUED)
            .values(state=State.SENDING, sending_at=now, attempts=Notice.attempts + 1)
        )
        if int(getattr(claimed, "rowcount", 0) or 0) != 1:
            return None  # another PC's sender took it
        notice = s.get(Notice, notice_id)
        assert notice is not None
        template = config.template_for(notice.kind)
        if template is None or not consent_of(s, notice.case_id):
            notice.state = State.MANUAL
            notice.error_code = "no_template"
            notice.error = (
                "Templat WhatsApp Business untuk pemberitahuan ini belum diisi di Admin; "
                "kirim manual."
            )
            return None
        params = json.loads(notice.params)
        body = wa_cloud.template_body(
            notice.to_wa, template, params, reference=reference(notice_id)
        )
        return template, body


def _record(db: Database, notice_id: int, outcome: wa_cloud.Outcome, message_id: str | None) -> str:
    at = resolve_now(None)
    with db.write() as s:
        notice = s.get(Notice, notice_id, with_for_update=True)
        if notice is None or notice.state not in (State.SENDING, State.UNCERTAIN):
            return notice.state if notice is not None else "missing"
        if outcome.action == "sent":
            notice.state = State.SENT
            notice.wamid = message_id
            notice.via_api = True
            notice.sent_at = at
            notice.status_at = at
            notice.error_code = notice.error = None
        elif outcome.action == "retry":
            if notice.attempts >= MAX_ATTEMPTS:
                notice.state = State.FAILED
                notice.error = (
                    outcome.message.split(";")[0]
                    + f"; sudah dicoba {notice.attempts} kali. Kirim manual."
                )
            else:
                notice.state = State.QUEUED
                notice.next_attempt_at = at + timedelta(seconds=backoff(notice.attempts))
                notice.error = outcome.message
            notice.error_code = outcome.code
        elif outcome.action == "uncertain":
            notice.state = State.UNCERTAIN
            notice.error_code, notice.error = outcome.code, outcome.message
        else:
            notice.state = State.FAILED
            notice.error_code, notice.error = outcome.code, outcome.message
        return notice.state


def send_due(
    db: Database,
    config: wa_cloud.CloudConfig,
    token: str,
    *,
    transport: Transport | None = None,
    limit: int = 100,
    on_stage: StageHook | None = None,
) -> SendReport:
    """Send the due ``queued`` notices, one request each, at most once each."""
    post = transport or _default_transport
    report = SendReport()
    started = time.perf_counter()
    url = config.endpoint()
    for notice_id in _due_ids(db, resolve_now(None), limit):
        claim = _claim(db, notice_id, config, resolve_now(None))
        if claim is None:
            continue
        template, body = claim
        if on_stage is not None:
            on_stage("before_request", notice_id)
        try:
            answer = post(url, token, body)
            outcome = wa_cloud.classify(answer, template)
            message_id = answer.message_id
        except wa_cloud.NotSent:
            outcome, message_id = wa_cloud.NETWORK, None
        except wa_cloud.MaybeSent:
            outcome, message_id = wa_cloud.MAYBE, None
        if on_stage is not None:
            on_stage("after_request", notice_id)
        state = _record(db, notice_id, outcome, message_id)
        if on_stage is not None:
            on_stage("after_record", notice_id)
        log.info("notice %d: %s (%s)", notice_id, state, outcome.code or "ok")
        report.ids.append(notice_id)
        if state == State.SENT:
            report.sent += 1
        elif state == State.QUEUED:
            report.retried += 1
        elif state == State.UNCERTAIN:
            report.uncertain += 1
        elif state == State.FAILED:
            report.failed += 1
        if outcome.message:
            report.message = outcome.message
        if outcome.halt:
            report.halted = outcome.code
            break
    report.seconds = time.perf_counter() - started
    return report


def run_sender(
    db: Database,
    *,
    token: str | None = None,
    transport: Transport | None = None,
    recover: bool = True,
    stale_after: float = STALE_SENDING,
    limit: int = 100,
    on_stage: StageHook | None = None,
) -> SendReport:
    """One round: recover interrupted sends, then send what is due (the CLI's scheduled run and
    the app's timer). Without a Cloud API number nothing is sent (notices stay manual)."""
    recovered = recover_interrupted(db, older_than=stale_after) if recover else 0
    with db.read() as s:
        config = wa_cloud.load_config(s)
    if not config.enabled:
        return SendReport(
            recovered=recovered,
            message=(
                "Nomor WhatsApp Business belum diatur (Admin ▸ WhatsApp Business); "
                "pemberitahuan dikirim manual lewat Permohonan ▸ Kirim semua yang siap."
            ),
        )
    key = token if token is not None else wa_cloud.load_token(config.phone_number_id)
    if not key:
        return SendReport(
            recovered=recovered,
            halted="no_token",
            message=(
                "Token WhatsApp Business belum disimpan di PC ini (Admin > WhatsApp Business); "
                "pemberitahuan menunggu di antrean."
            ),
        )
    report = send_due(db, config, key, transport=transport, limit=limit, on_stage=on_stage)
    report.recovered = recovered
    return report


def count_by_state(rows: Iterable[NoticeRow]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r.state] = out.get(r.state, 0) + 1
    return out
