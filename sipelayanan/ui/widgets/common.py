"""Small shared pieces: date/minute formatting, SLA colours, an inline message bar."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QWidget,
)

from ...calendar import WIB, WorkCalendar
from ...i18n import tr
from ...sop import ROLES

_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
)  # fmt: skip

SLA_ON_TIME = "tepat"
SLA_NEAR = "mendekati"
SLA_LATE = "terlambat"
NEAR_MINUTES = 60.0  # working minutes before the due time that count as "near due"

SLA_LABELS = {
    SLA_ON_TIME: "Tepat waktu",
    SLA_NEAR: "Mendekati batas",
    SLA_LATE: "Terlambat",
}
# Background (soft) and foreground (strong) per SLA state: readable on light themes.
SLA_BACKGROUND = {
    SLA_ON_TIME: QColor("#e3f4e6"),
    SLA_NEAR: QColor("#fff2cc"),
    SLA_LATE: QColor("#fbdcdc"),
}
SLA_FOREGROUND = {
    SLA_ON_TIME: QColor("#1b6b2f"),
    SLA_NEAR: QColor("#8a5a00"),
    SLA_LATE: QColor("#a11d1d"),
}


def fmt_dt(value: datetime | None, *, with_day: bool = False) -> str:
    """``"17 Nov 2026 08:05"`` in WIB (``"Selasa, 17 Nov …"`` with the day)."""
    if value is None:
        return "-"
    t = value.astimezone(WIB)
    text = f"{t.day:02d} {tr(_MONTHS[t.month - 1])} {t.year} {t:%H:%M}"
    return f"{tr(_DAYS[t.weekday()])}, {text}" if with_day else text


def fmt_time_or_date(value: datetime, now: datetime) -> str:
    """Just the hour for today, else a short date: what a clerk scans in a list."""
    t, n = value.astimezone(WIB), now.astimezone(WIB)
    if t.date() == n.date():
        return tr("hari ini {jam}", jam=f"{t:%H:%M}")
    return f"{t.day:02d} {tr(_MONTHS[t.month - 1])} {t:%H:%M}"


def fmt_minutes(minutes: float) -> str:
    """Working minutes as ``"7 mnt"`` or ``"2 j 05 mnt"``."""
    m = max(0, round(minutes))
    if m < 60:
        return tr("{m} mnt", m=m)
    return tr("{j} j {m:02d} mnt", j=m // 60, m=m % 60)


def sla_state(calendar: WorkCalendar, due_at: datetime, now: datetime) -> str:
    if now >= due_at:
        return SLA_LATE
    left = calendar.working_minutes(now, due_at)
    return SLA_NEAR if left <= NEAR_MINUTES else SLA_ON_TIME


def fill_viewport(view: QAbstractItemView) -> None:
    """Fetch further pages while the view still has empty room below its last row: a list
    whose rows all fit on screen has no scroll bar the clerk could drag to ask for more."""
    model = view.model()
    if model is None or not model.canFetchMore(QModelIndex()):
        return
    rows = model.rowCount()
    if rows == 0:
        model.fetchMore(QModelIndex())
        return
    last = view.visualRect(model.index(rows - 1, 0))
    if last.isValid() and last.bottom() <= view.viewport().rect().bottom():
        model.fetchMore(QModelIndex())


def role_label(role: str) -> str:
    return tr(ROLES.get(role, role))


def roles_text(roles: tuple[str, ...] | list[str]) -> str:
    return ", ".join(role_label(r) for r in roles)


class MessageBar(QFrame):
    """A non-modal message inside a window (info / success / warning / error).

    Used instead of modal boxes so nothing blocks the clerk (or a test); errors stay until
    dismissed or replaced, other messages fade after a while.
    """

    dismissed = Signal()

    STYLES = {
        "info": ("#e8f0fe", "#174ea6", "#aecbfa"),
        "success": ("#e6f4ea", "#137333", "#a8dab5"),
        "warning": ("#fef7e0", "#8a5a00", "#fdd663"),
        "error": ("#fce8e6", "#a50e0e", "#f6aea9"),
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(tr("Tutup pesan"))
        close.clicked.connect(self.clear)
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self.level = ""
        self.hide()

    def show_message(
        self, text: str, level: str = "info", *, timeout_ms: int | None = None
    ) -> None:
        bg, fg, border = self.STYLES.get(level, self.STYLES["info"])
        self.setStyleSheet(
            f"#MessageBar {{ background: {bg}; border: 1px solid {border}; border-radius: 4px; }}"
            f"#MessageBar QLabel {{ color: {fg}; }}"
        )
        self.level = level
        self.label.setText(text)
        self.show()
        self._timer.stop()
        if timeout_ms is None:
            timeout_ms = 0 if level in ("error", "warning") else 8000
        if timeout_ms > 0:
            self._timer.start(timeout_ms)

    def error(self, text: str) -> None:
        self.show_message(text, "error")

    def warning(self, text: str) -> None:
        self.show_message(text, "warning")

    def success(self, text: str) -> None:
        self.show_message(text, "success")

    def info(self, text: str) -> None:
        self.show_message(text, "info")

    def text(self) -> str:
        return self.label.text()

    def clear(self) -> None:
        self._timer.stop()
        self.level = ""
        self.label.clear()
        self.hide()
        self.dismissed.emit()
