"""Standar pelayanan: the components of the standar pelayanan (UU 25/2009, PermenPANRB 15/2014)
the admin fills once for the office — dasar hukum, biaya, sarana, kompetensi, pengawasan,
jumlah pelaksana, jaminan, keamanan, evaluasi — and the maklumat pelayanan. The components the
SOP gives (persyaratan, prosedur, jangka waktu, produk, penanganan pengaduan) are generated and
not edited here. One list of components, one editor: fits 1366x768 at 100 % and 125 %."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...errors import InputError, SipelayananError
from ...i18n import tr
from ...services import standar
from ..context import UiContext
from ..widgets.common import MessageBar

GENERATED = (
    "Dibuat otomatis dari SOP yang dijalankan aplikasi: persyaratan, sistem/mekanisme/prosedur, "
    "jangka waktu, produk pelayanan dan penanganan pengaduan. Cetak lewat Laporan ▸ Standar "
    "Pelayanan, Poster atau Maklumat Pelayanan."
)


class StandarTab(QWidget):
    saved = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.keys: tuple[str, ...] = tuple(key for key, _label, _hint in standar.ADMIN_FIELDS)
        self.labels = {key: label for key, label, _hint in standar.ADMIN_FIELDS}
        self.hints = {key: hint for key, _label, hint in standar.ADMIN_FIELDS}
        self.stored: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self._current: str | None = None
        self._busy = False

        self.message = MessageBar(self)
        self.list = QListWidget(self)
        self.list.setObjectName("standar_list")
        for key in self.keys:
            item = QListWidgetItem(tr(self.labels[key]))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.list.addItem(item)
        self.list.setMinimumWidth(180)
        self.list.setMaximumWidth(300)
        self.list.setWordWrap(True)  # long component names wrap instead of scrolling sideways
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.title = QLabel(self)
        self.title.setObjectName("standar_title")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #5f6368;")
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("standar_editor")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(120)
        generated = QLabel(tr(GENERATED), self)
        generated.setWordWrap(True)
        generated.setStyleSheet("color: #5f6368;")
        self.save_button = QPushButton(tr("&Simpan standar pelayanan"), self)
        self.save_button.setObjectName("standar_save")
        self.default_button = QPushButton(tr("Kembalikan &bawaan"), self)
        self.default_button.setAutoDefault(False)

        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.title)
        rv.addWidget(self.hint)
        rv.addWidget(self.editor, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.default_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(generated)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.list.currentRowChanged.connect(self._select)
        self.editor.textChanged.connect(self._edited)
        self.save_button.clicked.connect(self.save)
        self.default_button.clicked.connect(self.restore_default)

    @property
    def dirty(self) -> bool:
        return any(self.texts.get(k, "") != self.stored.get(k, "") for k in self.keys)

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        if self.dirty or self._busy:
            return  # never overwrite unsaved edits
        self.ctx.ops.run(
            standar.get_standar,
            on_done=self._loaded,
            on_error=lambda e: self.message.error(str(e)) if isValid(self) else None,
        )

    def _loaded(self, settings: standar.StandarSettings) -> None:
        if not isValid(self) or self.dirty:
            return
        values = {k: str(v) for k, v in asdict(settings).items()}
        self.stored = dict(values)
        self.texts = dict(values)
        self._mark_list()
        self.list.setCurrentRow(max(self.list.currentRow(), 0))
        self._select(self.list.currentRow())

    # ------------------------------------------------------------------ editing

    def current_key(self) -> str | None:
        return self._current

    def select_key(self, key: str) -> None:
        self.list.setCurrentRow(self.keys.index(key))

    def _select(self, row: int) -> None:
        if not 0 <= row < len(self.keys):
            return
        key = self.keys[row]
        self._current = None  # no edit bookkeeping while the text is swapped
        self.title.setText(f"<b>{tr(self.labels[key])}</b>")
        self.hint.setText(tr(self.hints[key]))
        self.editor.setPlainText(self.texts.get(key, ""))
        self._current = key

    def _edited(self) -> None:
        if self._current is None:
            return
        self.texts[self._current] = self.editor.toPlainText()
        self._mark_list()

    def _mark_list(self) -> None:
        for row, key in enumerate(self.keys):
            changed = self.texts.get(key, "") != self.stored.get(key, "")
            self.list.item(row).setText(tr(self.labels[key]) + (" •" if changed else ""))

    def set_text(self, key: str, text: str) -> None:
        """Put ``text`` in component ``key`` (as typing it would)."""
        self.select_key(key)
        self.editor.setPlainText(text)

    def restore_default(self) -> None:
        key = self._current
        if key is None:
            return
        self.editor.setPlainText(str(getattr(standar.default_standar(), key)))
        self.message.info(tr("Isi bawaan dipulihkan; tekan Simpan untuk memakainya."))

    # ------------------------------------------------------------------ saving

    def save(self) -> None:
        if self._busy:
            return
        self.message.clear()
        names = {f.name for f in fields(standar.StandarSettings)}
        values: dict[str, Any] = {k: v for k, v in self.texts.items() if k in names}
        settings = standar.StandarSettings(**values)
        actor = self.ctx.actor
        self._busy = True
        self.save_button.setEnabled(False)
        self.ctx.ops.run(
            lambda s: standar.save_standar(s, settings, actor=actor),
            write=True,
            on_done=self._saved,
            on_error=self._failed,
        )

    def _saved(self, settings: standar.StandarSettings) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.save_button.setEnabled(True)
        values = {k: str(v) for k, v in asdict(settings).items()}
        self.stored = dict(values)
        self.texts = dict(values)
        self._mark_list()
        self._select(self.list.currentRow())
        self.message.success(tr("Standar pelayanan disimpan; dipakai di semua PC."))
        self.saved.emit()

    def _failed(self, error: SipelayananError) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.save_button.setEnabled(True)
        field = error.field if isinstance(error, InputError) else None
        if field in self.keys:
            self.select_key(str(field))
        self.message.error(str(error))
