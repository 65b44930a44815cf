"""Qt's own texts and formats in Bahasa Indonesia, on any Windows display language.

The app's labels come from ``sipelayanan.i18n``; what Qt itself draws — standard dialog buttons
(Ya/Tidak/Batal), the right-click menu of text fields, the Qt file dialog, scroll-bar menus —
comes from Qt's translation catalogues. Qt publishes none for Indonesian (no ``qtbase_id``), so
the app ships its own: ``resources/translations/qtbase_id.ts`` compiled to ``qtbase_id.qm`` with
``pyside6-lrelease``. Should a PySide6 wheel one day ship ``qtbase_id.qm``, it is loaded too and
the app's catalogue is consulted first.

``QLocale.setDefault`` makes dates, month names and numbers Indonesian in every widget created
afterwards (date pickers, spin boxes), whatever the PC's regional settings say.
"""

from __future__ import annotations

import contextlib
import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger("sipelayanan.ui")

CATALOGUE = "qtbase_id"
INDONESIAN = QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia)


def _folders() -> list[str]:
    """Where to look for the catalogue, lowest priority first."""
    from ..resources import resource_path

    folders = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)]
    # An incomplete install (no resources folder) keeps Qt's English texts, nothing worse.
    with contextlib.suppress(FileNotFoundError):
        folders.append(str(resource_path("translations")))
    return folders


def install_indonesian(app: QCoreApplication) -> list[QTranslator]:
    """Set the Indonesian locale as default and install the Qt catalogues found.

    Returns the installed translators (to remove them again, e.g. in tests). Qt consults the
    translator installed last first, so the app's own catalogue wins over Qt's.
    """
    QLocale.setDefault(INDONESIAN)
    installed: list[QTranslator] = []
    for folder in _folders():
        translator = QTranslator(app)
        if translator.load(CATALOGUE, folder) and app.installTranslator(translator):
            installed.append(translator)
        else:
            translator.deleteLater()
    if not installed:
        log.warning("no Indonesian catalogue for Qt's own texts found")
    return installed
