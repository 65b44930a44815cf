"""Errors whose message is meant for a clerk: clear Bahasa Indonesia, never a traceback."""

from __future__ import annotations


class SipelayananError(Exception):
    """Base class; ``str(error)`` is the message to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DomainError(SipelayananError):
    """An action the SOP does not allow (wrong step, wrong move, missing input)."""


class PermissionDenied(DomainError):
    """The acting user does not hold the role the SOP assigns to this step."""


class NotFound(SipelayananError):
    pass


class ConflictError(SipelayananError):
    """Someone else changed the request first; reload and try again."""


class AuthError(SipelayananError):
    pass


class InputError(SipelayananError):
    """Bad input (a field, a file) refused before anything was written."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DatabaseUnavailable(SipelayananError):
    """The database cannot be reached or written (server down, disk full, read-only file)."""
