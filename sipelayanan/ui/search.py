"""Cari / scan: one box that finds a request by tracking code, NIK, name or WhatsApp number.

A USB barcode scanner "types" the QR's content and presses Enter; when that content holds a
tracking code (bare, or inside a ``wa.me``/status link) the request opens at once. Results page
lazily with keyset paging on (received_at, id), so a large result scrolls smoothly: the model
keeps plain ``SearchRow`` data only and asks for the next page when the view reaches the end.
"""

from __future__ import annotations

import re
from array import array
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ..errors import SipelayananError
from ..i18n import tr
from ..identity import ValidationError, extract_tracking_code, normalize_tracking_code
from ..models.cases import CaseStatus
from ..services.queries import SearchFilters, SearchRow, search, search_rows_by_ids
from ..sop import services
from .context import UiContext
from .ops import Ops
from .search_record import SearchRecorder
from .whatsapp import local_number
from .widgets.common import MessageBar, fmt_dt

PAGE_SIZE = 200
DEBOUNCE_MS = 350
MIN_TYPED = 3  # characters before searching as the clerk types (Enter always searches)

_LOOKS_LIKE_CODE = re.compile(r"^[A-Za-z0-9]{4}[\s\-]?[A-Za-z0-9]{5}$")


def _service_name(code: str) -> str:
    sdef = services().get(code)
    return sdef.short_name if sdef is not None else code


def _status_text(row: SearchRow) -> str:
    label = tr(CaseStatus.LABELS.get(row.status, row.status))
    if row.status == CaseStatus.PROSES:
        return tr("{status} — langkah {n}", status=label, n=row.current_step)
    if row.status == CaseStatus.MENUNGGU_PEMOHON:
        return tr("Menunggu pemohon (langkah {n})", n=row.current_step)
    return label


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(value: datetime) -> int:
    """An aware datetime as whole microseconds since the epoch (exact, unlike a float)."""
    return (value - _EPOCH) // timedelta(microseconds=1)


def _from_micros(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=value)


class SearchModel(QAbstractTableModel):
    """Rows of ``SearchRow`` (plain data) loaded page by page through ``Ops``.

    Memory stays flat however far the clerk scrolls: every row keeps only its id and keyset key
    in compact arrays; at most ``CACHE_ROWS`` rows are held as ``SearchRow`` (least recently
    shown evicted, their slot ``None``) and an evicted row is fetched again by id when it is
    painted.
    """

    CACHE_ROWS = 2000

    COLUMNS: tuple[tuple[str, str], ...] = (
        ("code", "Kode"),
        ("service", "Layanan"),
        ("nama", "Pemohon"),
        ("nik", "NIK"),
        ("wa", "WhatsApp"),
        ("status", "Status"),
        ("received", "Diterima"),
        ("due", "Tenggat"),
    )

    loaded = Signal(int)  # rows now held, after every page (and after a reload)
    failed = Signal(str)

    def __init__(
        self,
        ops: Ops,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        roles: tuple[str, ...] = (),
    ):
        super().__init__(parent)
        self.ops = ops
        self.roles = roles  # a complaint's pelapor is shown only to complaint roles
        self.page_size = page_size
        self.rows: list[SearchRow | None] = []
        self._ids = array("q")  # case id per row
        self._keys = array("q")  # received_at per row, microseconds since the epoch (keyset)
        self._live: OrderedDict[int, None] = OrderedDict()  # rows held, least recent first
        self._refilling: set[int] = set()  # page numbers being fetched again
        self.text = ""
        self.filters = SearchFilters()
        self._generation = 0
        self._more = False
        self._fetching = False
        self._active = False  # a query has been set

    # ------------------------------------------------------------------ queries

    def set_query(self, text: str, filters: SearchFilters) -> None:
        """Start a new search; the first page arrives asynchronously (``loaded``)."""
        self._generation += 1
        self.text, self.filters = text, filters
        self._active = True
        self.beginResetModel()
        self._clear()
        self._more = False
        self.endResetModel()
        self._request(None, self.page_size, replace=True)

    def reload(self) -> None:
        """Fetch the current query again, as many rows as are shown now (after a change)."""
        if not self._active:
            return
        self._generation += 1
        wanted = max(self.page_size, min(len(self.rows), self.CACHE_ROWS))
        self._request(None, wanted, replace=True)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent) or not self.rows:
            return
        after = (_from_micros(self._keys[-1]), self._ids[-1])
        self._request(after, self.page_size, replace=False)

    @property
    def fetching(self) -> bool:
        return self._fetching

    @property
    def has_more(self) -> bool:
        return self._more

    def _request(self, after: tuple[datetime, int] | None, limit: int, *, replace: bool) -> None:
        generation = self._generation
        text, filters, roles = self.text, self.filters, self.roles
        self._fetching = True

        def fn(session: Session) -> list[SearchRow]:
            return search(session, text, filters, limit=limit, after=after, roles=roles)

        def done(rows: list[SearchRow]) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._fetching = False
            self._more = len(rows) >= limit
            if replace:
                self.beginResetModel()
                self._clear()
                self._append(rows)
                self.endResetModel()
            elif rows:
                start = len(self.rows)
                self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
                self._append(rows)
                self.endInsertRows()
            self.loaded.emit(len(self.rows))

        def error(exc: SipelayananError) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._fetching = False
            self.failed.emit(str(exc))

        self.ops.run(fn, on_done=done, on_error=error)

    # ------------------------------------------------------------------ Qt model

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
            return tr(self.COLUMNS[section][1])
        return None

    # ------------------------------------------------------------------ bounded row cache

    def _clear(self) -> None:
        self.rows = []
        self._ids = array("q")
        self._keys = array("q")
        self._live.clear()
        self._refilling.clear()

    def _append(self, rows: list[SearchRow]) -> None:
        start = len(self.rows)
        for offset, r in enumerate(rows):
            self.rows.append(r)
            self._ids.append(r.id)
            self._keys.append(_micros(r.received_at))
            self._live[start + offset] = None
        self._evict()

    def _evict(self) -> None:
        cap = max(self.CACHE_ROWS, 2 * self.page_size)  # a refilled page never evicts itself
        while len(self._live) > cap:
            index, _ = self._live.popitem(last=False)
            self.rows[index] = None

    def _refill(self, row: int) -> None:
        """Fetch the page holding an evicted row again, by id (off the UI thread)."""
        page = row // self.page_size
        if page in self._refilling:
            return
        self._refilling.add(page)
        start = page * self.page_size
        stop = min(start + self.page_size, len(self.rows))
        wanted = {self._ids[i]: i for i in range(start, stop) if self.rows[i] is None}
        generation = self._generation

        def done(found: list[SearchRow]) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._refilling.discard(page)
            for r in found:
                index = wanted.get(r.id)
                if index is not None and index < len(self.rows):
                    self.rows[index] = r
                    self._live[index] = None
                    self._live.move_to_end(index)
            self._evict()
            self.dataChanged.emit(self.index(start, 0), self.index(stop - 1, len(self.COLUMNS) - 1))

        def failed(_exc: SipelayananError) -> None:
            self._refilling.discard(page)

        ids, roles = list(wanted), self.roles
        self.ops.run(
            lambda s: search_rows_by_ids(s, ids, roles=roles), on_done=done, on_error=failed
        )

    def row_at(self, row: int) -> SearchRow | None:
        if not 0 <= row < len(self.rows):
            return None
        r = self.rows[row]
        if r is None:
            self._refill(row)
        else:
            self._live.move_to_end(row)
        return r

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        # called some fifty times per visible row on every repaint: what it returns is built
        # once per row (_cells) or once per process (_code_font, brushes)
        if not index.isValid():
            return None
        r = self.row_at(index.row())
        if r is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _cells(r)[column]
        if role == Qt.ItemDataRole.UserRole:
            return r.code
        key = self.COLUMNS[column][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "due" and self._late(r):
                return tr("Melewati tenggat 1 hari kerja")
            if key == "code":
                return tr("Enter atau klik ganda untuk membuka")
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if r.status == CaseStatus.BATAL:
                return _brush("#80868b")
            if key == "due" and self._late(r):
                return _brush("#a11d1d")
            return None
        if role == Qt.ItemDataRole.FontRole and key == "code":
            return _code_font()
        return None

    @staticmethod
    def _late(r: SearchRow) -> bool:
        return r.status in CaseStatus.OPEN and datetime.now(UTC) > r.due_at

    @staticmethod
    def _display(r: SearchRow, key: str) -> str:
        if key == "code":
            return f"{r.code[:4]}-{r.code[4:]}"
        if key == "service":
            return _service_name(r.service)
        if key == "nama":
            return r.pemohon_nama
        if key == "nik":
            return r.nik_masked or "—"
        if key == "wa":
            return local_number(r.wa)
        if key == "status":
            return _status_text(r)
        if key == "received":
            return fmt_dt(r.received_at)
        if key == "due":
            return fmt_dt(r.due_at) if r.status in CaseStatus.OPEN else "—"
        return ""


class _SearchBox(QLineEdit):
    """The box: Down moves into the results, Esc clears."""

    down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class SearchPage(QWidget):
    """Cari: search box, filters, lazily paged results; scanning a QR opens its request."""

    title = "Cari"

    opened = Signal(str)  # a tracking code handed to ctx.open_case

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._started = False
        self._pending_open: str | None = None  # a scanned code awaiting its lookup
        self._restore: tuple[str | None, int] | None = None  # selection + scroll over a reload

        self.box = _SearchBox(self)
        self.box.setObjectName("search_box")
        self.box.setPlaceholderText(
            tr("Kode pelacakan, NIK, nama, atau nomor WhatsApp — atau pindai QR tanda terima")
        )
        self.box.setClearButtonEnabled(True)
        self.box.setMaxLength(2000)  # a scanned link can be long
        self.box.setAccessibleName(tr("Kotak pencarian"))
        self.search_button = QPushButton(tr("&Cari"), self)

        self.service = QComboBox(self)
        self.service.addItem(tr("Semua layanan"), None)
        for code, sdef in services().items():
            self.service.addItem(sdef.short_name, code)
        self.status = QComboBox(self)
        self.status.addItem(tr("Semua status"), None)
        for value in CaseStatus.ALL:
            self.status.addItem(tr(CaseStatus.LABELS[value]), value)
        self.use_dates = QCheckBox(tr("&Diterima"), self)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addDays(-30), self)
        self.date_to = QDateEdit(today, self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
            edit.setMinimumWidth(100)
            edit.setEnabled(False)

        self.model = SearchModel(ctx.ops, self, page_size=page_size, roles=ctx.user.roles)
        self.table = QTableView(self)
        self.table.setObjectName("search_results")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(60)
        for col, width in enumerate((96, 118, 200, 122, 118, 230, 112, 112)):
            self.table.setColumnWidth(col, width)
        # name and status share the rest: every column in view at 1366×768 and 125 %
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)

        self.summary = QLabel(self)
        self.summary.setObjectName("search_summary")
        self.open_button = QPushButton(tr("&Buka permohonan"), self)
        self.open_button.setEnabled(False)
        self.reply_button = QPushButton(tr("Balas &status…"), self)
        self.reply_button.setObjectName("search_status_reply")
        self.reply_button.setToolTip(tr("Jawaban status tanpa data pribadi untuk permohonan ini"))
        self.reply_button.setEnabled(False)
        self.message = MessageBar(self)

        top = QHBoxLayout()
        top.addWidget(self.box, 1)
        top.addWidget(self.search_button)
        filters = QHBoxLayout()
        for combo in (self.service, self.status):  # a long label must not widen the page
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
        for text, combo in ((tr("&Layanan"), self.service), (tr("S&tatus"), self.status)):
            label = QLabel(text, self)
            label.setBuddy(combo)
            filters.addWidget(label)
            filters.addWidget(combo)
        filters.addSpacing(12)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("–", self))
        filters.addWidget(self.date_to)
        filters.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.reply_button)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        for a, b in (
            (self.box, self.search_button),
            (self.search_button, self.service),
            (self.service, self.status),
            (self.status, self.use_dates),
            (self.use_dates, self.date_from),
            (self.date_from, self.date_to),
            (self.date_to, self.table),
            (self.table, self.open_button),
        ):
            self.setTabOrder(a, b)
        self.setFocusProxy(self.box)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._typed_search)

        self.box.returnPressed.connect(self.submit)
        self.box.textEdited.connect(self._on_edited)
        self.access = SearchRecorder(ctx, self, self)  # committed searches recorded (UU 27/2022)
        self.box.down.connect(self._focus_results)
        self.search_button.clicked.connect(self.submit)
        self.service.currentIndexChanged.connect(self._filters_changed)
        self.status.currentIndexChanged.connect(self._filters_changed)
        self.use_dates.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(self._filters_changed)
        self.date_to.dateChanged.connect(self._filters_changed)
        self.table.activated.connect(self._open_index)
        self.table.doubleClicked.connect(self._open_index)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.open_button.clicked.connect(self.open_selected)
        self.model.loaded.connect(self._on_loaded)
        self.model.failed.connect(self._on_failed)
        self.model.modelReset.connect(lambda: self.open_button.setEnabled(False))
        self.model.modelReset.connect(lambda: self.reply_button.setEnabled(False))
        self.reply_button.clicked.connect(self.reply_selected)
        QShortcut(QKeySequence("Ctrl+L"), self, self.focus_box)

    # ------------------------------------------------------------------ page contract

    def refresh(self) -> None:
        """Something changed (here or on another PC): fetch the shown rows again."""
        if self._started:
            index = self.table.currentIndex()
            code = self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None
            self._restore = (code, self.table.verticalScrollBar().value())
            self.model.reload()
        else:
            self._start()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._started:
            self._start()
        self.box.setFocus()

    def _start(self) -> None:
        self._started = True
        self.run_search()

    # ------------------------------------------------------------------ actions

    def focus_box(self) -> None:
        self.box.setFocus()
        self.box.selectAll()

    def filters(self) -> SearchFilters | None:
        """The filters as chosen, or None (with a message) when the date range is reversed."""
        date_from: date | None = None
        date_to: date | None = None
        if self.use_dates.isChecked():
            date_from = self.date_from.date().toPython()  # type: ignore[assignment]
            date_to = self.date_to.date().toPython()  # type: ignore[assignment]
            if date_from and date_to and date_from > date_to:
                self.message.warning(
                    tr(
                        "Tanggal awal ({a}) sesudah tanggal akhir ({b}); perbaiki rentangnya.",
                        a=f"{date_from:%d-%m-%Y}",
                        b=f"{date_to:%d-%m-%Y}",
                    )
                )
                return None
        return SearchFilters(
            service=self.service.currentData(),
            status=self.status.currentData(),
            date_from=date_from,
            date_to=date_to,
        )

    def submit(self) -> None:
        """Enter in the box (a scanner ends with Enter) or the Cari button."""
        self._debounce.stop()
        text = self.box.text().strip()
        code = extract_tracking_code(text) if text else None
        if code is not None:
            # A scanned or typed tracking code: find it whatever the filters say, then open it.
            self._pending_open = code
            self._restore = None
            self.message.clear()
            self.model.set_query(code, SearchFilters())
            self.summary.setText(tr("Mencari {kode}…", kode=f"{code[:4]}-{code[4:]}"))
        else:
            self._pending_open = None
            self.run_search()
        self.box.selectAll()  # the next scan replaces the text

    def run_search(self) -> None:
        filters = self.filters()
        if filters is None:
            return
        self._restore = None
        if self.message.level != "error":
            self.message.clear()
        self.model.set_query(self.box.text().strip(), filters)
        self.summary.setText(tr("Mencari…"))

    def open_selected(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._open_index(index)

    def open_code(self, code: str) -> None:
        self.opened.emit(code)
        self.ctx.open_case(code)

    # ------------------------------------------------------------------ internals

    def _on_edited(self, text: str) -> None:
        stripped = text.strip()
        if not stripped or len(stripped) >= MIN_TYPED:
            self._debounce.start()
        else:
            self._debounce.stop()

    def _typed_search(self) -> None:
        self._pending_open = None
        self.run_search()

    def _filters_changed(self, *_args: object) -> None:
        if self._started:
            self._pending_open = None
            self.run_search()

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self._filters_changed()

    def _focus_results(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.table.setFocus()
        if not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _open_index(self, index: QModelIndex) -> None:
        code = self.model.data(index, Qt.ItemDataRole.UserRole)
        if code:
            self.open_code(str(code))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.open_button.setEnabled(current.isValid())
        self.reply_button.setEnabled(current.isValid())

    def reply_selected(self) -> None:
        """Balas status for the selected request (the dialog answers from its code)."""
        from .status_reply import StatusReplyDialog

        code = self.model.data(self.table.currentIndex(), Qt.ItemDataRole.UserRole)
        if code:
            dialog = StatusReplyDialog(self.ctx, self, text=str(code))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            dialog.open()

    def _on_loaded(self, count: int) -> None:
        restore, self._restore = self._restore, None
        if restore is not None:  # after a reload: keep the clerk's place in the list
            kept, scroll = restore
            row = next(
                (i for i, r in enumerate(self.model.rows) if r is not None and r.code == kept), -1
            )
            if row >= 0:
                self.table.selectRow(row)
            self.table.verticalScrollBar().setValue(scroll)
        code = self._pending_open
        if code is not None:
            self._pending_open = None
            if any(r is not None and r.code == code for r in self.model.rows):
                self.table.selectRow(0)
                self.summary.setText(tr("Membuka {kode}", kode=f"{code[:4]}-{code[4:]}"))
                self.ctx.show_status(tr("Membuka permohonan {kode}", kode=f"{code[:4]}-{code[4:]}"))
                self.open_code(code)
            else:
                shown = f"{code[:4]}-{code[4:]}"
                self.message.warning(
                    tr(
                        "Permohonan dengan kode {kode} tidak ditemukan di basis data ini.",
                        kode=shown,
                    )
                )
                self.summary.setText(tr("Tidak ada hasil."))
            return
        if count == 0:
            self.summary.setText(tr("Tidak ada hasil."))
            hint = self._code_hint()
            if hint:
                self.message.warning(hint)
            return
        more = tr(" — gulir ke bawah untuk memuat lebih banyak") if self.model.has_more else ""
        self.summary.setText(tr("{n} permohonan ditampilkan{more}", n=count, more=more))

    def _code_hint(self) -> str | None:
        """When nothing was found and the text looks like a mistyped code: say what is wrong."""
        text = self.box.text().strip()
        if not _LOOKS_LIKE_CODE.match(text):
            return None
        try:
            normalize_tracking_code(text)
        except ValidationError as exc:
            return str(exc)
        return None

    def _on_failed(self, message: str) -> None:
        self._pending_open = None
        self.summary.setText("")
        self.message.error(message)


@lru_cache(maxsize=4 * SearchModel.CACHE_ROWS)
def _cells(r: SearchRow) -> tuple[str, ...]:
    """The displayed text of every column of one row (rows are immutable named tuples)."""
    return tuple(SearchModel._display(r, key) for key, _label in SearchModel.COLUMNS)


@lru_cache(maxsize=8)
def _brush(color: str) -> QBrush:
    return QBrush(QColor(color))


@lru_cache(maxsize=1)
def _code_font() -> QFont:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font
