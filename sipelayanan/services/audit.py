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
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from ..lookup import Reader, fetch
from ..models import AuditEntry, AuditHead
from .context import Actor, resolve_now, this_workstation

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
    if head is None:  # a database created without the migration's seed row
        session.add(AuditHead(id=1, seq=1, hash=GENESIS))
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


def change_token(session: Reader) -> int:
    """A number that grows with every audited change: one primary-key read."""
    found = fetch(session, _HEAD_SEQ)
    return int(found[0][0] or 0) if found else 0


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
    return VerifyResult(True, count, head_seq=last, head_hash=prev)
