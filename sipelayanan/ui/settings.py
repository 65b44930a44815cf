"""Per-PC settings behind one typed module over QSettings (names in one place)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORG = "Disdukcapil Way Kanan"
APP = "SiPelayanan"


class Key:
    DB_URL = "database/url"
    WINDOW_GEOMETRY = "window/geometry"
    WINDOW_STATE = "window/state"
    LAST_USERNAME = "login/last_username"
    LAST_SERVICE = "intake/last_service"
    POLL_SECONDS = "sync/poll_seconds"
    EXPORT_DIR = "reports/last_dir"
    DB_PASSWORD_EXPECTED = "database/password_expected"
    LAST_PAGE = "window/last_page"
    CASE_WINDOW_GEOMETRY = "case_window/geometry"
    LAST_PRINTER = "print/last_printer"


class Settings:
    """Typed getters/setters. Tests pass their own QSettings (an ini file in tmp_path)."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._s = qsettings or QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG, APP
        )

    def _str(self, key: str, default: str = "") -> str:
        value = self._s.value(key, default)
        return str(value) if value is not None else default

    # database -----------------------------------------------------------------
    def db_url(self) -> str | None:
        return self._str(Key.DB_URL) or None

    def set_db_url(self, url: str | None) -> None:
        if url:
            self._s.setValue(Key.DB_URL, url)
        else:
            self._s.remove(Key.DB_URL)

    def db_password_expected(self) -> bool:
        """The PostgreSQL connection was set up with a password (kept in the OS keyring, or
        asked for at start-up when this PC has no keyring)."""
        return self._str(Key.DB_PASSWORD_EXPECTED, "false").lower() in ("true", "1")

    def set_db_password_expected(self, value: bool) -> None:
        self._s.setValue(Key.DB_PASSWORD_EXPECTED, "true" if value else "false")

    # window -------------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        value = self._s.value(Key.WINDOW_GEOMETRY)
        return value if isinstance(value, QByteArray) else None

    def set_window_geometry(self, value: QByteArray) -> None:
        self._s.setValue(Key.WINDOW_GEOMETRY, value)

    def window_state(self) -> QByteArray | None:
        value = self._s.value(Key.WINDOW_STATE)
        return value if isinstance(value, QByteArray) else None

    def set_window_state(self, value: QByteArray) -> None:
        self._s.setValue(Key.WINDOW_STATE, value)

    def last_page(self) -> str:
        return self._str(Key.LAST_PAGE)

    def set_last_page(self, value: str) -> None:
        self._s.setValue(Key.LAST_PAGE, value)

    def case_window_geometry(self) -> QByteArray | None:
        value = self._s.value(Key.CASE_WINDOW_GEOMETRY)
        return value if isinstance(value, QByteArray) else None

    def set_case_window_geometry(self, value: QByteArray) -> None:
        self._s.setValue(Key.CASE_WINDOW_GEOMETRY, value)

    # login / intake -------------------------------------------------------------
    def last_username(self) -> str:
        return self._str(Key.LAST_USERNAME)

    def set_last_username(self, value: str) -> None:
        self._s.setValue(Key.LAST_USERNAME, value)

    def last_service(self) -> str:
        from ..sop.catalog import default_service

        return self._str(Key.LAST_SERVICE, default_service())

    def set_last_service(self, value: str) -> None:
        self._s.setValue(Key.LAST_SERVICE, value)

    def poll_seconds(self) -> int:
        try:
            return max(1, int(self._str(Key.POLL_SECONDS, "3")))
        except ValueError:
            return 3

    def export_dir(self) -> str:
        """The folder the last report or tanda terima was saved to ('' = the home folder)."""
        return self._str(Key.EXPORT_DIR)

    def set_export_dir(self, value: str) -> None:
        self._s.setValue(Key.EXPORT_DIR, value)

    def last_printer(self) -> str:
        """The printer this PC printed to last (ui/printing.py), "" before the first print."""
        return self._str(Key.LAST_PRINTER)

    def set_last_printer(self, value: str) -> None:
        self._s.setValue(Key.LAST_PRINTER, value)

    def sync(self) -> None:
        self._s.sync()
