"""One complaint: who, what, the SP4N-LAPOR! details and the 60-day limit, the SOP steps so
far, and the forms the SOP file declares for the current step (``services.complaints``)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...errors import ConflictError, SipelayananError
from ...i18n import tr
from ...identity import kecamatan_name, show_code
from ...models.cases import CaseStatus
from ...services import complaints as core
from ...services.cases import CaseRef
from ...services.queries import CaseView
from ...sop import ROLES
from ..context import UiContext
from ..whatsapp import WhatsAppDialog, local_number, show_whatsapp_message
from ..widgets.common import MessageBar, fmt_dt, fmt_minutes
from ..widgets.documents import compose_message, track_sent
from ..widgets.step_bar import StepBar, StepItem
from .forms import ActionForm
from .model import fmt_day


def _html(text: str | None) -> str:
    return escape(text or "")


class ComplaintDetail(QWidget):
    """One complaint and the forms for its current step."""

    acted = Signal(str, str)  # code, form key
    message_composed = Signal(object)  # the WhatsAppDialog shown

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.loaded: core.ComplaintCase | None = None
        self.drafts: dict[str, str] = {}
        self.forms: list[ActionForm] = []
        self._form_key: tuple[str, str, int, int] | None = None
        self._busy = False
        self._loading: str | None = None
        self.last_message_dialog: WhatsAppDialog | None = None

        self.header = QLabel(self)
        self.header.setObjectName("complaint_header")
        self.header.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.step_bar = StepBar(self)
        self.ringkasan = QLabel(self)  # the escalation reason: what the pejabat reads first
        self.ringkasan.setObjectName("complaint_ringkasan")
        self.ringkasan.setWordWrap(True)
        self.ringkasan.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ringkasan.setStyleSheet(
            "background: #fff4e5; border: 1px solid #f0b35b; border-radius: 4px; padding: 6px;"
        )
        self.info = QLabel(self)
        self.info.setObjectName("complaint_info")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.uraian = QPlainTextEdit(self)
        self.uraian.setReadOnly(True)
        self.uraian.setMaximumHeight(90)
        self.solusi = QLabel(self)
        self.solusi.setObjectName("complaint_solusi")
        self.solusi.setWordWrap(True)
        self.solusi.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.history = QLabel(self)
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        self.turn = QLabel(self)
        self.turn.setObjectName("complaint_turn")
        self.turn.setWordWrap(True)
        self.message = MessageBar(self)
        self.forms_box = QVBoxLayout()
        self.open_button = QPushButton(tr("Buka &jendela permohonan"), self)
        self.compose_button = QPushButton(tr("Susun &pesan WhatsApp jawaban"), self)
        self.compose_button.setObjectName("compose_answer")

        inner = QWidget(self)
        col = QVBoxLayout(inner)
        col.addWidget(self.header)
        col.addWidget(self.step_bar)
        col.addWidget(self.message)
        col.addWidget(self.ringkasan)
        col.addWidget(self.info)
        col.addWidget(QLabel(tr("<b>Uraian masalah</b>"), inner))
        col.addWidget(self.uraian)
        col.addWidget(self.solusi)
        col.addWidget(self.turn)
        col.addLayout(self.forms_box)
        line = QFrame(inner)
        line.setFrameShape(QFrame.Shape.HLine)
        col.addWidget(line)
        col.addWidget(QLabel(tr("<b>Riwayat</b>"), inner))
        col.addWidget(self.history)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.compose_button)
        buttons.addStretch(1)
        col.addLayout(buttons)
        col.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        self.open_button.clicked.connect(self._open_full)
        self.compose_button.clicked.connect(lambda: self.compose("pengaduan_dijawab"))

    # ------------------------------------------------------------------ loading

    @property
    def view(self) -> CaseView | None:
        return self.loaded.view if self.loaded is not None else None

    @property
    def code(self) -> str | None:
        return self.loaded.view.code if self.loaded is not None else self._loading

    def forget(self) -> None:
        self.loaded = None
        self._form_key = None

    def load(self, code: str) -> None:
        self._loading = code
        roles = self.ctx.user.roles
        self.ctx.ops.run(
            lambda s: core.load(s, code, roles),
            on_done=self._loaded,
            on_error=self._load_failed,
        )

    def reload(self) -> None:
        if self.code is not None:
            self.load(self.code)

    def _loaded(self, loaded: core.ComplaintCase) -> None:
        if not isValid(self) or loaded.view.code != self._loading:
            return
        self.loaded = loaded
        self._show(loaded)

    def _load_failed(self, error: SipelayananError) -> None:
        if isValid(self):
            self.message.error(str(error))

    def _show(self, loaded: core.ComplaintCase) -> None:
        view, info = loaded.view, loaded.info
        status = tr(CaseStatus.LABELS.get(view.status, view.status))
        if view.status == CaseStatus.PROSES:
            status = tr(
                "{s}, langkah {n} dari {t}", s=status, n=view.current_step, t=len(view.steps)
            )
        self.header.setText(
            tr("Pengaduan {kode} — {status}", kode=show_code(view.code), status=status)
        )
        self.step_bar.set_steps(
            self._step_items(view), finished=view.status in (CaseStatus.SELESAI, CaseStatus.BATAL)
        )
        if info.ringkasan:
            self.ringkasan.setText(
                tr("<b>Alasan eskalasi:</b> {s}", s=_html(info.ringkasan)).replace("\n", "<br>")
            )
        self.ringkasan.setVisible(bool(info.ringkasan))
        kec = kecamatan_name(view.kecamatan) if view.kecamatan else None
        lines = [tr("Pelapor: <b>{nama}</b>", nama=_html(view.pemohon_nama))]
        if view.wa:
            lines.append(tr("WhatsApp: {wa}", wa=_html(local_number(view.wa))))
        if view.nik_masked:
            lines.append(tr("NIK: {nik}", nik=view.nik_masked))
        if kec:
            lines.append(tr("Kecamatan: {kec}", kec=_html(kec)))
        channel = tr(info.channel_label)
        if info.lapor_number:
            channel += tr(" (No. LAPOR! {no})", no=_html(info.lapor_number))
        lines.append(tr("Saluran: {s}", s=channel))
        lines.append(tr("Klasifikasi: {k}", k=tr(info.class_label)))
        if info.concerns:
            lines.append(tr("Layanan diadukan: {s}", s=_html(tr(info.concerns_label))))
        lines.append(tr("Diterima: {t}", t=fmt_dt(view.received_at, with_day=True)))
        if view.status in CaseStatus.OPEN:
            lines.append(tr("Tenggat SOP: {t}", t=fmt_dt(view.due_at, with_day=True)))
        limit = tr("Batas {n} hari: {d}", n=core.SETTLEMENT_DAYS, d=fmt_day(info.settle_by))
        if info.settled_days is not None:
            limit += tr(" (selesai dalam {n} hari)", n=info.settled_days)
        if info.overdue:
            limit = f'<span style="color:#a11d1d"><b>{limit} — {tr("lewat batas")}</b></span>'
        lines.append(limit)
        if view.register_number:
            lines.append(tr("Nomor register: <b>{no}</b>", no=_html(view.register_number)))
        if view.missing_items:
            lines.append(tr("Kekurangan: {items}", items=_html("; ".join(view.missing_items))))
        if info.rahasia:
            lines.append(
                tr("<b>Identitas pelapor dirahasiakan</b> (tidak tampil di laporan dan pencarian)")
            )
        self.info.setText(" · ".join(lines))
        self.uraian.setPlainText(view.uraian or tr("(tidak ada uraian)"))
        self.solusi.setText(tr("<b>Solusi:</b> {s}", s=_html(view.solusi)) if view.solusi else "")
        self.solusi.setVisible(bool(view.solusi))
        self.history.setText(self._history_html(view))
        self.compose_button.setVisible(view.status == CaseStatus.SELESAI)
        self._build_forms(loaded)

    def _step_items(self, view: CaseView) -> list[StepItem]:
        items = []
        for step in view.steps:
            done = [
                h for h in view.history if h.step_no == step.no and h.action in ("selesai", "tutup")
            ]
            detail = ""
            late = False
            if done:
                h = done[-1]
                late = h.working_minutes > h.standard_minutes
                detail = tr(
                    "{nama} · {t} · {m}",
                    nama=h.full_name,
                    t=fmt_dt(h.ended_at),
                    m=fmt_minutes(h.working_minutes),
                )
            items.append(
                StepItem(
                    step.no,
                    step.activity,
                    tr(ROLES.get(step.role, step.role)),
                    step.minutes,
                    step.state,
                    detail,
                    late,
                )
            )
        return items

    @staticmethod
    def _history_html(view: CaseView) -> str:
        if not view.history:
            return tr("<i>Belum ada langkah yang selesai.</i>")
        rows = []
        for h in view.history:
            note = f" — {_html(h.note)}" if h.note else ""
            label = tr(h.action_label).replace("pemohon", "pelapor")
            rows.append(
                f"{fmt_dt(h.ended_at)} · "
                + tr("langkah {n}", n=h.step_no)
                + f" · {_html(label)} · {_html(h.full_name)}"
                f" ({fmt_minutes(h.working_minutes)}){note}"
            )
        return "<br>".join(rows)

    def _build_forms(self, loaded: core.ComplaintCase) -> None:
        view = loaded.view
        key = (view.code, view.status, view.current_step, view.version)
        if key == self._form_key:
            return  # same state: keep the forms (and the focus) as they are
        self._form_key = key
        for old in self.forms:
            old.setParent(None)
            old.deleteLater()
        self.forms = []
        prefix = f"{view.code}/{view.current_step}"
        for spec in loaded.forms:
            form = ActionForm(spec, self.drafts, prefix, self)
            form.submitted.connect(self._submit)
            self.forms_box.addWidget(form)
            self.forms.append(form)
        self.turn.setText(self._turn_text(loaded))
        self.turn.setVisible(bool(self.turn.text()))

    def _turn_text(self, loaded: core.ComplaintCase) -> str:
        view = loaded.view
        if view.status == CaseStatus.SELESAI:
            path = {
                "sederhana": tr("dengan solusi sederhana"),
                "eskalasi": tr("melalui pejabat pengelola pengaduan"),
            }.get(view.closed_path or "", "")
            return tr("Pengaduan selesai {path}.", path=path).replace(" .", ".")
        if view.status == CaseStatus.BATAL:
            return tr("Pengaduan dibatalkan: {alasan}", alasan=view.cancel_reason or "-")
        if loaded.forms:
            return ""
        if view.status == CaseStatus.MENUNGGU_PEMOHON:
            return tr("Menunggu berkas susulan dari pelapor.")
        role = (
            tr(ROLES.get(view.current_role or "", view.current_role or ""))
            if view.current_role
            else tr("petugas penerima aduan")
        )
        text = tr("Menunggu {role} pada langkah {n}.", role=role, n=view.current_step)
        if loaded.with_note:
            text += " " + tr(loaded.with_note)
        return text

    # ------------------------------------------------------------------ actions

    def _submit(self, form: ActionForm) -> None:
        view = self.view
        if view is None or self._busy:
            return
        actor = self.ctx.actor
        code = view.code
        action = form.action(view.version, view.current_step)
        self._busy = True
        for f in self.forms:
            f.button.setEnabled(False)
        step = view.current_step

        def done(ref: CaseRef) -> None:
            self._acted(form, ref, step)

        self.ctx.ops.run(
            lambda s: core.act(s, actor, code, action),
            write=True,
            on_done=done,
            on_error=self._act_failed,
        )

    def _acted(self, form: ActionForm, ref: CaseRef, step: int) -> None:
        if not isValid(self):
            return
        self._busy = False
        spec = form.spec if isValid(form) else None
        if spec is None:
            return
        form.forget()
        code = show_code(ref.code)
        texts = {
            "close": tr("Pengaduan {kode} selesai dengan solusi sederhana.", kode=code),
            "return_pemohon": tr("Pengaduan {kode} dikembalikan ke pelapor.", kode=code),
            "resubmit": tr("Berkas susulan {kode} diterima; pengaduan berlanjut.", kode=code),
        }
        if spec.move in texts:
            text = texts[spec.move]
        elif ref.status == CaseStatus.SELESAI:
            text = tr("Pengaduan {kode} selesai; pelapor sudah dijawab.", kode=code)
        else:
            text = tr(
                "Langkah {a} selesai; pengaduan {kode} di langkah {b}.",
                a=step,
                kode=code,
                b=ref.current_step,
            )
        self.message.success(text)
        self.ctx.show_status(text)
        self.acted.emit(ref.code, spec.key)
        self.reload()
        if spec.compose:
            self.compose(spec.compose)

    def _act_failed(self, error: SipelayananError) -> None:
        if not isValid(self):
            return
        self._busy = False
        for f in self.forms:
            f.button.setEnabled(True)
        if isinstance(error, ConflictError):
            self.message.warning(str(error))
            self._form_key = None
            self.reload()
            return
        self.message.error(str(error))  # the typed text stays in the form

    def compose(self, key: str) -> None:
        code = self.code
        if code is None:
            return
        self.ctx.ops.run(
            compose_message(key, code),
            on_done=lambda message: self._show_message(message, code, key),
            on_error=lambda e: self.message.error(str(e)) if isValid(self) else None,
        )

    def _show_message(self, message: Any, code: str, key: str) -> None:
        if not isValid(self):
            return
        dialog = show_whatsapp_message(self, message, title=tr("Balasan WhatsApp pengaduan"))
        track_sent(self.ctx, dialog, code, key)
        self.last_message_dialog = dialog
        self.message_composed.emit(dialog)

    def _open_full(self) -> None:
        if self.code is not None:
            self.ctx.open_case(self.code)

    def focus_first_form(self) -> None:
        for form in self.forms:
            target: QWidget = form.text or form.note or form.button
            target.setFocus()
            return
