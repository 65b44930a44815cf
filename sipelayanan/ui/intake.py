"""Penerimaan: record a request that arrived over WhatsApp (step 1 of its SOP).

Pick the service, tick its checklist (with the SOP's conditional and alternative items), type
the pemohon's data — each number is checked as it is typed, the reason shown beside the field —
and add the berkas by drag and drop or a file dialog. "Terima" records the request and offers the
tanda terima and the WhatsApp reply; "Kembalikan ke pemohon" records it as returned with the
missing items and composes the reply. The form keeps everything typed until a save succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ..errors import InputError, SipelayananError
from ..i18n import tr
from ..identity import format_tracking_code, kecamatan_way_kanan
from ..prefill import from_nik
from ..services import actions
from ..services import cases as svc
from ..services.berkas import BerkasFile, read_checked
from ..services.office import DEFAULT_MAX_ATTACHMENT_BYTES, get_profile
from ..sop import Requirement, ServiceDef, checklist, services
from .context import UiContext
from .widgets.berkas import AskFiles, BerkasEntry, BerkasStrip, ask_berkas_files
from .widgets.common import MessageBar, role_label
from .widgets.documents import (
    ReceiptSaver,
    compose_message,
    receipt_menu,
    show_message,
    track_sent,
)
from .widgets.validated import ValidatedField, nik_field, no_kk_field, wa_field

default_ask_files: AskFiles = ask_berkas_files


#: What "Terima" / "Kembalikan ke pemohon" return (the core action's result).
IntakeResult = actions.ReceiveResult


def _receive_fn(actor: Any, inp: actions.ReceiveInput) -> Callable[[Session], IntakeResult]:
    """Worker function: one core action — intake, and either the return to the pemohon with
    its message or the end of the SOP's first step."""
    return lambda session: actions.receive(session, actor, inp)


@dataclass
class _Checklist:
    boxes: dict[str, QCheckBox] = field(default_factory=dict)
    conditions: dict[str, QCheckBox] = field(default_factory=dict)


class WrapCheck(QWidget):
    """A checkbox whose long label wraps; clicking the label toggles it."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QCheckBox(self)
        self.box.setAccessibleName(text)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setBuddy(self.box)
        self.label.mousePressEvent = lambda _e: self._toggle()  # type: ignore[method-assign]
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.box.toggled.connect(lambda _on: self._sync())

    def _toggle(self) -> None:
        if self.box.isEnabled():
            self.box.toggle()
            self.box.setFocus()

    def _sync(self) -> None:
        self.label.setEnabled(self.box.isEnabled())

    def changeEvent(self, event: Any) -> None:
        super().changeEvent(event)
        self.label.setEnabled(self.box.isEnabled())


class ChecklistWidget(QWidget):
    """The SOP's requirement items as checkboxes. Conditional items are enabled only while
    their condition is ticked; alternatives are grouped under 'salah satu dari'."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sdef: ServiceDef | None = None
        self._c = _Checklist()
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)

    def set_service(self, sdef: ServiceDef) -> None:
        self.sdef = sdef
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        self._c = _Checklist()
        if sdef.conditions:
            cond_label = QLabel(tr("Kondisi pemohon:"), self)
            cond_label.setStyleSheet("font-weight: 600;")
            self._layout.addWidget(cond_label)
            for cond in sdef.conditions:
                row = WrapCheck(tr(cond.label), self)
                row.box.setObjectName(f"cond:{cond.key}")
                row.box.toggled.connect(self._on_changed)
                self._c.conditions[cond.key] = row.box
                self._layout.addWidget(row)
            items_label = QLabel(tr("Butir persyaratan:"), self)
            items_label.setStyleSheet("font-weight: 600; margin-top: 6px;")
            self._layout.addWidget(items_label)
        seen_groups: set[str] = set()
        for req in sdef.requirements:
            if req.alternative_group is not None:
                if req.alternative_group in seen_groups:
                    continue
                seen_groups.add(req.alternative_group)
                members = [
                    r for r in sdef.requirements if r.alternative_group == req.alternative_group
                ]
                frame = QFrame(self)
                frame.setObjectName("AltGroup")
                frame.setStyleSheet(
                    "#AltGroup { border: 1px solid #dadce0; border-radius: 4px;"
                    " background: #f8f9fa; }"
                )
                inner = QVBoxLayout(frame)
                inner.setContentsMargins(8, 4, 8, 6)
                head = QLabel(tr("Salah satu dari:"), frame)
                head.setStyleSheet("color: #5f6368; font-style: italic;")
                inner.addWidget(head)
                for member in members:
                    inner.addWidget(self._box(member, frame))
                self._layout.addWidget(frame)
            else:
                self._layout.addWidget(self._box(req, self))
        self._layout.addStretch(1)
        self._apply_conditions()

    def _box(self, req: Requirement, parent: QWidget) -> QWidget:
        text = tr(req.label)
        if not req.required:
            text += " " + tr("(tidak wajib)")
        row = WrapCheck(text, parent)
        box = row.box
        box.setObjectName(f"req:{req.key}")
        row.setToolTip(tr("Dasar: {sumber}", sumber=req.source))
        box.toggled.connect(self._on_changed)
        self._c.boxes[req.key] = box
        return row

    def _on_changed(self) -> None:
        self._apply_conditions()
        self.changed.emit()

    def _apply_conditions(self) -> None:
        if self.sdef is None:
            return
        active = self.conditions()
        for req in self.sdef.requirements:
            box = self._c.boxes.get(req.key)
            if box is None:
                continue
            applies = checklist.applies(req, active)
            box.setEnabled(applies)
            holder = box.parentWidget()
            if holder is not None:
                holder.setEnabled(applies)
            if not applies and box.isChecked():
                box.blockSignals(True)
                box.setChecked(False)
                box.blockSignals(False)

    # ------------------------------------------------------------------ state
    def box(self, key: str) -> QCheckBox:
        return self._c.boxes[key]

    def condition_box(self, key: str) -> QCheckBox:
        return self._c.conditions[key]

    def condition_boxes(self) -> dict[str, QCheckBox]:
        return dict(self._c.conditions)

    def present(self) -> list[str]:
        return [k for k, b in self._c.boxes.items() if b.isChecked() and b.isEnabled()]

    def conditions(self) -> list[str]:
        return [k for k, b in self._c.conditions.items() if b.isChecked()]

    def missing(self) -> list[checklist.MissingItem]:
        if self.sdef is None:
            return []
        return self.sdef.missing_requirements(self.present(), self.conditions())

    def clear(self) -> None:
        for box in [*self._c.boxes.values(), *self._c.conditions.values()]:
            box.setChecked(False)


class IntakePage(QWidget):
    title = tr("Penerimaan")
    created = Signal(str)  # tracking code of a request just recorded

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, ask_files: AskFiles | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ask_files: AskFiles = ask_files or default_ask_files
        self.max_bytes = DEFAULT_MAX_ATTACHMENT_BYTES
        self._files: dict[str, BerkasFile] = {}
        self._busy = False
        self._nik_kecamatan: str | None = None  # the kecamatan the NIK filled in, if any
        self.last_result: IntakeResult | None = None
        self.message_dialog: Any = None
        self.receipts = ReceiptSaver(ctx, self, self._report)

        heading = QLabel(tr("Penerimaan permohonan"), self)
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        sub = QLabel(
            tr("Catat berkas yang dikirim pemohon lewat WhatsApp. Ctrl+Enter: Terima."), self
        )
        sub.setStyleSheet("color: #5f6368;")
        self.message = MessageBar(self)

        # -------------------------------------------------------------- result panel
        self.result_panel = QFrame(self)
        self.result_panel.setObjectName("ResultPanel")
        self.result_panel.setStyleSheet(
            "#ResultPanel { background: #e6f4ea; border: 1px solid #a8dab5; border-radius: 4px; }"
        )
        result_layout = QHBoxLayout(self.result_panel)
        self.result_label = QLabel(self.result_panel)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        result_layout.addWidget(self.result_label, 1)
        self.receipt_button = QPushButton(tr("Tanda terima"), self.result_panel)
        self.receipt_button.setObjectName("receipt_button")
        receipt_menu(self.receipt_button, self._save_receipt)
        self.wa_button = QPushButton(tr("Pesan WhatsApp…"), self.result_panel)
        self.wa_button.clicked.connect(self._show_reply)
        self.open_button = QPushButton(tr("Buka permohonan"), self.result_panel)
        self.open_button.clicked.connect(self._open_last)
        for b in (self.receipt_button, self.wa_button, self.open_button):
            result_layout.addWidget(b)
        self.result_panel.hide()

        # -------------------------------------------------------------- pemohon
        form_box = QGroupBox(tr("Pemohon"), self)
        self.service = QComboBox(form_box)
        self.service.setObjectName("service")
        for code, sdef in services().items():  # every service of the SOP folder, in order
            if sdef.is_complaint or not ctx.has_role(sdef.intake_step.role):
                continue
            self.service.addItem(f"{sdef.short_name} — {sdef.name}", code)
        for combo in (self.service,):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(24)
        self.sop_info = QLabel(form_box)
        self.sop_info.setWordWrap(True)
        self.sop_info.setStyleSheet("color: #5f6368;")
        self.nama = QLineEdit(form_box)
        self.nama.setObjectName("nama")
        self.nama.setMaxLength(200)
        self.nama.setPlaceholderText(tr("nama lengkap sesuai KK/KTP"))
        self.nama.setMinimumWidth(170)
        self.nama_reason = QLabel(form_box)
        self.nama_reason.setStyleSheet("color: #a50e0e;")
        self.nik = nik_field(parent=form_box)
        self.nik.setObjectName("nik")
        self.no_kk = no_kk_field(parent=form_box)
        self.no_kk.setObjectName("no_kk")
        self.wa = wa_field(parent=form_box)
        self.wa.setObjectName("wa")
        # short: the form column must not widen the window at 1366 px and 125 %
        self.setuju_wa = QCheckBox(tr("Setuju diberi kabar otomatis lewat WhatsApp"), form_box)
        self.setuju_wa.setToolTip(
            tr("Pemohon setuju menerima pemberitahuan WhatsApp otomatis dari nomor kantor.")
        )
        self.setuju_wa.setObjectName("setuju_wa")
        self.kecamatan = QComboBox(form_box)
        self.kecamatan.addItem(tr("(tidak diisi)"), None)
        for kode, nama in kecamatan_way_kanan():
            self.kecamatan.addItem(f"{nama} ({kode})", kode)
        self.kecamatan.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kecamatan.setMinimumContentsLength(18)
        self.uraian = QPlainTextEdit(form_box)
        self.uraian.setObjectName("uraian")
        self.uraian.setPlaceholderText(tr("catatan (opsional)"))
        self.uraian.setTabChangesFocus(True)
        self.uraian.setFixedHeight(64)
        nama_row = QWidget(form_box)
        nama_layout = QHBoxLayout(nama_row)
        nama_layout.setContentsMargins(0, 0, 0, 0)
        nama_layout.addWidget(self.nama, 0)
        nama_layout.addWidget(self.nama_reason, 1)
        nama_row.setFocusProxy(self.nama)
        form = QFormLayout(form_box)
        form.addRow(tr("&Layanan"), self.service)
        form.addRow("", self.sop_info)
        form.addRow(tr("&Nama pemohon"), nama_row)
        form.addRow(tr("N&IK"), self.nik)
        form.addRow(tr("No. &KK"), self.no_kk)
        form.addRow(tr("&WhatsApp"), self.wa)
        form.addRow("", self.setuju_wa)
        form.addRow(tr("Ke&camatan"), self.kecamatan)
        form.addRow(tr("Catatan"), self.uraian)

        # -------------------------------------------------------------- checklist
        check_box = QGroupBox(tr("Persyaratan (centang yang sudah dikirim)"), self)
        self.checklist = ChecklistWidget(check_box)
        self.checklist.changed.connect(self._update_state)
        scroll = QScrollArea(check_box)
        scroll.setWidget(self.checklist)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.missing_label = QLabel(check_box)
        self.missing_label.setWordWrap(True)
        self.return_note = QLineEdit(check_box)
        self.return_note.setObjectName("return_note")
        self.return_note.setPlaceholderText(
            tr("catatan kekurangan untuk pemohon (opsional), mis. foto buram")
        )
        self.return_note.setMaxLength(500)
        check_layout = QVBoxLayout(check_box)
        check_layout.addWidget(scroll, 1)
        check_layout.addWidget(self.missing_label)
        check_layout.addWidget(self.return_note)

        # -------------------------------------------------------------- berkas
        berkas_box = QGroupBox(tr("Berkas dari WhatsApp"), self)
        self.berkas = BerkasStrip(accept_files=True, parent=berkas_box)
        self.berkas.setObjectName("berkas")
        self.berkas.files_dropped.connect(self.add_files)
        self.berkas.remove_requested.connect(self.remove_file)
        self.berkas.setMinimumHeight(180)
        hint = QLabel(tr("Seret foto/PDF dari folder unduhan WhatsApp ke sini, atau:"), berkas_box)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6368;")
        self.add_button = QPushButton(tr("Tambah &berkas…"), berkas_box)
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = QPushButton(tr("Hapus terpilih"), berkas_box)
        self.remove_button.clicked.connect(self._remove_selected)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        berkas_layout = QVBoxLayout(berkas_box)
        berkas_layout.addWidget(hint)
        berkas_layout.addLayout(row)
        berkas_layout.addWidget(self.berkas, 1)

        # -------------------------------------------------------------- buttons
        self.clear_button = QPushButton(tr("Kosongkan"), self)
        self.clear_button.clicked.connect(self.clear_form)
        self.return_button = QPushButton(tr("Kembalikan ke &pemohon"), self)
        self.return_button.setObjectName("return_button")
        self.return_button.clicked.connect(self.return_to_pemohon)
        self.accept_button = QPushButton(tr("&Terima"), self)
        self.accept_button.setObjectName("accept_button")
        self.accept_button.setDefault(True)
        self.accept_button.setStyleSheet("QPushButton { font-weight: 600; padding: 6px 22px; }")
        self.accept_button.setToolTip(tr("Catat permohonan (Ctrl+Enter)"))
        self.accept_button.clicked.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.accept_button)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(form_box)
        left_layout.addWidget(berkas_box, 1)
        # the form scrolls inside its column, so Terima stays on screen at 1366×768 and 125 %
        left_scroll = QScrollArea(self)
        left_scroll.setObjectName("intake_form_scroll")
        left_scroll.setWidget(left)
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left_scroll)
        splitter.addWidget(check_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(heading)
        layout.addWidget(sub)
        layout.addWidget(splitter, 1)
        # messages below the form, above the buttons: one appearing never moves the form
        # under the clerk's mouse (issue 12.6)
        layout.addWidget(self.result_panel)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(
                QKeySequence(seq),
                self,
                self.submit,
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )
        self.setTabOrder(self.service, self.nama)
        self.setTabOrder(self.nama, self.nik.edit)
        self.setTabOrder(self.nik.edit, self.no_kk.edit)
        self.setTabOrder(self.no_kk.edit, self.wa.edit)
        self.setTabOrder(self.wa.edit, self.setuju_wa)
        self.setTabOrder(self.setuju_wa, self.kecamatan)
        self.setTabOrder(self.kecamatan, self.uraian)
        self.nama.textChanged.connect(lambda: self.nama_reason.clear())
        self.nama.textEdited.connect(lambda _t: self._next_request_started())
        self.nama.returnPressed.connect(self.nik.edit.setFocus)
        self.nik.edit.returnPressed.connect(self.no_kk.edit.setFocus)
        self.nik.edit.textChanged.connect(self._prefill_from_nik)
        self.no_kk.edit.returnPressed.connect(self.wa.edit.setFocus)

        self.service.currentIndexChanged.connect(self._on_service)
        last = ctx.settings.last_service()
        index = self.service.findData(last)
        self.service.setCurrentIndex(index if index >= 0 else 0)
        self._on_service()
        if self.service.count() == 0:
            self.message.warning(tr("Akun ini tidak memiliki peran penerimaan permohonan."))
            self.accept_button.setEnabled(False)
            self.return_button.setEnabled(False)

    # ------------------------------------------------------------------ page contract
    def refresh(self) -> None:
        self.ctx.ops.run(
            lambda s: get_profile(s).max_attachment_bytes,
            on_done=self._set_limit,
            on_error=lambda e: None,
            parent=self,
        )

    def _set_limit(self, limit: int) -> None:
        self.max_bytes = int(limit)

    def start_new(self) -> None:
        self.result_panel.hide()
        self.message.clear()
        self.nama.setFocus()

    def _next_request_started(self) -> None:
        """Typing the next pemohon's name: the last request's banners are stale now."""
        if self.result_panel.isVisible():
            self.result_panel.hide()
            if self.message.level in ("success", "info"):
                self.message.clear()

    # ------------------------------------------------------------------ service & state
    def current_service(self) -> ServiceDef | None:
        code = self.service.currentData()
        return services().get(code) if code else None

    def set_service(self, code: str) -> None:
        index = self.service.findData(code)
        if index >= 0:
            self.service.setCurrentIndex(index)

    def _prefill_from_nik(self) -> None:
        """A valid NIK fills the kecamatan (when not chosen by hand) and the conditions the SOP
        decides from the holder's age (prefill.from_nik); the clerk may change both."""
        found = from_nik(self.current_service(), self.nik.text())
        if found is None:
            return
        if found.kecamatan is not None and self.kecamatan.currentIndex() in (
            0,
            self.kecamatan.findData(self._nik_kecamatan),
        ):
            self.kecamatan.setCurrentIndex(self.kecamatan.findData(found.kecamatan))
            self._nik_kecamatan = found.kecamatan
        for key, box in self.checklist.condition_boxes().items():
            if key in found.conditions_hold | found.conditions_not_hold:
                box.setChecked(key in found.conditions_hold)

    def _on_service(self) -> None:
        sdef = self.current_service()
        if sdef is None:
            return
        self.ctx.settings.set_last_service(sdef.code)
        self.sop_info.setText(
            tr(
                "SOP {no} · {m} menit · selesai {d} hari kerja · WA {wa}",
                no=sdef.sop_number,
                m=sdef.total_minutes,
                d=sdef.standard_working_days,
                wa=sdef.wa_number or "-",
            )
        )
        self.nik.set_required(sdef.requires_nik)
        self.checklist.set_service(sdef)
        self._prefill_from_nik()
        self._update_state()

    def _update_state(self) -> None:
        missing = self.checklist.missing()
        if missing:
            self.missing_label.setText(
                tr("Belum lengkap — kurang:")
                + "<ul>"
                + "".join(f"<li>{tr(r.label)}</li>" for r in missing)
                + "</ul>"
            )
            self.missing_label.setStyleSheet("color: #8a5a00;")
        else:
            self.missing_label.setText(tr("✓ Persyaratan lengkap."))
            self.missing_label.setStyleSheet("color: #137333; font-weight: 600;")
        self.return_button.setEnabled(bool(missing) and self.service.count() > 0)
        self.return_note.setVisible(bool(missing))

    # ------------------------------------------------------------------ berkas
    def choose_files(self) -> None:
        paths = self.ask_files(self)
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str]) -> None:
        accepted, refused = read_checked(paths, max_bytes=self.max_bytes)
        for berkas, checked in accepted:
            key = checked.sha256
            if key in self._files:
                continue
            self._files[key] = berkas
            self.berkas.add_entry(
                BerkasEntry(
                    key, checked.filename, checked.mime, checked.size, content=checked.content
                )
            )
        if refused:
            self.message.error("\n".join(refused))
        elif paths:
            self.message.clear()

    def remove_file(self, key: object) -> None:
        self._files.pop(str(key), None)
        self.berkas.remove_entry(key)

    def _remove_selected(self) -> None:
        entry = self.berkas.current_entry()
        if entry is not None:
            self.remove_file(entry.key)

    def files(self) -> list[BerkasFile]:
        return [self._files[str(e.key)] for e in self.berkas.entries() if str(e.key) in self._files]

    # ------------------------------------------------------------------ submit
    def _check_fields(self) -> QWidget | None:
        """The first field that blocks saving (its reason shown beside it), else None."""
        bad: QWidget | None = None
        if not self.nama.text().strip():
            self.nama_reason.setText(tr("Nama pemohon wajib diisi."))
            bad = self.nama
        for fld in (self.nik, self.no_kk, self.wa):
            if not fld.validate_now():
                bad = bad or fld
        return bad

    def _data(self) -> svc.IntakeData:
        sdef = self.current_service()
        assert sdef is not None
        return svc.IntakeData(
            service=sdef.code,
            nama=self.nama.text(),
            wa=self.wa.text(),
            nik=self.nik.text() or None,
            no_kk=self.no_kk.text() or None,
            kecamatan=self.kecamatan.currentData(),
            present=self.checklist.present(),
            conditions=self.checklist.conditions(),
            uraian=self.uraian.toPlainText().strip() or None,
            berkas=self.files(),
            setuju_wa=self.setuju_wa.isChecked(),
        )

    def submit(self) -> None:
        """Terima: the request is recorded at step 1 of its SOP."""
        if self._busy or self.current_service() is None:
            return
        bad = self._check_fields()
        if bad is not None:
            self.message.error(tr("Periksa isian yang ditandai merah; permohonan belum dicatat."))
            bad.setFocus()
            return
        missing = self.checklist.missing()
        if missing:
            self.message.error(
                tr(
                    "Persyaratan belum lengkap ({n} butir). Centang yang sudah dikirim pemohon, "
                    "atau pilih 'Kembalikan ke pemohon'.",
                    n=len(missing),
                )
            )
            return
        self._run(_receive_fn(self.ctx.actor, actions.ReceiveInput(self._data())))

    def return_to_pemohon(self) -> None:
        """Record the request and return it at once with the missing items listed."""
        if self._busy or self.current_service() is None:
            return
        bad = self._check_fields()
        if bad is not None:
            self.message.error(tr("Periksa isian yang ditandai merah; permohonan belum dicatat."))
            bad.setFocus()
            return
        missing = [r.key for r in self.checklist.missing()]
        if not missing:
            self.message.error(tr("Persyaratan sudah lengkap; tidak ada yang perlu dikembalikan."))
            return
        note = self.return_note.text().strip() or None
        inp = actions.ReceiveInput(self._data(), return_to_pemohon=True, missing=missing, note=note)
        self._run(_receive_fn(self.ctx.actor, inp))

    def _run(self, fn: Callable[[Session], IntakeResult]) -> None:
        self._set_busy(True)
        self.message.info(tr("Menyimpan…"))
        self.ctx.ops.run(
            fn, write=True, on_done=self._on_saved, on_error=self._on_error, parent=self
        )

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.accept_button.setEnabled(not busy)
        self.return_button.setEnabled(not busy and bool(self.checklist.missing()))

    def _on_error(self, error: SipelayananError) -> None:
        self._set_busy(False)
        self.message.error(str(error))
        if isinstance(error, InputError) and error.field:
            target: QWidget | None = {
                "nik": self.nik,
                "no_kk": self.no_kk,
                "wa": self.wa,
            }.get(error.field)
            if isinstance(target, ValidatedField):
                target.set_error(str(error))
                target.setFocus()
            elif error.field == "nama":
                self.nama_reason.setText(str(error))
                self.nama.setFocus()

    def _on_saved(self, result: IntakeResult) -> None:
        self._set_busy(False)
        self.last_result = result
        sdef = services()[result.service]
        shown = format_tracking_code(result.code)
        if result.returned:
            self.result_label.setText(
                tr(
                    "<b>{layanan}: dikembalikan ke pemohon</b> — kode <b>{kode}</b>. Kirim "
                    "pesan daftar kekurangannya lewat WhatsApp.",
                    layanan=sdef.short_name,
                    kode=shown,
                )
            )
            self.result_panel.setStyleSheet(
                "#ResultPanel { background: #fef7e0; border: 1px "
                "solid #fdd663; border-radius: 4px; }"
            )
        else:
            self.result_label.setText(
                tr(
                    "<b>✓ {layanan} diterima</b> — kode pelacakan <b>{kode}</b>. Langkah 1 "
                    "selesai; diteruskan ke langkah {n} ({peran}).",
                    layanan=sdef.short_name,
                    kode=shown,
                    n=result.step,
                    peran=role_label(sdef.step(result.step).role),
                )
            )
            self.result_panel.setStyleSheet(
                "#ResultPanel { background: #e6f4ea; border: 1px "
                "solid #a8dab5; border-radius: 4px; }"
            )
        self.receipt_button.setVisible(not result.returned)
        self.result_panel.show()
        self.message.clear()
        self.ctx.show_status(tr("Permohonan {kode} dicatat.", kode=shown))
        self.clear_form(keep_result=True)
        self.created.emit(result.code)
        if result.returned and result.message is not None:
            self.message_dialog = show_message(self, result.message, tr("Pesan kekurangan berkas"))
            self._track_sent(result.code, "berkas_kurang")

    # ------------------------------------------------------------------ after saving
    def _report(self, text: str, level: str) -> None:
        self.message.show_message(text, level)

    def _save_receipt(self, fmt: str = "pdf") -> None:
        if self.last_result is not None:
            self.receipts.save(self.last_result.code, fmt)

    def _show_reply(self) -> None:
        result = self.last_result
        if result is None:
            return
        if result.message is not None:  # composed by the action itself
            self.message_dialog = show_message(self, result.message)
            self._track_sent(result.code, result.message_key or "berkas_diterima")
            return

        def shown(message: Any) -> None:
            self.message_dialog = show_message(self, message)
            self._track_sent(result.code, "berkas_diterima")

        self.ctx.ops.run(
            compose_message("berkas_diterima", result.code),
            on_done=shown,
            on_error=lambda e: self.message.error(str(e)),
            parent=self,
        )

    def _track_sent(self, code: str, kind: str) -> None:
        track_sent(self.ctx, self.message_dialog, code, kind)

    def _open_last(self) -> None:
        if self.last_result is not None:
            self.ctx.open_case(self.last_result.code)

    def clear_form(self, keep_result: bool = False) -> None:
        if not keep_result:
            self.result_panel.hide()
        self.nama.clear()
        self.nama_reason.clear()
        self.nik.clear()
        self.no_kk.clear()
        self.wa.clear()
        self.setuju_wa.setChecked(False)
        self.kecamatan.setCurrentIndex(0)
        self.uraian.clear()
        self.return_note.clear()
        self.checklist.clear()
        self._files.clear()
        self.berkas.clear_entries()
        self._update_state()
        self.nama.setFocus()
