"""PySide6 desktop UI: the only package that imports Qt.

The core modules the first window needs are imported here, before any module of this package
imports PySide6. PySide6 installs an import hook that reads the source of every module imported
after it (looking for ``from __feature__ import …``); the ~700 modules of SQLAlchemy, holidays
and phonenumbers imported after Qt cost about 0.15 s of every start for nothing.
"""

import holidays.countries  # noqa: F401  (every country: loaded by the first holiday lookup)
import phonenumbers  # noqa: F401  (identity imports it on first use; the desktop needs it soon)

from .. import calendar, db, identity, models, sop  # noqa: F401
from ..services import changes, office, queries, users  # noqa: F401
