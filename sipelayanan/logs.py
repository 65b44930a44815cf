"""Logging to a file per day in the user's log folder. Log lines carry codes and ids,
never NIKs or names (UU 27/2022)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")


class RedactNik(logging.Filter):
    """Last line of defence: mask any 16-digit number that slipped into a message."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        if _NIK.search(msg):
            record.msg = _NIK.sub(lambda m: m.group(0)[:4] + "*" * 12, msg)
            record.args = None
        return True


def log_dir() -> Path:
    from platformdirs import user_log_dir

    from .data_folder import APP_AUTHOR, APP_NAME  # not .db: logging must not load SQLAlchemy

    return Path(user_log_dir(APP_NAME, APP_AUTHOR))


def log_file() -> Path:
    """Today's log file (``sipelayanan-YYYY-MM-DD.log`` in :func:`log_dir`)."""
    from .logfile import newest_log

    return newest_log(log_dir())


def setup_logging(level: int = logging.INFO, directory: Path | None = None) -> Path | None:
    root = logging.getLogger("sipelayanan")
    if root.handlers:
        return None
    root.setLevel(level)
    try:
        folder = directory or log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        from .logfile import DailyFileHandler  # a file per day, safe for several processes

        daily = DailyFileHandler(folder)
        handler: logging.Handler = daily
        path = daily.path
    except OSError:
        handler, path = logging.NullHandler(), None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactNik())
    root.addHandler(handler)
    return path
