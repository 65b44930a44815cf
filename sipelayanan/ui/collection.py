"""Siap diambil: the documents whose resident was told they are ready, waiting to be collected.

The notify step of an SOP finishes when the resident is told (issue 12.1); who collected the
document and when — or the PT POS resi — is recorded here afterwards, with one core action
(:func:`sipelayanan.services.actions.record_collection`), which also composes the message that
fits the moment (collected, or sent with its resi).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ..errors import SipelayananError
from ..i18n import tr
from ..identity import format_tracking_code
from ..services import actions
from ..services.changes import EVERYTHING, Changes
from ..services.collection import ReadyRow, ready_for_collection
from .context import UiContext
from .widgets.common import MessageBar, fmt_dt
from .widgets.documents import show_message, track_sent


def _load(session: Session) -> list[ReadyRow]:
    return ready_for_collection(session)


class CollectionPage(QWidget):
    title = tr("Siap diambil")
    loaded = Signal()
    recorded = Signal(str)  # the code whose hand-over was recorded

    COLUMNS = (tr("Kode"), tr("Layanan"), tr("Pemohon"), tr("Diberi tahu"), tr("Menunggu"))

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[ReadyRow] = []
        self.message_dialog: Any = None
        self._busy = False

        heading = QLabel(tr("Siap diambil"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        sub = QLabel(
            tr(
                "Dokumen yang sudah diberitahukan kepada pemohon dan belum diambil. Catat siapa "
                "yang mengambil, atau nomor resi bila dikirim lewat PT POS."
            ),
            self,
        )
        sub.setWordWrap(True)
        sub.setStyleSheet("color: #5f6368;")
        self.message = MessageBar(self)

        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("collection_table")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._on_selected)
        self.table.doubleClicked.connect(self._open_selected)

        box = QGroupBox(tr("Catat penyerahan"), self)
        form = QFormLayout(box)
        self.selected_label = QLabel(tr("Pilih satu permohonan di daftar."), box)
        self.selected_label.setWordWrap(True)
        group = QButtonGroup(box)
        self.taken_radio = QRadioButton(tr("Diambil langsung"), box)
        self.pos_radio = QRadioButton(tr("Dikirim lewat PT POS"), box)
        group.addButton(self.taken_radio)
        group.addButton(self.pos_radio)
        self.penerima_edit = QLineEdit(box)
        self.penerima_edit.setObjectName("penerima")
        self.penerima_edit.setPlaceholderText(tr("nama yang mengambil"))
        self.penerima_edit.setMaxLength(200)
        self.resi_edit = QLineEdit(box)
        self.resi_edit.setObjectName("resi")
        self.resi_edit.setPlaceholderText(tr("nomor resi PT POS"))
        self.resi_edit.setMaxLength(64)
        self.taken_radio.toggled.connect(self._toggle)
        self.taken_radio.setChecked(True)
        self.record_button = QPushButton(tr("Catat penyerahan"), box)
        self.record_button.setObjectName("btn:collection")
        self.record_button.setStyleSheet("QPushButton { font-weight: 600; padding: 5px 16px; }")
        self.record_button.clicked.connect(self.record)
        self.penerima_edit.returnPressed.connect(self.record)
        self.resi_edit.returnPressed.connect(self.record)
        form.addRow(self.selected_label)
        form.addRow(self.taken_radio, self.penerima_edit)
        form.addRow(self.pos_radio, self.resi_edit)
        buttons = QHBoxLayout()
        open_button = QPushButton(tr("Buka permohonan"), box)
        open_button.clicked.connect(self._open_selected)
        buttons.addWidget(open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        form.addRow(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(sub)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(box)
        self._on_selected()
        ctx.ops.changed.connect(self._on_changed)
        self.refresh()

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        self.ctx.ops.run(_load, on_done=self._on_loaded, on_error=self._on_error, parent=self)

    def _on_changed(self, changes: Changes = EVERYTHING) -> None:
        if changes.queues or changes.everything:
            self.refresh()

    def _on_error(self, error: SipelayananError) -> None:
        self.message.error(str(error))

    def _on_loaded(self, rows: list[ReadyRow]) -> None:
        keep = self.selected_code()
        self.rows = rows
        now = datetime.now(UTC)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            days = max(0, (now - row.ready_at).days)
            cells = (
                format_tracking_code(row.code),
                row.service_name,
                row.pemohon_nama,
                fmt_dt(row.ready_at),
                tr("hari ini") if days == 0 else tr("{n} hari", n=days),
            )
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, row.code)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if keep is not None:
            self.select(keep)
        self._on_selected()
        self.loaded.emit()

    def codes(self) -> list[str]:
        return [r.code for r in self.rows]

    # ------------------------------------------------------------------ selection
    def select(self, code: str) -> bool:
        for i, row in enumerate(self.rows):
            if row.code == code:
                self.table.selectRow(i)
                return True
        return False

    def selected_row(self) -> ReadyRow | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        i = indexes[0].row()
        return self.rows[i] if 0 <= i < len(self.rows) else None

    def selected_code(self) -> str | None:
        row = self.selected_row()
        return row.code if row is not None else None

    def _on_selected(self) -> None:
        row = self.selected_row()
        enabled = row is not None and not self._busy
        self.record_button.setEnabled(enabled)
        if row is None:
            self.selected_label.setText(tr("Pilih satu permohonan di daftar."))
            return
        self.selected_label.setText(
            tr(
                "<b>{kode}</b> · {layanan} · {nama}",
                kode=format_tracking_code(row.code),
                layanan=row.service_name,
                nama=row.pemohon_nama,
            )
        )
        (self.pos_radio if row.hand_over_default == "pos" else self.taken_radio).setChecked(True)

    def _toggle(self) -> None:
        taken = self.taken_radio.isChecked()
        self.penerima_edit.setEnabled(taken)
        self.resi_edit.setEnabled(not taken)

    def _open_selected(self) -> None:
        code = self.selected_code()
        if code is not None:
            self.ctx.open_case(code)

    # ------------------------------------------------------------------ recording
    def record(self) -> None:
        row = self.selected_row()
        if row is None or self._busy:
            return
        if self.taken_radio.isChecked():
            penerima = self.penerima_edit.text().strip()
            if not penerima:
                self.message.error(tr("Isi nama yang mengambil dokumen."))
                self.penerima_edit.setFocus()
                return
            inp = actions.CollectionInput(penerima=penerima)
        else:
            resi = self.resi_edit.text().strip()
            if not resi:
                self.message.error(tr("Isi nomor resi PT POS."))
                self.resi_edit.setFocus()
                return
            inp = actions.CollectionInput(resi=resi)
        actor, code = self.ctx.actor, row.code
        self._busy = True
        self._on_selected()
        self.message.info(tr("Menyimpan…"))
        self.ctx.ops.run(
            lambda s: actions.record_collection(s, actor, code, inp),
            write=True,
            on_done=self._on_recorded,
            on_error=self._on_record_error,
            parent=self,
        )

    def _on_record_error(self, error: SipelayananError) -> None:
        self._busy = False
        self._on_selected()
        self.message.error(str(error))

    def _on_recorded(self, result: actions.ActionResult) -> None:
        self._busy = False
        shown = format_tracking_code(result.code)
        text = tr("Penyerahan {kode} dicatat.", kode=shown)
        if result.message_error:
            text += " " + result.message_error
        self.message.success(text)
        self.ctx.show_status(text)
        self.penerima_edit.clear()
        self.resi_edit.clear()
        self.rows = [r for r in self.rows if r.code != result.code]
        self.recorded.emit(result.code)
        if result.message is not None:
            self.message_dialog = show_message(self, result.message)
            if result.message_key:
                track_sent(self.ctx, self.message_dialog, result.code, result.message_key)
        self.refresh()
