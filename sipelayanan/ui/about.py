"""Bantuan ▸ Tentang SiPelayanan: versions, and every third-party licence with its text.

The licence list is written when the bundle is built (installer/licenses.py, from the build
environment's own package metadata) into ``licenses/third_party.json`` inside the program; the
installer also puts it beside the program as LISENSI-PIHAK-KETIGA.txt. A developer's checkout
has no such list until a build ran: the dialog says so instead of showing a partial one.
"""

from __future__ import annotations

import json
import logging
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..i18n import tr

log = logging.getLogger("sipelayanan.ui")

LICENCES_JSON = "third_party.json"


@dataclass(frozen=True)
class Licence:
    name: str
    version: str
    licence: str
    url: str
    note: str
    texts: tuple[tuple[str, str], ...]  # (title, text)

    def title(self) -> str:
        return f"{self.name} {self.version}".strip()

    def full_text(self) -> str:
        parts = [f"{self.title()} — {self.licence}"]
        if self.url:
            parts.append(self.url)
        if self.note:
            parts.append(self.note)
        for title, text in self.texts:
            parts.append(f"——— {title} ———\n{text.strip()}")
        return "\n\n".join(parts)


def bundled_licences_file() -> Path | None:
    """The generated list inside an installed program; None in a developer's checkout."""
    bundle = getattr(sys, "_MEIPASS", None)
    if not bundle:
        return None
    return Path(bundle) / "licenses" / LICENCES_JSON


def load_licences(path: Path | None) -> list[Licence] | None:
    """The licences in ``path``; None when there is no readable list."""
    if path is None:
        return None
    try:
        rows = json.loads(path.read_text("utf-8"))
        return [
            Licence(
                name=str(row["name"]),
                version=str(row["version"]),
                licence=str(row["license"]),
                url=str(row.get("url") or ""),
                note=str(row.get("note") or ""),
                texts=tuple((str(t["title"]), str(t["text"])) for t in row["texts"]),
            )
            for row in rows
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("licence list %s unreadable: %s", path, type(exc).__name__)
        return None


def versions() -> list[tuple[str, str]]:
    return [
        (tr("SiPelayanan"), __version__),
        (tr("Qt"), qVersion()),
        (tr("PySide6"), PySide6.__version__),
        (tr("Python"), platform.python_version()),
    ]


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, licences_file: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Tentang SiPelayanan"))
        from .widgets.screen_fit import size_to_screen

        size_to_screen(self, 820, 560)  # inside 1366×768 at 125 % too (issue 12.6)
        intro = QLabel(
            tr(
                "<b>SiPelayanan {v}</b><br>Pelayanan online WhatsApp Dinas Kependudukan "
                "dan Pencatatan Sipil Kabupaten Way Kanan, mengikuti SOP yang "
                "ditandatangani Kepala Dinas.",
                v=__version__,
            ),
            self,
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        self.version_labels: dict[str, QLabel] = {}
        for name, value in versions():
            label = QLabel(value, self)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.version_labels[name] = label
            form.addRow(tr("{nama}:", nama=name), label)

        lgpl = QLabel(
            tr(
                "SiPelayanan memakai komponen sumber terbuka di bawah ini, masing-masing dengan "
                "lisensinya. Qt dan PySide6, shiboken6, serta psycopg berlisensi LGPL-3.0: "
                "file-filenya tersimpan terpisah di folder program sehingga dapat diganti dengan "
                "versi lain yang cocok. Pilih satu komponen untuk membaca teks lisensinya."
            ),
            self,
        )
        lgpl.setWordWrap(True)

        self.list = QListWidget(self)
        self.list.setAccessibleName(tr("Komponen pihak ketiga"))
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(tr("Teks lisensi"))
        splitter = QSplitter(self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([320, 500])

        path = licences_file if licences_file is not None else bundled_licences_file()
        self.licences = load_licences(path) or []
        for lic in self.licences:
            item = QListWidgetItem(f"{lic.title()} — {lic.licence}", self.list)
            item.setData(Qt.ItemDataRole.UserRole, lic)
        self.list.currentItemChanged.connect(self._show)
        if self.licences:
            self.list.setCurrentRow(0)
        else:
            self.list.setEnabled(False)
            self.text.setPlainText(
                tr(
                    "Daftar lisensi pihak ketiga dibuat saat paket instalasi dibangun "
                    "(installer/build.sh atau installer\\build.ps1) dan tidak ada di salinan "
                    "ini. Di PC kantor daftar itu juga ada di folder program: "
                    "LISENSI-PIHAK-KETIGA.txt."
                )
            )

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(lgpl)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

    def _show(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        lic = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.text.setPlainText(lic.full_text() if isinstance(lic, Licence) else "")
        self.text.moveCursor(self.text.textCursor().MoveOperation.Start)
