"""Logging in: a failed attempt must still be committed (the failure counter that locks an
account, and its audit entry) — the one rule the desktop and the command line share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..errors import AuthError
from .users import UserInfo, authenticate

if TYPE_CHECKING:
    from ..db import Database

__all__ = ["attempt_login", "login"]


def attempt_login(session: Session, username: str, password: str) -> UserInfo | AuthError:
    """Check the password in a write unit. A failure is *returned*, not raised, so the unit
    commits what it recorded; the caller shows it."""
    try:
        return authenticate(session, username, password)
    except AuthError as exc:
        return exc


def login(db: Database, username: str, password: str) -> UserInfo:
    """Log in through ``db`` in a unit of its own; raises :class:`AuthError` after the failure
    was committed."""
    with db.write() as session:
        result = attempt_login(session, username, password)
    if isinstance(result, AuthError):
        raise result
    return result
