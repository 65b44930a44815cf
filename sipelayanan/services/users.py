"""Staff accounts and login (Argon2id, lock-out after repeated failures)."""

from __future__ import annotations

import contextlib
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import AuthError, DomainError, InputError, NotFound, PermissionDenied
from ..identity import clean_line
from ..models import User, UserRole
from ..sop import ROLES
from . import audit
from .context import Actor, resolve_now

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
_dummy_hash: str | None = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _burn_time(password: str) -> None:
    """Verify against a throw-away hash so an unknown user name cannot be told by timing."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("sipelayanan-dummy-password")
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_dummy_hash, password)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    full_name: str
    nip: str | None
    roles: tuple[str, ...]
    active: bool

    def actor(self) -> Actor:
        return Actor(user_id=self.id, username=self.username)

    def has_role(self, role: str) -> bool:
        return role in self.roles


def _info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        nip=user.nip,
        roles=tuple(sorted(user.role_keys)),
        active=user.active,
    )


def _check_roles(roles: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise InputError(
            f"Peran tidak dikenal: {', '.join(unknown)}. Pilihan: {', '.join(ROLES)}.", "roles"
        )
    if not roles:
        raise InputError("Pengguna harus memiliki sedikitnya satu peran.", "roles")
    return sorted(set(roles))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.", "password")


_USERNAME_CHARS = frozenset(string.ascii_lowercase + string.digits + "._-")


def _check_username(username: str) -> str:
    username = username.strip().lower()
    # ASCII only: a Cyrillic "а" in "аdmin" must not make a look-alike of another account
    if not username or len(username) > 64 or not all(c in _USERNAME_CHARS for c in username):
        raise InputError(
            "Nama pengguna hanya boleh huruf a–z, angka, titik, garis bawah atau tanda minus "
            "(maksimal 64 karakter).",
            "username",
        )
    return username


def _require_admin(session: Session, actor: Actor | None) -> None:
    """User management is an admin's. Without a logged-in actor it is allowed only while the
    office has no active admin at all — setting up the very first one on an empty database."""
    if actor is None:
        if _active_admins(session) == 0:
            return
        raise PermissionDenied(
            "Hanya admin yang dapat mengelola pengguna: masuk sebagai admin terlebih dahulu."
        )
    user = session.get(User, actor.user_id)
    if user is None or not user.active or "admin" not in user.role_keys:
        raise PermissionDenied("Hanya admin yang dapat mengelola pengguna.")


#: Who the audit names when the first admin is set up before anyone can log in.
SETUP_USERNAME = "(penyiapan awal)"


def needs_first_admin(session: Session) -> bool:
    """True while no active admin exists: the only time user management needs no login."""
    return _active_admins(session) == 0


def require_admin(session: Session, actor: Actor) -> None:
    """Refuse unless ``actor`` is an active admin."""
    _require_admin(session, actor)


def count_users(session: Session) -> int:
    return int(session.execute(select(func.count(User.id))).scalar_one())


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    password: str,
    roles: list[str] | tuple[str, ...],
    nip: str | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> UserInfo:
    _require_admin(session, actor)
    username = _check_username(username)
    full_name = clean_line(full_name)
    if not full_name or len(full_name) > 200:
        raise InputError("Nama lengkap wajib diisi (maksimal 200 karakter).", "full_name")
    _check_password(password)
    role_list = _check_roles(list(roles))
    if session.execute(select(User.id).where(User.username == username)).first():
        raise InputError(f"Nama pengguna '{username}' sudah dipakai.", "username")
    user = User(
        username=username,
        full_name=full_name,
        nip=(nip or "").strip() or None,
        password_hash=hash_password(password),
        active=True,
        failed_logins=0,
        created_at=resolve_now(now),
        roles=[UserRole(role=r) for r in role_list],
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        {"username": username, "roles": role_list},
        now=now,
        username=SETUP_USERNAME,
    )
    return _info(user)


def get_user(session: Session, username: str) -> UserInfo:
    user = session.execute(select(User).where(User.username == username.strip().lower())).scalar()
    if user is None:
        raise NotFound(f"Pengguna '{username}' tidak ditemukan.")
    return _info(user)


def list_users(session: Session) -> list[UserInfo]:
    return [_info(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    workstation: str | None = None,
) -> UserInfo:
    """Check a password; count failures and lock the account after too many.

    Runs in a write transaction because it records the attempt; the caller commits even when
    this raises AuthError so the failure counter and audit entry are kept.
    """
    at = resolve_now(now)
    name = username.strip().lower()
    # FOR UPDATE: two PCs failing at once must both count towards the lock-out (PostgreSQL);
    # SQLite's write transaction already serialises them.
    user = session.execute(select(User).where(User.username == name).with_for_update()).scalar()
    who = (
        Actor(user.id, user.username, workstation)
        if user and workstation
        else (Actor(user.id, user.username) if user else None)
    )
    generic = AuthError("Nama pengguna atau kata sandi salah.")
    if user is None:
        _burn_time(password)  # an unknown name takes as long as a wrong password
        audit.record(
            session,
            None,
            "login.failed",
            "user",
            None,
            {"reason": "unknown"},
            now=at,
            # never the typed name: it may be a password or a NIK typed in the wrong field
            username="(tidak dikenal)",
            workstation=workstation,
        )
        raise generic
    if not user.active:
        # Only someone who knows the password learns that the account was deactivated.
        knows = _password_matches(user.password_hash, password)
        audit.record(session, who, "login.failed", "user", user.id, {"reason": "inactive"}, now=at)
        if not knows:
            raise generic
        raise AuthError("Akun ini sudah dinonaktifkan. Hubungi admin.")
    if user.locked_until is not None and user.locked_until > at:
        minutes = max(1, int((user.locked_until - at).total_seconds() // 60) + 1)
        audit.record(session, who, "login.failed", "user", user.id, {"reason": "locked"}, now=at)
        raise AuthError(
            f"Akun dikunci sementara karena terlalu banyak percobaan gagal. "
            f"Coba lagi dalam {minutes} menit atau minta admin mengatur ulang kata sandi."
        )
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        detail: dict[str, object] = {"reason": "password", "failures": user.failed_logins}
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = at + LOCKOUT
            user.failed_logins = 0
            detail["locked"] = True
        audit.record(session, who, "login.failed", "user", user.id, detail, now=at)
        raise generic from None
    done: dict[str, object] = {}
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)  # parameters changed since it was set
        done["rehash"] = True
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, who, "login", "user", user.id, done, now=at)
    return _info(user)


def actor_user(session: Session, actor: Actor) -> User:
    """The acting user, freshly loaded: deactivated accounts can no longer act."""
    user = session.get(User, actor.user_id)
    if user is None or not user.active:
        raise PermissionDenied("Akun ini tidak aktif lagi; silakan masuk ulang.")
    return user


def set_password(
    session: Session,
    username: str,
    password: str,
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> None:
    user = session.execute(select(User).where(User.username == username.strip().lower())).scalar()
    if user is None:
        raise NotFound(f"Pengguna '{username}' tidak ditemukan.")
    if actor is None or actor.user_id != user.id:
        _require_admin(session, actor)
    _check_password(password)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor, "user.password", "user", user.id, now=now, username=SETUP_USERNAME)


def _active_admins(session: Session) -> int:
    return int(
        session.execute(
            select(func.count(User.id))
            .join(UserRole)
            .where(User.active.is_(True), UserRole.role == "admin")
        ).scalar_one()
    )


def update_user(
    session: Session,
    username: str,
    *,
    actor: Actor | None = None,
    full_name: str | None = None,
    nip: str | None = None,
    roles: list[str] | None = None,
    active: bool | None = None,
    now: datetime | None = None,
) -> UserInfo:
    _require_admin(session, actor)
    query = select(User).where(User.username == username.strip().lower())
    user = session.execute(query).scalar()
    if user is None:
        raise NotFound(f"Pengguna '{username}' tidak ditemukan.")
    if user.active and "admin" in user.role_keys:
        # Lock every active admin row, in id order, so two admins demoting each other from two
        # PCs at once cannot both see "one admin left" (PostgreSQL; SQLite writes are serialised
        # anyway). Then re-read the user as it is now.
        session.execute(
            select(User.id)
            .join(UserRole)
            .where(User.active.is_(True), UserRole.role == "admin")
            .order_by(User.id)
            .with_for_update(of=User)
        ).all()
    else:
        session.execute(select(User.id).where(User.id == user.id).with_for_update()).all()
    user = session.execute(query.execution_options(populate_existing=True)).scalar_one()
    was_admin = user.active and "admin" in user.role_keys
    changes: dict[str, object] = {}
    if full_name is not None:
        full_name = clean_line(full_name)
        if not full_name:
            raise InputError("Nama lengkap wajib diisi.", "full_name")
        user.full_name = full_name
        changes["full_name"] = True
    if nip is not None:
        user.nip = nip.strip() or None
        changes["nip"] = True
    if roles is not None:
        role_list = _check_roles(roles)
        user.roles = [UserRole(role=r) for r in role_list]
        changes["roles"] = role_list
    if active is not None:
        user.active = active
        changes["active"] = active
    session.flush()
    still_admin = user.active and "admin" in user.role_keys
    if was_admin and not still_admin and _active_admins(session) == 0:
        raise DomainError("Admin terakhir tidak dapat dinonaktifkan atau dicabut perannya.")
    audit.record(
        session, actor, "user.update", "user", user.id, changes, now=now, username=SETUP_USERNAME
    )
    return _info(user)
