"""Shared fixtures: real SQLite files and a real PostgreSQL server started by the run.

Every database test runs on both engines (``db`` is parametrised). Each test gets a fresh
database copied from a template that already holds the migrated schema and the demo users, so
tests stay fast without sharing state.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from sipelayanan.db import Database

from .pgserver import PgServer, destroy, start_server

REQUIRE_PG = os.environ.get("SIPELAYANAN_REQUIRE_PG") == "1"
TEMPLATE_PG = "sip_template"


def _prepare(db: Database) -> None:
    from sipelayanan.demo import ensure_demo_users

    db.upgrade()
    ensure_demo_users(db)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer | None]:
    try:
        server = start_server()
    except (FileNotFoundError, OSError) as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (SIPELAYANAN_REQUIRE_PG=1) but: {exc}")
        yield None
        return
    try:
        server.psql(f"CREATE DATABASE {TEMPLATE_PG}")
        template = Database(server.url(TEMPLATE_PG))
        _prepare(template)
        template.dispose()
        yield server
    finally:
        destroy(server)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    _prepare(db)
    db.dispose()
    with sqlite3.connect(path) as raw:  # fold the WAL into the file so a plain copy is complete
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "sipelayanan.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    server: PgServer | None = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL not installed here (set SIPELAYANAN_REQUIRE_PG=1 to fail)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    server.psql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_PG}")
    yield server.url(name)
    server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def actors(db: Database) -> dict[str, Any]:
    """Demo users by username as Actors (password: sipelayanan.demo.DEMO_PASSWORD)."""
    from sqlalchemy import select

    from sipelayanan.models import User
    from sipelayanan.services.context import Actor

    with db.read() as session:
        rows = session.execute(select(User.id, User.username)).all()
    return {name: Actor(uid, name) for uid, name in rows}


@pytest.fixture
def empty_pg(pg_server: Any) -> Iterator[str]:
    """An empty PostgreSQL database of its own (restores must go into an empty one)."""
    if pg_server is None:
        pytest.skip("PostgreSQL not installed here")
    name = f"kosong_{uuid.uuid4().hex[:10]}"
    pg_server.psql(f"CREATE DATABASE {name}")
    yield pg_server.url(name)
    pg_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
