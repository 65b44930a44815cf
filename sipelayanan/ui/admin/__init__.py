"""The admin role's page: users and roles, office profile, hours and closures, message
templates, and this PC's database connection.

``AdminPage`` is imported on first use (PEP 562): the start-up path reads the PostgreSQL
password through ``admin.database``/``admin.secret`` and must not build every admin tab's
module to do so (about 0.14 s of a cold start)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .page import AdminPage

__all__ = ["AdminPage"]


def __getattr__(name: str) -> Any:
    if name == "AdminPage":
        from .page import AdminPage

        return AdminPage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
