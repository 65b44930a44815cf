"""The admin role's page: users and roles, office profile, hours and closures, message
templates, and this PC's database connection."""

from __future__ import annotations

from .page import AdminPage

__all__ = ["AdminPage"]
