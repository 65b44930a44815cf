"""The PostgreSQL password of this PC's database connection, kept in the OS keyring (Windows
Credential Manager, macOS Keychain, Secret Service), never in the settings file.

The settings hold the URL *without* its password. At start-up the app asks
:func:`resolve_url` for the URL to open; when the keyring has no password for it (or this PC has
no keyring at all) the app asks the clerk for the password and keeps it in memory only.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

log = logging.getLogger("sipelayanan.ui.admin.secret")

KEYRING_SERVICE = "SiPelayanan"


@dataclass(frozen=True)
class ResolvedUrl:
    url: str  # the URL to open (with the password when one was found)
    needs_password: bool  # PostgreSQL without a stored password: ask the clerk
    keyring_available: bool  # False also where no keyring was consulted (none was needed)


def _parse(url: str) -> URL | None:
    try:
        return make_url(url)
    except ArgumentError:
        return None


def is_postgres(url: str) -> bool:
    parsed = _parse(url)
    return parsed is not None and parsed.get_backend_name() == "postgresql"


def without_password(url: str) -> str:
    """The URL as it may be stored in the settings file and shown on screen."""
    parsed = _parse(url)
    if parsed is None or parsed.password is None:
        return url
    # URL.set() ignores None, so the password is dropped with the named-tuple _replace
    return parsed._replace(password=None).render_as_string(hide_password=False)


def password_of(url: str) -> str | None:
    parsed = _parse(url)
    return None if parsed is None or parsed.password is None else str(parsed.password)


def with_password(url: str, password: str | None) -> str:
    parsed = _parse(url)
    if parsed is None or not password:
        return url
    return parsed.set(password=password).render_as_string(hide_password=False)


def account(url: str) -> str:
    """The keyring entry's name for a connection: the URL without password."""
    return without_password(url)


def keyring_available() -> bool:
    try:
        import keyring
        from keyring.backends.fail import Keyring as FailKeyring
    except ImportError:  # pragma: no cover - a broken installation
        return False
    try:
        backend = keyring.get_keyring()
    except Exception:  # a misconfigured backend is "no keyring"
        return False
    return not isinstance(backend, FailKeyring) and getattr(backend, "priority", 1) > 0


def store_password(url: str, password: str) -> bool:
    """Keep the password in the keyring; False when this PC has no usable keyring."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover
        return False
    try:
        keyring.set_password(KEYRING_SERVICE, account(url), password)
    except KeyringError as exc:  # NoKeyringError, PasswordSetError, locked keyring, …
        log.warning("keyring unavailable: %s", type(exc).__name__)
        return False
    return True


def load_password(url: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, account(url))
    except KeyringError as exc:
        log.warning("keyring unavailable: %s", type(exc).__name__)
        return None


def forget_password(url: str) -> None:
    try:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError
    except ImportError:  # pragma: no cover
        return
    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(KEYRING_SERVICE, account(url))


def resolve_url(url: str, *, password_expected: bool = True) -> ResolvedUrl:
    """The URL to open at start-up: the stored password added for PostgreSQL.

    ``password_expected`` is the per-PC setting saying the connection was set up with a
    password (a server using ``trust``/``.pgpass`` needs none). A URL that already carries a
    password (``--db`` or ``SIPELAYANAN_DB``) is used as given.
    """
    if not is_postgres(url) or password_of(url) is not None:
        return ResolvedUrl(url, False, False)
    if not password_expected:  # trust/.pgpass: no keyring loaded (0.1 s of a cold start)
        return ResolvedUrl(url, False, False)
    available = keyring_available()
    password = load_password(url) if available else None
    if password:
        return ResolvedUrl(with_password(url, password), False, available)
    return ResolvedUrl(url, password_expected, available)
