"""Who is acting, from which PC, and what time it is."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def this_workstation() -> str:
    try:
        return socket.gethostname()[:128] or "unknown"
    except OSError:  # pragma: no cover
        return "unknown"


@dataclass(frozen=True)
class Actor:
    """An authenticated staff member. Roles are re-read from the database on every action."""

    user_id: int
    username: str
    workstation: str = field(default_factory=this_workstation)


def resolve_now(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("naive datetime")
    return now.astimezone(UTC)
