"""How SiPelayanan opens a database — one policy for the command line, the desktop's start
and the Admin page's connection test.

- SQLite (one file per PC) is brought up to date in place when it is opened.
- PostgreSQL (shared by the office) is only checked: upgrading it needs the database owner's
  account, so a schema that is empty or older is refused, saying what to do.
- A schema migrated by a newer SiPelayanan is never written to (``migrate.SchemaTooNew``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .errors import DatabaseUnavailable

if TYPE_CHECKING:
    from .db import Database

__all__ = ["SchemaNotReady", "open_database", "prepare_schema", "schema_refusal"]


class SchemaNotReady(DatabaseUnavailable):
    """A shared database whose schema this PC may not create or upgrade itself."""


_UPGRADE_HINT = (
    "Minta admin menjalankan 'sipelayanan db upgrade' dengan akun pemilik basis data, lalu "
    "buka aplikasi lagi."
)


def schema_refusal(state: Literal["empty", "behind"]) -> str:
    """Why a shared (PostgreSQL) database is not opened, and what to do."""
    if state == "empty":
        return "Basis data PostgreSQL ini belum berisi skema SiPelayanan. " + _UPGRADE_HINT
    return "Skema basis data PostgreSQL lebih lama daripada versi aplikasi ini. " + _UPGRADE_HINT


def prepare_schema(db: Database) -> None:
    """Apply the policy to an open database: migrate SQLite, check PostgreSQL. Raises
    :class:`SchemaNotReady` (PostgreSQL not current), :class:`DatabaseUnavailable` (not
    reachable) or ``migrate.SchemaTooNew``."""
    if db.dialect == "sqlite":
        db.upgrade()
        return
    if db.schema_is_current():  # connection failures come translated
        return
    from .migrate import current_revision

    raise SchemaNotReady(
        schema_refusal("empty" if current_revision(db.engine) is None else "behind")
    )


def open_database(url: str | None, *, create_folder: bool, migrate: bool = True) -> Database:
    """A :class:`~sipelayanan.db.Database` for ``url`` (None: this PC's default), ready to use
    under the policy above. ``create_folder``: whether a missing SQLite folder may be created
    (the default location and 'db upgrade' do; a mistyped address must not)."""
    from .db import Database

    db = Database(url, create_folder=create_folder)
    if migrate:
        try:
            prepare_schema(db)
        except BaseException:
            db.dispose()
            raise
    return db
