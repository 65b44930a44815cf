"""The Pengaduan page: the complaint list on the left; the chosen complaint (or the register
form) on the right."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...i18n import tr
from ...models.cases import CaseStatus
from ...services import complaints as core
from ...services.complaints import (
    FINISHED_DAYS,
    LIST_LIMIT,
    SCOPE_DONE,
    SCOPE_MINE,
    SCOPE_OPEN,
    ComplaintRow,
)
from ..context import UiContext
from ..widgets.berkas import AskFiles
from ..widgets.common import MessageBar
from .detail import ComplaintDetail
from .model import ComplaintModel
from .register import RegisterForm


def _acting_roles() -> tuple[set[str], set[str]]:
    """(roles that register complaints, roles that hold any complaint step)."""
    first: set[str] = set()
    acting: set[str] = set()
    for sdef in core.complaint_services():
        if sdef.steps:
            first.add(sdef.intake_step.role)
        acting.update(s.role for s in sdef.steps)
    return first, acting


class PengaduanPage(QWidget):
    """Daftar pengaduan on the left; the chosen complaint (or the register form) on the right."""

    title = "Pengaduan"

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, ask_files: AskFiles | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._started = False
        self._select_after_load: str | None = None
        registering, acting = _acting_roles()
        self.can_register = ctx.has_role(*registering)

        self.new_button = QPushButton(tr("&Pengaduan baru"), self)
        self.new_button.setObjectName("new_complaint")
        self.new_button.setToolTip(tr("Ctrl+N"))
        self.new_button.setVisible(self.can_register)
        self.scope = QComboBox(self)
        self.scope.setObjectName("complaint_scope")
        self.scope.addItem(tr("Giliran saya"), SCOPE_MINE)
        self.scope.addItem(tr("Semua yang terbuka"), SCOPE_OPEN)
        self.scope.addItem(tr("Selesai ({n} hari terakhir)", n=FINISHED_DAYS), SCOPE_DONE)
        self.count = QLabel(self)
        self.model = ComplaintModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("complaint_list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        for col, width in enumerate((100, 140, 64, 104, 112, 140, 90, 110)):
            self.table.setColumnWidth(col, width)
        self.message = MessageBar(self)

        self.register = RegisterForm(ctx, self, ask_files=ask_files)
        self.detail = ComplaintDetail(ctx, self)
        self.empty = QLabel(tr("Pilih pengaduan di daftar."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #5f6368;")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.register)
        self.stack.addWidget(self.detail)

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.scope, 1)
        lv.addLayout(top)
        lv.addWidget(self.message)
        lv.addWidget(self.table, 1)
        lv.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 780])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.new_button.clicked.connect(self.show_register)
        self.scope.currentIndexChanged.connect(lambda _i: self.reload_list())
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.activated.connect(lambda _i: self.detail.focus_first_form())
        self.register.registered.connect(self._registered)
        self.detail.acted.connect(lambda _code, _key: self.reload_list())
        if self.can_register:
            shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.show_register)
        if not ctx.has_role(*acting):  # e.g. the Tim Penjawab Aduan: never "giliran Anda"
            self.scope.setCurrentIndex(self.scope.findData(SCOPE_OPEN))

    # ------------------------------------------------------------------ page contract

    def refresh(self) -> None:
        self.reload_list()
        if self.stack.currentWidget() is self.detail:
            self.detail.reload()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._started:
            self._started = True
            self.reload_list()

    # ------------------------------------------------------------------ list

    def reload_list(self) -> None:
        scope = str(self.scope.currentData())
        roles = self.ctx.user.roles
        self.ctx.ops.run(
            lambda s: core.list_complaints(s, scope, roles),
            on_done=lambda rows: self._listed(scope, rows),
            on_error=lambda e: self.message.error(str(e)) if isValid(self) else None,
        )

    def _listed(self, scope: str, rows: list[ComplaintRow]) -> None:
        if not isValid(self) or scope != self.scope.currentData():
            return
        keep = self._select_after_load or (
            self.detail.code if self.stack.currentWidget() is self.detail else None
        )
        self._select_after_load = None
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(rows)
        self.table.selectionModel().blockSignals(False)
        if keep is not None:
            row = self.model.row_of(keep)
            if row >= 0:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)
        elif rows and self.stack.currentWidget() is self.empty:
            self.table.selectRow(0)  # the most urgent one, ready to work on
        mine = sum(1 for r in rows if r.mine)
        overdue = sum(1 for r in rows if r.overdue and r.status in CaseStatus.OPEN)
        text = tr("{n} pengaduan", n=len(rows))
        if scope != SCOPE_DONE:
            text += tr(" · {m} giliran Anda", m=mine)
            if overdue:
                text += tr(" · {o} lewat batas {d} hari", o=overdue, d=core.SETTLEMENT_DAYS)
        if len(rows) >= LIST_LIMIT:
            text += tr(
                " (ditampilkan {n} teratas; pakai halaman Cari untuk yang lain)", n=LIST_LIMIT
            )
        self.count.setText(text)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        code = self.model.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        if code:
            self.open_complaint(str(code))

    # ------------------------------------------------------------------ right side

    def open_complaint(self, code: str) -> None:
        self.stack.setCurrentWidget(self.detail)
        if self.detail.code != code:
            self.detail.forget()
        self.detail.load(code)

    def show_register(self) -> None:
        if not self.can_register:
            return
        self.table.clearSelection()
        self.stack.setCurrentWidget(self.register)
        self.register.nama.setFocus()

    def _registered(self, code: str) -> None:
        self._select_after_load = code
        if self.scope.currentData() == SCOPE_DONE:
            self.scope.setCurrentIndex(self.scope.findData(SCOPE_MINE))
        self.open_complaint(code)
        if self.register.compose.isChecked():
            self.detail.compose("berkas_diterima")
        self.reload_list()
