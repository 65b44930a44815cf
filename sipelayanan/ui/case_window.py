"""The request window: header, the SOP's steps as a bar, berkas, checklist, the koreksi/notes
thread, and only the actions the user's roles allow at this step.

Every move is sent with the version the window shows; when someone else moved the request
first, the clerk gets a clear message and the window reloads (typed text is kept when the same
form is still there).
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ..calendar import WorkCalendar
from ..errors import ConflictError, InputError, NotFound, SipelayananError
from ..i18n import tr
from ..identity import format_tracking_code
from ..models.cases import CaseStatus
from ..services import cases as svc
from ..services.audit import change_token
from ..services.berkas import BerkasFile, limit_for, read_checked
from ..services.changes import EVERYTHING, Changes
from ..services.office import DEFAULT_MAX_ATTACHMENT_BYTES, work_calendar
from ..services.queries import CaseView, attachment_content, case_view
from ..sop import ROLES, services
from .context import UiContext
from .intake import AskFiles, ChecklistWidget, default_ask_files
from .whatsapp import pretty_number
from .widgets.berkas import BerkasEntry, BerkasStrip, PageViewer
from .widgets.common import (
    SLA_BACKGROUND,
    SLA_FOREGROUND,
    SLA_LABELS,
    MessageBar,
    fmt_dt,
    fmt_minutes,
    role_label,
    sla_state,
)
from .widgets.documents import (
    ReceiptSaver,
    compose_message,
    receipt_menu,
    show_message,
    track_sent,
)
from .widgets.step_bar import CURRENT, DONE, StepBar, StepItem


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


@dataclass(frozen=True)
class MoveResult:
    kind: str
    code: str
    step: int = 0
    status: str = ""
    register_number: str | None = None
    message: Any = None  # composed WhatsApp message, when the move calls for one
    loaded: LoadedCase | None = None  # the request after the move, read in its transaction


def _after(kind: str, code: str, session: Session, message_key: str | None = None) -> MoveResult:
    message = compose_message(message_key, code)(session) if message_key else None
    return MoveResult(kind, code, message=message)


def with_view(fn: Callable[[Session], MoveResult], roles: tuple[str, ...]) -> Callable[..., Any]:
    """Worker function: the move, then the request as it now stands, read once in the same
    transaction — the window shows it without loading the request again."""

    def run(session: Session) -> MoveResult:
        moved = fn(session)
        seq = change_token(session)  # the head of the log: this move's own last entry
        view = case_view(session, moved.code, roles=roles)
        return replace(
            moved,
            code=view.code,
            step=view.current_step,
            status=view.status,
            register_number=view.register_number,
            loaded=LoadedCase(view, None, seq),
        )

    return run


def history_html(view: CaseView) -> str:
    """The koreksi/notes thread, newest last."""
    if not view.history:
        return "<p style='color:#5f6368'>" + html.escape(tr("Belum ada riwayat.")) + "</p>"
    parts = []
    for h in view.history:
        colour = {"kembali": "#a50e0e", "kembali_pemohon": "#8a5a00", "batal": "#a50e0e"}.get(
            h.action, "#137333"
        )
        head = tr("Langkah {n}. {kegiatan}", n=h.step_no, kegiatan=h.activity)
        action = h.action_label
        if h.to_step is not None:
            action = tr("Dikembalikan ke langkah {n}", n=h.to_step)
        minutes = tr(
            "{lama} kerja (mutu baku {baku} mnt)",
            lama=fmt_minutes(h.working_minutes),
            baku=h.standard_minutes,
        )
        note = ""
        if h.note:  # QTextBrowser renders tables reliably, CSS borders not
            note = (
                "<table cellspacing='0' cellpadding='0' style='margin-top:4px'><tr>"
                f"<td width='4' bgcolor='{colour}'></td>"
                "<td bgcolor='#f1f3f4' style='padding:4px 10px'>"
                + html.escape(h.note).replace("\n", "<br>")
                + "</td></tr></table>"
            )
        parts.append(
            "<p style='margin-top:0; margin-bottom:2px'>"
            f"<span style='color:{colour}; font-weight:600'>{html.escape(action)}</span> · "
            f"{html.escape(head)}<br>"
            f"<span style='color:#5f6368'>{html.escape(h.full_name)} ({html.escape(h.username)})"
            f" · {html.escape(fmt_dt(h.ended_at))} · {html.escape(minutes)}</span></p>"
            f"{note}<p style='margin:0; font-size:4px'>&nbsp;</p>"
        )
    return "".join(parts)


def checklist_html(view: CaseView) -> str:
    rows = []
    for item in view.checklist:
        if not item.applies:
            mark, colour = "–", "#9aa0a6"
        elif item.present:
            mark, colour = "✓", "#137333"
        elif item.required:
            mark, colour = "✗", "#a50e0e"
        else:
            mark, colour = "○", "#5f6368"
        extra = []
        if item.alternative_group:
            extra.append(tr("alternatif"))
        if not item.required:
            extra.append(tr("tidak wajib"))
        if not item.applies:
            extra.append(tr("tidak berlaku"))
        suffix = f" <span style='color:#5f6368'>({', '.join(extra)})</span>" if extra else ""
        rows.append(
            f"<tr><td style='color:{colour}; font-weight:700; padding-right:8px'>{mark}"
            f"</td><td>{html.escape(item.label)}{suffix}</td></tr>"
        )
    missing = ""
    if view.missing_items:
        missing = (
            "<p style='color:#8a5a00'><b>"
            + html.escape(tr("Kekurangan yang diminta:"))
            + "</b><br>"
            + "<br>".join(html.escape(m) for m in view.missing_items)
            + "</p>"
        )
    return f"<table>{''.join(rows)}</table>{missing}"


class ActionForm(QGroupBox):
    """One action the user may take; ``key`` identifies it across reloads."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.key = key
        self.form = QFormLayout(self)
        self.button: QPushButton | None = None

    def add_button(
        self, text: str, slot: Callable[[], None], *, primary: bool = False, danger: bool = False
    ) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"btn:{self.key}")
        if primary:
            button.setStyleSheet("QPushButton { font-weight: 600; padding: 5px 16px; }")
        if danger:
            button.setStyleSheet("QPushButton { color: #a50e0e; }")
        button.clicked.connect(slot)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        self.form.addRow(row)
        self.button = button
        return button


class CaseWindow(QWidget):
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
        self._resubmit_files: dict[str, BerkasFile] = {}
        self.forms: dict[str, ActionForm] = {}
        self.message_dialog: Any = None
        self.receipts = ReceiptSaver(ctx, self, self._report)
        self.setWindowTitle(tr("Permohonan {kode}", kode=code))
        self.resize(1180, 780)
        geometry = ctx.settings.case_window_geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)

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
        self.status_chip = QLabel(self.header)
        self.sla_chip = QLabel(self.header)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.status_chip)
        top.addWidget(self.sla_chip)
        self.pemohon_label = QLabel(self.header)
        self.pemohon_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_label = QLabel(self.header)
        self.detail_label.setStyleSheet("color: #5f6368;")
        self.detail_label.setWordWrap(True)
        hl.addLayout(top)
        hl.addWidget(self.pemohon_label)
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
        layout.addWidget(self.message)
        layout.addWidget(self.header)
        layout.addWidget(self.step_bar)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        QShortcut(QKeySequence("F5"), self, activated=self.reload)
        QShortcut(QKeySequence("Ctrl+W"), self, activated=self.close)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self._primary)

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
        if view.nik_masked:
            who.append(tr("NIK {nik}", nik=view.nik_masked))
        who.append(tr("WA {wa}", wa=pretty_number(view.wa.lstrip("+")) or view.wa))
        if view.kecamatan:
            from ..identity import kecamatan_name

            who.append(tr("Kec. {nama}", nama=kecamatan_name(view.kecamatan) or view.kecamatan))
        self.pemohon_label.setText(" · ".join(who))
        details = [
            tr("Diterima {waktu}", waktu=fmt_dt(view.received_at, with_day=True)),
            tr("SOP versi {v}", v=view.sop_version),
        ]
        if view.register_number:
            details.append(tr("No. register {no}", no=view.register_number))
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
                lambda s, i=att.id: attachment_content(s, i),
                on_done=lambda data, a=att: self._on_content(a.id, a.size, data),
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

    # ------------------------------------------------------------------ actions
    def _clear_actions(self) -> None:
        self.forms.clear()
        while self.actions_layout.count():
            item = self.actions_layout.takeAt(0)
            widget = item.widget()
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
        sdef = services().get(view.service)
        step = next((s for s in view.steps if s.no == view.current_step), None)
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
                role = sdef.step(view.current_step).role if sdef else ""
                self._add_note(
                    tr(
                        "Menunggu kelengkapan berkas dari pemohon. Berkas susulan "
                        "dicatat oleh {peran}.",
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

    def _note_edit(self, form: ActionForm, placeholder: str, name: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(form)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(60)
        return edit

    def _form_advance(self, view: CaseView) -> None:
        records = list(view.allowed.get("records", []))
        last = view.current_step == max(s.no for s in view.steps)
        title = tr("Selesaikan langkah {n}", n=view.current_step)
        form = ActionForm("advance", title, self.actions_host)
        self.checklist_edit: ChecklistWidget | None = None
        if view.allowed.get("return_pemohon"):  # the completeness step: tick what is there
            sdef = services().get(view.service)
            if sdef is not None:
                widget = ChecklistWidget(form)
                widget.set_service(sdef)
                for key in view.conditions:
                    if key in {c.key for c in sdef.conditions}:
                        widget.condition_box(key).setChecked(True)
                present = {c.key for c in view.checklist if c.present}
                for key in present:
                    widget.box(key).setChecked(True)
                self.checklist_edit = widget
                form.form.addRow(QLabel(tr("Periksa kelengkapan persyaratan:"), form))
                form.form.addRow(widget)
        self.doc_edit: QLineEdit | None = None
        if "nomor_dokumen" in records:
            self.doc_edit = QLineEdit(form)
            self.doc_edit.setObjectName("nomor_dokumen")
            self.doc_edit.setMaxLength(64)
            if view.documents:
                self.doc_edit.setPlaceholderText(
                    tr("sudah tercatat: {no}", no=view.documents[-1][1])
                )
            else:
                self.doc_edit.setPlaceholderText(tr("nomor dari SIAK"))
            form.form.addRow(tr("Nomor dokumen SIAK"), self.doc_edit)
        self.pos_radio: QRadioButton | None = None
        self.resi_edit: QLineEdit | None = None
        self.penerima_edit: QLineEdit | None = None
        if "penyerahan" in records:
            group = QButtonGroup(form)
            self.pos_radio = QRadioButton(tr("Dikirim lewat PT POS"), form)
            taken = QRadioButton(tr("Diambil langsung"), form)
            group.addButton(self.pos_radio)
            group.addButton(taken)
            self.resi_edit = QLineEdit(form)
            self.resi_edit.setObjectName("resi")
            self.resi_edit.setPlaceholderText(tr("nomor resi PT POS"))
            self.penerima_edit = QLineEdit(form)
            self.penerima_edit.setObjectName("penerima")
            self.penerima_edit.setPlaceholderText(tr("nama yang mengambil"))
            self.pos_radio.toggled.connect(self._toggle_delivery)
            if view.service == "KTP_EL":
                self.pos_radio.setChecked(True)
            else:
                taken.setChecked(True)
            self._toggle_delivery()
            form.form.addRow(self.pos_radio, self.resi_edit)
            form.form.addRow(taken, self.penerima_edit)
        if view.allowed.get("assigns_register"):
            sdef = services().get(view.service)
            text = tr(
                "Nomor register ({buku}) diberikan otomatis saat langkah ini selesai.",
                buku=sdef.register_name if sdef else "",
            )
            if view.register_number:
                text = tr("Nomor register: {no}", no=view.register_number)
            info = QLabel(text, form)
            info.setWordWrap(True)
            info.setStyleSheet("color: #174ea6;")
            form.form.addRow(info)
        self.solusi_edit: QPlainTextEdit | None = None
        if view.service == "PENGADUAN" and view.current_step >= 5:
            self.solusi_edit = self._note_edit(form, tr("solusi yang diputuskan"), "solusi")
            if view.solusi:
                self.solusi_edit.setPlainText(view.solusi)
            form.form.addRow(tr("Solusi"), self.solusi_edit)
        self.advance_note = self._note_edit(form, tr("catatan (opsional)"), "advance_note")
        form.form.addRow(tr("Catatan"), self.advance_note)
        form.add_button(
            tr("Selesaikan permohonan") if last else title, self.advance, primary=True
        ).setToolTip(tr("Ctrl+Enter"))
        self._add_form(form)

    def _toggle_delivery(self) -> None:
        if self.pos_radio is None or self.resi_edit is None or self.penerima_edit is None:
            return
        pos = self.pos_radio.isChecked()
        self.resi_edit.setEnabled(pos)
        self.penerima_edit.setEnabled(not pos)

    def _form_close(self, view: CaseView) -> None:
        form = ActionForm("close", tr("Selesaikan dengan solusi sederhana"), self.actions_host)
        self.close_solusi = self._note_edit(
            form, tr("solusi yang diberikan kepada pelapor"), "close_solusi"
        )
        form.form.addRow(tr("Solusi"), self.close_solusi)
        form.add_button(tr("Tutup pengaduan"), self.close_simple)
        self._add_form(form)

    def _form_back(self, view: CaseView, targets: list[int]) -> None:
        form = ActionForm("back", tr("Kembalikan dengan koreksi"), self.actions_host)
        self.back_target = QComboBox(form)
        self.back_target.setObjectName("back_target")
        self.back_target.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.back_target.setMinimumContentsLength(20)
        by_no = {s.no: s for s in view.steps}
        for t in targets:
            s = by_no.get(t)
            label = (
                tr(
                    "Langkah {n} — {peran}: {kegiatan}",
                    n=t,
                    peran=role_label(s.role),
                    kegiatan=s.activity,
                )
                if s
                else tr("Langkah {n}", n=t)
            )
            self.back_target.addItem(label, t)
        self.back_reason = self._note_edit(
            form, tr("koreksi yang harus diperbaiki (wajib)"), "back_reason"
        )
        form.form.addRow(tr("Ke"), self.back_target)
        form.form.addRow(tr("Koreksi"), self.back_reason)
        form.add_button(tr("Kembalikan"), self.return_to_step)
        self._add_form(form)

    def _form_return_pemohon(self, view: CaseView) -> None:
        form = ActionForm(
            "return_pemohon", tr("Kembalikan ke pemohon (berkas kurang)"), self.actions_host
        )
        self.missing_edit = QPlainTextEdit(form)
        self.missing_edit.setObjectName("missing")
        self.missing_edit.setTabChangesFocus(True)
        self.missing_edit.setFixedHeight(70)
        self.missing_edit.setPlaceholderText(
            tr("satu kekurangan per baris; kosongkan untuk memakai butir yang belum dicentang")
        )
        self.return_note = self._note_edit(
            form, tr("catatan untuk pemohon (opsional)"), "return_note"
        )
        form.form.addRow(tr("Kekurangan"), self.missing_edit)
        form.form.addRow(tr("Catatan"), self.return_note)
        form.add_button(tr("Kembalikan ke pemohon"), self.return_to_pemohon)
        self._add_form(form)

    def _form_resubmit(self, view: CaseView) -> None:
        form = ActionForm("resubmit", tr("Berkas susulan dari pemohon"), self.actions_host)
        if view.missing_items:
            asked = QLabel(tr("Diminta: {daftar}", daftar="; ".join(view.missing_items)), form)
            asked.setWordWrap(True)
            asked.setStyleSheet("color: #8a5a00;")
            form.form.addRow(asked)
        sdef = services().get(view.service)
        self.resubmit_checklist = ChecklistWidget(form)
        if sdef is not None:
            self.resubmit_checklist.set_service(sdef)
            for key in view.conditions:
                if key in {c.key for c in sdef.conditions}:
                    self.resubmit_checklist.condition_box(key).setChecked(True)
            for c in view.checklist:
                if c.present:
                    self.resubmit_checklist.box(c.key).setChecked(True)
        form.form.addRow(self.resubmit_checklist)
        self.resubmit_strip = BerkasStrip(accept_files=True, parent=form)
        self.resubmit_strip.setMaximumHeight(170)
        self.resubmit_strip.files_dropped.connect(self._add_resubmit_files)
        add = QPushButton(tr("Tambah berkas…"), form)
        add.clicked.connect(lambda: self._add_resubmit_files(self.ask_files(self)))
        form.form.addRow(add, self.resubmit_strip)
        self.resubmit_note = self._note_edit(form, tr("catatan (opsional)"), "resubmit_note")
        form.form.addRow(tr("Catatan"), self.resubmit_note)
        form.add_button(tr("Catat berkas susulan; lanjutkan"), self.resubmit, primary=True)
        self._add_form(form)

    def _add_resubmit_files(self, paths: list[str]) -> None:
        accepted, problems = read_checked(paths, max_bytes=self.max_bytes)
        for berkas, checked in accepted:
            if checked.sha256 not in self._resubmit_files:
                self._resubmit_files[checked.sha256] = berkas
                self.resubmit_strip.add_entry(
                    BerkasEntry(
                        checked.sha256,
                        checked.filename,
                        checked.mime,
                        checked.size,
                        content=checked.content,
                    )
                )
        if problems:
            self.message.error("\n".join(problems))

    def _form_cancel(self, view: CaseView) -> None:
        form = ActionForm("cancel", tr("Batalkan permohonan"), self.actions_host)
        form.setCheckable(True)
        self.cancel_reason = QLineEdit(form)
        self.cancel_reason.setObjectName("cancel_reason")
        self.cancel_reason.setPlaceholderText(tr("alasan pembatalan (wajib)"))
        form.form.addRow(tr("Alasan"), self.cancel_reason)
        form.add_button(tr("Batalkan permohonan"), self.cancel, danger=True)

        def unfold(on: bool) -> None:  # folded until the clerk ticks it: rarely needed
            for i in range(form.form.rowCount()):
                form.form.setRowVisible(i, on)
            form.setFlat(not on)
            if on:
                self.cancel_reason.setFocus()

        form.toggled.connect(unfold)
        form.setChecked(False)
        unfold(False)
        self._add_form(form)

    def _add_form(self, form: ActionForm) -> None:
        self.forms[form.key] = form
        self.actions_layout.addWidget(form)

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

    def _move(self, kind: str, fn: Callable[[Session], MoveResult]) -> None:
        if self._busy or self.view is None:
            return
        self._busy = True
        self._update_buttons()
        self.message.info(tr("Menyimpan…"))
        self.ctx.ops.run(
            with_view(fn, self.ctx.user.roles),
            write=True,
            on_done=self._on_moved,
            on_error=self._on_move_error,
            parent=self,
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

    def _on_moved(self, result: MoveResult) -> None:
        self._busy = False
        texts = {
            "advance": tr("Langkah selesai; permohonan diteruskan ke langkah {n}.", n=result.step),
            "close": tr("Pengaduan ditutup dengan solusi sederhana."),
            "back": tr("Dikembalikan ke langkah {n} dengan koreksi.", n=result.step),
            "return_pemohon": tr("Dikembalikan ke pemohon; kirim pesan kekurangannya."),
            "resubmit": tr(
                "Berkas susulan dicatat; permohonan berlanjut di langkah {n}.", n=result.step
            ),
            "cancel": tr("Permohonan dibatalkan."),
        }
        text = texts.get(result.kind, tr("Tersimpan."))
        if result.kind == "advance" and result.status == CaseStatus.SELESAI:
            text = tr("Permohonan selesai.")
        if result.register_number and result.kind == "advance":
            text += " " + tr("Nomor register: {no}.", no=result.register_number)
        self.message.success(text)
        self.ctx.show_status(f"{format_tracking_code(result.code)}: {text}")
        self._signature = None
        self._resubmit_files.clear()
        self.acted.emit(result.kind)
        if result.message is not None:
            self.message_dialog = show_message(self, result.message)
        if result.loaded is not None:
            self._on_loaded(result.loaded)  # read in the move's transaction: no second load
        else:
            self.reload()

    def advance(self) -> None:
        view = self.view
        if view is None or "advance" not in self.forms:
            return
        actor = self.ctx.actor
        code, version, step = view.code, view.version, view.current_step
        nomor = self.doc_edit.text().strip() if self.doc_edit is not None else ""
        if self.doc_edit is not None and not nomor and not view.documents:
            self.message.error(tr("Isi nomor dokumen dari SIAK sebelum menyelesaikan langkah ini."))
            self.doc_edit.setFocus()
            return
        resi = penerima = None
        if self.pos_radio is not None and self.resi_edit and self.penerima_edit:
            if self.pos_radio.isChecked():
                resi = self.resi_edit.text().strip()
                if not resi:
                    self.message.error(tr("Isi nomor resi PT POS."))
                    self.resi_edit.setFocus()
                    return
            else:
                penerima = self.penerima_edit.text().strip()
                if not penerima:
                    self.message.error(tr("Isi nama yang mengambil dokumen."))
                    self.penerima_edit.setFocus()
                    return
        note = self.advance_note.toPlainText().strip() or None
        solusi = (self.solusi_edit.toPlainText().strip() or None) if self.solusi_edit else None
        checklist = None
        if self.checklist_edit is not None:
            checklist = self.checklist_edit.present()
            missing = self.checklist_edit.missing()
            if missing:
                self.message.error(
                    tr(
                        "Persyaratan belum lengkap: {daftar}. Centang yang sudah "
                        "ada, atau kembalikan ke pemohon.",
                        daftar="; ".join(r.label for r in missing),
                    )
                )
                return
        last = step == max(s.no for s in view.steps)
        message_key = None
        if last and view.service != "PENGADUAN":
            message_key = "dikirim_pos" if resi else "dokumen_selesai"

        def run(session: Session) -> MoveResult:
            expected = version
            if checklist is not None and set(checklist) != {
                c.key for c in view.checklist if c.present
            }:
                ref = svc.update_checklist(
                    session, actor, code, present=checklist, expected_version=version
                )
                expected = ref.version
            svc.advance(
                session,
                actor,
                code,
                note=note,
                nomor_dokumen=nomor or None,
                resi=resi,
                penerima=penerima,
                solusi=solusi,
                expected_version=expected,
                expected_step=step,
            )
            return _after("advance", code, session, message_key)

        self._move("advance", run)

    def close_simple(self) -> None:
        view = self.view
        if view is None or "close" not in self.forms:
            return
        solusi = self.close_solusi.toPlainText().strip()
        if not solusi:
            self.message.error(tr("Tuliskan solusi yang diberikan kepada pelapor."))
            self.close_solusi.setFocus()
            return
        actor, code, version = self.ctx.actor, view.code, view.version

        def run(session: Session) -> MoveResult:
            svc.close_simple(session, actor, code, solusi=solusi, expected_version=version)
            return _after("close", code, session)

        self._move("close", run)

    def return_to_step(self) -> None:
        view = self.view
        if view is None or "back" not in self.forms:
            return
        reason = self.back_reason.toPlainText().strip()
        if not reason:
            self.message.error(tr("Tuliskan koreksinya: apa yang harus diperbaiki."))
            self.back_reason.setFocus()
            return
        target = int(self.back_target.currentData())
        actor, code, version = self.ctx.actor, view.code, view.version

        def run(session: Session) -> MoveResult:
            svc.return_to_step(
                session, actor, code, to_step=target, reason=reason, expected_version=version
            )
            return _after("back", code, session)

        self._move("back", run)

    def return_to_pemohon(self) -> None:
        view = self.view
        if view is None or "return_pemohon" not in self.forms:
            return
        lines = [ln.strip() for ln in self.missing_edit.toPlainText().splitlines() if ln.strip()]
        if not lines and self.checklist_edit is not None:
            lines = [r.key for r in self.checklist_edit.missing()]
        if not lines:
            self.message.error(
                tr(
                    "Sebutkan sedikitnya satu kekurangan berkas (atau hapus "
                    "centang butir yang belum ada)."
                )
            )
            self.missing_edit.setFocus()
            return
        note = self.return_note.toPlainText().strip() or None
        actor, code, version = self.ctx.actor, view.code, view.version

        def run(session: Session) -> MoveResult:
            svc.return_to_pemohon(
                session, actor, code, missing=lines, note=note, expected_version=version
            )
            return _after("return_pemohon", code, session, "berkas_kurang")

        self._move("return_pemohon", run)

    def resubmit(self) -> None:
        view = self.view
        if view is None or "resubmit" not in self.forms:
            return
        present = self.resubmit_checklist.present()
        files = list(self._resubmit_files.values())
        note = self.resubmit_note.toPlainText().strip() or None
        actor, code, version = self.ctx.actor, view.code, view.version

        def run(session: Session) -> MoveResult:
            svc.resubmit(
                session,
                actor,
                code,
                present=present,
                berkas=files,
                note=note,
                expected_version=version,
            )
            return _after("resubmit", code, session)

        self._move("resubmit", run)

    def cancel(self) -> None:
        view = self.view
        if view is None or "cancel" not in self.forms:
            return
        reason = self.cancel_reason.text().strip()
        if not reason:
            self.message.error(tr("Alasan pembatalan wajib diisi."))
            self.cancel_reason.setFocus()
            return
        actor, code, version = self.ctx.actor, view.code, view.version

        def run(session: Session) -> MoveResult:
            svc.cancel(session, actor, code, reason=reason, expected_version=version)
            return _after("cancel", code, session)

        self._move("cancel", run)

    # ------------------------------------------------------------------ documents
    def _report(self, text: str, level: str) -> None:
        self.message.show_message(text, level)

    def message_key(self) -> str:
        view = self.view
        if view is None:
            return "berkas_diterima"
        if view.status == CaseStatus.MENUNGGU_PEMOHON:
            return "berkas_kurang"
        if view.status == CaseStatus.SELESAI:
            if view.service == "PENGADUAN":
                return "pengaduan_dijawab"
            if view.delivery and view.delivery.get("resi"):
                return "dikirim_pos"
            return "dokumen_selesai"
        return "berkas_diterima"

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
