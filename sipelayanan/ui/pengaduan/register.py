"""Daftarkan pengaduan: a new complaint with what SP4N-LAPOR! records of it (channel, LAPOR!
tracking number, classification, service concerned, confidentiality). When the berkas came with
it, the registration also receives it (the SOP's first step): one action, not two."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...errors import SipelayananError
from ...i18n import tr
from ...identity import kecamatan_way_kanan, show_code
from ...services import complaints as core
from ...services.berkas import BerkasFile, read_checked
from ...services.office import DEFAULT_MAX_ATTACHMENT_BYTES
from ...sop import services
from ..context import UiContext
from ..widgets.berkas import AskFiles, BerkasEntry, BerkasStrip, ask_berkas_files
from ..widgets.common import MessageBar
from ..widgets.validated import ValidatedField, nik_field, wa_field


def _ask_files(parent: QWidget | None) -> list[str]:
    return ask_berkas_files(parent, "Tambah berkas pengaduan")


class RegisterForm(QWidget):
    """Daftarkan pengaduan: a new request of the complaint service."""

    registered = Signal(str)  # tracking code

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, ask_files: AskFiles | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ask_files: AskFiles = ask_files or _ask_files
        self.max_bytes = DEFAULT_MAX_ATTACHMENT_BYTES
        self._files: dict[str, BerkasFile] = {}
        self._busy = False
        sdef = core.complaint_service()
        self.requirement = sdef.requirements[0] if sdef.requirements else None

        title = QLabel(tr("Daftarkan pengaduan baru"), self)
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.nama = QLineEdit(self)
        self.nama.setObjectName("pelapor_nama")
        self.nama.setMaxLength(200)
        self.nama.setPlaceholderText(tr("nama pelapor"))
        self.nama.setMinimumWidth(260)
        self.nama_reason = QLabel(self)
        self.nama_reason.setStyleSheet("color: #a50e0e;")
        nama_row = QWidget(self)
        nr = QHBoxLayout(nama_row)
        nr.setContentsMargins(0, 0, 0, 0)
        nr.addWidget(self.nama, 0)
        nr.addWidget(self.nama_reason, 1)
        self.wa: ValidatedField = wa_field(parent=self)
        self.wa.setObjectName("pelapor_wa")
        self.nik: ValidatedField = nik_field(required=False, parent=self)
        self.nik.setObjectName("pelapor_nik")
        self.kecamatan = QComboBox(self)
        self.kecamatan.addItem(tr("— tidak diisi —"), None)
        for kode, nama in kecamatan_way_kanan():
            self.kecamatan.addItem(nama, kode)

        # what SP4N-LAPOR! records of a complaint
        self.channel = QComboBox(self)
        self.channel.setObjectName("channel")
        for key, label in core.CHANNELS.items():
            self.channel.addItem(tr(label), key)
        self.classification = QComboBox(self)
        self.classification.setObjectName("classification")
        for key, label in core.CLASSES.items():
            self.classification.addItem(tr(label), key)
        self.lapor = QLineEdit(self)
        self.lapor.setObjectName("lapor_number")
        self.lapor.setMaxLength(40)
        self.lapor.setPlaceholderText(tr("nomor pelacakan LAPOR!"))
        self.lapor_reason = QLabel(self)
        self.lapor_reason.setStyleSheet("color: #a50e0e;")
        self.concerns = QComboBox(self)
        self.concerns.setObjectName("concerns")
        self.concerns.addItem(tr("— tidak disebut —"), None)
        for s in services().values():
            if not s.is_complaint:
                self.concerns.addItem(tr(s.short_name), s.code)
        self.rahasia = QCheckBox(tr("Rahasiakan identitas pelapor"), self)
        self.rahasia.setObjectName("rahasia")
        self.rahasia.setToolTip(
            tr(
                "Nama, nomor WhatsApp dan NIK pelapor tidak tampil di daftar, pencarian, "
                "laporan dan rekap; hanya petugas pengaduan yang menanganinya melihatnya."
            )
        )

        self.uraian = QPlainTextEdit(self)
        self.uraian.setObjectName("uraian")
        self.uraian.setTabChangesFocus(True)
        self.uraian.setPlaceholderText(tr("Apa masalah yang dialami pelapor?"))
        self.uraian.setMinimumHeight(70)
        self.uraian_reason = QLabel(self)
        self.uraian_reason.setStyleSheet("color: #a50e0e;")
        self.uraian_reason.hide()

        self.berkas = BerkasStrip(accept_files=True, parent=self)
        self.berkas.setMaximumHeight(130)
        self.add_button = QPushButton(tr("Tambah &berkas…"), self)
        self.present = QCheckBox(
            tr("{label} sudah diterima", label=tr(self.requirement.label))
            if self.requirement
            else tr("Berkas diterima"),
            self,
        )
        self.present.setObjectName("berkas_present")
        self.present.setToolTip(
            tr(
                "Berkas yang datang bersama pendaftaran langsung diterima: "
                "tidak perlu diterima lagi."
            )
        )
        # short: the form must fit 1366 px at 125 % beside the complaint list
        self.setuju_wa = QCheckBox(tr("Setuju diberi kabar otomatis lewat WhatsApp"), self)
        self.setuju_wa.setToolTip(
            tr("Pelapor setuju menerima pemberitahuan WhatsApp otomatis dari nomor kantor.")
        )
        self.setuju_wa.setObjectName("setuju_wa")
        self.compose = QCheckBox(
            tr("Susun balasan WhatsApp (kode pelacakan) setelah mendaftar"), self
        )
        self.compose.setChecked(True)
        self.submit_button = QPushButton(tr("&Daftarkan pengaduan"), self)
        self.submit_button.setObjectName("register_button")
        self.submit_button.setToolTip(tr("Ctrl+Enter"))
        self.message = MessageBar(self)

        inner = QWidget(self)
        form = QFormLayout(inner)
        form.addRow(tr("&Nama pelapor *"), nama_row)
        form.addRow(tr("&WhatsApp *"), self.wa)
        form.addRow("", self.setuju_wa)
        form.addRow("", self.rahasia)
        form.addRow(tr("NI&K (opsional)"), self.nik)
        form.addRow(tr("K&ecamatan"), self.kecamatan)
        kind_row = QWidget(inner)  # a widget, not a layout: the row label keeps its mnemonic
        kind = QHBoxLayout(kind_row)
        kind.setContentsMargins(0, 0, 0, 0)
        kind.addWidget(self.channel, 1)
        klas = QLabel(tr("Kl&asifikasi"), kind_row)
        klas.setBuddy(self.classification)
        kind.addWidget(klas)
        kind.addWidget(self.classification, 1)
        form.addRow(tr("&Saluran"), kind_row)
        lapor_row = QWidget(inner)
        lapor = QHBoxLayout(lapor_row)
        lapor.setContentsMargins(0, 0, 0, 0)
        lapor.addWidget(self.lapor, 1)
        lapor.addWidget(self.lapor_reason, 1)
        form.addRow(tr("No. &LAPOR!"), lapor_row)
        holders: tuple[tuple[QWidget, QWidget], ...] = (
            (kind_row, self.channel),
            (lapor_row, self.lapor),
        )
        for holder, buddy in holders:
            row_label = form.labelForField(holder)
            if isinstance(row_label, QLabel):
                row_label.setBuddy(buddy)
        form.addRow(tr("Layanan &diadukan"), self.concerns)
        form.addRow(tr("&Uraian masalah *"), self.uraian)
        form.addRow("", self.uraian_reason)
        berkas_row = QHBoxLayout()
        berkas_row.addWidget(self.berkas, 1)
        berkas_row.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow(tr("Berkas"), berkas_row)
        form.addRow("", self.present)
        form.addRow("", self.compose)
        for combo in (self.kecamatan, self.channel, self.classification, self.concerns):
            # sized by a short text, not the longest item: the form fits 1366 px at 125 %
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(10)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        buttons = QHBoxLayout()  # outside the scroll: always on screen
        buttons.addWidget(self.submit_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        for a, b in (
            (self.nama, self.wa.edit),
            (self.wa.edit, self.setuju_wa),
            (self.setuju_wa, self.rahasia),
            (self.rahasia, self.nik.edit),
            (self.nik.edit, self.kecamatan),
            (self.kecamatan, self.channel),
            (self.channel, self.classification),
            (self.classification, self.lapor),
            (self.lapor, self.concerns),
            (self.concerns, self.uraian),
            (self.uraian, self.add_button),
            (self.add_button, self.present),
            (self.present, self.compose),
            (self.compose, self.submit_button),
        ):
            self.setTabOrder(a, b)

        self.add_button.clicked.connect(self.choose_files)
        self.berkas.files_dropped.connect(self.add_files)
        self.berkas.remove_requested.connect(self.remove_file)
        self.submit_button.clicked.connect(self.submit)
        self.nama.returnPressed.connect(self.submit)
        self.nama.textChanged.connect(lambda _t: self.nama_reason.setText(""))
        self.lapor.textChanged.connect(lambda _t: self.lapor_reason.setText(""))
        self.uraian.textChanged.connect(self.uraian_reason.hide)
        self.channel.currentIndexChanged.connect(lambda _i: self._channel_changed())
        self._channel_changed()
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.submit)

    def _channel_changed(self) -> None:
        from_lapor = self.channel.currentData() == "lapor"
        self.lapor.setEnabled(from_lapor)
        if not from_lapor:
            self.lapor.clear()

    # ------------------------------------------------------------------ berkas

    def choose_files(self) -> None:
        paths = self.ask_files(self)
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str]) -> None:
        accepted, refused = read_checked(paths, max_bytes=self.max_bytes)
        for berkas, checked in accepted:
            if checked.sha256 in self._files:
                continue
            self._files[checked.sha256] = berkas
            self.berkas.add_entry(
                BerkasEntry(
                    checked.sha256,
                    checked.filename,
                    checked.mime,
                    checked.size,
                    content=checked.content,
                )
            )
            self.present.setChecked(True)
        if refused:
            self.message.error("\n".join(refused))

    def remove_file(self, key: object) -> None:
        self._files.pop(str(key), None)
        self.berkas.remove_entry(key)

    def files(self) -> list[BerkasFile]:
        return list(self._files.values())

    # ------------------------------------------------------------------ submit

    def _first_problem(self) -> QWidget | None:
        problem: QWidget | None = None
        if not self.nama.text().strip() or not any(c.isalpha() for c in self.nama.text()):
            self.nama_reason.setText(tr("Nama pelapor wajib diisi."))
            problem = self.nama
        if not self.wa.valid:
            self.wa.set_error(self.wa.error or tr("Nomor WhatsApp wajib diisi."))
            problem = problem or self.wa.edit
        if not self.nik.valid:
            self.nik.set_error(self.nik.error or tr("NIK tidak sah."))
            problem = problem or self.nik.edit
        if self.channel.currentData() == "lapor" and not self.lapor.text().strip():
            self.lapor_reason.setText(tr("Nomor pelacakan LAPOR! wajib diisi."))
            problem = problem or self.lapor
        if not self.uraian.toPlainText().strip():
            self.uraian_reason.setText(tr("Tuliskan masalah yang diadukan."))
            self.uraian_reason.show()
            problem = problem or self.uraian
        return problem

    def data(self) -> core.NewComplaint:
        return core.NewComplaint(
            nama=self.nama.text(),
            wa=self.wa.text(),
            uraian=self.uraian.toPlainText(),
            nik=self.nik.text() or None,
            kecamatan=self.kecamatan.currentData(),
            berkas=self.files(),
            berkas_present=bool(self.requirement) and self.present.isChecked(),
            setuju_wa=self.setuju_wa.isChecked(),
            facts=core.ComplaintFacts(
                channel=str(self.channel.currentData()),
                classification=str(self.classification.currentData()),
                lapor_number=self.lapor.text() or None,
                concerns=self.concerns.currentData(),
                rahasia=self.rahasia.isChecked(),
            ),
        )

    def submit(self) -> None:
        if self._busy:
            return
        problem = self._first_problem()
        if problem is not None:
            problem.setFocus()
            self.message.error(tr("Periksa isian yang ditandai merah."))
            return
        data = self.data()
        actor = self.ctx.actor
        self._busy = True
        self.submit_button.setEnabled(False)
        self.message.info(tr("Menyimpan…"))
        self.ctx.ops.run(
            lambda s: core.register(s, actor, data),
            write=True,
            on_done=self._done,
            on_error=self._failed,
        )

    def _done(self, done: core.Registered) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.submit_button.setEnabled(True)
        code = show_code(done.ref.code)
        if done.steps_done:
            text = tr(
                "Pengaduan terdaftar dengan kode {kode}; berkasnya sudah diterima.", kode=code
            )
        else:
            text = tr(
                "Pengaduan terdaftar dengan kode {kode}. Lanjutkan: terima berkasnya.", kode=code
            )
        self.message.success(text)
        self.ctx.show_status(tr("Pengaduan {kode} terdaftar", kode=code))
        self.clear()
        self.registered.emit(done.ref.code)

    def _failed(self, error: SipelayananError) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.submit_button.setEnabled(True)
        field = getattr(error, "field", None)
        if field == "wa":
            self.wa.set_error(str(error))
        elif field == "nik":
            self.nik.set_error(str(error))
        elif field == "nama":
            self.nama_reason.setText(str(error))
        elif field == "lapor_number":
            self.lapor_reason.setText(str(error))
        elif field == "uraian":
            self.uraian_reason.setText(str(error))
            self.uraian_reason.show()
        self.message.error(str(error))  # everything typed stays in the form

    def clear(self) -> None:
        self.nama.clear()
        self.wa.clear()
        self.nik.clear()
        self.kecamatan.setCurrentIndex(0)
        self.channel.setCurrentIndex(0)
        self.classification.setCurrentIndex(0)
        self.lapor.clear()
        self.concerns.setCurrentIndex(0)
        self.rahasia.setChecked(False)  # asked of each pelapor
        self.uraian.clear()
        self._files.clear()
        self.berkas.clear_entries()
        self.present.setChecked(False)
        self.setuju_wa.setChecked(False)  # asked of each pelapor
        self.nama_reason.setText("")
        self.lapor_reason.setText("")
