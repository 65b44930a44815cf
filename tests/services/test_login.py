"""Login and accounts: Argon2id hashes rehashed when the parameters change, a lock-out after
repeated failures (also when they come from several PCs at once), deactivated users refused,
and the last admin protected (also against two admins demoting each other at once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type
from sqlalchemy import select

from sipelayanan.db import Database
from sipelayanan.demo import DEMO_PASSWORD
from sipelayanan.errors import AuthError, DomainError
from sipelayanan.models import AuditEntry, User
from sipelayanan.services import users
from sipelayanan.services.users import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    authenticate,
    create_user,
    get_user,
    update_user,
)
from tests import proc_worker as pw

T0 = datetime(2026, 11, 17, 1, 0, tzinfo=UTC)


def _hash(db: Database, username: str) -> str:
    with db.read() as s:
        return str(
            s.execute(select(User.password_hash).where(User.username == username)).scalar_one()
        )


def _login(db: Database, username: str, password: str, now: datetime = T0) -> Any:
    """As the login window does: the attempt is committed even when it fails."""
    failure: AuthError | None = None
    info = None
    with db.write() as s:
        try:
            info = authenticate(s, username, password, now=now, workstation="PC-LOKET-1")
        except AuthError as exc:
            failure = exc
    if failure is not None:
        raise failure
    return info


def _audit(db: Database, action: str) -> list[AuditEntry]:
    with db.read() as s:
        return list(
            s.execute(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
            )
            .scalars()
            .all()
        )


def test_passwords_are_argon2id_and_never_stored_plain(db: Database) -> None:
    stored = _hash(db, "online")
    assert stored.startswith("$argon2id$")
    assert DEMO_PASSWORD not in stored
    params = users._hasher  # the library's recommended parameters
    assert f"m={params.memory_cost},t={params.time_cost},p={params.parallelism}" in stored
    assert _login(db, "online", DEMO_PASSWORD).username == "online"


def test_hash_is_upgraded_when_the_parameters_change(
    db: Database, actors: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(users, "_hasher", old)
    with db.write() as s:
        create_user(
            s,
            username="lama",
            full_name="Pegawai Lama",
            password="sandi-lama-123",
            roles=["operator"],
            actor=actors["admin"],
        )
    weak = _hash(db, "lama")
    assert "m=8192,t=1,p=1" in weak
    _login(db, "lama", "sandi-lama-123")
    assert _hash(db, "lama") == weak  # same parameters: nothing to do
    monkeypatch.setattr(users, "_hasher", PasswordHasher())  # a newer release, stronger
    _login(db, "lama", "sandi-lama-123", T0 + timedelta(minutes=1))
    strong = _hash(db, "lama")
    assert strong != weak and strong.startswith("$argon2id$")
    assert f"m={users._hasher.memory_cost}" in strong
    assert users._hasher.verify(strong, "sandi-lama-123")
    assert _audit(db, "login")[-1].detail == '{"rehash": true}'
    _login(db, "lama", "sandi-lama-123", T0 + timedelta(minutes=2))
    assert _hash(db, "lama") == strong
    with pytest.raises(AuthError):
        _login(db, "lama", "sandi-salah-123", T0 + timedelta(minutes=3))


def test_lock_out_after_repeated_failures(db: Database) -> None:
    for i in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthError, match=r"^Nama pengguna atau kata sandi salah\.$"):
            _login(db, "kasi", f"salah-{i}", T0 + timedelta(seconds=i))
    assert _login(db, "kasi", DEMO_PASSWORD, T0 + timedelta(seconds=10)) is not None  # resets
    for i in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError, match="salah"):
            _login(db, "kasi", f"salah-{i}", T0 + timedelta(minutes=1, seconds=i))
    # now even the right password is refused, with a clear message and the wait
    with pytest.raises(AuthError, match=r"dikunci sementara.*Coba lagi dalam 15 menit"):
        _login(db, "kasi", DEMO_PASSWORD, T0 + timedelta(minutes=1, seconds=10))
    with pytest.raises(AuthError, match="dalam 5 menit"):
        _login(db, "kasi", DEMO_PASSWORD, T0 + timedelta(minutes=11, seconds=5))
    assert _login(db, "kasi", DEMO_PASSWORD, T0 + LOCKOUT + timedelta(minutes=2)) is not None
    failed = _audit(db, "login.failed")
    assert sum('"locked": true' in e.detail for e in failed) == 1
    assert sum('"reason": "locked"' in e.detail for e in failed) == 2
    assert all(e.workstation == "PC-LOKET-1" and e.username == "kasi" for e in failed)


@pytest.mark.slow
def test_failures_from_several_pcs_at_once_all_count(db: Database, tmp_path: Path) -> None:
    go = tmp_path / "go"
    procs = [pw.start("bad_logins", url=db.url, user="kabid", n=3, go=str(go)) for _ in range(2)]
    pw.release(procs, go)
    messages = [m for p in procs for m in pw.result(p)["messages"]]
    assert len(messages) == 6
    with db.read() as s:
        user = s.execute(select(User).where(User.username == "kabid")).scalar_one()
    assert user.locked_until is not None  # 6 failures ≥ 5: no failure was lost
    with pytest.raises(AuthError, match="dikunci"):
        _login(db, "kabid", DEMO_PASSWORD, datetime.now(UTC))


def test_deactivated_user_cannot_log_in(db: Database, actors: dict[str, Any]) -> None:
    with db.write() as s:
        update_user(s, "operator", actor=actors["admin"], active=False)
    with pytest.raises(AuthError, match="dinonaktifkan"):
        _login(db, "operator", DEMO_PASSWORD)
    # a wrong password does not even reveal that the account exists but is off
    with pytest.raises(AuthError, match=r"^Nama pengguna atau kata sandi salah\.$"):
        _login(db, "operator", "tebakan-saja")
    with db.write() as s:
        update_user(s, "operator", actor=actors["admin"], active=True)
    assert _login(db, "operator", DEMO_PASSWORD).username == "operator"


def test_unknown_user_gets_the_same_answer_and_no_secret_is_logged(db: Database) -> None:
    for name in ("tidakada", "rahasia123", "1808015708900003"):
        with pytest.raises(AuthError, match=r"^Nama pengguna atau kata sandi salah\.$"):
            _login(db, name, "apa-saja")
    logged = [e.username for e in _audit(db, "login.failed")]
    assert logged == ["(tidak dikenal)"] * 3


def test_the_last_admin_cannot_be_removed(db: Database, actors: dict[str, Any]) -> None:
    admin = actors["admin"]
    with pytest.raises(DomainError, match="Admin terakhir"), db.write() as s:
        update_user(s, "admin", actor=admin, active=False)
    with pytest.raises(DomainError, match="Admin terakhir"), db.write() as s:
        update_user(s, "admin", actor=admin, roles=["kasi"])
    with db.read() as s:
        assert get_user(s, "admin").active and get_user(s, "admin").has_role("admin")
    with db.write() as s:  # with a second admin, one may go
        update_user(s, "kadis", actor=admin, roles=["kadis", "admin"])
    with db.write() as s:
        update_user(s, "admin", actor=admin, active=False)
    with pytest.raises(DomainError, match="Admin terakhir"), db.write() as s:
        update_user(s, "kadis", actor=actors["kadis"], roles=["kadis"])


@pytest.mark.slow
def test_two_admins_demoting_each_other_at_once_leave_one(
    db: Database, actors: dict[str, Any], tmp_path: Path
) -> None:
    with db.write() as s:
        update_user(s, "kadis", actor=actors["admin"], roles=["kadis", "admin"])
    go = tmp_path / "go"
    procs = [
        pw.start("demote", url=db.url, user="admin", target="kadis", go=str(go)),
        pw.start("demote", url=db.url, user="kadis", target="admin", go=str(go)),
    ]
    pw.release(procs, go)
    outcomes = sorted(pw.result(p)["outcome"] for p in procs)
    with db.read() as s:
        active_admins = [
            u.username for u in users.list_users(s) if u.active and u.has_role("admin")
        ]
    assert len(active_admins) == 1
    # the loser was refused (last admin) or, if it acted as an already removed admin, denied
    assert outcomes[0] in ("DomainError", "PermissionDenied", "ConflictError")
    assert outcomes[1] == "ok"
