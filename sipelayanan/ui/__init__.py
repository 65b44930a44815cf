"""PySide6 desktop UI: the only package that imports Qt.

The core modules the first window needs are imported here, before any module of this package
imports PySide6. PySide6 installs an import hook that reads the source of every module imported
after it (looking for ``from __feature__ import …``); the ~700 modules of SQLAlchemy and
phonenumbers imported after Qt cost about 0.15 s of every start for nothing. The holiday
tables come from a cache in the data folder (``calendar.set_holiday_cache``): the ``holidays``
package, which imports every country's module, loads only when a year is not cached yet.
"""

import phonenumbers  # noqa: F401  (identity imports it on first use; the desktop needs it soon)

from .. import calendar, db, identity, models, sop  # noqa: F401
from ..services import changes, office, queries, users  # noqa: F401
