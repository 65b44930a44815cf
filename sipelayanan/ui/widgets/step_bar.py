"""The SOP's steps as a bar: done steps green, the current one highlighted, the rest grey."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ...i18n import tr

DONE = "selesai"
CURRENT = "sekarang"
PENDING = "belum"


@dataclass(frozen=True)
class StepItem:
    no: int
    title: str  # the SOP activity, elided in the bar
    role_label: str
    minutes: int
    state: str  # selesai / sekarang / belum
    detail: str = ""  # who, when, working minutes (tooltip and accessibility text)
    late: bool = False  # done (or running) over the SOP's minutes


_COLOURS = {
    DONE: (QColor("#1e8e3e"), QColor("#ffffff")),
    CURRENT: (QColor("#1a73e8"), QColor("#ffffff")),
    PENDING: (QColor("#e8eaed"), QColor("#5f6368")),
}


class StepBar(QWidget):
    RADIUS = 15
    ROW = 38

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[StepItem] = []
        self._finished = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def set_steps(self, items: list[StepItem], *, finished: bool = False) -> None:
        self._items = list(items)
        self._finished = finished
        self.setAccessibleDescription(
            "; ".join(f"{i.no}. {i.title} ({self._state_label(i.state)})" for i in self._items)
        )
        self.updateGeometry()
        self.update()

    def items(self) -> list[StepItem]:
        return list(self._items)

    @staticmethod
    def _state_label(state: str) -> str:
        return {DONE: tr("selesai"), CURRENT: tr("sedang dikerjakan")}.get(state, tr("belum"))

    def sizeHint(self) -> QSize:
        return QSize(max(400, 110 * len(self._items)), self.ROW + 54)

    def minimumSizeHint(self) -> QSize:
        return QSize(60 * max(1, len(self._items)), self.ROW + 54)

    def _centres(self) -> list[QPoint]:
        n = len(self._items)
        if n == 0:
            return []
        slot = self.width() / n
        return [QPoint(int(slot * (i + 0.5)), self.RADIUS + 6) for i in range(n)]

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self._items:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        centres = self._centres()
        slot = self.width() / len(self._items)
        # connecting lines
        for i in range(len(centres) - 1):
            done = self._items[i].state == DONE
            pen = QPen(QColor("#1e8e3e") if done else QColor("#dadce0"), 3)
            p.setPen(pen)
            p.drawLine(
                centres[i].x() + self.RADIUS,
                centres[i].y(),
                centres[i + 1].x() - self.RADIUS,
                centres[i + 1].y(),
            )
        base = QFont(self.font())
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() * 0.85))
        bold = QFont(base)
        bold.setBold(True)
        for item, c in zip(self._items, centres, strict=True):
            fill, text_colour = _COLOURS.get(item.state, _COLOURS[PENDING])
            if item.state == CURRENT and item.late:
                fill = QColor("#d93025")
            p.setPen(QPen(fill.darker(115), 1.5))
            p.setBrush(fill)
            p.drawEllipse(c, self.RADIUS, self.RADIUS)
            p.setFont(bold)
            p.setPen(text_colour)
            circle = QRect(
                c.x() - self.RADIUS, c.y() - self.RADIUS, 2 * self.RADIUS, 2 * self.RADIUS
            )
            mark = "✓" if item.state == DONE else str(item.no)
            p.drawText(circle, Qt.AlignmentFlag.AlignCenter, mark)
            # two short lines under the circle: role, then the activity
            width = int(slot) - 6
            p.setFont(small if item.state != CURRENT else bold)
            p.setPen(QColor("#202124") if item.state != PENDING else QColor("#80868b"))
            fm = QFontMetrics(p.font())
            top = c.y() + self.RADIUS + 4
            role = fm.elidedText(
                f"{item.no}. {item.role_label}", Qt.TextElideMode.ElideRight, width
            )
            p.drawText(
                QRect(c.x() - width // 2, top, width, fm.height()),
                Qt.AlignmentFlag.AlignHCenter,
                role,
            )
            p.setFont(small)
            fm = QFontMetrics(small)
            minutes = tr("{m} mnt", m=item.minutes)
            p.setPen(QColor("#5f6368"))
            p.drawText(
                QRect(c.x() - width // 2, top + fm.height() + 1, width, fm.height()),
                Qt.AlignmentFlag.AlignHCenter,
                fm.elidedText(minutes, Qt.TextElideMode.ElideRight, width),
            )
        p.end()

    def index_at(self, pos: QPoint) -> int | None:
        if not self._items:
            return None
        slot = self.width() / len(self._items)
        i = int(pos.x() // slot)
        return i if 0 <= i < len(self._items) else None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            i = self.index_at(event.pos())
            if i is None:
                QToolTip.hideText()
                return True
            item = self._items[i]
            text = (
                f"<b>{item.no}. {item.title}</b><br>{item.role_label} · "
                + tr("mutu baku {m} menit", m=item.minutes)
                + f" · {self._state_label(item.state)}"
            )
            if item.detail:
                text += "<br>" + item.detail.replace("\n", "<br>")
            QToolTip.showText(event.globalPos(), text, self)
            return True
        return super().event(event)
