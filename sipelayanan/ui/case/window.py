"""The request window: header, the SOP's steps as a bar, berkas, checklist, the koreksi/notes
thread, and only the actions the user's roles allow at this step.

Every click calls one core action (:mod:`sipelayanan.services.actions`) with the version the
window shows; the action returns the request as it now stands, read in its own transaction, so
a click loads the request once. When someone else moved the request first, the clerk gets a
clear message and the window reloads.
"""

from __future__ import annotations

import contextlib
import functools
import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ...calendar import WorkCalendar
from ...errors import ConflictError, InputError, NotFound, SipelayananError
from ...i18n import tr
from ...identity import format_tracking_code
from ...models.cases import CaseStatus
from ...services import actions
from ...services.audit import change_token
from ...services.berkas import BerkasFile, limit_for
from ...services.changes import EVERYTHING, Changes
from ...services.messages import suggested_key
from ...services.office import DEFAULT_MAX_ATTACHMENT_BYTES, work_calendar
from ...services.queries import CaseView, attachment_content, case_view
from ...sop import ROLES, services
from ...sop.catalog import party_word
from ..access_record import CaseAccess
from ..context import UiContext
from ..intake import default_ask_files
from ..whatsapp import pretty_number
from ..widgets.berkas import AskFiles, BerkasEntry, BerkasStrip, PageViewer
from ..widgets.common import (
    SLA_BACKGROUND,
    SLA_FOREGROUND,
    SLA_LABELS,
    MessageBar,
    fmt_dt,
    fmt_minutes,
    role_label,
    sla_state,
)
from ..widgets.documents import (
    ReceiptSaver,
    compose_message,
    receipt_menu,
    show_message,
    track_sent,
)
from ..widgets.nik_reveal import NikReveal
from ..widgets.step_bar import CURRENT, DONE, StepBar, StepItem
from .forms import ActionForm, ActionForms, koreksi_label
from .html import checklist_html, history_html, koreksi_html, pending_koreksi


@dataclass(frozen=True)
class LoadedCase:
    view: CaseView
    calendar: WorkCalendar | None  # None: unchanged (a move does not reread the calendar)
    seq: int = 0  # the audit log position the view is at least as new as


def load_case_fn(code: str, roles: tuple[str, ...]) -> Callable[[Session], LoadedCase]:
    def run(session: Session) -> LoadedCase:
        seq = change_token(session)  # read first: any later change has a higher position
        return LoadedCase(case_view(session, code, roles=roles), work_calendar(session), seq)

    return run


def _content_fn(attachment_id: int) -> Callable[[Session], tuple[str, str, bytes]]:
    return lambda session: attachment_content(session, attachment_id)


#: the ``acted`` signal names a finished step "advance", as before the core actions
_ACTED = {"complete": "advance"}


class CaseWindow(ActionForms, QWidget):
    loaded = Signal()
    acted = Signal(str)  # the kind of move just saved

    def __init__(
        self,
        ctx: UiContext,
        code: str,
        parent: QWidget | None = None,
        *,
        ask_files: AskFiles | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.ctx = ctx
        self.code = code
        self.view: CaseView | None = None
        self.calendar = WorkCalendar()
        self.ask_files: AskFiles = ask_files or default_ask_files
        self._busy = False
        self._seen_seq = 0  # audit log position of the state shown
        self._signature: tuple[Any, ...] | None = None
        self._contents: dict[int, tuple[str, bytes, str]] = {}
        self.access = CaseAccess(ctx, self)  # what was seen is recorded (UU 27/2022)
        self._resubmit_files: dict[str, BerkasFile] = {}
        self.forms: dict[str, ActionForm] = {}
        self.message_dialog: Any = None
        self._notified = False  # the last finished step told the resident (a notify step)
        self.receipts = ReceiptSaver(ctx, self, self._report)
        self.setWindowTitle(tr("Permohonan {kode}", kode=code))
        from ..widgets.screen_fit import keep_on_screen, size_to_screen

        size_to_screen(self, 1180, 780)  # inside the available screen (1366×768, 125 %)
        geometry = ctx.settings.case_window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
            keep_on_screen(self)

        self.message = MessageBar(self)
        self.header = QFrame(self)
        self.header.setObjectName("CaseHeader")
        self.header.setStyleSheet(
            "#CaseHeader { background: #f8f9fa; border: 1px solid #dadce0; border-radius: 4px; }"
        )
        hl = QVBoxLayout(self.header)
        top = QHBoxLayout()
        self.title_label = QLabel(self.header)
        self.title_label.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title_label.setWordWrap(True)  # a long service name must not widen the window
        self.status_chip = QLabel(self.header)
        self.sla_chip = QLabel(self.header)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.status_chip)
        top.addWidget(self.sla_chip)
        self.pemohon_label = QLabel(self.header)
        self.pemohon_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pemohon_label.setWordWrap(True)
        self.detail_label = QLabel(self.header)
        self.detail_label.setStyleSheet("color: #5f6368;")
        self.detail_label.setWordWrap(True)
        hl.addLayout(top)
        self.nik_reveal = NikReveal(ctx, self.header)  # masked; the roles allowed reveal it
        who_row = QHBoxLayout()
        who_row.addWidget(self.pemohon_label, 1)  # wraps only when the window is narrow
        who_row.addWidget(self.nik_reveal)
        hl.addLayout(who_row)
        hl.addWidget(self.detail_label)

        self.step_bar = StepBar(self)

        # left: berkas / checklist / thread
        self.tabs = QTabWidget(self)
        berkas_tab = QWidget(self.tabs)
        self.berkas = BerkasStrip(parent=berkas_tab)
        self.berkas.setMaximumHeight(190)
        self.berkas.currentItemChanged.connect(lambda *_: self._show_selected_berkas())
        self.viewer = PageViewer(berkas_tab)
        bl = QVBoxLayout(berkas_tab)
        bl.addWidget(self.berkas)
        bl.addWidget(self.viewer, 1)
        self.tabs.addTab(berkas_tab, tr("Berkas"))
        self.checklist_view = QTextBrowser(self.tabs)
        self.tabs.addTab(self.checklist_view, tr("Persyaratan"))
        self.history_view = QTextBrowser(self.tabs)
        self.history_view.setObjectName("thread")
        self.tabs.addTab(self.history_view, tr("Riwayat dan koreksi"))

        # right: actions
        self.actions_area = QScrollArea(self)
        self.actions_area.setWidgetResizable(True)
        self.actions_area.setMinimumWidth(400)
        self.actions_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.actions_host = QWidget(self.actions_area)
        self.actions_layout = QVBoxLayout(self.actions_host)
        self.actions_area.setWidget(self.actions_host)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.actions_area)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([700, 480])

        self.receipt_button = QPushButton(tr("Tanda terima"), self)
        receipt_menu(self.receipt_button, lambda fmt: self.receipts.save(self.code, fmt))
        self.wa_button = QPushButton(tr("Pesan WhatsApp…"), self)
        self.wa_button.clicked.connect(self.compose_whatsapp)
        reload_button = QPushButton(tr("Muat ulang (F5)"), self)
        reload_button.clicked.connect(self.reload)
        close_button = QPushButton(tr("Tutup"), self)
        close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.receipt_button)
        bottom.addWidget(self.wa_button)
        bottom.addStretch(1)
        bottom.addWidget(reload_button)
        bottom.addWidget(close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.step_bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)  # below the work: a message never moves it (12.6)
        layout.addLayout(bottom)

        QShortcut(QKeySequence("F5"), self, self.reload)
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self._primary)

        ctx.ops.changed.connect(self._on_changed)
        self.max_bytes = DEFAULT_MAX_ATTACHMENT_BYTES
        ctx.ops.run(limit_for, on_done=self._set_limit, on_error=lambda e: None, parent=self)
        self.reload()

    def _set_limit(self, limit: int) -> None:
        """The office's berkas size limit (office profile), checked before anything is sent."""
        self.max_bytes = int(limit)

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        self.ctx.ops.run(
            load_case_fn(self.code, self.ctx.user.roles),
            on_done=self._on_loaded,
            on_error=self._on_load_error,
            parent=self,
        )

    def _on_changed(self, changes: Changes = EVERYTHING) -> None:
        """Reload only when this request changed after the state shown (or anything might
        have); the window's own move already brought its result."""
        if not self._busy and changes.case_changed_after(self.code, self._seen_seq):
            self.reload()

    def _on_load_error(self, error: SipelayananError) -> None:
        self.message.error(str(error))
        if isinstance(error, NotFound | InputError):
            self._clear_actions()
            self._add_note(tr("Permohonan tidak dapat dimuat."))

    def _on_loaded(self, loaded: LoadedCase) -> None:
        view = loaded.view
        old = self.view
        self.view = view
        self._seen_seq = max(self._seen_seq, loaded.seq)
        if loaded.calendar is not None:
            self.calendar = loaded.calendar
        self.code = view.code
        self.access.opened(view.code)
        self.setWindowTitle(
            tr(
                "{kode} — {layanan} — SiPelayanan",
                kode=format_tracking_code(view.code),
                layanan=view.service_name,
            )
        )
        self._fill_header(view)
        self._fill_steps(view)
        self.history_view.setHtml(history_html(view))
        self.checklist_view.setHtml(checklist_html(view))
        self._fill_berkas(view, old)
        signature = (
            view.status,
            view.current_step,
            tuple(sorted((k, str(v)) for k, v in view.allowed.items())),
        )
        if signature != self._signature:
            moved_by_other = (
                self._signature is not None
                and not self._busy
                and old is not None
                and old.version != view.version
            )
            self._signature = signature
            self._build_actions(view)
            if moved_by_other:
                self.message.warning(
                    tr(
                        "Permohonan ini baru saja dipindahkan oleh petugas lain "
                        "(sekarang: langkah {n}, {status}).",
                        n=view.current_step,
                        status=view.status_label,
                    )
                )
        self.receipt_button.setEnabled(ReceiptSaver.available())
        self.loaded.emit()

    # ------------------------------------------------------------------ header & steps
    def _fill_header(self, view: CaseView) -> None:
        sdef = services().get(view.service)
        name = sdef.name if sdef else view.service_name
        self.title_label.setText(
            f"{html.escape(name)} · <span style='font-family:monospace'>"
            f"{format_tracking_code(view.code)}</span>"
        )
        status_colours = {
            CaseStatus.PROSES: ("#e8f0fe", "#174ea6"),
            CaseStatus.MENUNGGU_PEMOHON: ("#fef7e0", "#8a5a00"),
            CaseStatus.SELESAI: ("#e6f4ea", "#137333"),
            CaseStatus.BATAL: ("#f1f3f4", "#5f6368"),
        }
        bg, fg = status_colours.get(view.status, ("#f1f3f4", "#202124"))
        self.status_chip.setText(tr(view.status_label))
        self.status_chip.setStyleSheet(
            f"background: {bg}; color: {fg}; border-radius: 9px;"
            " padding: 2px 10px; font-weight: 600;"
        )
        if view.status == CaseStatus.PROSES:
            state = sla_state(self.calendar, view.due_at, datetime.now(UTC))
            self.sla_chip.setText(
                tr(
                    "{status} · jatuh tempo {waktu}",
                    status=tr(SLA_LABELS[state]),
                    waktu=fmt_dt(view.due_at),
                )
            )
            self.sla_chip.setStyleSheet(
                f"background: {SLA_BACKGROUND[state].name()}; color: "
                f"{SLA_FOREGROUND[state].name()}; border-radius: 9px; padding: 2px 10px;"
            )
            self.sla_chip.show()
        else:
            self.sla_chip.hide()
        who = [f"<b>{html.escape(view.pemohon_nama)}</b>"]
        self.nik_reveal.set_case(view.code, view.nik_masked)
        who.append(tr("WA {wa}", wa=pretty_number(view.wa.lstrip("+")) or view.wa))
        if view.kecamatan:
            from ...identity import kecamatan_name

            who.append(tr("Kec. {nama}", nama=kecamatan_name(view.kecamatan) or view.kecamatan))
        self.pemohon_label.setText(" · ".join(who))
        details = [
            tr("Diterima {waktu}", waktu=fmt_dt(view.received_at, with_day=True)),
            tr("SOP versi {v}", v=view.sop_version),
        ]
        if view.register_number:
            details.append(tr("No. register {no}", no=view.register_number))
        if view.queue_number:
            details.append(tr("No. antrian {no}", no=view.queue_number))
        for kind, number in view.documents:
            details.append(f"{kind}: {number}")
        if view.delivery:
            if view.delivery.get("resi"):
                details.append(tr("Dikirim PT POS, resi {resi}", resi=view.delivery["resi"]))
            elif view.delivery.get("recipient"):
                details.append(tr("Diambil oleh {nama}", nama=view.delivery["recipient"]))
        if view.finished_at:
            details.append(tr("Selesai {waktu}", waktu=fmt_dt(view.finished_at)))
        if view.cancel_reason:
            details.append(tr("Dibatalkan: {alasan}", alasan=view.cancel_reason))
        if view.solusi:
            details.append(tr("Solusi: {solusi}", solusi=view.solusi))
        if view.uraian:
            details.append(tr("Catatan: {uraian}", uraian=view.uraian))
        self.detail_label.setText(" · ".join(details))

    def _fill_steps(self, view: CaseView) -> None:
        now = datetime.now(UTC)
        items: list[StepItem] = []
        for step in view.steps:
            done_entries = [
                h for h in view.history if h.step_no == step.no and h.action in ("selesai", "tutup")
            ]
            detail = ""
            late = False
            if step.state == DONE and done_entries:
                h = done_entries[-1]
                late = h.working_minutes > h.standard_minutes
                detail = tr(
                    "Selesai oleh {nama} ({user})\n{waktu} · {lama} kerja",
                    nama=h.full_name,
                    user=h.username,
                    waktu=fmt_dt(h.ended_at),
                    lama=fmt_minutes(h.working_minutes),
                )
            elif step.state == CURRENT:
                elapsed = self.calendar.working_minutes(view.step_started_at, now)
                late = elapsed > step.minutes
                detail = tr(
                    "Di langkah ini sejak {waktu} · {lama} kerja",
                    waktu=fmt_dt(view.step_started_at),
                    lama=fmt_minutes(elapsed),
                )
            items.append(
                StepItem(
                    step.no,
                    step.activity,
                    role_label(step.role),
                    step.minutes,
                    step.state,
                    detail,
                    late,
                )
            )
        self.step_bar.set_steps(
            items, finished=view.status in (CaseStatus.SELESAI, CaseStatus.BATAL)
        )

    # ------------------------------------------------------------------ berkas
    def _fill_berkas(self, view: CaseView, old: CaseView | None) -> None:
        ids = [a.id for a in view.attachments]
        if old is not None and [a.id for a in old.attachments] == ids:
            return
        self.berkas.clear_entries()
        self.tabs.setTabText(0, tr("Berkas ({n})", n=len(ids)))
        if not ids:
            self.viewer.clear()
            self.viewer.image_label.setText(tr("Belum ada berkas tersimpan untuk permohonan ini."))
            return
        for att in view.attachments:
            if att.id in self._contents:
                _f, content, _mime = self._contents[att.id]
                self.berkas.add_entry(
                    BerkasEntry(att.id, att.filename, att.mime, att.size, content=content)
                )
                continue
            self.ctx.ops.run(
                _content_fn(att.id),
                on_done=functools.partial(self._on_content, att.id, att.size),
                on_error=lambda e: None,
                parent=self,
            )

    def _on_content(self, att_id: int, size: int, data: tuple[str, str, bytes]) -> None:
        filename, mime, content = data
        self._contents[att_id] = (filename, content, mime)
        self.berkas.add_entry(BerkasEntry(att_id, filename, mime, size, content=content))
        if self.berkas.count() == 1:
            self.berkas.setCurrentRow(0)

    def _show_selected_berkas(self) -> None:
        entry = self.berkas.current_entry()
        if entry is None:
            return
        stored = self._contents.get(int(str(entry.key)))
        if stored is not None:
            self.viewer.set_content(stored[0], stored[1], stored[2])
            self.access.berkas(int(str(entry.key)))

    # ------------------------------------------------------------------ actions
    def _clear_actions(self) -> None:
        self.forms.clear()
        while self.actions_layout.count():
            item = self.actions_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()

    def _add_note(self, text: str) -> None:
        label = QLabel(text, self.actions_host)
        label.setWordWrap(True)
        label.setStyleSheet("color: #5f6368; padding: 8px;")
        self.actions_layout.addWidget(label)

    def _build_actions(self, view: CaseView) -> None:
        self._clear_actions()
        allowed = view.allowed
        step = next((s for s in view.steps if s.no == view.current_step), None)
        koreksi = pending_koreksi(view)
        if koreksi is not None:  # the koreksi first, before anything else (issue 12.4)
            self.actions_layout.addWidget(koreksi_label(koreksi_html(koreksi), self.actions_host))
            self.tabs.setCurrentWidget(self.history_view)
        if view.status == CaseStatus.PROSES and step is not None:
            head = QLabel(
                tr(
                    "<b>Langkah {n}: {kegiatan}</b><br>{peran} · mutu baku {m} menit",
                    n=step.no,
                    kegiatan=html.escape(step.activity),
                    peran=role_label(step.role),
                    m=step.minutes,
                ),
                self.actions_host,
            )
            head.setWordWrap(True)
            self.actions_layout.addWidget(head)
        if allowed.get("advance"):
            self._form_advance(view)
        if allowed.get("close"):
            self._form_close(view)
        if allowed.get("back_to"):
            self._form_back(view, list(allowed["back_to"]))
        if allowed.get("return_pemohon"):
            self._form_return_pemohon(view)
        if allowed.get("resubmit"):
            self._form_resubmit(view)
        if not self.forms:
            if view.status == CaseStatus.PROSES and step is not None:
                self._add_note(
                    tr(
                        "Tidak ada tindakan untuk Anda pada langkah ini. Langkah {n} "
                        "dikerjakan oleh {peran}.",
                        n=step.no,
                        peran=role_label(step.role),
                    )
                )
            elif view.status == CaseStatus.MENUNGGU_PEMOHON:
                role = next((s.role for s in view.steps if s.no == view.current_step), "")
                self._add_note(
                    tr(
                        "Menunggu kelengkapan berkas dari {pihak}. Berkas susulan "
                        "dicatat oleh {peran}.",
                        pihak=party_word(view.service),
                        peran=ROLES.get(role, role),
                    )
                )
            else:
                self._add_note(
                    tr(
                        "Permohonan ini sudah {status}; tidak ada tindakan lagi.",
                        status=view.status_label.lower(),
                    )
                )
        if allowed.get("cancel"):
            self._form_cancel(view)
        self.actions_layout.addStretch(1)
        self._update_buttons()

    def _update_buttons(self) -> None:
        for form in self.forms.values():
            if form.button is not None:
                form.button.setEnabled(not self._busy)

    # ------------------------------------------------------------------ moves
    def _primary(self) -> None:
        for key, slot in (("advance", self.advance), ("resubmit", self.resubmit)):
            if key in self.forms:
                slot()
                return

    def _act(self, fn: Callable[[Session], actions.ActionResult]) -> None:
        """Run one core action in a write unit; its result brings the request as it now is."""
        if self._busy or self.view is None:
            return
        self._busy = True
        self._update_buttons()
        self.message.info(tr("Menyimpan…"))
        self.ctx.ops.run(
            fn, write=True, on_done=self._on_moved, on_error=self._on_move_error, parent=self
        )

    def _on_move_error(self, error: SipelayananError) -> None:
        self._busy = False
        self._update_buttons()
        if isinstance(error, ConflictError):
            self.message.warning(str(error))
            self._signature = None  # rebuild the forms for where the request is now
            self.reload()
            return
        self.message.error(str(error))

    def _on_moved(self, result: actions.ActionResult) -> None:
        self._busy = False
        texts = {
            "complete": tr("Langkah selesai; permohonan diteruskan ke langkah {n}.", n=result.step),
            "close": tr("Pengaduan ditutup dengan solusi sederhana."),
            "back": tr("Dikembalikan ke langkah {n} dengan koreksi.", n=result.step),
            "return_pemohon": tr(
                "Dikembalikan ke {pihak}; kirim pesan kekurangannya.",
                pihak=party_word(self.view.service if self.view else ""),
            ),
            "resubmit": tr(
                "Berkas susulan dicatat; permohonan berlanjut di langkah {n}.", n=result.step
            ),
            "cancel": tr("Permohonan dibatalkan."),
        }
        text = texts.get(result.kind, tr("Tersimpan."))
        if result.kind == "complete" and result.status == CaseStatus.SELESAI:
            text = tr("Permohonan selesai.")
            if result.message_key == "dokumen_selesai" and self._notified:
                text += " " + tr("Pemohon diberi tahu; catat pengambilan di Siap diambil.")
        if result.register_number and result.kind == "complete":
            text += " " + tr("Nomor register: {no}.", no=result.register_number)
        if result.message_error:
            text += " " + result.message_error
        self.message.success(text)
        self.ctx.show_status(f"{format_tracking_code(result.code)}: {text}")
        self._signature = None
        self._resubmit_files.clear()
        self.acted.emit(_ACTED.get(result.kind, result.kind))
        if result.message is not None:
            self.message_dialog = show_message(self, result.message)
            if result.message_key:
                track_sent(self.ctx, self.message_dialog, result.code, result.message_key)
        if result.view is not None:  # read in the action's transaction: no second load
            self._on_loaded(LoadedCase(result.view, None, result.seq))
        else:
            self.reload()

    def advance(self) -> None:
        view = self.view
        if view is None or "advance" not in self.forms:
            return
        inp = self.complete_input(view)
        if inp is None:
            return
        self._notified = bool(view.allowed.get("notifies"))
        actor, code, roles = self.ctx.actor, view.code, self.ctx.user.roles
        self._act(lambda s: actions.complete_step(s, actor, code, inp, roles=roles))

    def close_simple(self) -> None:
        view = self.view
        if view is None or "close" not in self.forms:
            return
        inp = self.close_input(view)
        if inp is None:
            return
        actor, code, roles = self.ctx.actor, view.code, self.ctx.user.roles
        self._act(lambda s: actions.close_simple(s, actor, code, inp, roles=roles))

    def return_to_step(self) -> None:
        view = self.view
        if view is None or "back" not in self.forms:
            return
        inp = self.return_input(view)
        if inp is None:
            return
        actor, code, roles = self.ctx.actor, view.code, self.ctx.user.roles
        self._act(lambda s: actions.return_to_step(s, actor, code, inp, roles=roles))

    def return_to_pemohon(self) -> None:
        view = self.view
        if view is None or "return_pemohon" not in self.forms:
            return
        inp = self.return_pemohon_input(view)
        if inp is None:
            return
        actor, code, roles = self.ctx.actor, view.code, self.ctx.user.roles
        self._act(lambda s: actions.return_to_pemohon(s, actor, code, inp, roles=roles))

    def resubmit(self) -> None:
        view = self.view
        if view is None or "resubmit" not in self.forms:
            return
        inp = self.resubmit_input(view)
        actor, code, roles = self.ctx.actor, view.code, self.ctx.user.roles
        self._act(lambda s: actions.resubmit(s, actor, code, inp, roles=roles))

    def cancel(self) -> None:
        view = self.view
        if view is None or "cancel" not in self.forms:
            return
        inp = self.cancel_input(view)
        if inp is None:
            return
        actor, code, roles = self.ctx.actor, view.code, self.ctx.user.roles
        self._act(lambda s: actions.cancel(s, actor, code, inp, roles=roles))

    # ------------------------------------------------------------------ documents
    def _report(self, text: str, level: str) -> None:
        self.message.show_message(text, level)

    def message_key(self) -> str:
        """The message that fits the request's moment, decided by the core from the SOP."""
        view = self.view
        if view is None:
            return "berkas_diterima"
        sdef = services().get(view.service)
        if sdef is None:
            return "berkas_diterima"
        method = view.delivery.get("method") if view.delivery else None
        return suggested_key(
            sdef, status=view.status, current_step=view.current_step, delivery_method=method
        )

    def compose_whatsapp(self) -> None:
        if self.view is None:
            return
        key, code = self.message_key(), self.view.code

        def shown(message: Any) -> None:
            self.message_dialog = show_message(self, message)
            track_sent(self.ctx, self.message_dialog, code, key)

        self.ctx.ops.run(
            compose_message(key, code),
            on_done=shown,
            on_error=lambda e: self.message.error(str(e)),
            parent=self,
        )

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctx.settings.set_case_window_geometry(QByteArray(self.saveGeometry()))
        with contextlib.suppress(RuntimeError, TypeError):
            self.ctx.ops.changed.disconnect(self._on_changed)
        super().closeEvent(event)
