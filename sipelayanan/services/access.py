"""Reading personal data outside the work lists, recorded (UU 27/2022, Pasal 31).

Listing work needs no record; opening a request, revealing a full NIK, opening a berkas file,
printing or exporting a document that carries a name, and searching by NIK, name or WhatsApp
number do. Each such read is one function here that checks the reader is an active staff
member and appends one ``data.view`` entry to the audit chain in the same transaction, so
``audit verify`` covers the record of who saw what exactly as it covers changes. ``data.view``
entries change no state: :mod:`.changes` keeps them quiet, so no window on any PC reloads.

An entry names who (user and PC, by the chain itself), when, which request (the tracking code
as ``entity_id``, or the codes a search showed) and which item (``detail.item``: ``case``,
``nik``, ``berkas``, ``search``, ``export``). It never holds a NIK, a name or a number typed
into the search box: a search is recorded by its kind and the codes it showed.

Search-as-you-type writes no record per keystroke: the window records the *committed* search —
Enter, a result opened, or the typing settled with results on screen (see
``ui/widgets/nik_reveal.SearchRecorder``) — and :func:`record_search` skips searches that show
no personal data (a tracking code, an empty box, no results).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import InputError, NotFound, PermissionDenied
from ..identity import ValidationError, extract_tracking_code, normalize_tracking_code
from ..models import Attachment, AuditEntry, Case
from ..sop import ROLES
from . import audit
from .context import Actor
from .queries import CaseView, case_view
from .users import actor_user

#: Audit actions that record a read, not a change (other PCs need not refresh for them).
VIEW_ACTIONS = frozenset({"data.view"})
VIEW = "data.view"

#: Office setting: the roles that may reveal a full NIK (issue 12.5: the SIAK operator types it).
REVEAL_ROLES_KEY = "privacy.nik_reveal_roles"
DEFAULT_REVEAL_ROLES: tuple[str, ...] = ("operator",)
#: How many result codes a recorded search keeps (a name prefix may match thousands).
SEARCH_CODES_KEPT = 50


def _record(
    session: Session,
    actor: Actor,
    code: str | None,
    item: str,
    *,
    now: datetime | None = None,
    **detail: Any,
) -> None:
    audit.record(session, actor, VIEW, "case", code, {"item": item, **detail}, now=now)


def _norm_code(code: str) -> str:
    try:
        return normalize_tracking_code(code)
    except ValidationError as exc:
        raise InputError(str(exc), "kode") from exc


def view_case(session: Session, actor: Actor, code: str, *, channel: str) -> CaseView:
    """The whole request as staff see it, for ``actor``; the read is recorded."""
    user = actor_user(session, actor)
    view = case_view(session, code, roles=user.role_keys)
    _record(session, actor, view.code, "case", channel=channel)
    return view


def record_case_open(
    session: Session, actor: Actor, code: str, *, channel: str = "gui", now: datetime | None = None
) -> None:
    """Record that ``actor`` opened request ``code`` (the desktop window reads the view on its
    own read unit and records the opening beside it, once per window)."""
    actor_user(session, actor)
    norm = _norm_code(code)
    if session.execute(select(Case.id).where(Case.code == norm)).first() is None:
        raise NotFound(f"Permohonan dengan kode {norm} tidak ditemukan.")
    _record(session, actor, norm, "case", channel=channel, now=now)


# --------------------------------------------------------------------------- NIK reveal


def reveal_roles(session: Session) -> tuple[str, ...]:
    """The roles the office lets reveal a full NIK (Admin ▸ Data pribadi)."""
    from .office import get_setting

    value = get_setting(session, REVEAL_ROLES_KEY)
    if not isinstance(value, list):
        return DEFAULT_REVEAL_ROLES
    return tuple(r for r in value if r in ROLES)


def set_reveal_roles(
    session: Session, actor: Actor, roles: Iterable[str], *, now: datetime | None = None
) -> tuple[str, ...]:
    from .office import set_setting
    from .users import require_admin

    require_admin(session, actor)
    chosen = sorted(set(roles))
    unknown = [r for r in chosen if r not in ROLES]
    if unknown:
        raise InputError(f"Peran tidak dikenal: {', '.join(unknown)}.", "peran")
    set_setting(session, REVEAL_ROLES_KEY, chosen, actor=actor, now=now)
    return tuple(chosen)


def may_reveal_nik(session: Session, roles: Iterable[str]) -> bool:
    return bool(set(roles) & set(reveal_roles(session)))


def reveal_nik(session: Session, actor: Actor, code: str, *, now: datetime | None = None) -> str:
    """The full NIK of request ``code`` for a role that needs it (the SIAK operator by
    default); every reveal is one recorded ``data.view`` entry (item ``nik``)."""
    user = actor_user(session, actor)
    allowed = reveal_roles(session)
    if not set(user.role_keys) & set(allowed):
        raise PermissionDenied(
            "Peran Anda tidak diizinkan melihat NIK lengkap. Admin mengatur peran yang boleh di "
            "Admin ▸ Data pribadi."
        )
    norm = _norm_code(code)
    row = session.execute(select(Case.nik).where(Case.code == norm)).first()
    if row is None:
        raise NotFound(f"Permohonan dengan kode {norm} tidak ditemukan.")
    if not row.nik:
        raise NotFound(f"Permohonan {norm} tidak mencatat NIK.")
    _record(session, actor, norm, "nik", now=now)
    return str(row.nik)


# --------------------------------------------------------------------------- berkas


def open_berkas(
    session: Session,
    actor: Actor,
    attachment_id: int,
    *,
    channel: str = "gui",
    now: datetime | None = None,
) -> tuple[str, str, bytes]:
    """``(filename, mime, content)`` of one berkas file, opened by ``actor`` (full size, in the
    system viewer, saved to disk); recorded (item ``berkas``, the file's id)."""
    actor_user(session, actor)
    row = session.execute(
        select(Attachment.filename, Attachment.mime, Attachment.content, Case.code)
        .join(Case, Case.id == Attachment.case_id)
        .where(Attachment.id == attachment_id)
    ).first()
    if row is None:
        raise NotFound("Berkas tidak ditemukan (mungkin sudah dihapus).")
    _record(session, actor, row.code, "berkas", berkas=int(attachment_id), channel=channel, now=now)
    return str(row.filename), str(row.mime), bytes(row.content or b"")


# --------------------------------------------------------------------------- search


def search_kind(text: str) -> str | None:
    """What a search text looks for when it shows personal data: ``nik`` (16 digits: NIK or
    No. KK), ``wa`` (a phone number) or ``nama``; None for a tracking code or nothing."""
    text = text.strip()
    if not text:
        return None
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) == 16:
        return "nik"
    if extract_tracking_code(text):
        return None
    if len(digits) >= 8 and not any(c.isalpha() for c in text):
        return "wa"
    if any(c.isalpha() for c in text):
        return "nama"
    return None


def record_search(
    session: Session,
    actor: Actor,
    text: str,
    codes: Sequence[str],
    *,
    channel: str = "gui",
    now: datetime | None = None,
) -> bool:
    """Record one committed search by NIK, name or number that showed ``codes`` (the text
    itself is not kept — it is personal data). False (nothing recorded) when the search shows
    no personal data: a tracking code, an empty box or no results."""
    kind = search_kind(text)
    if kind is None or not codes:
        return False
    actor_user(session, actor)
    kept = list(dict.fromkeys(codes))[:SEARCH_CODES_KEPT]
    _record(
        session,
        actor,
        kept[0] if len(kept) == 1 else None,
        "search",
        kind=kind,
        results=len(codes),
        codes=kept,
        channel=channel,
        now=now,
    )
    return True


# --------------------------------------------------------------------------- documents


def record_export(
    session: Session,
    actor: Actor,
    code: str | None,
    what: str,
    *,
    channel: str = "gui",
    now: datetime | None = None,
    **detail: Any,
) -> None:
    """Record a document with personal data exported or printed where no report function
    records it already (reports record ``report.*`` themselves)."""
    actor_user(session, actor)
    _record(session, actor, code, "export", what=what, channel=channel, now=now, **detail)


# --------------------------------------------------------------------------- reading the record


@dataclass(frozen=True)
class AccessRecord:
    seq: int
    at: datetime
    username: str | None
    workstation: str
    action: str
    code: str | None
    item: str
    detail: dict[str, Any]


def accesses_for(session: Session, codes: Iterable[str]) -> list[AccessRecord]:
    """Every recorded view of, and document made from, the requests ``codes``: views
    (``data.view`` naming the code, or a search that showed it) and documents (``report.*``
    naming it). Oldest first."""
    wanted = set(codes)
    if not wanted:
        return []
    log = AuditEntry.__table__
    # on the (entity, entity_id) index: entries naming one of the requests, and searches that
    # showed several (their codes are in the detail)
    stmt = (
        select(log)
        .where(
            log.c.entity == "case",
            or_(
                log.c.entity_id.in_(sorted(wanted))
                & or_(log.c.action == VIEW, log.c.action.like("report.%")),
                log.c.entity_id.is_(None) & (log.c.action == VIEW),
            ),
        )
        .order_by(log.c.seq)
    )
    out: list[AccessRecord] = []
    for row in session.execute(stmt):
        detail = json.loads(row.detail or "{}")
        if row.entity_id in wanted:
            code: str | None = row.entity_id
        else:
            hits = [c for c in detail.get("codes", []) if c in wanted]
            if not hits:
                continue
            code = hits[0]
        item = str(detail.get("item") or row.action.removeprefix("report."))
        out.append(
            AccessRecord(
                int(row.seq),
                row.at,
                row.username,
                row.workstation,
                row.action,
                code,
                item,
                detail,
            )
        )
    return out


def record_berkas_view(
    session: Session,
    actor: Actor,
    attachment_id: int,
    *,
    channel: str = "gui",
    now: datetime | None = None,
) -> None:
    """Record that ``actor`` opened berkas file ``attachment_id`` whose content the window
    already holds (shown full size in the request window's viewer)."""
    actor_user(session, actor)
    code = session.execute(
        select(Case.code)
        .join(Attachment, Attachment.case_id == Case.id)
        .where(Attachment.id == attachment_id)
    ).scalar()
    if code is None:
        raise NotFound("Berkas tidak ditemukan (mungkin sudah dihapus).")
    _record(session, actor, code, "berkas", berkas=int(attachment_id), channel=channel, now=now)
