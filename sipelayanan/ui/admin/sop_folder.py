"""Admin ▸ Folder SOP: which folder this PC reads the SOP definitions from.

An office revises its SOPs every few years; the revised TOML files can live in a folder of their
own (e.g. on the office's shared drive) without a new build. The choice is this PC's machine
setting (``[sop] folder`` in ``sipelayanan.ini``, :mod:`sipelayanan.machine_config`), read at the
next start (:func:`sipelayanan.sop.sop_folder`); ``SIPELAYANAN_SOP_DIR`` still overrides it. A
folder is checked before it is saved: a broken file is named with its line and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...errors import SipelayananError
from ...i18n import tr
from ...machine_config import machine_config_path, set_machine_sop_folder
from ...sop import ServiceDef, SopError, load_services, services, shipped_folder, sop_folder
from ..context import UiContext
from ..widgets.common import MessageBar

AskFolder = Callable[[QWidget, str], str]


def _ask_folder(parent: QWidget, start: str) -> str:
    return QFileDialog.getExistingDirectory(parent, tr("Pilih folder SOP"), start)


class SopFolderTab(QWidget):
    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        config_path: Path | None = None,
        ask_folder: AskFolder | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.config_path = config_path or machine_config_path()
        self.ask_folder: AskFolder = ask_folder or _ask_folder
        self.message = MessageBar(self)
        intro = QLabel(
            tr(
                "Definisi SOP (file *.toml, satu per layanan) dibaca saat aplikasi dimulai. "
                "Bila kantor merevisi SOP, simpan file barunya di sebuah folder dan pilih folder "
                "itu di sini: folder diperiksa dahulu, lalu berlaku setelah aplikasi dibuka "
                "ulang. Permohonan lama tetap mengikuti SOP saat permohonan itu diterima."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.current = QLabel(self)
        self.current.setObjectName("sop_current")
        self.current.setWordWrap(True)
        self.folder = QLineEdit(self)
        self.folder.setObjectName("sop_folder")
        self.folder.setPlaceholderText(tr("kosong: SOP bawaan aplikasi"))
        choose = QPushButton(tr("&Pilih…"), self)
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        form = QFormLayout()
        form.addRow(tr("Folder SOP PC ini"), row)
        self.check_button = QPushButton(tr("P&eriksa"), self)
        self.check_button.setObjectName("sop_check")
        self.check_button.clicked.connect(self.check)
        self.save_button = QPushButton(tr("&Simpan untuk PC ini"), self)
        self.save_button.setObjectName("sop_save")
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton(tr("Kembali ke SOP &bawaan"), self)
        self.reset_button.setObjectName("sop_reset")
        self.reset_button.clicked.connect(self.reset)
        buttons = QHBoxLayout()
        for b in (self.check_button, self.save_button, self.reset_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(intro)
        layout.addWidget(self.current)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.refresh()

    # ------------------------------------------------------------------ state
    def refresh(self) -> None:
        try:
            where = sop_folder()
        except SopError as exc:
            self.current.setText(tr("Folder SOP tidak terbaca: {e}", e=str(exc)))
            return
        loaded = services()
        text = tr(
            "Dipakai sekarang: {path} ({asal}) — {n} layanan: {kode}.",
            path=str(where.path),
            asal=where.source_label,
            n=len(loaded),
            kode=", ".join(loaded),
        )
        if where.source == "env":
            text += " " + tr(
                "Variabel lingkungan menimpa pengaturan PC ini selama variabel itu ada."
            )
        self.current.setText(text)
        if where.source == "machine" and not self.folder.text():
            self.folder.setText(str(where.path))

    def _choose(self) -> None:
        start = self.folder.text().strip() or str(shipped_folder())
        chosen = self.ask_folder(self, start)
        if chosen:
            self.folder.setText(chosen)
            self.check()

    def _load(self, text: str) -> Mapping[str, ServiceDef] | None:
        try:
            return load_services(Path(text).expanduser())
        except SopError as exc:
            self.message.error(tr("Folder SOP tidak dapat dipakai: {e}", e=str(exc)))
            return None

    def check(self) -> bool:
        """Load the folder typed; say what it holds (or which file and line is wrong)."""
        text = self.folder.text().strip()
        if not text:
            self.message.info(tr("Kosong: aplikasi memakai SOP bawaan."))
            return True
        found = self._load(text)
        if found is None:
            return False
        gone = [code for code in services() if code not in found]
        summary = tr("{n} layanan terbaca: {kode}.", n=len(found), kode=", ".join(found))
        if gone:
            self.message.warning(
                summary
                + " "
                + tr(
                    "Tidak ada di folder ini: {kode} — permohonan lamanya tetap dapat dibuka, "
                    "tetapi layanan itu tidak dapat diterima lagi.",
                    kode=", ".join(gone),
                )
            )
        else:
            self.message.success(summary)
        return True

    def _write(self, folder: str | None) -> bool:
        try:
            set_machine_sop_folder(folder, self.config_path)
        except OSError as exc:
            self.message.error(
                tr(
                    "Pengaturan PC ini ({path}) tidak dapat ditulis: {e}. Buka aplikasi sebagai "
                    "administrator Windows, atau minta bantuan admin.",
                    path=str(self.config_path),
                    e=exc.strerror or str(exc),
                )
            )
            return False
        except SipelayananError as exc:  # the file exists but cannot be understood
            self.message.error(str(exc))
            return False
        return True

    def save(self) -> None:
        text = self.folder.text().strip()
        if not text:
            self.reset()
            return
        if not self.check():
            return
        resolved = str(Path(text).expanduser().resolve())
        if self._write(resolved):
            level = self.message.level
            note = self.message.text() if level == "warning" else ""
            self.message.show_message(
                (note + " " if note else "")
                + tr("Tersimpan. Folder SOP ini dipakai setelah aplikasi dibuka ulang."),
                "warning" if note else "success",
            )

    def reset(self) -> None:
        if self._write(None):
            self.folder.clear()
            self.message.success(
                tr("Tersimpan. SOP bawaan dipakai lagi setelah aplikasi dibuka ulang.")
            )
