"""The complaint list's table model (rows from ``services.complaints.list_complaints``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ...calendar import WIB
from ...i18n import tr
from ...identity import show_code
from ...models.cases import CaseStatus
from ...services.complaints import SETTLEMENT_DAYS, ComplaintRow
from ...sop import ROLES
from ..widgets.common import fmt_dt

LATE = QColor("#a11d1d")


def fmt_day(day: Any) -> str:
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


class ComplaintModel(QAbstractTableModel):
    COLUMNS: tuple[str, ...] = (
        "Kode",
        "Pelapor",
        "Langkah",
        f"Batas {SETTLEMENT_DAYS} hari",
        "Tenggat SOP",
        "Giliran",
        "Jenis",
        "Saluran",
    )
    #: the columns a test or a delegate reads by meaning
    LIMIT_COLUMN = 3
    DUE_COLUMN = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ComplaintRow] = []

    def set_rows(self, rows: list[ComplaintRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, code: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.code == code), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return tr(self.COLUMNS[section])
        return None

    def _display(self, r: ComplaintRow, col: int) -> str:
        name = self.COLUMNS[col] if 0 <= col < len(self.COLUMNS) else ""
        if name == "Kode":
            return show_code(r.code)
        if name == "Pelapor":
            return r.pelapor
        if name == "Jenis":
            return tr(r.class_label)
        if name == "Saluran":
            return tr(r.channel_label) + (f" {r.lapor_number}" if r.lapor_number else "")
        if name == "Langkah":
            if r.status == CaseStatus.MENUNGGU_PEMOHON:
                return tr("{n} · menunggu pelapor", n=r.step)
            if r.status == CaseStatus.SELESAI:
                return tr("Selesai")
            return str(r.step)
        if name == "Giliran":
            return tr(ROLES.get(r.role, r.role)) if r.role else "—"
        if col == self.DUE_COLUMN:
            return fmt_dt(r.due_at) if r.status in CaseStatus.OPEN else "—"
        if col == self.LIMIT_COLUMN:
            text = fmt_day(r.settle_by)
            return text + (tr(" · lewat") if r.overdue else "")
        return ""

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == Qt.ItemDataRole.UserRole:
            return r.code
        if role == Qt.ItemDataRole.FontRole and r.mine:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            late = r.status in CaseStatus.OPEN and datetime.now(WIB) > r.due_at
            if col == self.DUE_COLUMN and late:
                return QBrush(LATE)
            if col == self.LIMIT_COLUMN and r.overdue:
                return QBrush(LATE)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.LIMIT_COLUMN:
                return tr(
                    "Batas penyelesaian pengaduan {n} hari sejak diterima (UU 25/2009, "
                    "Perpres 76/2013)",
                    n=SETTLEMENT_DAYS,
                )
            if r.mine:
                return tr("Giliran Anda")
        return None
