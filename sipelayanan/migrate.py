"""Alembic, driven programmatically so an installed app needs no alembic.ini.

Start-up asks only ``stored_revision() == HEAD_REVISION`` (one small query); Alembic itself is
imported only when the schema really has to change (it costs about a third of a second).

A database migrated by a *newer* SiPelayanan holds a revision this version does not know. It is
never touched: :func:`schema_state` raises :class:`SchemaTooNew`, whose message names the revision
and, when recorded, the app version that migrated it (``upgrade`` writes its own version into
``office_settings`` under :data:`APP_VERSION_KEY` each time it changes the schema).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from . import __version__
from .errors import SipelayananError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("sipelayanan.migrate")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: The newest migration shipped with this version (a test keeps it equal to Alembic's head).
HEAD_REVISION = "0008"
#: Every revision this version ships, oldest first (a test keeps it equal to Alembic's scripts).
KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008")
#: office_settings key holding which app version last changed the schema.
APP_VERSION_KEY = "schema.app_version"

SchemaState = Literal["current", "behind", "empty"]


class SchemaTooNew(SipelayananError):
    """The database was migrated by a newer SiPelayanan: this version must not write to it."""

    def __init__(self, revision: str, app_version: str | None) -> None:
        by = f"SiPelayanan versi {app_version}" if app_version else "SiPelayanan versi"
        super().__init__(
            f"Basis data ini sudah diperbarui oleh {by} yang lebih baru (revisi {revision}); "
            f"aplikasi di PC ini versi {__version__}. Agar data tidak rusak, versi ini tidak "
            "menulis apa pun ke basis data tersebut. Pasang versi terbaru di PC ini."
        )
        self.revision = revision
        self.app_version = app_version


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, or None for an empty one (no Alembic import)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as exc:
        if "alembic_version" in str(exc.orig).lower() or "no such table" in str(exc.orig):
            return None
        raise


def recorded_app_version(engine: Engine) -> str | None:
    """The app version that last migrated this database, when it recorded one."""
    try:
        with engine.connect() as conn:
            raw = conn.execute(
                text("SELECT value FROM office_settings WHERE key = :key"),
                {"key": APP_VERSION_KEY},
            ).scalar()
        value = json.loads(raw)["version"] if raw else None
    except (SQLAlchemyError, ValueError, KeyError, TypeError):
        return None  # no table, an unreadable value: the message just names no version
    return str(value) if value else None


def schema_state(engine: Engine) -> SchemaState:
    """``current``, ``behind`` (an older revision this version can upgrade) or ``empty``;
    raises :class:`SchemaTooNew` for a revision this version does not know."""
    revision = stored_revision(engine)
    if revision == HEAD_REVISION:
        return "current"
    if revision is None:
        return "empty"
    if revision in KNOWN_REVISIONS:
        return "behind"
    version = recorded_app_version(engine)
    log.warning("database at unknown revision %s (migrated by app %s)", revision, version)
    raise SchemaTooNew(revision, version)


def record_app_version(engine: Engine) -> None:
    """Note in office_settings that this app version migrated the schema."""
    from sqlalchemy import insert, update

    from .models import OfficeSetting

    now = datetime.now(UTC)
    revision = stored_revision(engine)
    value = json.dumps({"version": __version__, "revision": revision, "at": now.isoformat()})
    with engine.begin() as conn:
        changed = conn.execute(
            update(OfficeSetting)
            .where(OfficeSetting.key == APP_VERSION_KEY)
            .values(value=value, updated_at=now)
        ).rowcount
        if not changed:
            conn.execute(
                insert(OfficeSetting).values(key=APP_VERSION_KEY, value=value, updated_at=now)
            )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; refuses (SchemaTooNew) a database from a newer app."""
    state = schema_state(engine)
    if revision == "head" and state == "current":
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
    record_app_version(engine)


def current_revision(engine: Engine) -> str | None:
    return stored_revision(engine)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def all_revisions() -> list[str]:
    """Every revision of Alembic's scripts, oldest first (imports Alembic)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(alembic_config())
    return [s.revision for s in reversed(list(scripts.walk_revisions()))]


def is_up_to_date(engine: Engine) -> bool:
    """Whether the schema is at this version's head; raises SchemaTooNew when it is newer."""
    return schema_state(engine) == "current"
