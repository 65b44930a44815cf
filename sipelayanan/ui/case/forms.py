"""The request window's action forms: one group box per action the user's roles allow at this
step, built from the view's ``allowed`` (the SOP's declared properties, never a service code or
a step number), and the reading of each form into the typed input of its core action
(:mod:`sipelayanan.services.actions`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...i18n import tr
from ...services import actions
from ...services.berkas import BerkasFile, read_checked
from ...services.queries import CaseView
from ...sop import services
from ...sop.catalog import party_word
from ..intake import ChecklistWidget
from ..widgets.berkas import AskFiles, BerkasEntry, BerkasStrip
from ..widgets.common import MessageBar, role_label


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


def note_edit(parent: QWidget, placeholder: str, name: str, height: int = 60) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(height)
    return edit


class ActionForms:
    """Builds the forms into ``actions_layout`` and reads them back. Mixed into the request
    window, which provides the slots each form's button calls."""

    actions_host: QWidget
    actions_layout: QVBoxLayout
    forms: dict[str, ActionForm]
    message: MessageBar
    ask_files: AskFiles
    max_bytes: int
    _resubmit_files: dict[str, BerkasFile]

    # set by the builders (None when the current form has no such field)
    checklist_edit: ChecklistWidget | None = None
    doc_edit: QLineEdit | None = None
    pos_radio: QRadioButton | None = None
    resi_edit: QLineEdit | None = None
    penerima_edit: QLineEdit | None = None
    solusi_edit: QPlainTextEdit | None = None
    advance_note: QPlainTextEdit
    close_solusi: QPlainTextEdit
    back_target: QComboBox
    back_reason: QPlainTextEdit
    missing_edit: QPlainTextEdit
    return_note: QPlainTextEdit
    resubmit_checklist: ChecklistWidget
    resubmit_strip: BerkasStrip
    resubmit_note: QPlainTextEdit
    cancel_reason: QLineEdit

    # the window's slots
    advance: Callable[[], None]
    close_simple: Callable[[], None]
    return_to_step: Callable[[], None]
    return_to_pemohon: Callable[[], None]
    resubmit: Callable[[], None]
    cancel: Callable[[], None]

    def _add_form(self, form: ActionForm) -> None:
        self.forms[form.key] = form
        self.actions_layout.addWidget(form)

    def _tick(self, widget: ChecklistWidget, view: CaseView) -> None:
        sdef = services().get(view.service)
        if sdef is None:
            return
        widget.set_service(sdef)
        known = {c.key for c in sdef.conditions}
        for key in view.conditions:
            if key in known:
                widget.condition_box(key).setChecked(True)
        for c in view.checklist:
            if c.present:
                widget.box(c.key).setChecked(True)

    # ------------------------------------------------------------------ finish the step
    def _form_advance(self, view: CaseView) -> None:
        allowed = view.allowed
        records = list(allowed.get("records", []))
        notifies = bool(allowed.get("notifies"))
        last = view.current_step == max(s.no for s in view.steps)
        title = tr("Selesaikan langkah {n}", n=view.current_step)
        form = ActionForm("advance", title, self.actions_host)
        self.checklist_edit = None
        if allowed.get("return_pemohon"):  # the completeness step: tick what is there
            widget = ChecklistWidget(form)
            self._tick(widget, view)
            self.checklist_edit = widget
            form.form.addRow(QLabel(tr("Periksa kelengkapan persyaratan:"), form))
            form.form.addRow(widget)
        self.doc_edit = None
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
        self.pos_radio = self.resi_edit = self.penerima_edit = None
        if notifies:
            info = QLabel(
                tr(
                    "Langkah ini selesai saat pemohon diberi tahu bahwa dokumennya siap. "
                    "Pesan WhatsApp disusun setelah Anda menekan tombol di bawah; siapa yang "
                    "mengambil (atau resi PT POS) dicatat nanti dari daftar Siap diambil."
                ),
                form,
            )
            info.setWordWrap(True)
            info.setObjectName("notify_info")
            info.setStyleSheet("color: #174ea6;")
            form.form.addRow(info)
        elif "penyerahan" in records:
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
            if allowed.get("hand_over_default") == "pos":
                self.pos_radio.setChecked(True)
            else:
                taken.setChecked(True)
            self._toggle_delivery()
            form.form.addRow(self.pos_radio, self.resi_edit)
            form.form.addRow(taken, self.penerima_edit)
        if allowed.get("assigns_register"):
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
        self.solusi_edit = None
        if "solusi" in records:
            self.solusi_edit = note_edit(form, tr("solusi yang diputuskan"), "solusi")
            if view.solusi:
                self.solusi_edit.setPlainText(view.solusi)
            form.form.addRow(tr("Solusi"), self.solusi_edit)
        self.advance_note = note_edit(form, tr("catatan (opsional)"), "advance_note")
        form.form.addRow(tr("Catatan"), self.advance_note)
        if notifies:
            text = tr("Beri tahu pemohon; selesaikan")
        else:
            text = tr("Selesaikan permohonan") if last else title
        form.add_button(text, self.advance, primary=True).setToolTip(tr("Ctrl+Enter"))
        self._add_form(form)

    def _toggle_delivery(self) -> None:
        if self.pos_radio is None or self.resi_edit is None or self.penerima_edit is None:
            return
        pos = self.pos_radio.isChecked()
        self.resi_edit.setEnabled(pos)
        self.penerima_edit.setEnabled(not pos)

    def complete_input(self, view: CaseView) -> actions.CompleteInput | None:
        """The advance form as the core action's input, or None (the reason shown)."""
        nomor = self.doc_edit.text().strip() if self.doc_edit is not None else ""
        if self.doc_edit is not None and not nomor and not view.documents:
            self.message.error(tr("Isi nomor dokumen dari SIAK sebelum menyelesaikan langkah ini."))
            self.doc_edit.setFocus()
            return None
        resi = penerima = None
        if self.pos_radio is not None and self.resi_edit and self.penerima_edit:
            if self.pos_radio.isChecked():
                resi = self.resi_edit.text().strip()
                if not resi:
                    self.message.error(tr("Isi nomor resi PT POS."))
                    self.resi_edit.setFocus()
                    return None
            else:
                penerima = self.penerima_edit.text().strip()
                if not penerima:
                    self.message.error(tr("Isi nama yang mengambil dokumen."))
                    self.penerima_edit.setFocus()
                    return None
        present = None
        if self.checklist_edit is not None:
            present = self.checklist_edit.present()
            missing = self.checklist_edit.missing()
            if missing:
                self.message.error(
                    tr(
                        "Persyaratan belum lengkap: {daftar}. Centang yang sudah "
                        "ada, atau kembalikan ke {pihak}.",
                        daftar="; ".join(r.label for r in missing),
                        pihak=party_word(view.service),
                    )
                )
                return None
        solusi = (self.solusi_edit.toPlainText().strip() or None) if self.solusi_edit else None
        return actions.CompleteInput(
            expected_version=view.version,
            expected_step=view.current_step,
            present=present,
            note=self.advance_note.toPlainText().strip() or None,
            nomor_dokumen=nomor or None,
            resi=resi,
            penerima=penerima,
            solusi=solusi,
        )

    # ------------------------------------------------------------------ close (complaints)
    def _form_close(self, view: CaseView) -> None:
        form = ActionForm("close", tr("Selesaikan dengan solusi sederhana"), self.actions_host)
        self.close_solusi = note_edit(
            form, tr("solusi yang diberikan kepada pelapor"), "close_solusi"
        )
        form.form.addRow(tr("Solusi"), self.close_solusi)
        form.add_button(tr("Tutup pengaduan"), self.close_simple)
        self._add_form(form)

    def close_input(self, view: CaseView) -> actions.CloseInput | None:
        solusi = self.close_solusi.toPlainText().strip()
        if not solusi:
            self.message.error(tr("Tuliskan solusi yang diberikan kepada pelapor."))
            self.close_solusi.setFocus()
            return None
        return actions.CloseInput(solusi=solusi, expected_version=view.version)

    # ------------------------------------------------------------------ back with koreksi
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
        self.back_reason = note_edit(
            form, tr("koreksi yang harus diperbaiki (wajib)"), "back_reason"
        )
        form.form.addRow(tr("Ke"), self.back_target)
        form.form.addRow(tr("Koreksi"), self.back_reason)
        form.add_button(tr("Kembalikan"), self.return_to_step)
        self._add_form(form)

    def return_input(self, view: CaseView) -> actions.ReturnInput | None:
        reason = self.back_reason.toPlainText().strip()
        if not reason:
            self.message.error(tr("Tuliskan koreksinya: apa yang harus diperbaiki."))
            self.back_reason.setFocus()
            return None
        return actions.ReturnInput(
            to_step=int(self.back_target.currentData()),
            reason=reason,
            expected_version=view.version,
        )

    # ------------------------------------------------------------------ back to the pemohon
    def _form_return_pemohon(self, view: CaseView) -> None:
        party = party_word(view.service)
        form = ActionForm(
            "return_pemohon",
            tr("Kembalikan ke {pihak} (berkas kurang)", pihak=party),
            self.actions_host,
        )
        self.missing_edit = note_edit(form, "", "missing", height=70)
        self.missing_edit.setPlaceholderText(
            tr("satu kekurangan per baris; kosongkan untuk memakai butir yang belum dicentang")
        )
        self.return_note = note_edit(
            form, tr("catatan untuk {pihak} (opsional)", pihak=party), "return_note"
        )
        form.form.addRow(tr("Kekurangan"), self.missing_edit)
        form.form.addRow(tr("Catatan"), self.return_note)
        form.add_button(tr("Kembalikan ke {pihak}", pihak=party), self.return_to_pemohon)
        self._add_form(form)

    def return_pemohon_input(self, view: CaseView) -> actions.ReturnToPemohonInput | None:
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
            return None
        return actions.ReturnToPemohonInput(
            missing=lines,
            note=self.return_note.toPlainText().strip() or None,
            expected_version=view.version,
        )

    # ------------------------------------------------------------------ berkas susulan
    def _form_resubmit(self, view: CaseView) -> None:
        form = ActionForm(
            "resubmit",
            tr("Berkas susulan dari {pihak}", pihak=party_word(view.service)),
            self.actions_host,
        )
        if view.missing_items:
            asked = QLabel(tr("Diminta: {daftar}", daftar="; ".join(view.missing_items)), form)
            asked.setWordWrap(True)
            asked.setStyleSheet("color: #8a5a00;")
            form.form.addRow(asked)
        self.resubmit_checklist = ChecklistWidget(form)
        self._tick(self.resubmit_checklist, view)
        form.form.addRow(self.resubmit_checklist)
        self.resubmit_strip = BerkasStrip(accept_files=True, parent=form)
        self.resubmit_strip.setMaximumHeight(170)
        self.resubmit_strip.files_dropped.connect(self._add_resubmit_files)
        add = QPushButton(tr("Tambah berkas…"), form)
        parent = self.actions_host.window()
        add.clicked.connect(lambda: self._add_resubmit_files(self.ask_files(parent)))
        form.form.addRow(add, self.resubmit_strip)
        self.resubmit_note = note_edit(form, tr("catatan (opsional)"), "resubmit_note")
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

    def resubmit_input(self, view: CaseView) -> actions.ResubmitInput:
        return actions.ResubmitInput(
            present=self.resubmit_checklist.present(),
            berkas=tuple(self._resubmit_files.values()),
            note=self.resubmit_note.toPlainText().strip() or None,
            expected_version=view.version,
        )

    # ------------------------------------------------------------------ cancel
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

    def cancel_input(self, view: CaseView) -> actions.CancelInput | None:
        reason = self.cancel_reason.text().strip()
        if not reason:
            self.message.error(tr("Alasan pembatalan wajib diisi."))
            self.cancel_reason.setFocus()
            return None
        return actions.CancelInput(reason=reason, expected_version=view.version)


def koreksi_label(text: str, parent: QWidget) -> QLabel:
    """The koreksi box shown above the actions when the request came back with one."""
    label = QLabel(text, parent)
    label.setObjectName("koreksi_first")
    label.setWordWrap(True)
    label.setStyleSheet(
        "QLabel#koreksi_first { background: #fce8e6; border: 1px solid #f28b82;"
        " border-radius: 4px; padding: 8px; }"
    )
    return label


__all__ = ["ActionForm", "ActionForms", "koreksi_label", "note_edit"]
