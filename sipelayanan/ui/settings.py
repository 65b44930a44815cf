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


class Settings:
    """Typed getters/setters. Tests pass their own QSettings (an ini file in tmp_path)."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._s = qsettings or QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                                         ORG, APP)

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

    # login / intake -------------------------------------------------------------
    def last_username(self) -> str:
        return self._str(Key.LAST_USERNAME)

    def set_last_username(self, value: str) -> None:
        self._s.setValue(Key.LAST_USERNAME, value)

    def last_service(self) -> str:
        return self._str(Key.LAST_SERVICE, "KK")

    def set_last_service(self, value: str) -> None:
        self._s.setValue(Key.LAST_SERVICE, value)

    def poll_seconds(self) -> int:
        try:
            return max(1, int(self._str(Key.POLL_SECONDS, "3")))
        except ValueError:
            return 3

    def sync(self) -> None:
        self._s.sync()
