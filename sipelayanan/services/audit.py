"""Tamper-evident audit log.

Each entry stores ``hash = sha256(canonical(entry) + prev_hash)``. The chain head lives in one
row of ``audit_head`` that every appender updates first, which serialises appenders on both
engines. Entries never hold NIKs or names: only codes, ids and step numbers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from ..models import AuditEntry, AuditHead
from .context import Actor, resolve_now, this_workstation

GENESIS = "0" * 64


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


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(
        _canonical(
            seq=entry.seq,
            at=entry.at,
            user_id=entry.user_id,
            username=entry.username,
            workstation=entry.workstation,
            action=entry.action,
            entity=entry.entity,
            entity_id=entry.entity_id,
            detail=entry.detail,
            prev_hash=entry.prev_hash,
        )
    ).hexdigest()


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
) -> AuditEntry:
    """Append one entry in the caller's transaction."""
    at = resolve_now(now)
    head = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one_or_none()
    if head is None:  # a database created without the migration's seed row
        session.add(AuditHead(id=1, seq=1, hash=GENESIS))
        session.flush()
        seq, prev = 1, GENESIS
    else:
        seq, prev = int(head[0]), str(head[1])
    entry = AuditEntry(
        seq=seq,
        at=at,
        user_id=actor.user_id if actor else None,
        username=actor.username if actor else username,
        workstation=actor.workstation if actor else this_workstation(),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        detail=json.dumps(dict(detail or {}), sort_keys=True, ensure_ascii=False, default=str),
        prev_hash=prev,
    )
    # Hash over what the database will give back (UTC, microseconds).
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=entry.hash))
    session.flush()
    return entry


def change_token(session: Session) -> int:
    """A number that grows with every audited change: one primary-key read."""
    value = session.execute(text("SELECT seq FROM audit_head WHERE id = 1")).scalar()
    return int(value or 0)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session: Session) -> VerifyResult:
    """Walk the chain; report the first entry that was altered, deleted or inserted."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for entry in rows:
        count += 1
        if entry.seq != expected_seq:
            return VerifyResult(
                False, count, expected_seq, f"entri nomor {expected_seq} hilang (dihapus)"
            )
        if entry.prev_hash != prev:
            return VerifyResult(
                False, count, entry.seq, f"rantai putus sebelum entri nomor {entry.seq}"
            )
        if entry_hash(entry) != entry.hash:
            return VerifyResult(False, count, entry.seq, f"isi entri nomor {entry.seq} diubah")
        prev = entry.hash
        expected_seq += 1
        session.expunge(entry)
    head = session.get(AuditHead, 1)
    if head is not None and head.seq != expected_seq - 1:
        return VerifyResult(
            False,
            count,
            expected_seq,
            f"entri terakhir (nomor {head.seq}) hilang; hanya {expected_seq - 1} tersisa",
        )
    if head is not None and head.seq and head.hash != prev:
        return VerifyResult(False, count, head.seq, f"entri terakhir nomor {head.seq} diubah")
    return VerifyResult(True, count)
