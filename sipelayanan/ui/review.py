"""Tinjauan for Kasi, Kabid and Kepala Dinas: requests awaiting their decision with a quick
preview of berkas and koreksi; approve one or many at once, or return with a koreksi note.

Fully keyboard-driven: arrows move, Shift+arrows / Ctrl+A select several, Enter approves (a
second Enter confirms several), K returns with a koreksi (Enter sends, Esc cancels), O opens.
Each approval is its own unit of work carrying the version shown, so one conflict does not undo
the others.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ..errors import SipelayananError
from ..i18n import tr
from ..identity import format_tracking_code
from ..services import cases as svc
from ..services.queries import CaseView, InboxRow, attachment_content, case_view
from ..sop import REVIEW_ROLES, services
from .case import history_html
from .context import UiContext
from .inbox import PAGE_SIZE, InboxModel, InboxPageData, load_inbox
from .widgets.berkas import BerkasEntry, BerkasStrip
from .widgets.common import MessageBar, fill_viewport, role_label


def _ignore(_error: SipelayananError) -> None:
    """A thumbnail that cannot be read stays out of the preview."""


@dataclass(frozen=True)
class Outcome:
    code: str
    ok: bool
    text: str


def approve_fn(actor: Any, row: InboxRow) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        svc.advance(
            session, actor, row.code, expected_version=row.version, expected_step=row.current_step
        )
        return row.code

    return run


def return_fn(actor: Any, row: InboxRow, to_step: int, reason: str) -> Callable[[Session], str]:
    def run(session: Session) -> str:
        svc.return_to_step(
            session, actor, row.code, to_step=to_step, reason=reason, expected_version=row.version
        )
        return row.code

    return run


def codes_text(codes: list[str], limit: int = 6) -> str:
    """Tracking codes as a clerk reads them in a confirmation: at most ``limit``, then "…"."""
    shown = ", ".join(format_tracking_code(c) for c in codes[:limit])
    return shown + (tr(" dan {n} lainnya", n=len(codes) - limit) if len(codes) > limit else "")


def back_targets(row: InboxRow) -> list[int]:
    sdef = services().get(row.service)
    if sdef is None:
        return []
    try:
        return list(sdef.step(row.current_step).back_targets())
    except KeyError:
        return []


def needs_fields(row: InboxRow) -> bool:
    """Steps that record something (a document number, a hand-over) are done in the request
    window, not approved in a batch."""
    sdef = services().get(row.service)
    if sdef is None:
        return True
    try:
        return bool(sdef.step(row.current_step).records)
    except KeyError:
        return True


class ReviewTable(QTableView):
    approve = Signal()
    start_return = Signal()
    open_current = Signal()
    escape = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not (
            event.modifiers()
            & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        )
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.approve.emit()
        elif key == Qt.Key.Key_K and plain:
            self.start_return.emit()
        elif key == Qt.Key.Key_O and plain:
            self.open_current.emit()
        elif key == Qt.Key.Key_Escape:
            self.escape.emit()
        else:
            super().keyPressEvent(event)


class ReviewPage(QWidget):
    title = tr("Tinjauan")
    loaded = Signal()
    batch_finished = Signal(list)  # list[Outcome]

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.roles = tuple(r for r in ctx.user.roles if r in REVIEW_ROLES)
        self._generation = 0
        self._preview_generation = 0
        self._pending: dict[str, InboxRow] = {}
        self._outcomes: list[Outcome] = []
        self._confirm_codes: list[str] | None = None
        self._return_rows: list[InboxRow] = []
        self._next_code: str | None = None  # where the selection goes after a decision
        self._next_index = 0
        self.preview_view: CaseView | None = None

        heading = QLabel(tr("Tinjauan"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        sub = QLabel(
            tr(
                "Menunggu keputusan {peran}. ↑↓ pilih · Shift+↑↓ / Ctrl+A pilih "
                "beberapa · Enter setujui · K kembalikan dengan koreksi · O buka",
                peran=", ".join(role_label(r) for r in self.roles),
            ),
            self,
        )
        sub.setStyleSheet("color: #5f6368;")
        sub.setWordWrap(True)
        self.message = MessageBar(self)

        self.model = InboxModel(self)
        self.model.fetch_requested.connect(self._fetch_more)
        self.table = ReviewTable(self)
        self.table.setObjectName("review_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        for col in (3, 5):
            self.table.hideColumn(col)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(60)
        for col, width in ((0, 92), (1, 92), (2, 150), (4, 260), (6, 92), (7, 96)):
            self.table.setColumnWidth(col, width)
        # name and step share the rest: Status in view at 1366×768 and 125 %
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.approve.connect(self.approve_selected)
        self.table.start_return.connect(self.begin_return)
        self.table.open_current.connect(self.open_current)
        self.table.escape.connect(self.cancel_pending)
        self.table.doubleClicked.connect(lambda _i: self.open_current())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._load_preview())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.empty = QLabel(tr("Tidak ada permohonan yang menunggu keputusan Anda."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #5f6368; font-size: 14px; padding: 30px;")
        self.empty.hide()

        # return-with-koreksi bar
        self.return_bar = QFrame(self)
        self.return_bar.setObjectName("ReturnBar")
        self.return_bar.setStyleSheet(
            "#ReturnBar { background: #fef7e0; border: 1px solid #fdd663; border-radius: 4px; }"
        )
        rl = QHBoxLayout(self.return_bar)
        self.return_label = QLabel(self.return_bar)
        self.return_target = QComboBox(self.return_bar)
        self.return_reason = QLineEdit(self.return_bar)
        self.return_reason.setObjectName("koreksi")
        self.return_reason.setPlaceholderText(tr("koreksi (wajib) — Enter kirim, Esc batal"))
        self.return_reason.setMaxLength(2000)
        self.return_reason.returnPressed.connect(self.send_return)
        send = QPushButton(tr("Kembalikan"), self.return_bar)
        send.clicked.connect(self.send_return)
        rl.addWidget(self.return_label)
        rl.addWidget(self.return_target)
        rl.addWidget(self.return_reason, 1)
        rl.addWidget(send)
        self.return_bar.hide()

        self.approve_button = QPushButton(tr("Setujui (Enter)"), self)
        self.approve_button.setObjectName("approve_button")
        self.approve_button.setStyleSheet("QPushButton { font-weight: 600; padding: 5px 16px; }")
        self.approve_button.clicked.connect(self.approve_selected)
        self.return_button = QPushButton(tr("Kembalikan (K)"), self)
        self.return_button.clicked.connect(self.begin_return)
        self.open_button = QPushButton(tr("Buka (O)"), self)
        self.open_button.clicked.connect(self.open_current)
        buttons = QHBoxLayout()
        self.selection_label = QLabel(self)
        buttons.addWidget(self.selection_label)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.approve_button)

        # preview
        preview = QWidget(self)
        pl = QVBoxLayout(preview)
        pl.setContentsMargins(0, 0, 0, 0)
        self.preview_title = QLabel(preview)
        self.preview_title.setWordWrap(True)
        self.preview_title.setStyleSheet("font-weight: 600;")
        self.preview_berkas = BerkasStrip(parent=preview)
        self.preview_berkas.setMaximumHeight(190)
        self.preview_berkas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.no_berkas = QLabel(tr("Belum ada berkas tersimpan untuk permohonan ini."), preview)
        self.no_berkas.setStyleSheet("color: #5f6368;")
        self.no_berkas.hide()
        self.preview_thread = QTextBrowser(preview)
        self.preview_thread.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        pl.addWidget(self.preview_title)
        pl.addWidget(QLabel(tr("Berkas"), preview))
        pl.addWidget(self.preview_berkas)
        pl.addWidget(self.no_berkas)
        pl.addWidget(QLabel(tr("Riwayat dan koreksi"), preview))
        pl.addWidget(self.preview_thread, 1)

        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.table, 1)
        ll.addWidget(self.empty)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(preview)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([800, 400])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading)
        layout.addWidget(sub)
        layout.addWidget(splitter, 1)
        # messages below the list: a confirmation never moves the rows under the mouse
        layout.addWidget(self.message)
        layout.addWidget(self.return_bar)
        layout.addLayout(buttons)
        self.setFocusProxy(self.table)
        self._update_buttons()

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        if self._pending:
            return  # a batch is running; it refreshes when it ends
        self._generation += 1
        generation = self._generation
        limit = max(PAGE_SIZE, len(self.model.rows))
        self.model.loading = True
        self.ctx.ops.run(
            load_inbox(self.roles, None, limit, None, True),
            on_done=lambda d: self._on_loaded(d, generation, True),
            on_error=self._on_error,
            parent=self,
        )

    def _fetch_more(self) -> None:
        generation = self._generation
        self.ctx.ops.run(
            load_inbox(self.roles, None, PAGE_SIZE, self.model.last_key(), False),
            on_done=lambda d: self._on_loaded(d, generation, False),
            on_error=self._on_error,
            parent=self,
        )

    def _on_loaded(self, data: InboxPageData, generation: int, replace: bool) -> None:
        if generation != self._generation:
            return
        self.model.loading = False
        if data.calendar is not None:
            self.model.calendar = data.calendar
        if replace:
            keep = set(self.selected_codes())
            current = self.current_row()
            self.model.set_rows(data.rows, data.more)
            self._restore_selection(keep, current.code if current else None)
        else:
            self.model.append_rows(data.rows, data.more)
        has_rows = bool(self.model.rows)
        self.table.setVisible(has_rows)
        self.empty.setVisible(not has_rows)
        QTimer.singleShot(0, self, lambda: fill_viewport(self.table))
        if not has_rows:
            self._clear_preview()
        self._update_buttons()
        self.loaded.emit()

    def _on_error(self, error: SipelayananError) -> None:
        self.model.loading = False
        self.message.error(str(error))

    def _restore_selection(self, codes: set[str], current: str | None) -> None:
        sel = self.table.selectionModel()
        flags = sel.SelectionFlag
        sel.clear()
        rows = self.model.rows
        at = next((i for i, r in enumerate(rows) if r.code == current), None)
        if at is None and self._next_code is not None:  # after a decision: the next row
            at = next((i for i, r in enumerate(rows) if r.code == self._next_code), None)
            if at is None and rows:
                at = min(self._next_index, len(rows) - 1)
        if at is None and rows:
            at = 0
        self._next_code = None
        if at is not None:
            sel.setCurrentIndex(self.model.index(at, 0), flags.ClearAndSelect | flags.Rows)
        for i, r in enumerate(rows):
            if r.code in codes:
                sel.select(self.model.index(i, 0), flags.Select | flags.Rows)
        self._load_preview()

    # ------------------------------------------------------------------ selection
    def current_row(self) -> InboxRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def selected_rows(self) -> list[InboxRow]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        out = [self.model.rows[i] for i in rows if 0 <= i < len(self.model.rows)]
        if not out:
            current = self.current_row()
            return [current] if current else []
        return out

    def selected_codes(self) -> list[str]:
        return [r.code for r in self.selected_rows()]

    def select_codes(self, codes: list[str]) -> None:
        sel = self.table.selectionModel()
        sel.clear()
        for i, r in enumerate(self.model.rows):
            if r.code in codes:
                sel.select(
                    self.model.index(i, 0), sel.SelectionFlag.Select | sel.SelectionFlag.Rows
                )
        self._update_buttons()

    def _update_buttons(self) -> None:
        rows = self.selected_rows() if self.model.rows else []
        busy = bool(self._pending)
        self.approve_button.setEnabled(bool(rows) and not busy)
        self.return_button.setEnabled(
            len(rows) >= 1 and not busy and all(back_targets(r) for r in rows)
        )
        self.open_button.setEnabled(self.current_row() is not None)
        self.approve_button.setText(
            tr("Setujui {n} (Enter)", n=len(rows)) if len(rows) > 1 else tr("Setujui (Enter)")
        )
        self.selection_label.setText(tr("{n} dipilih", n=len(rows)) if len(rows) > 1 else "")

    # ------------------------------------------------------------------ preview
    def _clear_preview(self) -> None:
        self.preview_view = None
        self.preview_title.clear()
        self.preview_berkas.clear_entries()
        self.preview_thread.clear()

    def _load_preview(self) -> None:
        row = self.current_row()
        self._update_buttons()
        if row is None:
            self._clear_preview()
            return
        self._preview_generation += 1
        generation = self._preview_generation
        roles = self.ctx.user.roles
        self.ctx.ops.run(
            lambda s: case_view(s, row.code, roles=roles),
            on_done=lambda v: self._show_preview(v, generation),
            on_error=lambda e: None,
            parent=self,
        )

    def _show_preview(self, view: CaseView, generation: int) -> None:
        if generation != self._preview_generation:
            return
        self.preview_view = view
        step = next((s for s in view.steps if s.no == view.current_step), None)
        self.preview_title.setText(
            f"{html.escape(view.service_name)} · {format_tracking_code(view.code)} · "
            f"{html.escape(view.pemohon_nama)}"
            + (
                f"<br><span style='font-weight:400'>{tr('Langkah')} {step.no}: "
                f"{html.escape(step.activity)}</span>"
                if step
                else ""
            )
        )
        self.preview_thread.setHtml(history_html(view))
        self.preview_berkas.clear_entries()
        for att in view.attachments[:12]:
            self.ctx.ops.run(
                partial(attachment_content, attachment_id=att.id),
                on_done=partial(self._add_thumb, att.id, att.size, generation=generation),
                on_error=_ignore,
                parent=self,
            )
        self.no_berkas.setVisible(not view.attachments)
        self.preview_berkas.setVisible(bool(view.attachments))

    def _add_thumb(
        self, att_id: int, size: int, data: tuple[str, str, bytes], *, generation: int
    ) -> None:
        if generation != self._preview_generation:
            return
        filename, mime, content = data
        self.preview_berkas.add_entry(BerkasEntry(att_id, filename, mime, size, content=content))

    # ------------------------------------------------------------------ actions
    def open_current(self) -> None:
        row = self.current_row()
        if row is not None:
            self.ctx.open_case(row.code)

    def cancel_pending(self) -> None:
        self._confirm_codes = None
        self.return_bar.hide()
        if self.message.level == "warning":
            self.message.clear()
        self.table.setFocus()

    def approve_selected(self) -> None:
        if self._pending:
            return
        rows = self.selected_rows()
        if not rows:
            return
        blocked = [r for r in rows if needs_fields(r)]
        if blocked:
            self.message.warning(
                tr(
                    "{kode} perlu isian langkah; buka permohonannya (O).",
                    kode=", ".join(format_tracking_code(r.code) for r in blocked),
                )
            )
            return
        codes = [r.code for r in rows]
        if len(rows) > 1 and self._confirm_codes != codes:
            self._confirm_codes = codes
            self.message.warning(
                tr(
                    "Setujui {n} permohonan sekaligus ({kode})? Tekan Enter sekali lagi "
                    "untuk memastikan, Esc untuk batal.",
                    n=len(rows),
                    kode=codes_text(codes),
                )
            )
            return
        self._confirm_codes = None
        self._run_batch([(r, approve_fn(self.ctx.actor, r)) for r in rows], "approve")

    def begin_return(self) -> None:
        if self._pending:
            return
        rows = self.selected_rows()
        if not rows:
            return
        targets = [back_targets(r) for r in rows]
        if not all(targets):
            self.message.warning(
                tr("Langkah ini tidak dapat dikembalikan ke langkah sebelumnya menurut SOP.")
            )
            return
        self._return_rows = rows
        common = sorted(set(targets[0]).intersection(*map(set, targets[1:])))
        self.return_target.clear()
        sdef = services().get(rows[0].service)
        for t in common or targets[0]:
            label = tr("ke langkah {n}", n=t)
            if sdef is not None and len(rows) == 1:
                with contextlib.suppress(KeyError):
                    label += f" ({role_label(sdef.step(t).role)})"
            self.return_target.addItem(label, t)
        self.return_target.setVisible(self.return_target.count() > 1 or len(rows) == 1)
        shown = (
            format_tracking_code(rows[0].code)
            if len(rows) == 1
            else tr("{n} permohonan", n=len(rows))
        )
        self.return_label.setText(tr("Kembalikan {apa}", apa=shown))
        self.return_reason.clear()
        self.return_bar.show()
        self.return_reason.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.return_bar.isVisible():
            self.cancel_pending()
            return
        super().keyPressEvent(event)

    def send_return(self) -> None:
        reason = self.return_reason.text().strip()
        if not reason:
            self.message.error(tr("Tuliskan koreksinya: apa yang harus diperbaiki."))
            self.return_reason.setFocus()
            return
        rows = self._return_rows
        if not rows:
            return
        chosen = self.return_target.currentData()
        jobs = []
        for r in rows:
            targets = back_targets(r)
            to = chosen if chosen in targets else targets[0]
            jobs.append((r, return_fn(self.ctx.actor, r, int(to), reason)))
        self.return_bar.hide()
        self._run_batch(jobs, "return")

    def _remember_next(self, decided: list[InboxRow]) -> None:
        """The row the selection moves to once ``decided`` leave the list: the first one
        after the last decided row (else the one before), never back to the top."""
        gone = {r.code for r in decided}
        rows = self.model.rows
        positions = [i for i, r in enumerate(rows) if r.code in gone]
        if not positions:
            self._next_code, self._next_index = None, 0
            return
        after = [r.code for r in rows[positions[-1] + 1 :] if r.code not in gone]
        before = [r.code for r in rows[: positions[0]] if r.code not in gone]
        self._next_code = after[0] if after else (before[-1] if before else None)
        self._next_index = positions[0]

    def _run_batch(self, jobs: list[tuple[InboxRow, Callable[[Session], str]]], kind: str) -> None:
        self._remember_next([r for r, _fn in jobs])
        self._outcomes = []
        self._pending = {r.code: r for r, _fn in jobs}
        self._update_buttons()
        self.message.info(tr("Menyimpan {n} permohonan…", n=len(jobs)))
        for row, fn in jobs:
            self.ctx.ops.run(
                fn,
                write=True,
                on_done=partial(self._job_ok, row, kind),
                on_error=partial(self._job_failed, row, kind),
                parent=self,
            )

    def _job_ok(self, row: InboxRow, kind: str, _code: str) -> None:
        self._job_done(row, True, "", kind)

    def _job_failed(self, row: InboxRow, kind: str, error: SipelayananError) -> None:
        self._job_done(row, False, str(error), kind)

    def _job_done(self, row: InboxRow, ok: bool, text: str, kind: str) -> None:
        self._outcomes.append(Outcome(row.code, ok, text))
        self._pending.pop(row.code, None)
        if self._pending:
            return
        good = [o for o in self._outcomes if o.ok]
        bad = [o for o in self._outcomes if not o.ok]
        verb = tr("disetujui") if kind == "approve" else tr("dikembalikan dengan koreksi")
        if len(good) == 1:
            summary = tr("{kode} {verb}.", kode=format_tracking_code(good[0].code), verb=verb)
        elif good:
            summary = tr(
                "{n} permohonan {verb}: {kode}.",
                n=len(good),
                verb=verb,
                kode=codes_text([o.code for o in good]),
            )
        else:
            summary = tr("Tidak ada permohonan yang {verb}.", verb=verb)
        if bad:
            details = "\n".join(f"{format_tracking_code(o.code)}: {o.text}" for o in bad)
            self.message.warning(summary + " " + tr("{n} gagal:", n=len(bad)) + "\n" + details)
        else:
            self.message.success(summary)
        self.ctx.show_status(summary)
        outcomes = list(self._outcomes)
        self._update_buttons()
        self.refresh()
        self.table.setFocus()
        self.batch_finished.emit(outcomes)

    def codes(self) -> list[str]:
        return [r.code for r in self.model.rows]
