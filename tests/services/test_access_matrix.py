"""Roles are enforced in the services, not only in the windows: every role × every step of
every service × every action, on both engines, and only the SOP's actor can act. On
PostgreSQL the app's login role is also limited by the database itself (``db grant``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from sipelayanan.db import PRIVILEGE_MESSAGE, Database
from sipelayanan.demo import DEMO_USER_FOR_ROLE, DEMO_USERS
from sipelayanan.errors import DatabaseUnavailable, DomainError, PermissionDenied
from sipelayanan.models import CaseStatus
from sipelayanan.services import cases as svc
from sipelayanan.services.users import create_user, update_user
from sipelayanan.sop import ROLES, Step, services

NIK = "1808015708900003"
ROLE_USER = DEMO_USER_FOR_ROLE
ACTIONS = ("advance", "return_to_step", "return_to_pemohon", "close_simple", "resubmit", "cancel")


def _expected(action: str, step: Step, roles: set[str], waiting: bool) -> str:
    """What the SOP says: ``ok``, ``denied`` (not this person's step) or ``refused`` (nobody
    can do this here)."""
    own = step.role in roles
    if action == "cancel":
        return "ok" if own or roles & svc.CANCEL_ROLES else "denied"
    if waiting:
        if action == "resubmit":
            return "ok" if own else "denied"
        return "refused"  # the pemohon has the request; only resubmit or cancel
    if action == "resubmit":
        return "refused"
    if not own:
        return "denied"
    allowed = {
        "advance": step.allows("next"),
        "return_to_step": bool(step.back_targets()),
        "return_to_pemohon": step.allows("return_pemohon"),
        "close_simple": step.allows("close"),
    }[action]
    return "ok" if allowed else "refused"


def _hand_over(step: Step) -> dict[str, str]:
    """What finishing ``step`` must record besides the note: a step that hands the document
    over as it finishes (KTP-el ships through PT POS) needs the resi or who collected it."""
    return {"resi": "RR123456789ID"} if step.records_hand_over_now else {}


def _attempt(s: Session, actor: Any, code: str, action: str, step: Step, want: str) -> str:
    """Try one action. An action the SOP allows runs inside a savepoint rolled back after it;
    one it forbids must fail before changing anything (checked: the session stays clean), which
    keeps the matrix fast. An unexpected success stops the test at once."""
    target = (step.back_targets() or (max(1, step.no - 1),))[0]
    calls: dict[str, Callable[[], Any]] = {
        "advance": lambda: svc.advance(s, actor, code, solusi="Solusi", **_hand_over(step)),
        "return_to_step": lambda: svc.return_to_step(
            s, actor, code, to_step=target, reason="Koreksi ejaan"
        ),
        "return_to_pemohon": lambda: svc.return_to_pemohon(s, actor, code, missing=["Foto buram"]),
        "close_simple": lambda: svc.close_simple(s, actor, code, solusi="Data diperbaiki"),
        "resubmit": lambda: svc.resubmit(s, actor, code),
        "cancel": lambda: svc.cancel(s, actor, code, reason="Permintaan pemohon"),
    }
    savepoint = s.begin_nested() if want == "ok" else None
    try:
        calls[action]()
        outcome = "ok"
    except PermissionDenied:
        outcome = "denied"
    except DomainError:
        outcome = "refused"
    if savepoint is not None:
        savepoint.rollback()
    elif outcome == "ok":
        raise AssertionError(f"{actor.username} {action} at step {step.no} was allowed")
    else:
        assert not (s.new or s.dirty or s.deleted), f"{action} refused but left changes"
    return outcome


@pytest.mark.parametrize("service", list(services()))
def test_only_the_sops_actor_can_act(db: Database, actors: dict[str, Any], service: str) -> None:
    sdef = services()[service]
    users = {name: {roles[0]} for name, _full, roles in DEMO_USERS}
    mismatches: list[str] = []
    checked = 0
    with db.write() as s:
        first = actors[ROLE_USER[sdef.step(1).role]]
        code = svc.intake(
            s,
            first,
            svc.IntakeData(service=service, nama="Siti Aminah", nik=NIK, wa="081234567890"),
        ).code
        for step in sdef.steps:
            states = [False] + ([True] if step.allows("return_pemohon") else [])
            for waiting in states:
                outer = s.begin_nested()
                if waiting:
                    svc.return_to_pemohon(
                        s, actors[ROLE_USER[step.role]], code, missing=["Foto buram"]
                    )
                for username, roles in users.items():
                    for action in ACTIONS:
                        want = _expected(action, step, roles, waiting)
                        got = _attempt(s, actors[username], code, action, step, want)
                        checked += 1
                        if got != want:
                            mismatches.append(
                                f"step {step.no} {'menunggu ' if waiting else ''}{username} "
                                f"{action}: {got}, SOP says {want}"
                            )
                outer.rollback()
            if step.no < sdef.last_step:  # on to the next step, for real
                svc.advance(s, actors[ROLE_USER[step.role]], code, **_hand_over(step))
    assert mismatches == []
    n_waiting = sum(1 for st in sdef.steps if st.allows("return_pemohon"))
    assert checked == (len(sdef.steps) + n_waiting) * len(users) * len(ACTIONS)


def test_the_matrix_covers_every_role() -> None:
    assert set(ROLE_USER) == set(ROLES)
    every_step_role = {st.role for sdef in services().values() for st in sdef.steps}
    assert every_step_role <= set(ROLES)


def test_deactivated_user_cannot_act_even_with_the_right_role(
    db: Database, actors: dict[str, Any]
) -> None:
    with db.write() as s:
        code = svc.intake(
            s,
            actors["online"],
            svc.IntakeData(service="KK", nama="Siti Aminah", nik=NIK, wa="081234567890"),
        ).code
        update_user(s, "online", actor=actors["admin"], active=False)
    with pytest.raises(PermissionDenied, match="tidak aktif"), db.write() as s:
        svc.advance(s, actors["online"], code)
    with db.read() as s:
        assert svc.load_case(s, code).status == CaseStatus.PROSES


def test_only_an_admin_manages_users(db: Database, actors: dict[str, Any]) -> None:
    for name in ("kadis", "online", "tim"):
        with pytest.raises(PermissionDenied, match="admin"), db.write() as s:
            create_user(
                s,
                username=f"baru{name}",
                full_name="Pegawai Baru",
                password="rahasia-baru",
                roles=["admin"],
                actor=actors[name],
            )
        with pytest.raises(PermissionDenied, match="admin"), db.write() as s:
            update_user(s, "operator", actor=actors[name], roles=["admin"])
    with db.write() as s:
        info = create_user(
            s,
            username="baru",
            full_name="Pegawai Baru",
            password="rahasia-baru",
            roles=["operator"],
            actor=actors["admin"],
        )
    assert info.roles == ("operator",)


# --------------------------------------------------------------------------- PostgreSQL roles


@pytest.fixture
def pg_roles(pg_server: Any) -> Any:
    """A database owned by a non-superuser owner role, and an app login role."""
    if pg_server is None:
        pytest.skip("PostgreSQL not installed here")
    tag = uuid.uuid4().hex[:8]
    owner, app, dbname = f"sip_owner_{tag}", f"sip_app_{tag}", f"kantor_{tag}"
    pg_server.psql(f"CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    pg_server.psql(f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    pg_server.psql(f"CREATE DATABASE {dbname} OWNER {owner}")
    pg_server.psql(f"ALTER SCHEMA public OWNER TO {owner}", dbname)
    base = f"postgresql://{{}}@127.0.0.1:{pg_server.port}/{dbname}"
    yield base.format(owner), base.format(app), app
    pg_server.psql(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
    pg_server.psql(f"DROP ROLE IF EXISTS {app}")
    pg_server.psql(f"DROP ROLE IF EXISTS {owner}")


def test_app_role_cannot_change_schema_or_audit_log(
    pg_roles: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from sipelayanan import cli
    from sipelayanan.demo import ensure_demo_users

    owner_url, app_url, app = pg_roles
    # before the admin sets things up, the app role cannot create the schema
    assert cli.main(["--db", app_url, "db", "upgrade"]) == 3
    assert "pemilik" in capsys.readouterr().err
    assert cli.main(["--db", owner_url, "db", "upgrade"]) == 0
    assert cli.main(["--db", owner_url, "db", "grant", app]) == 0
    out = capsys.readouterr().out
    assert "tidak dapat diubah atau dihapus" in out and "Peringatan" not in out

    db = Database(app_url)
    actors, _ = ensure_demo_users(db)  # daily work: reading and writing rows
    with db.write() as s:
        code = svc.intake(
            s,
            actors["online"],
            svc.IntakeData(service="KK", nama="Siti Aminah", nik=NIK, wa="081234567890"),
        ).code
        svc.advance(s, actors["online"], code)
    for sql in (
        "UPDATE audit_log SET detail = '{}' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 1",
        "TRUNCATE audit_log",
        "CREATE TABLE curang (id int)",
        "ALTER TABLE cases ADD COLUMN curang int",
        "DROP TABLE cases",
        "UPDATE alembic_version SET version_num = 'x'",
    ):
        with pytest.raises(DatabaseUnavailable) as err, db.write() as s:
            s.execute(text(sql))
        assert str(err.value) == PRIVILEGE_MESSAGE, sql
    with db.read() as s:
        from sipelayanan.services import audit

        assert audit.verify(s).ok
    db.dispose()
    # the app role cannot hand itself more rights either
    assert cli.main(["--db", app_url, "db", "grant", app]) == 2
    assert "berbeda dari akun pemilik" in capsys.readouterr().err
    assert cli.main(["--db", app_url, "db", "check"]) == 0
    out = capsys.readouterr().out
    assert "bukan superuser" in out and "tidak boleh mengubah skema" in out
