"""Tamper-evident audit log.

Each entry stores ``hash = sha256(canonical(entry) + prev_hash)``. The chain head lives in one
row of ``audit_head`` that every appender updates first, which serialises appenders on both
engines. Entries never hold NIKs or names: only codes, ids and step numbers (a 16-digit number
that slips into an entry is masked before it is hashed).

Who appends what: every service that changes state (cases, users, office settings), every login
and failed login, and every document produced (tanda terima, register, rekap, reports, backups)
calls :func:`record` in the same transaction as the change it records.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from ..errors import DomainError
from ..models import AuditEntry, AuditHead, Case, CaseStep
from .context import Actor, resolve_now, this_workstation
from .reading import select_rows

GENESIS = "0" * 64

_NIK_LIKE = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _mask(value: str) -> str:
    """Personal numbers (NIK, No. KK) never enter the log (UU 27/2022)."""
    return _NIK_LIKE.sub(lambda m: m.group(0)[:4] + "*" * 12, value)


def _canonical(
    *,
    seq: int,
    at: datetime,
    user_id: int | None,
    username: str | None,
    workstation: str,
    action: str,
    entity: str,
    entity_id: str | None,
    detail: str,
    prev_hash: str,
) -> bytes:
    payload = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "user_id": user_id,
        "username": username,
        "workstation": workstation,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _hash_of(values: Any) -> str:
    return hashlib.sha256(
        _canonical(
            seq=values.seq,
            at=values.at,
            user_id=values.user_id,
            username=values.username,
            workstation=values.workstation,
            action=values.action,
            entity=values.entity,
            entity_id=values.entity_id,
            detail=values.detail,
            prev_hash=values.prev_hash,
        )
    ).hexdigest()


class AuditHeadMissing(DomainError):
    """The audit chain's head row was deleted while the log holds entries: tampering."""

    def __init__(self) -> None:
        super().__init__(
            "Kepala rantai log audit hilang (baris audit_head dihapus di luar aplikasi) — tanda "
            "basis data diubah langsung. Tidak ada yang disimpan. Admin: jalankan 'sipelayanan "
            "audit verify', lalu 'sipelayanan audit pulihkan-kepala --user ADMIN' bila rantainya "
            "utuh."
        )


def entry_hash(entry: AuditEntry) -> str:
    return _hash_of(entry)


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    detail: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
    username: str | None = None,
    workstation: str | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction (who: ``actor``, or ``username`` when no
    one is logged in, e.g. a command run by the admin; which PC: the actor's workstation)."""
    at = resolve_now(now)
    head = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one_or_none()
    if head is None:
        if session.execute(select(AuditEntry.seq).limit(1)).first() is not None:
            # Entries exist but their head row is gone: deleted outside the app. Carrying on
            # would restart the chain at 1 and fail on every write with a misleading message.
            raise AuditHeadMissing()
        session.add(AuditHead(id=1, seq=1, hash=GENESIS))  # an empty log without its seed row
        session.flush()
        seq, prev = 1, GENESIS
    else:
        seq, prev = int(head[0]), str(head[1])
    who = actor.username if actor else username
    entry = AuditEntry(
        seq=seq,
        at=at,
        user_id=actor.user_id if actor else None,
        username=None if who is None else _mask(who)[:64],
        workstation=(workstation or (actor.workstation if actor else this_workstation()))[:128],
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else _mask(str(entity_id))[:64],
        detail=_mask(
            json.dumps(dict(detail or {}), sort_keys=True, ensure_ascii=False, default=str)
        ),
        prev_hash=prev,
    )
    # Hash over what the database will give back (UTC, microseconds).
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=entry.hash))
    session.flush()
    return entry


_HEAD_SEQ = text("SELECT seq FROM audit_head WHERE id = 1")


def change_token(session: Session) -> int:
    """A number that grows with every audited change: one primary-key read."""
    return int(select_rows(session, _HEAD_SEQ).scalar() or 0)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None
    head_seq: int = 0
    head_hash: str = GENESIS

    @property
    def anchor(self) -> str:
        """``SEQ:HASH`` of the last entry, to write down and check later with ``--jangkar``."""
        return f"{self.head_seq}:{self.head_hash}"


def parse_anchor(value: str) -> tuple[int, str]:
    """``"1234:ab12…"`` (a hash prefix of at least 12 hex digits is enough)."""
    seq_text, _, digest = value.strip().partition(":")
    digest = digest.strip().lower()
    if (
        not seq_text.strip().isdigit()
        or len(digest) < 12
        or len(digest) > 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        from ..errors import InputError

        raise InputError(
            "Jangkar harus berbentuk NOMOR:HASH, mis. 1234:9f86d081884c7d65 (minimal 12 digit "
            "heksadesimal dari hash yang dicatat sebelumnya).",
            "jangkar",
        )
    return int(seq_text), digest


def verify(
    session: Session, *, anchors: tuple[tuple[int, str], ...] = (), batch: int = 2000
) -> VerifyResult:
    """Walk the chain; report the first entry that was altered, deleted or inserted.

    ``anchors`` are ``(seq, hash-prefix)`` pairs noted earlier (e.g. printed on a daily report);
    they catch even a chain rewritten from some entry onwards with every hash recomputed.
    Streams the log in batches, so memory stays flat however long it is.
    """
    table = AuditEntry.__table__
    wanted = dict(anchors)
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(table).order_by(table.c.seq).execution_options(yield_per=batch))

    def bad(seq: int, problem: str) -> VerifyResult:
        return VerifyResult(False, count, seq, problem)

    for row in rows:
        count += 1
        if row.seq != expected_seq:
            if row.seq > expected_seq:
                gone = (
                    f"entri nomor {expected_seq} hilang (dihapus)"
                    if row.seq == expected_seq + 1
                    else f"entri nomor {expected_seq} sampai {row.seq - 1} hilang (dihapus)"
                )
                return bad(expected_seq, gone)
            return bad(row.seq, f"nomor entri {row.seq} muncul dua kali atau tidak berurutan")
        if _hash_of(row) != row.hash:
            return bad(row.seq, f"isi entri nomor {row.seq} diubah")
        if row.prev_hash != prev:
            if row.seq == 1:
                return bad(1, "entri nomor 1 diubah (rantai tidak berawal dari titik nol)")
            return bad(
                row.seq - 1,
                f"entri nomor {row.seq - 1} atau {row.seq} diubah lalu hash-nya dihitung ulang "
                f"(rantai putus di antara keduanya)",
            )
        if row.seq in wanted and not row.hash.startswith(wanted[row.seq]):
            return bad(
                row.seq,
                f"entri nomor {row.seq} tidak cocok dengan jangkar yang dicatat; log ditulis "
                "ulang sejak entri itu atau sebelumnya",
            )
        wanted.pop(row.seq, None)
        prev = row.hash
        expected_seq += 1
    last = expected_seq - 1
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    if head is None and last > 0:
        return VerifyResult(
            False,
            count,
            last,
            "baris kepala rantai (audit_head) hilang — dihapus di luar aplikasi; setiap "
            "penyimpanan ditolak sampai admin memulihkannya ('sipelayanan audit pulihkan-kepala')",
        )
    head_seq = int(head[0]) if head is not None else last
    if head_seq > last:
        gone = (
            f"entri terakhir (nomor {head_seq}) hilang"
            if head_seq == last + 1
            else f"entri terakhir (nomor {last + 1} sampai {head_seq}) hilang"
        )
        return VerifyResult(False, count, last + 1, f"{gone}; hanya {last} entri tersisa")
    if head_seq < last:
        return VerifyResult(
            False,
            count,
            head_seq + 1,
            f"entri nomor {head_seq + 1} sampai {last} disisipkan di luar aplikasi",
        )
    if head is not None and head_seq and str(head[1]) != prev:
        return VerifyResult(False, count, head_seq, f"entri terakhir nomor {head_seq} diubah")
    if wanted:
        seq = min(wanted)
        return VerifyResult(
            False, count, seq, f"entri nomor {seq} dari jangkar tidak ada lagi dalam log"
        )
    state = _check_case_states(session, batch)
    if state is not None:
        return VerifyResult(False, count, state[0], state[1])
    return VerifyResult(True, count, head_seq=last, head_hash=prev)


# --------------------------------------------------------------------------- case state

#: The columns of a request whose values every ``case.*`` entry seals (all but the row id).
_STATE_COLUMNS = tuple(c for c in Case.__table__.columns if c.key != "id")
_NO_DIGITS = str.maketrans("0123456789", "ghijklmnop")  # _mask must never touch a digest


def _state_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def state_digest(values: Mapping[Any, Any], steps: int, last_step_id: int | None) -> str:
    """A short digest of a request's row and of how many step records it has: what an entry
    recorded must equal what the database holds now, or someone changed it outside the app."""
    payload = [_state_value(values[c.key]) for c in _STATE_COLUMNS]
    payload += [steps, last_step_id]
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:20].translate(_NO_DIGITS)


def case_state(session: Session, case: Case) -> str:
    """The digest of ``case`` as flushed in this transaction (call after the last change)."""
    session.flush()
    steps, last_id = session.execute(
        select(func.count(CaseStep.id), func.max(CaseStep.id)).where(CaseStep.case_id == case.id)
    ).one()
    return state_digest({c.key: getattr(case, c.key) for c in _STATE_COLUMNS}, steps, last_id)


def _imported_upto(session: Session) -> int:
    """Requests brought in by a recorded import (an ``*.import`` entry whose detail names
    ``cases_upto_id``) have no entry of their own; the import entry stands for them."""
    upto = 0
    rows = session.execute(
        select(AuditEntry.detail).where(AuditEntry.action.like("%.import"))
    ).scalars()
    for detail in rows:
        value = json.loads(detail or "{}").get("cases_upto_id")
        if isinstance(value, int):
            upto = max(upto, value)
    return upto


def _check_case_states(session: Session, batch: int) -> tuple[int, str] | None:
    """Each request's state must be the one its last ``case.*`` entry sealed, and each request
    the log saw arrive must still exist. Entries written before states were sealed are skipped.
    Streams both tables; memory stays flat."""
    log = AuditEntry.__table__
    cases = Case.__table__
    steps = CaseStep.__table__
    last = (
        select(log.c.entity_id.label("code"), func.max(log.c.seq).label("seq"))
        .where(log.c.entity == "case", log.c.action.like("case.%"))
        .group_by(log.c.entity_id)
        .subquery()
    )
    counts = (
        select(
            steps.c.case_id,
            func.count(steps.c.id).label("n"),
            func.max(steps.c.id).label("last_id"),
        )
        .group_by(steps.c.case_id)
        .subquery()
    )
    stmt = (
        select(
            cases.c.id.label("case_id"),
            *_STATE_COLUMNS,
            counts.c.n,
            counts.c.last_id,
            log.c.seq,
            log.c.detail,
        )
        .select_from(cases)
        .outerjoin(counts, counts.c.case_id == cases.c.id)
        .outerjoin(last, last.c.code == cases.c.code)
        .outerjoin(log, log.c.seq == last.c.seq)
        .execution_options(yield_per=batch)
    )
    imported = _imported_upto(session)
    for row in session.execute(stmt):
        values = row._mapping
        if row.seq is None:
            if row.case_id <= imported:
                continue  # part of a recorded import (e.g. a generated benchmark office)
            return 0, (
                f"permohonan {row.code} tidak tercatat di log audit — dimasukkan di luar aplikasi"
            )
        sealed = json.loads(row.detail or "{}").get("state")
        if sealed is None:
            continue  # recorded before states were sealed
        now = state_digest(values, int(row.n or 0), row.last_id)
        if now != sealed:
            return int(row.seq), (
                f"permohonan {row.code} diubah di luar aplikasi: keadaannya tidak sama dengan "
                f"yang dicatat entri log audit nomor {row.seq}"
            )
    gone = session.execute(
        select(log.c.seq, log.c.entity_id)
        .outerjoin(cases, cases.c.code == log.c.entity_id)
        .where(log.c.action == "case.intake", cases.c.id.is_(None))
        .order_by(log.c.seq)
        .limit(1)
    ).first()
    if gone is not None:
        return int(gone.seq), f"permohonan {gone.entity_id} dihapus di luar aplikasi"
    return None


def restore_head(session: Session, username: str, password: str) -> VerifyResult:
    """Put back a deleted head row from the last entry — only when the head is really missing,
    only if the whole chain (and every request's sealed state) then verifies, and only for an
    admin's password. The login and the repair are recorded in the restored chain; a wrong
    password leaves nothing (the caller's transaction rolls back)."""
    from .users import authenticate, require_admin

    if session.execute(select(AuditHead.id).where(AuditHead.id == 1)).first() is not None:
        raise DomainError("Kepala rantai log audit ada; tidak ada yang perlu dipulihkan.")
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    if last is None:
        raise DomainError("Log audit kosong; kepala rantai dibuat otomatis pada perubahan pertama.")
    session.add(AuditHead(id=1, seq=int(last.seq), hash=str(last.hash)))
    session.flush()
    result = verify(session)
    if not result.ok:
        raise DomainError(
            f"Kepala rantai tidak dipulihkan: log audit tidak utuh ({result.problem}). "
            "Pulihkan basis data dari cadangan terakhir yang terverifikasi."
        )
    info = authenticate(session, username, password)
    actor = Actor(info.id, info.username)
    require_admin(session, actor)
    record(session, actor, "audit.head_restored", "audit", None, {"seq": int(last.seq)})
    return result
