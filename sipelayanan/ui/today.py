"""Hari ini: the office at a glance for Kasi, Kabid, Kepala Dinas and admin (issue 12.10).

Figures from ``services.today.today_figures`` (one read): tiles for today's totals, then tabs
per service, per step, who holds the overdue work, the requests waiting for the pemohon (days
waited) and the documents ready to be collected. The main window refreshes the page when any
request changes (``Ops.changed``, on this PC or another); a clock rereads it every few minutes
so "terlambat" follows the time of day. A row with a request opens it (double-click or Enter).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..calendar import WIB
from ..errors import SipelayananError
from ..i18n import tr
from ..identity import format_tracking_code
from ..services.today import TodayFigures, today_figures
from .context import UiContext
from .widgets.common import SLA_FOREGROUND, SLA_LATE, MessageBar, fmt_dt, fmt_time_or_date

REFRESH_MS = 5 * 60_000  # the clock: overdue counts follow the time of day


class _Table(QTableWidget):
    """A read-only table; Enter opens the request of the current row (when it has one)."""

    open_code = Signal(str)

    def __init__(self, headers: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(26)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.cellDoubleClicked.connect(lambda row, _col: self._open(row))

    def _open(self, row: int) -> None:
        item = self.item(row, 0)
        code = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if code:
            self.open_code.emit(str(code))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self._open(self.currentRow())
            return
        super().keyPressEvent(event)

    def fill(self, rows: Sequence[Sequence[object]], codes: Sequence[str] | None = None) -> None:
        """Rows of cells (numbers right-aligned; a number above 0 in a column named
        "Terlambat" in red); ``codes``: the request of each row, opened on Enter."""
        self.setRowCount(len(rows))
        late_cols = {
            c
            for c in range(self.columnCount())
            if (h := self.horizontalHeaderItem(c)) is not None and h.text() == tr("Terlambat")
        }
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                item = QTableWidgetItem("" if value is None else str(value))
                if isinstance(value, int):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                    if c in late_cols and value > 0:
                        item.setForeground(SLA_FOREGROUND[SLA_LATE])
                if c == 0 and codes is not None:
                    item.setData(Qt.ItemDataRole.UserRole, codes[r])
                self.setItem(r, c, item)


class _Tile(QFrame):
    """One figure with its caption."""

    def __init__(self, caption: str, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TodayTile")
        self.setStyleSheet(
            "#TodayTile { background: #f8f9fa; border: 1px solid #dadce0; border-radius: 6px; }"
        )
        self.setToolTip(tip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        self.value = QLabel("–", self)
        self.value.setStyleSheet("font-size: 22px; font-weight: 600;")
        self.caption = QLabel(caption, self)
        self.caption.setStyleSheet("color: #5f6368;")
        self.caption.setWordWrap(True)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, value: int | None, colour: QColor | None = None) -> None:
        self.value.setText("–" if value is None else str(value))
        style = "font-size: 22px; font-weight: 600;"
        if colour is not None and value:
            style += f" color: {colour.name()};"
        self.value.setStyleSheet(style)


class TodayPage(QWidget):
    title = tr("Hari ini")
    loaded = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.figures: TodayFigures | None = None
        self._generation = 0

        heading = QLabel(tr("Hari ini"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.when = QLabel(self)
        self.when.setStyleSheet("color: #5f6368;")
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.when)
        self.message = MessageBar(self)

        self.tiles = {
            "received": _Tile(tr("Diterima hari ini"), tr("Permohonan yang dicatat hari ini")),
            "finished": _Tile(tr("Selesai hari ini"), tr("Permohonan yang selesai hari ini")),
            "due": _Tile(
                tr("Jatuh tempo hari ini"),
                tr("Permohonan dalam proses yang batas waktunya hari ini"),
            ),
            "overdue": _Tile(
                tr("Terlambat"), tr("Permohonan dalam proses yang sudah lewat batas waktunya")
            ),
            "waiting": _Tile(
                tr("Menunggu pemohon"),
                tr("Dikembalikan ke pemohon karena berkas kurang; jam SOP berhenti"),
            ),
            "ready": _Tile(tr("Siap diambil"), tr("Dokumen selesai yang belum diambil/dikirim")),
        }
        tiles = QGridLayout()
        tiles.setSpacing(8)
        for n, tile in enumerate(self.tiles.values()):
            tiles.addWidget(tile, 0, n)

        self.tabs = QTabWidget(self)
        self.services_table = _Table(
            [
                tr("Layanan"),
                tr("Diterima"),
                tr("Selesai"),
                tr("Jatuh tempo"),
                tr("Terlambat"),
                tr("Diproses"),
                tr("Menunggu pemohon"),
            ],
            self,
        )
        self.steps_table = _Table(
            [
                tr("Layanan"),
                tr("Langkah"),
                tr("Peran"),
                tr("Menunggu"),
                tr("Jatuh tempo"),
                tr("Terlambat"),
                tr("Selesai hari ini"),
            ],
            self,
        )
        self.holders_table = _Table(
            [tr("Peran"), tr("Terlambat"), tr("Batas terlama"), tr("Petugas dengan peran ini")],
            self,
        )
        self.waiting_table = _Table(
            [
                tr("Kode"),
                tr("Layanan"),
                tr("Pemohon"),
                tr("Dikembalikan"),
                tr("Hari menunggu"),
                tr("Kekurangan"),
            ],
            self,
        )
        self.ready_table = _Table(
            [tr("Kode"), tr("Layanan"), tr("Pemohon"), tr("Siap sejak"), tr("Hari")], self
        )
        self.ready_note = QLabel(self)
        self.ready_note.setWordWrap(True)
        self.ready_note.setStyleSheet("color: #5f6368; padding: 6px;")
        ready_box = QWidget(self)
        rl = QVBoxLayout(ready_box)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.ready_note)
        rl.addWidget(self.ready_table, 1)
        for table in (self.waiting_table, self.ready_table):
            table.open_code.connect(ctx.open_case)
        self.tabs.addTab(self.services_table, tr("Per layanan"))
        self.tabs.addTab(self.steps_table, tr("Per langkah"))
        self.tabs.addTab(self.holders_table, tr("Terlambat dipegang"))
        self.tabs.addTab(self.waiting_table, tr("Menunggu pemohon"))
        self.tabs.addTab(ready_box, tr("Siap diambil"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addLayout(tiles)
        layout.addWidget(self.tabs, 1)
        self.setFocusProxy(self.tabs)

        self._clock = QTimer(self)
        self._clock.setInterval(REFRESH_MS)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        self._generation += 1
        generation = self._generation
        self.ctx.ops.run(
            today_figures,
            on_done=lambda f: self._show(f, generation),
            on_error=self._failed,
            parent=self,
        )

    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()

    def _failed(self, error: SipelayananError) -> None:
        self.message.error(str(error))

    def _show(self, fig: TodayFigures, generation: int) -> None:
        if generation != self._generation:
            return
        self.figures = fig
        if self.message.level == "error":
            self.message.clear()
        self.when.setText(tr("Keadaan {waktu} WIB", waktu=fmt_dt(fig.now, with_day=True)))
        late = SLA_FOREGROUND[SLA_LATE]
        self.tiles["received"].set_value(fig.total.received)
        self.tiles["finished"].set_value(fig.total.finished)
        self.tiles["due"].set_value(fig.total.due_today)
        self.tiles["overdue"].set_value(fig.total.overdue, late)
        self.tiles["waiting"].set_value(fig.waiting_total)
        self.tiles["ready"].set_value(fig.ready.total if fig.ready is not None else None)

        total = fig.total
        self.services_table.fill(
            [
                (
                    s.name,
                    s.received,
                    s.finished,
                    s.due_today,
                    s.overdue,
                    s.in_process,
                    s.waiting_pemohon,
                )
                for s in fig.services
            ]
            + [
                (
                    tr("Semua layanan"),
                    total.received,
                    total.finished,
                    total.due_today,
                    total.overdue,
                    total.in_process,
                    total.waiting_pemohon,
                )
            ]
        )
        last = self.services_table.rowCount() - 1
        for c in range(self.services_table.columnCount()):
            item = self.services_table.item(last, c)
            if item is not None:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
        self.steps_table.fill(
            [
                (
                    s.service_name,
                    f"{s.step_no}. {s.activity}" if s.activity else str(s.step_no),
                    s.role_label,
                    s.waiting,
                    s.due_today,
                    s.overdue,
                    s.done_today,
                )
                for s in fig.steps
            ]
        )
        self.holders_table.fill(
            [
                (
                    h.role_label,
                    h.overdue,
                    fmt_time_or_date(h.oldest_due, fig.now),
                    ", ".join(h.people) or tr("(tidak ada petugas aktif dengan peran ini)"),
                )
                for h in fig.holders
            ]
        )
        self.waiting_table.fill(
            [
                (
                    format_tracking_code(w.code),
                    w.service_name,
                    w.pemohon_nama,
                    fmt_dt(w.since),
                    w.days,
                    "; ".join(w.missing),
                )
                for w in fig.waiting
            ],
            [w.code for w in fig.waiting],
        )
        if fig.ready is None:
            self.ready_note.setText(
                tr("Daftar Siap diambil belum tersedia pada versi aplikasi ini.")
            )
            self.ready_note.show()
            self.ready_table.hide()
        else:
            rows = fig.ready.rows
            self.ready_note.setVisible(fig.ready.total > len(rows) or not rows)
            self.ready_note.setText(
                tr("Tidak ada dokumen yang menunggu diambil.")
                if not rows
                else tr("{n} terlama dari {total} ditampilkan.", n=len(rows), total=fig.ready.total)
            )
            self.ready_table.show()
            self.ready_table.fill(
                [
                    (
                        format_tracking_code(r.code),
                        r.service_name,
                        r.pemohon_nama,
                        fmt_dt(r.ready_at),
                        _days(fig, r.ready_at),
                    )
                    for r in rows
                ],
                [r.code for r in rows],
            )
        self.tabs.setTabText(
            2, tr("Terlambat dipegang ({n})", n=sum(h.overdue for h in fig.holders))
        )
        self.tabs.setTabText(3, tr("Menunggu pemohon ({n})", n=fig.waiting_total))
        self.tabs.setTabText(
            4,
            tr("Siap diambil ({n})", n=fig.ready.total)
            if fig.ready is not None
            else tr("Siap diambil"),
        )
        self.loaded.emit()


def _days(fig: TodayFigures, since: datetime) -> int:
    """Calendar days (WIB) from ``since`` to the figures' moment."""
    return max(0, (fig.now.astimezone(WIB).date() - since.astimezone(WIB).date()).days)
