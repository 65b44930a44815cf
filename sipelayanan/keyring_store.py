"""Secrets kept in this PC's OS keyring (Windows Credential Manager): the WhatsApp Cloud API
token, the status site's upload password. One place that tolerates a PC without a usable keyring
(the caller then asks again or uses its fallback) and never logs the secret."""

from __future__ import annotations

import logging

log = logging.getLogger("sipelayanan.keyring")

#: The keyring "service" every secret of the app is filed under.
SERVICE = "SiPelayanan"


def load_secret(account: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - a broken installation
        return None
    try:
        return keyring.get_password(SERVICE, account)
    except KeyringError as exc:
        log.warning("keyring unavailable: %s", type(exc).__name__)
        return None


def store_secret(account: str, secret: str) -> bool:
    """False when this PC has no usable keyring."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover
        return False
    try:
        keyring.set_password(SERVICE, account, secret)
    except KeyringError as exc:
        log.warning("keyring unavailable: %s", type(exc).__name__)
        return False
    return True
