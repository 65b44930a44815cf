"""Jam kantor dan hari tutup: the office hours per weekday (with the lunch break) and extra
closure days. National holidays and cuti bersama come from the calendar by themselves; the
SOP clock (1 hari kerja) counts only the time the office is open."""

from __future__ import annotations

from datetime import date, time

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ...calendar import DAY_NAMES, OfficeHours
from ...errors import InputError, SipelayananError
from ...i18n import tr
from ...reports.text import MONTHS
from ...services import office
from ..context import UiContext
from ..widgets.common import MessageBar

_MONTHS = MONTHS


def fmt_day(day: date) -> str:
    names = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
    return f"{names[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _qtime(t: time | None, default: time) -> QTime:
    value = t or default
    return QTime(value.hour, value.minute)


def _pytime(edit: QTimeEdit) -> time:
    t = edit.time()
    return time(t.hour(), t.minute())


class _DayRow:
    def __init__(self, parent: QWidget, weekday: int) -> None:
        self.weekday = weekday
        self.open = QCheckBox(tr(DAY_NAMES[weekday]), parent)
        self.open.setObjectName(f"hours_open_{weekday}")
        self.start = QTimeEdit(parent)
        self.end = QTimeEdit(parent)
        self.lunch = QCheckBox(tr("ada"), parent)
        self.lunch_start = QTimeEdit(parent)
        self.lunch_end = QTimeEdit(parent)
        for edit in (self.start, self.end, self.lunch_start, self.lunch_end):
            edit.setDisplayFormat("HH:mm")
        self.open.toggled.connect(self._sync)
        self.lunch.toggled.connect(self._sync)

    def widgets(self) -> tuple[QWidget, ...]:
        return (self.open, self.start, self.end, self.lunch, self.lunch_start, self.lunch_end)

    def set(self, entry: tuple[time, time, time | None, time | None] | None) -> None:
        self.open.setChecked(entry is not None)
        opening, closing, l1, l2 = entry or (time(7, 30), time(16, 0), None, None)
        self.start.setTime(_qtime(opening, time(7, 30)))
        self.end.setTime(_qtime(closing, time(16, 0)))
        self.lunch.setChecked(l1 is not None and l2 is not None)
        self.lunch_start.setTime(_qtime(l1, time(12, 0)))
        self.lunch_end.setTime(_qtime(l2, time(13, 0)))
        self._sync()

    def get(self) -> tuple[time, time, time | None, time | None] | None:
        if not self.open.isChecked():
            return None
        lunch = self.lunch.isChecked()
        return (
            _pytime(self.start),
            _pytime(self.end),
            _pytime(self.lunch_start) if lunch else None,
            _pytime(self.lunch_end) if lunch else None,
        )

    def _sync(self, *_args: object) -> None:
        on = self.open.isChecked()
        for w in (self.start, self.end, self.lunch):
            w.setEnabled(on)
        for w in (self.lunch_start, self.lunch_end):
            w.setEnabled(on and self.lunch.isChecked())


class HoursTab(QWidget):
    saved = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._dirty = False
        self._busy = False
        self.closures: list[tuple[date, str]] = []

        hours_box = QGroupBox(tr("Jam kantor"), self)
        grid = QGridLayout(hours_box)
        for col, head in enumerate(
            (tr("Hari"), tr("Buka"), tr("Tutup"), tr("Istirahat"), tr("Mulai"), tr("Selesai"))
        ):
            label = QLabel(f"<b>{head}</b>", hours_box)
            grid.addWidget(label, 0, col)
        self.days: dict[int, _DayRow] = {}
        for weekday in sorted(DAY_NAMES):
            row = _DayRow(hours_box, weekday)
            self.days[weekday] = row
            for col, widget in enumerate(row.widgets()):
                grid.addWidget(widget, weekday, col)
                if isinstance(widget, QTimeEdit):
                    widget.timeChanged.connect(self._mark_dirty)
                else:
                    widget.toggled.connect(self._mark_dirty)  # type: ignore[attr-defined]
        self.hours_reason = QLabel(hours_box)
        self.hours_reason.setObjectName("hours_reason")
        self.hours_reason.setWordWrap(True)
        self.hours_reason.setStyleSheet("color: #a50e0e;")
        grid.addWidget(self.hours_reason, 8, 0, 1, 6)
        self.save_hours_button = QPushButton(tr("&Simpan jam kantor"), hours_box)
        self.save_hours_button.setObjectName("hours_save")
        grid.addWidget(self.save_hours_button, 9, 0, 1, 2)
        grid.setRowStretch(10, 1)

        closure_box = QGroupBox(
            tr("Hari tutup kantor (selain libur nasional dan cuti bersama)"), self
        )
        self.table = QTableWidget(0, 2, closure_box)
        self.table.setObjectName("closures_table")
        self.table.setHorizontalHeaderLabels([tr("Tanggal"), tr("Keterangan")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 220)
        self.closure_day = QDateEdit(QDate.currentDate(), closure_box)
        self.closure_day.setObjectName("closure_day")
        self.closure_day.setCalendarPopup(True)
        self.closure_day.setDisplayFormat("dd-MM-yyyy")
        self.closure_reason = QLineEdit(closure_box)
        self.closure_reason.setObjectName("closure_reason")
        self.closure_reason.setMaxLength(200)
        self.closure_reason.setPlaceholderText(tr("mis. HUT Kabupaten Way Kanan"))
        self.add_closure_button = QPushButton(tr("&Tambah"), closure_box)
        self.add_closure_button.setObjectName("closure_add")
        self.remove_closure_button = QPushButton(tr("&Hapus yang dipilih"), closure_box)
        self.remove_closure_button.setObjectName("closure_remove")
        add_row = QHBoxLayout()
        add_row.addWidget(self.closure_day)
        add_row.addWidget(self.closure_reason, 1)
        add_row.addWidget(self.add_closure_button)
        cv = QVBoxLayout(closure_box)
        cv.addWidget(self.table, 1)
        cv.addLayout(add_row)
        cv.addWidget(self.remove_closure_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.message = MessageBar(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        top = QHBoxLayout()
        top.addWidget(hours_box, 0)
        top.addWidget(closure_box, 1)
        layout.addLayout(top, 1)

        self.save_hours_button.clicked.connect(self.save_hours)
        self.add_closure_button.clicked.connect(self.add_closure)
        self.closure_reason.returnPressed.connect(self.add_closure)
        self.remove_closure_button.clicked.connect(self.remove_closure)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _mark_dirty(self, *_args: object) -> None:
        self._dirty = True
        self.hours_reason.setText("")

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        def read(s: Session) -> tuple[OfficeHours, list[tuple[date, str]]]:
            return office.get_hours(s), office.list_closures(s)

        self.ctx.ops.run(
            read,
            on_done=self._loaded,
            on_error=lambda e: self.message.error(str(e)) if isValid(self) else None,
        )

    def _loaded(self, data: tuple[OfficeHours, list[tuple[date, str]]]) -> None:
        if not isValid(self):
            return
        hours, closures = data
        if not self._dirty and not self._busy:
            for weekday, row in self.days.items():
                row.set(hours.days.get(weekday))
            self._dirty = False
        self.closures = list(closures)
        self.table.setRowCount(len(closures))
        for i, (day, reason) in enumerate(closures):
            item = QTableWidgetItem(fmt_day(day))
            item.setData(Qt.ItemDataRole.UserRole, day.isoformat())
            self.table.setItem(i, 0, item)
            self.table.setItem(i, 1, QTableWidgetItem(reason))

    def hours(self) -> OfficeHours | None:
        try:
            return OfficeHours({wd: row.get() for wd, row in self.days.items()})
        except ValueError as exc:
            self.hours_reason.setText(str(exc))
            return None

    # ------------------------------------------------------------------ actions

    def save_hours(self) -> None:
        if self._busy:
            return
        hours = self.hours()
        if hours is None:
            return
        self.message.clear()
        actor = self.ctx.actor
        self._busy = True
        self.save_hours_button.setEnabled(False)
        self.ctx.ops.run(
            lambda s: office.save_hours(s, hours, actor=actor),
            write=True,
            on_done=self._hours_saved,
            on_error=self._failed,
        )

    def _hours_saved(self, _result: object) -> None:
        if not isValid(self):
            return
        self._busy = False
        self._dirty = False
        self.save_hours_button.setEnabled(True)
        self.message.success(
            tr(
                "Jam kantor disimpan. Tenggat permohonan baru dihitung dengan "
                "jam ini; permohonan yang sudah ada tetap pada tenggatnya."
            )
        )
        self.saved.emit()

    def add_closure(self) -> None:
        day: date = self.closure_day.date().toPython()  # type: ignore[assignment]
        reason = self.closure_reason.text().strip()
        if not reason:
            self.message.error(tr("Tulis keterangan hari tutup (dicetak di laporan)."))
            self.closure_reason.setFocus()
            return
        actor = self.ctx.actor
        self.ctx.ops.run(
            lambda s: office.add_closure(s, day, reason, actor=actor),
            write=True,
            on_done=lambda _r: self._closure_done(
                tr("{hari} ditambahkan sebagai hari tutup.", hari=fmt_day(day))
            ),
            on_error=self._failed,
        )

    def remove_closure(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        if not rows:
            self.message.info(tr("Pilih hari tutup yang akan dihapus."))
            return
        days = [self.closures[r][0] for r in rows if r < len(self.closures)]
        actor = self.ctx.actor

        def remove(s: Session) -> None:
            for day in days:
                office.remove_closure(s, day, actor=actor)

        self.ctx.ops.run(
            remove,
            write=True,
            on_done=lambda _r: self._closure_done(tr("{n} hari tutup dihapus.", n=len(days))),
            on_error=self._failed,
        )

    def _closure_done(self, text: str) -> None:
        if not isValid(self):
            return
        self.closure_reason.clear()
        self.message.success(text)
        self.refresh()

    def _failed(self, error: SipelayananError) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.save_hours_button.setEnabled(True)
        if isinstance(error, InputError):
            self.hours_reason.setText(str(error))
        self.message.error(str(error))
