"""Template pesan WhatsApp: edit the office's message templates with their {placeholders},
checked as the admin types and previewed with sample data."""

from __future__ import annotations

from types import ModuleType

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
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
from ..context import UiContext
from ..widgets.common import MessageBar

#: What the preview fills in (never real personal data).
SAMPLE: dict[str, str] = {
    "nama": "Budi Hartono",
    "kode": "ABCD-EFGH3",
    "layanan": "Penerbitan Kartu Keluarga (KK) Baru",
    "kantor": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Way Kanan",
    "tanggal_terima": "Senin, 2 Maret 2026 pukul 09.15 WIB",
    "perkiraan_selesai": "Selasa, 3 Maret 2026 pukul 09.15 WIB",
    "cek_status": "kirim pesan WhatsApp STATUS ABCD-EFGH3 ke 0811-7961-500",
    "kekurangan": "- Fotokopi KK\n- Surat pengantar RT/RW",
    "alasan": "Ejaan nama ibu tidak sesuai akta.",
    "dokumen": "Kartu Keluarga",
    "tanggal_selesai": "Selasa, 3 Maret 2026",
    "alamat_kantor": "Jl. Jend. Sudirman, Blambangan Umpu",
    "resi": "P2603020001234",
    "tanggal_kirim": "Selasa, 3 Maret 2026",
    "solusi": "Data sudah diperbaiki di SIAK; silakan cetak ulang KK.",
}


def _messages() -> ModuleType:
    from ...services import messages

    return messages


class TemplatesTab(QWidget):
    saved = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        m = _messages()
        self.ctx = ctx
        self.keys: tuple[str, ...] = tuple(m.TEMPLATE_KEYS)
        self.stored: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self._busy = False
        self._current: str | None = None

        self.list = QListWidget(self)
        self.list.setObjectName("template_list")
        for key in self.keys:
            item = QListWidgetItem(tr(m.TEMPLATE_LABELS[key]))
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.list.addItem(item)
        self.list.setMaximumWidth(260)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("template_editor")
        self.editor.setTabChangesFocus(True)
        self.reason = QLabel(self)
        self.reason.setObjectName("template_reason")
        self.reason.setWordWrap(True)
        self.placeholder_box = QGroupBox(tr("Isian (klik untuk menyisipkan)"), self)
        self.placeholder_grid = QGridLayout(self.placeholder_box)
        self.placeholder_buttons: list[QPushButton] = []
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("template_preview")
        self.preview.setReadOnly(True)
        self.default_button = QPushButton(tr("Kembalikan &bawaan"), self)
        self.save_button = QPushButton(tr("&Simpan semua templat"), self)
        self.save_button.setObjectName("templates_save")
        self.message = MessageBar(self)

        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(QLabel(tr("<b>Templat</b>"), right))
        rv.addWidget(self.editor, 2)
        rv.addWidget(self.reason)
        rv.addWidget(self.placeholder_box)
        rv.addWidget(QLabel(tr("<b>Pratinjau</b> (contoh data)"), right))
        rv.addWidget(self.preview, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.default_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.list.currentRowChanged.connect(self._select)
        self.editor.textChanged.connect(self._edited)
        self.default_button.clicked.connect(self.restore_default)
        self.save_button.clicked.connect(self.save)

    @property
    def dirty(self) -> bool:
        return any(self.texts.get(k) != self.stored.get(k) for k in self.keys)

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        if self.dirty or self._busy:
            return  # never overwrite unsaved edits
        self.ctx.ops.run(
            _messages().get_templates,
            on_done=self._loaded,
            on_error=lambda e: self.message.error(str(e)) if isValid(self) else None,
        )

    def _loaded(self, templates: dict[str, str]) -> None:
        if not isValid(self) or self.dirty:
            return
        self.stored = dict(templates)
        self.texts = dict(templates)
        if self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        else:
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
        self.editor.setPlainText(self.texts.get(key, ""))
        self._current = key
        self._fill_placeholders(key)
        self._check()

    def _fill_placeholders(self, key: str) -> None:
        m = _messages()
        for button in self.placeholder_buttons:
            button.setParent(None)
            button.deleteLater()
        self.placeholder_buttons = []
        labels = getattr(m, "PLACEHOLDER_LABELS", {})
        for i, name in enumerate(m.TEMPLATE_PLACEHOLDERS[key]):
            button = QPushButton("{" + name + "}", self.placeholder_box)
            button.setToolTip(tr(labels.get(name, name)))
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, n=name: self.insert_placeholder(n))
            self.placeholder_grid.addWidget(button, i // 4, i % 4)
            self.placeholder_buttons.append(button)

    def insert_placeholder(self, name: str) -> None:
        cursor = self.editor.textCursor()
        cursor.insertText("{" + name + "}")
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    def _edited(self) -> None:
        if self._current is None:
            return
        self.texts[self._current] = self.editor.toPlainText()
        self._check()
        self._mark_list()

    def _check(self) -> bool:
        key = self._current
        if key is None:
            return True
        m = _messages()
        text = self.editor.toPlainText()
        try:
            clean = m.validate_template(key, text)
        except InputError as exc:
            self.reason.setStyleSheet("color: #a50e0e;")
            self.reason.setText(str(exc))
            self.preview.setPlainText("")
            return False
        self.reason.setStyleSheet("color: #137333;")
        self.reason.setText(tr("✓ Templat sah ({n} karakter)", n=len(clean)))
        self.preview.setPlainText(clean.format_map(SAMPLE))
        return True

    def _mark_list(self) -> None:
        m = _messages()
        for row, key in enumerate(self.keys):
            item = self.list.item(row)
            label = tr(m.TEMPLATE_LABELS[key])
            changed = self.texts.get(key) != self.stored.get(key)
            item.setText(label + (" •" if changed else ""))

    def restore_default(self) -> None:
        key = self._current
        if key is None:
            return
        default = _messages().default_templates()[key]
        self.editor.setPlainText(default)
        self.editor.moveCursor(QTextCursor.MoveOperation.Start)
        self.message.info(tr("Templat bawaan dipulihkan; tekan Simpan untuk memakainya."))

    # ------------------------------------------------------------------ saving

    def save(self) -> None:
        if self._busy:
            return
        self.message.clear()
        m = _messages()
        changed = {k: v for k, v in self.texts.items() if v != self.stored.get(k)}
        if not changed:
            self.message.info(tr("Tidak ada perubahan templat."))
            return
        for key, text in changed.items():  # checked here first: the editor shows the reason
            try:
                m.validate_template(key, text)
            except InputError as exc:
                self.select_key(key)
                self.message.error(str(exc))
                return
        actor = self.ctx.actor
        self._busy = True
        self.save_button.setEnabled(False)
        self.ctx.ops.run(
            lambda s: m.save_templates(s, changed, actor=actor),
            write=True,
            on_done=lambda _r: self._saved(changed),
            on_error=self._failed,
        )

    def _saved(self, changed: dict[str, str]) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.save_button.setEnabled(True)
        self.stored.update({k: v.strip() for k, v in changed.items()})
        self.texts.update({k: v.strip() for k, v in changed.items()})
        self._mark_list()
        self.message.success(tr("{n} templat disimpan; dipakai di semua PC.", n=len(changed)))
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
