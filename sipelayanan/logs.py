"""Logging to a file per day in the user's log folder. Log lines carry codes and ids,
never NIKs, names or phone numbers (UU 27/2022).

Engines are created with ``hide_parameters=True`` (:mod:`sipelayanan.db`), so SQLAlchemy never
writes a statement's values into an error. What a driver echoes of them on its own is scrubbed
here, from the message and from any traceback, by the formatter of the app's log handler: the
``DETAIL``/``HINT`` lines of a PostgreSQL error (``Key (nik)=(…)``, ``Failing row contains
(…)``), any parameter list, and every run of digits that looks like a NIK, No. KK or phone
number.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

#: 16 digits: a NIK or a No. KK
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")
#: a phone number as typed or stored: +62 / 62 / 0 then 8 and 7–13 more digits, with or without
#: spaces, dots or dashes between groups; also any other run of 9 or more digits
_PHONE = re.compile(r"(?<![\w+])(?:\+?62|0)[\s.-]?8(?:[\s.-]?\d){7,13}(?!\d)|(?<!\d)\d{9,}(?!\d)")
#: what PostgreSQL adds below its message: DETAIL (row values, key values), HINT, CONTEXT, WHERE
_PG_EXTRA = re.compile(r"^[ \t]*(?:DETAIL|HINT|CONTEXT|WHERE):.*$", re.MULTILINE)
#: the values in a message: ``Key (nik)=(…)``, ``Failing row contains (…)``
_KEY_VALUES = re.compile(r"(Key \([^)]*\)=)\((?:[^()]|\([^()]*\))*\)")
_FAILING_ROW = re.compile(r"(Failing row contains )\((?:[^()]|\([^()]*\))*\)")
#: a statement's parameter list as SQLAlchemy prints it when parameters are not hidden
_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.DOTALL)


def scrub(text: str) -> str:
    """``text`` without the personal values a database error or a careless message carries."""
    text = _PG_EXTRA.sub(lambda m: m.group(0).split(":", 1)[0] + ": (disembunyikan)", text)
    text = _KEY_VALUES.sub(r"\1(…)", text)
    text = _FAILING_ROW.sub(r"\1(…)", text)
    text = _PARAMETERS.sub("[parameters: (disembunyikan)]", text)
    text = _NIK.sub(lambda m: m.group(0)[:4] + "*" * 12, text)
    return _PHONE.sub(lambda m: "*" * len(m.group(0)), text)


#: a quoted literal in an exception's message (``KeyError: 'Siti Aminah'``)
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def scrub_exception(text: str) -> str:
    """A formatted traceback whose exception messages hold no quoted value: Python quotes the
    values it complains about (``invalid literal for int(): 'Siti Aminah'``, ``KeyError:
    'BUDI'``), and a name is no number the digit rules could catch. The ``File …`` lines and
    the source lines (indented) stay as they are, so the log still says where it happened."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if i and line and not line[0].isspace() and not line.startswith("Traceback"):
            lines[i] = _QUOTED.sub("'…'", line)
    return "\n".join(lines)


class ScrubbingFormatter(logging.Formatter):
    """Formats a record as usual, then scrubs the whole text, traceback included."""

    def formatException(self, ei: Any) -> str:
        return scrub_exception(super().formatException(ei))

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


class RedactNik(logging.Filter):
    """Scrubs the message of a record (for handlers that format on their own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        clean = scrub(msg)
        if clean != msg:
            record.msg = clean
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
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactNik())
    root.addHandler(handler)
    return path
