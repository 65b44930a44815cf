"""Kotak Masuk: every request waiting at a step of one of the user's roles, most urgent first.

The table model holds plain ``InboxRow`` dataclasses (ids plus a row cache), fetches further
pages on demand with keyset paging (``after=(due_at, id)``), and recolours itself every minute
(on time / near due / overdue) without touching the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ..calendar import WorkCalendar
from ..errors import SipelayananError
from ..i18n import tr
from ..identity import format_tracking_code
from ..services.changes import Changes
from ..services.office import work_calendar
from ..services.queries import InboxRow, inbox, inbox_counts
from ..sop import services
from .context import UiContext
from .widgets.common import (
    SLA_BACKGROUND,
    SLA_FOREGROUND,
    SLA_LABELS,
    SLA_LATE,
    SLA_NEAR,
    SLA_ON_TIME,
    MessageBar,
    fill_viewport,
    fmt_minutes,
    fmt_time_or_date,
    role_label,
    sla_state,
)

PAGE_SIZE = 100

#: "Di langkah ini" beyond the step's mutu baku: amber, a colour no due state uses
STEP_OVER_COLOUR = QColor("#b45309")


def legend_html() -> str:
    """The colour legend under the inbox filters: one meaning per coloured column."""

    def chip(state: str) -> str:
        bg, fg = SLA_BACKGROUND[state].name(), SLA_FOREGROUND[state].name()
        return (
            f"<span style='background:{bg}; color:{fg}; font-weight:600;'>"
            f"&nbsp;{tr(SLA_LABELS[state])}&nbsp;</span>"
        )

    return tr(
        "<b>Jatuh tempo / Status</b> (batas 1 hari kerja permohonan): {tepat} {dekat} "
        "{telat} &nbsp;·&nbsp; <b>Di langkah ini</b>: "
        "<span style='color:{oranye}; font-weight:600;'>jingga</span> = melebihi mutu "
        "baku langkahnya",
        tepat=chip(SLA_ON_TIME),
        dekat=chip(SLA_NEAR),
        telat=chip(SLA_LATE),
        oranye=STEP_OVER_COLOUR.name(),
    )


Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class InboxPageData:
    rows: list[InboxRow]
    more: bool
    counts: dict[str, int] | None
    calendar: WorkCalendar | None


def load_inbox(
    roles: tuple[str, ...],
    service: str | None,
    limit: int,
    after: tuple[datetime, int] | None,
    with_counts: bool,
    with_calendar: bool | None = None,
) -> Any:
    """Worker function: one page of the inbox (+1 row to know whether more exist), with the
    badge counts and the office's work calendar when asked (the calendar: by default with the
    counts)."""
    calendar_too = with_counts if with_calendar is None else with_calendar

    def run(session: Session) -> InboxPageData:
        rows = inbox(session, roles, service=service, limit=limit + 1, after=after)
        more = len(rows) > limit
        return InboxPageData(
            rows=rows[:limit],
            more=more,
            counts=inbox_counts(session, roles) if with_counts else None,
            calendar=work_calendar(session) if calendar_too else None,
        )

    return run


@lru_cache(maxsize=256)
def step_info(service: str, step_no: int) -> tuple[str, int, str]:
    """(activity, SOP minutes, role label) of a step, from the SOP definitions."""
    sdef = services().get(service)
    if sdef is None:
        return tr("Langkah {n}", n=step_no), 0, ""
    try:
        step = sdef.step(step_no)
    except KeyError:
        return tr("Langkah {n}", n=step_no), 0, ""
    return step.activity, step.minutes, role_label(step.role)


def service_short(service: str) -> str:
    sdef = services().get(service)
    return sdef.short_name if sdef else service


class InboxModel(QAbstractTableModel):
    COLUMNS = (
        tr("Layanan"),
        tr("Kode"),
        tr("Pemohon"),
        tr("NIK"),
        tr("Langkah"),
        tr("Di langkah ini"),
        tr("Jatuh tempo"),
        tr("Status"),
    )
    COL_STEP_TIME = 5
    COL_DUE = 6
    COL_STATUS = 7

    fetch_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[InboxRow] = []
        self.more = False
        self.loading = False
        self.calendar = WorkCalendar()
        self.now = datetime.now(UTC)
        self._elapsed: dict[int, float] = {}
        self._sla: dict[int, str] = {}
        # (step started, due, when computed) per row: a refresh within half a minute reuses
        # the working-time figures of the rows that did not move
        self._computed: dict[int, tuple[datetime, datetime, datetime]] = {}
        self._texts: dict[int, tuple[str, ...]] = {}  # display texts, made on first paint
        self._fonts: dict[int, QFont] = {}

    # ------------------------------------------------------------------ content
    def set_rows(self, rows: list[InboxRow], more: bool) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.more = more
        self._texts.clear()
        self._recompute(self.rows)
        self.endResetModel()

    def append_rows(self, rows: list[InboxRow], more: bool) -> None:
        seen = {r.id for r in self.rows}
        fresh = [r for r in rows if r.id not in seen]
        self.more = more
        if not fresh:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self.rows.extend(fresh)
        self._recompute(fresh)
        self.endInsertRows()

    def set_calendar(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.tick()

    def tick(self, now: datetime | None = None) -> None:
        """Recompute time at step and SLA colours (no database access)."""
        self.now = now or datetime.now(UTC)
        self._computed.clear()
        self._recompute(self.rows)
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(self.COLUMNS) - 1)
            )

    def use_calendar(self, calendar: WorkCalendar) -> None:
        """The office's calendar as just read (before the rows it came with are set): every
        working-time figure is computed again."""
        self.calendar = calendar
        self._computed.clear()

    def _recompute(self, rows: list[InboxRow]) -> None:
        for r in rows:
            self._texts.pop(r.id, None)
            done = self._computed.get(r.id)
            if (
                done is not None
                and done[0] == r.step_started_at
                and done[1] == r.due_at
                and abs((self.now - done[2]).total_seconds()) < 30
            ):
                continue
            self._elapsed[r.id] = self.calendar.working_minutes(r.step_started_at, self.now)
            self._sla[r.id] = sla_state(self.calendar, r.due_at, self.now)
            self._computed[r.id] = (r.step_started_at, r.due_at, self.now)

    def sla(self, row: InboxRow) -> str:
        return self._sla.get(row.id, "")

    def over_step_standard(self, row: InboxRow) -> bool:
        """Whether the request has been at its step longer than the step's mutu baku."""
        _a, minutes, _r = step_info(row.service, row.current_step)
        return bool(minutes) and self._elapsed.get(row.id, 0.0) > minutes

    def elapsed(self, row: InboxRow) -> float:
        return self._elapsed.get(row.id, 0.0)

    def row_at(self, index: int) -> InboxRow | None:
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def last_key(self) -> tuple[datetime, int] | None:
        return (self.rows[-1].due_at, self.rows[-1].id) if self.rows else None

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        state = self._sla.get(r.id, "")
        if role == Qt.ItemDataRole.DisplayRole:
            texts = self._texts.get(r.id)
            if texts is None:
                texts = self._texts[r.id] = tuple(
                    self._text(r, c) for c in range(len(self.COLUMNS))
                )
            return texts[col] if 0 <= col < len(texts) else ""
        # one colour meaning per column: "Jatuh tempo" and "Status" are coloured by the
        # request's due time (green/yellow/red); "Di langkah ini" only by its step's mutu
        # baku (amber when exceeded); the other columns are not coloured (see LEGEND_HTML)
        if role == Qt.ItemDataRole.BackgroundRole:
            if col in (self.COL_DUE, self.COL_STATUS):
                colour = SLA_BACKGROUND.get(state)
                return QBrush(colour) if colour is not None else None
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col in (self.COL_DUE, self.COL_STATUS):
                colour = SLA_FOREGROUND.get(state)
                return QBrush(colour) if colour is not None else None
            if col == self.COL_STEP_TIME and self.over_step_standard(r):
                return QBrush(STEP_OVER_COLOUR)
            return None
        if role == Qt.ItemDataRole.FontRole and col in (1, self.COL_STATUS):
            font = self._fonts.get(col)
            if font is None:
                font = self._fonts[col] = QFont()
                font.setBold(True)
                if col == 1:
                    font.setFamily("monospace")
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            activity, minutes, who = step_info(r.service, r.current_step)
            tip = tr(
                "Langkah {n}: {kegiatan}\n{peran} · mutu baku {m} menit",
                n=r.current_step,
                kegiatan=activity,
                peran=who,
                m=minutes,
            )
            if r.returned:
                tip += "\n" + tr("Dikembalikan dengan koreksi; baca koreksinya dulu.")
            return tip
        if role == Qt.ItemDataRole.UserRole:
            return r.code
        return None

    def _text(self, r: InboxRow, col: int) -> str:
        if col == 0:
            return service_short(r.service)
        if col == 1:
            return format_tracking_code(r.code)
        if col == 2:
            return r.pemohon_nama
        if col == 3:
            return r.nik_masked or "-"
        if col == 4:
            activity, _m, _r = step_info(r.service, r.current_step)
            if r.returned:  # sent back to this step: the clerk reads the koreksi first
                return tr("[Koreksi] {n}. {kegiatan}", n=r.current_step, kegiatan=activity)
            return f"{r.current_step}. {activity}"
        if col == self.COL_STEP_TIME:
            _a, minutes, _r = step_info(r.service, r.current_step)
            elapsed = fmt_minutes(self._elapsed.get(r.id, 0.0))
            return tr("{lama} / {baku} mnt", lama=elapsed, baku=minutes) if minutes else elapsed
        if col == self.COL_DUE:
            return fmt_time_or_date(r.due_at, self.now)
        if col == self.COL_STATUS:
            return tr(SLA_LABELS.get(self._sla.get(r.id, ""), ""))
        return ""

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self.more and not self.loading

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            self.loading = True
            self.fetch_requested.emit()


class InboxTable(QTableView):
    """Enter opens the selected request."""

    activated_row = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            index = self.currentIndex()
            model = self.model()
            if index.isValid():
                self.activated_row.emit(index.row())
                return
            if model is not None and model.rowCount() > 0:  # nothing chosen yet: the first
                self.selectRow(0)
                self.activated_row.emit(0)
                return
        super().keyPressEvent(event)


class InboxPage(QWidget):
    title = tr("Kotak Masuk")
    badge_changed = Signal(int)
    loaded = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service: str | None = None
        self.counts: dict[str, int] = {}
        self._generation = 0
        self._calendar_known = False  # the office's hours and closures are loaded

        heading = QLabel(tr("Kotak Masuk"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        sub = QLabel(
            tr(
                "Permohonan yang menunggu di langkah peran Anda; paling mendesak di "
                "atas. Enter atau klik dua kali untuk membuka."
            ),
            self,
        )
        sub.setStyleSheet("color: #5f6368;")
        sub.setWordWrap(True)

        self.filters = QHBoxLayout()
        self.filters.setSpacing(6)
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[str | None, QPushButton] = {}
        for code in (None, *services()):  # every service of the SOP folder, in order
            button = QPushButton(self)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.setStyleSheet(
                "QPushButton { border: 1px solid #dadce0; border-radius: 12px; padding: 3px 10px;"
                " background: white; } QPushButton:checked { background: #d2e3fc;"
                " border-color: #1a73e8; color: #174ea6; }"
            )
            button.clicked.connect(lambda _=False, c=code: self.set_service(c))
            self.filter_group.addButton(button)
            self.filter_buttons[code] = button
            self.filters.addWidget(button)
        self.filters.addStretch(1)
        self.summary = QLabel(self)
        self.filters.addWidget(self.summary)
        self.filter_buttons[None].setChecked(True)
        self._update_filter_labels()

        self.model = InboxModel(self)
        self.model.fetch_requested.connect(self._fetch_more)
        self.table = InboxTable(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(False)
        self.table.setShowGrid(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(60)
        for col, width in enumerate((118, 100, 190, 122, 300, 112, 100, 104)):
            self.table.setColumnWidth(col, width)
        # the name and the step share what is left, so Status stays in view at 1366×768
        # and 125 % (1093 px) without scrolling sideways
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.table.activated_row.connect(self.open_row)
        self.table.setAccessibleName(tr("Daftar permohonan di Kotak Masuk"))

        self.legend = QLabel(legend_html(), self)
        self.legend.setObjectName("inbox_legend")
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #5f6368;")

        self.empty = QLabel(
            tr(
                "<p style='font-size:15px; font-weight:600; color:#3c4043;'>Tidak ada "
                "permohonan yang menunggu Anda.</p><p style='color:#5f6368;'>Permohonan "
                "baru muncul di sini dengan sendirinya.</p>"
            ),
            self,
        )
        self.empty.setObjectName("inbox_empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(
            "#inbox_empty { background: #f8f9fa; border: 1px dashed #dadce0; "
            "border-radius: 6px; padding: 28px; }"
        )
        self.empty.hide()
        self.message = MessageBar(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading)
        layout.addWidget(sub)
        layout.addLayout(self.filters)
        layout.addWidget(self.legend)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self.empty_spacer = QWidget(self)  # keeps the empty note at the top, not stretched
        self.empty_spacer.hide()
        layout.addWidget(self.empty_spacer, 1)
        self.setFocusProxy(self.table)

        self._clock = QTimer(self)
        self._clock.setInterval(60_000)
        self._clock.timeout.connect(lambda: self.model.tick())
        self._clock.start()

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Reload as many rows as are shown now (keeps the scroll position meaningful)."""
        self._generation += 1
        generation = self._generation
        limit = max(PAGE_SIZE, len(self.model.rows))
        self.model.loading = True
        self.ctx.ops.run(
            load_inbox(
                self.ctx.user.roles, self.service, limit, None, True, not self._calendar_known
            ),
            on_done=lambda data: self._on_loaded(data, generation, replace=True),
            on_error=self._on_error,
            parent=self,
        )

    def note_changes(self, changes: Changes) -> None:
        """The office's hours or closures may have changed: read them with the next page."""
        if changes.everything or changes.office:
            self._calendar_known = False

    def refresh_counts(self) -> None:
        roles = self.ctx.user.roles
        self.ctx.ops.run(
            lambda s: inbox_counts(s, roles),
            on_done=self._set_counts,
            on_error=lambda e: None,
            parent=self,
        )

    def _fetch_more(self) -> None:
        generation = self._generation
        self.ctx.ops.run(
            load_inbox(self.ctx.user.roles, self.service, PAGE_SIZE, self.model.last_key(), False),
            on_done=lambda data: self._on_loaded(data, generation, replace=False),
            on_error=self._on_error,
            parent=self,
        )

    def _on_loaded(self, data: InboxPageData, generation: int, *, replace: bool) -> None:
        if generation != self._generation:
            return  # a newer load (another filter) is on its way
        self.model.loading = False
        if data.calendar is not None:
            self.model.use_calendar(data.calendar)
            self._calendar_known = True
        if replace:
            current = self.selected_code()
            self.model.now = datetime.now(UTC)
            self.model.set_rows(data.rows, data.more)
            self._reselect(current)
        else:
            self.model.append_rows(data.rows, data.more)
        if data.counts is not None:
            self._set_counts(data.counts)
        has_rows = bool(self.model.rows)
        self.table.setVisible(has_rows)
        self.legend.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        self.empty_spacer.setVisible(not has_rows)
        if has_rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)  # Enter opens the most urgent one without a click first
        QTimer.singleShot(0, self, lambda: fill_viewport(self.table))
        if self.message.level == "error":
            self.message.clear()
        self.loaded.emit()

    def _on_error(self, error: SipelayananError) -> None:
        self.model.loading = False
        self.message.error(str(error))

    def _set_counts(self, counts: dict[str, int]) -> None:
        self.counts = dict(counts)
        self._update_filter_labels()
        self.badge_changed.emit(sum(self.counts.values()))

    def _update_filter_labels(self) -> None:
        total = sum(self.counts.values())
        for code, button in self.filter_buttons.items():
            if code is None:
                button.setText(tr("Semua  {n}", n=total))
                continue
            n = self.counts.get(code, 0)
            button.setText(f"{service_short(code)}  {n}")
            button.setVisible(n > 0 or code == self.service)
        late = (
            sum(1 for r in self.model.rows if self.model.sla(r) == SLA_LATE)
            if hasattr(self, "model")
            else 0
        )
        more = "+" if hasattr(self, "model") and self.model.more else ""
        self.summary.setText(tr("{n}{lagi} terlambat", n=late, lagi=more) if late else "")
        self.summary.setStyleSheet(f"color: {SLA_FOREGROUND[SLA_LATE].name()}; font-weight: 600;")

    # ------------------------------------------------------------------ interaction
    def set_service(self, code: str | None) -> None:
        self.service = code
        self.filter_buttons[code].setChecked(True)
        self.model.set_rows([], False)
        self.refresh()

    def selected_code(self) -> str | None:
        index = self.table.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        return row.code if row else None

    def _reselect(self, code: str | None) -> None:
        if code is None:
            return
        for i, r in enumerate(self.model.rows):
            if r.code == code:
                self.table.selectRow(i)
                return

    def open_row(self, row: int) -> None:
        r = self.model.row_at(row)
        if r is not None:
            self.ctx.open_case(r.code)

    def codes(self) -> list[str]:
        return [r.code for r in self.model.rows]
