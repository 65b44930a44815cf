"""Pengaduan: the complaint flow's own forms (SOP Penanganan Pengaduan Masyarakat).

Register a complaint (petugas_aduan), receive and record it in the buku register pengaduan,
solve a simple one at once (step 3, ``close_simple``) or escalate it to the Pejabat Pengelola
Pengaduan (steps 3–4), record the solution decided with the Tim Penjawab Aduan (steps 5–6,
pejabat_aduan) and answer the pelapor (step 7) with the WhatsApp reply composed.

Every form keeps what the clerk typed (per complaint and step) until the action succeeds, so a
lost connection or someone else's change never throws text away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ..calendar import WIB
from ..errors import ConflictError, SipelayananError
from ..i18n import tr
from ..identity import kecamatan_name, kecamatan_way_kanan
from ..models.cases import CaseStatus
from ..services import cases as svc
from ..services.berkas import BerkasFile, read_checked
from ..services.office import DEFAULT_MAX_ATTACHMENT_BYTES
from ..services.queries import CaseView, SearchFilters, case_view, search
from ..sop import ROLES, services
from .context import UiContext
from .whatsapp import WhatsAppDialog, local_number, show_whatsapp_message
from .widgets.berkas import AskFiles, BerkasEntry, BerkasStrip, ask_berkas_files
from .widgets.common import MessageBar, fmt_dt, fmt_minutes
from .widgets.documents import compose_message, track_sent
from .widgets.step_bar import StepBar, StepItem
from .widgets.validated import ValidatedField, nik_field, wa_field

SERVICE = "PENGADUAN"
LIST_LIMIT = 500
FINISHED_DAYS = 30
MAX_TEXT = 4000

SCOPE_MINE = "saya"
SCOPE_OPEN = "terbuka"
SCOPE_DONE = "selesai"


def _ask_files(parent: QWidget | None) -> list[str]:
    return ask_berkas_files(parent, "Tambah berkas pengaduan")


def _pretty(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# --------------------------------------------------------------------------- read side


@dataclass(frozen=True)
class ComplaintRow:
    code: str
    pelapor: str
    status: str
    step: int
    role: str | None  # whose turn (the SOP's role of the current step); None when closed
    received_at: datetime
    due_at: datetime
    mine: bool


def list_complaints(session: Session, scope: str, roles: tuple[str, ...]) -> list[ComplaintRow]:
    """Complaints for the list: open ones (most urgent first) or recently finished ones."""
    sdef = services()[SERVICE]
    mine_roles = set(roles)

    def turn(step_no: int) -> tuple[str | None, bool]:
        try:
            step = sdef.step(step_no)
        except KeyError:
            return None, False
        return step.role, bool(mine_roles & ({step.role} | set(step.with_roles)))

    if scope == SCOPE_DONE:
        since = datetime.now(WIB).date() - timedelta(days=FINISHED_DAYS)
        found = search(
            session,
            "",
            SearchFilters(service=SERVICE, status=CaseStatus.SELESAI, date_from=since),
            limit=LIST_LIMIT,
        )
        return [
            ComplaintRow(
                r.code,
                r.pemohon_nama,
                r.status,
                r.current_step,
                None,
                r.received_at,
                r.due_at,
                False,
            )
            for r in found
        ]
    rows: list[ComplaintRow] = []
    for status in (CaseStatus.PROSES, CaseStatus.MENUNGGU_PEMOHON):
        for r in search(
            session, "", SearchFilters(service=SERVICE, status=status), limit=LIST_LIMIT
        ):
            role, mine = turn(r.current_step)
            rows.append(
                ComplaintRow(
                    r.code,
                    r.pemohon_nama,
                    r.status,
                    r.current_step,
                    role,
                    r.received_at,
                    r.due_at,
                    mine,
                )
            )
    if scope == SCOPE_MINE:
        rows = [r for r in rows if r.mine]
    rows.sort(key=lambda r: (r.status != CaseStatus.PROSES, r.due_at, r.code))
    return rows


class ComplaintModel(QAbstractTableModel):
    COLUMNS = ("Kode", "Pelapor", "Langkah", "Giliran", "Diterima", "Tenggat")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ComplaintRow] = []

    def set_rows(self, rows: list[ComplaintRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, code: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.code == code), -1)

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
            return tr(self.COLUMNS[section])
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return _pretty(r.code)
            if col == 1:
                return r.pelapor
            if col == 2:
                if r.status == CaseStatus.MENUNGGU_PEMOHON:
                    return tr("{n} · menunggu pelapor", n=r.step)
                if r.status == CaseStatus.SELESAI:
                    return tr("Selesai")
                return str(r.step)
            if col == 3:
                return tr(ROLES.get(r.role, r.role)) if r.role else "—"
            if col == 4:
                return fmt_dt(r.received_at)
            if col == 5:
                return fmt_dt(r.due_at) if r.status in CaseStatus.OPEN else "—"
        if role == Qt.ItemDataRole.UserRole:
            return r.code
        if role == Qt.ItemDataRole.FontRole and r.mine and r.status == CaseStatus.PROSES:
            font = QFont()
            font.setBold(True)
            return font
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and col == 5
            and r.status in CaseStatus.OPEN
            and datetime.now(WIB) > r.due_at
        ):
            return QBrush(QColor("#a11d1d"))
        if role == Qt.ItemDataRole.ToolTipRole and r.mine and r.status == CaseStatus.PROSES:
            return tr("Giliran Anda")
        return None


# --------------------------------------------------------------------------- step forms


@dataclass(frozen=True)
class FormSpec:
    """One action form: what it asks for and what it calls."""

    key: str  # draft key and object-name suffix
    title: str
    hint: str
    button: str
    action: str  # "advance" | "close" | "return_pemohon" | "resubmit"
    text_label: str | None = None
    text_field: str = "note"  # "note" | "solusi" | "missing"
    text_required: bool = False
    text_prefill_solusi: bool = False
    note_label: str | None = None  # a second, optional note line
    compose: str | None = None  # WhatsApp template to compose after success
    secondary: bool = False  # folded until the clerk opens it (a less common way out)
    checklist: tuple[tuple[str, str], ...] = ()  # (key, label) still to tick before moving on


def forms_for(view: CaseView) -> list[FormSpec]:
    """The forms this user may use on this complaint now (driven by ``view.allowed``)."""
    allowed = view.allowed
    step = view.current_step
    out: list[FormSpec] = []
    if view.status == CaseStatus.MENUNGGU_PEMOHON and allowed.get("resubmit"):
        out.append(
            FormSpec(
                "resubmit",
                tr("Berkas susulan dari pelapor"),
                tr(
                    "Pelapor sudah mengirim kekurangannya: pengaduan berlanjut di langkah {n}.",
                    n=step,
                ),
                tr("Berkas susulan diterima"),
                "resubmit",
                text_label=tr("Catatan (opsional)"),
            )
        )
        return out
    if view.status != CaseStatus.PROSES:
        return out
    if allowed.get("close"):
        out.append(
            FormSpec(
                "close",
                tr("Solusi sederhana"),
                tr(
                    "Masalah dapat diselesaikan petugas sekarang: tulis solusi yang diberikan; "
                    "pengaduan selesai di langkah ini."
                ),
                tr("Selesaikan dengan solusi ini"),
                "close",
                text_label=tr("Solusi untuk pelapor"),
                text_field="solusi",
                text_required=True,
                compose="pengaduan_dijawab",
            )
        )
    if allowed.get("advance"):
        spec = _advance_spec(view)
        if allowed.get("return_pemohon"):  # a completeness step: the checklist must be whole
            missing = tuple((c.key, c.label) for c in view.checklist if c.applies and not c.present)
            spec = replace(spec, checklist=missing)
        out.append(spec)
    if allowed.get("return_pemohon"):
        out.append(
            FormSpec(
                "return",
                tr("Kembalikan ke pelapor"),
                tr(
                    "Berkas belum cukup untuk menangani pengaduan: sebutkan yang harus dikirim "
                    "pelapor (pisahkan dengan titik koma). Waktu SOP berhenti sampai berkas "
                    "susulan diterima."
                ),
                tr("Kembalikan ke pelapor"),
                "return_pemohon",
                text_label=tr("Kekurangan berkas"),
                text_field="missing",
                text_required=True,
                note_label=tr("Catatan untuk pelapor (opsional)"),
                compose="berkas_kurang",
                secondary=True,
            )
        )
    return out


def _advance_spec(view: CaseView) -> FormSpec:
    step = view.current_step
    if step == 1:
        return FormSpec(
            "advance1",
            tr("Terima berkas pengaduan"),
            tr("Berkas dari pelapor sudah diterima lewat nomor pelayanan pengaduan."),
            tr("Terima berkas (selesai langkah 1)"),
            "advance",
            text_label=tr("Catatan (opsional)"),
        )
    if step == 2:
        return FormSpec(
            "advance2",
            tr("Analisa dan catat di buku register pengaduan"),
            tr("Nomor register pengaduan diberikan otomatis saat langkah ini selesai."),
            tr("Catat di buku register"),
            "advance",
            text_label=tr("Hasil analisa (opsional)"),
        )
    if step == 3:
        return FormSpec(
            "escalate",
            tr("Eskalasi: masalah kompleks"),
            tr(
                "Masalah tidak dapat diselesaikan petugas: laporkan ke Pejabat Pengelola "
                "Pengaduan (langkah 4)."
            ),
            tr("Eskalasi ke pejabat"),
            "advance",
            text_label=tr("Alasan eskalasi / ringkasan masalah"),
            text_required=True,
        )
    if step == 4:
        return FormSpec(
            "report",
            tr("Laporkan ke Pejabat Pengelola Pengaduan"),
            tr("Pejabat memutuskan solusinya bersama Tim Penjawab Aduan."),
            tr("Laporkan ke pejabat"),
            "advance",
            text_label=tr("Ringkasan laporan untuk pejabat (opsional)"),
        )
    if step == 5:
        return FormSpec(
            "solusi_tim",
            tr("Solusi hasil konsultasi dengan Tim Penjawab Aduan"),
            tr("Catat solusi yang diputuskan bersama tim."),
            tr("Catat solusi tim"),
            "advance",
            text_label=tr("Solusi"),
            text_field="solusi",
            text_required=True,
            text_prefill_solusi=True,
            note_label=tr("Catatan rapat / anggota tim (opsional)"),
        )
    if step == 6:
        return FormSpec(
            "solusi_petugas",
            tr("Serahkan solusi kepada petugas penerima aduan"),
            tr("Periksa solusi sebelum diserahkan; petugas menyampaikannya kepada pelapor."),
            tr("Serahkan solusi ke petugas"),
            "advance",
            text_label=tr("Solusi"),
            text_field="solusi",
            text_required=True,
            text_prefill_solusi=True,
        )
    if step == 7:
        return FormSpec(
            "answer",
            tr("Jawab pelapor"),
            tr("Sampaikan solusi kepada pelapor; pengaduan selesai dan balasan WhatsApp disusun."),
            tr("Jawab pelapor dan selesaikan"),
            "advance",
            text_label=tr("Solusi yang disampaikan"),
            text_field="solusi",
            text_required=True,
            text_prefill_solusi=True,
            compose="pengaduan_dijawab",
        )
    return FormSpec(  # an SOP edited since: a plain "finish this step"
        f"advance{step}",
        tr("Selesaikan langkah {n}", n=step),
        view.current_activity,
        tr("Selesaikan langkah"),
        "advance",
        text_label=tr("Catatan (opsional)"),
    )


class ActionForm(QGroupBox):
    """One form: an optional text box (+ optional note line) and its button."""

    submitted = Signal(object)  # the form itself

    def __init__(
        self,
        spec: FormSpec,
        drafts: dict[str, str],
        draft_prefix: str,
        solusi: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(spec.title, parent)
        self.spec = spec
        self.setObjectName(f"form_{spec.key}")
        self._drafts = drafts
        self._prefix = f"{draft_prefix}/{spec.key}"
        outer = QVBoxLayout(self)
        self.body = QWidget(self)
        outer.addWidget(self.body)
        layout = QVBoxLayout(self.body)
        layout.setContentsMargins(0, 0, 0, 0)
        if spec.secondary:
            has_draft = any(drafts.get(f"{self._prefix}/{k}") for k in ("text", "note"))
            self.setCheckable(True)
            self.setChecked(has_draft)
            self.body.setVisible(has_draft)
            self.toggled.connect(self._unfold)
        hint = QLabel(spec.hint, self.body)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6368;")
        layout.addWidget(hint)
        self.text: QPlainTextEdit | None = None
        self.note: QLineEdit | None = None
        if spec.text_label is not None:
            layout.addWidget(
                QLabel(spec.text_label + (" *" if spec.text_required else ""), self.body)
            )
            self.text = QPlainTextEdit(self.body)
            self.text.setObjectName(f"text_{spec.key}")
            self.text.setTabChangesFocus(True)
            self.text.setMaximumHeight(100 if spec.text_required else 56)
            initial = drafts.get(self._prefix + "/text")
            if initial is None and spec.text_prefill_solusi and solusi:
                initial = solusi
            if initial:
                self.text.setPlainText(initial)
                self.text.moveCursor(QTextCursor.MoveOperation.End)
            self.text.textChanged.connect(self._keep_text)
            layout.addWidget(self.text)
        if spec.note_label is not None:
            layout.addWidget(QLabel(spec.note_label, self.body))
            self.note = QLineEdit(self.body)
            self.note.setObjectName(f"note_{spec.key}")
            self.note.setMaxLength(2000)
            self.note.setText(drafts.get(self._prefix + "/note", ""))
            self.note.textChanged.connect(self._keep_note)
            self.note.returnPressed.connect(self.submit)
            layout.addWidget(self.note)
        self.ticks: dict[str, QCheckBox] = {}
        for key, label in spec.checklist:
            box = QCheckBox(tr("{label} sudah diterima", label=tr(label)), self.body)
            box.setObjectName(f"tick_{key}")
            self.ticks[key] = box
            layout.addWidget(box)
        self.reason = QLabel(self.body)
        self.reason.setStyleSheet("color: #a50e0e;")
        self.reason.setWordWrap(True)
        self.reason.hide()
        layout.addWidget(self.reason)
        row = QHBoxLayout()
        self.button = QPushButton(spec.button, self.body)
        self.button.setObjectName(f"button_{spec.key}")
        self.button.setToolTip(tr("Ctrl+Enter"))
        self.button.clicked.connect(self.submit)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addLayout(row)
        if self.text is not None:
            QShortcut(
                QKeySequence("Ctrl+Return"),
                self.text,
                activated=self.submit,
                context=Qt.ShortcutContext.WidgetShortcut,
            )
            QShortcut(
                QKeySequence("Ctrl+Enter"),
                self.text,
                activated=self.submit,
                context=Qt.ShortcutContext.WidgetShortcut,
            )

    def _unfold(self, on: bool) -> None:
        self.body.setVisible(on)
        if on:
            (self.text or self.button).setFocus()

    def text_value(self) -> str:
        return self.text.toPlainText().strip() if self.text is not None else ""

    def note_value(self) -> str:
        return self.note.text().strip() if self.note is not None else ""

    def show_reason(self, text: str) -> None:
        self.reason.setText(text)
        self.reason.setVisible(bool(text))

    def submit(self) -> None:
        if not self.button.isEnabled():
            return
        if self.spec.text_required and not self.text_value():
            self.show_reason(tr("{label} wajib diisi.", label=self.spec.text_label or ""))
            if self.text is not None:
                self.text.setFocus()
            return
        if len(self.text_value()) > MAX_TEXT:
            self.show_reason(tr("Teks terlalu panjang (maksimal {n} karakter).", n=MAX_TEXT))
            return
        unticked = [box for box in self.ticks.values() if not box.isChecked()]
        if unticked:
            self.show_reason(
                tr("Tandai berkas yang sudah diterima; bila belum ada, kembalikan ke pelapor.")
            )
            unticked[0].setFocus()
            return
        self.show_reason("")
        self.submitted.emit(self)

    def forget(self) -> None:
        self._drafts.pop(self._prefix + "/text", None)
        self._drafts.pop(self._prefix + "/note", None)

    def _keep_text(self) -> None:
        if self.text is not None:
            self._drafts[self._prefix + "/text"] = self.text.toPlainText()

    def _keep_note(self, text: str) -> None:
        self._drafts[self._prefix + "/note"] = text


# --------------------------------------------------------------------------- register form


class RegisterForm(QWidget):
    """Daftarkan pengaduan: intake of a PENGADUAN request at step 1."""

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
        sdef = services()[SERVICE]
        self.requirement = sdef.requirements[0] if sdef.requirements else None

        title = QLabel(tr("Daftarkan pengaduan baru"), self)
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.nama = QLineEdit(self)
        self.nama.setObjectName("pelapor_nama")
        self.nama.setMaxLength(200)
        self.nama.setPlaceholderText(tr("nama pelapor"))
        self.nama.setMinimumWidth(320)
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
        self.uraian = QPlainTextEdit(self)
        self.uraian.setObjectName("uraian")
        self.uraian.setTabChangesFocus(True)
        self.uraian.setPlaceholderText(tr("Apa masalah yang dialami pelapor?"))
        self.uraian.setMinimumHeight(90)
        self.uraian_reason = QLabel(self)
        self.uraian_reason.setStyleSheet("color: #a50e0e;")
        self.uraian_reason.hide()

        self.berkas = BerkasStrip(accept_files=True, parent=self)
        self.berkas.setMaximumHeight(150)
        self.add_button = QPushButton(tr("Tambah &berkas…"), self)
        self.present = QCheckBox(
            tr("{label} sudah diterima", label=tr(self.requirement.label))
            if self.requirement
            else tr("Berkas diterima"),
            self,
        )
        self.present.setObjectName("berkas_present")
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

        form = QFormLayout()
        form.addRow(tr("&Nama pelapor *"), nama_row)
        form.addRow(tr("&WhatsApp *"), self.wa)
        form.addRow("", self.setuju_wa)
        form.addRow(tr("NI&K (opsional)"), self.nik)
        form.addRow(tr("K&ecamatan"), self.kecamatan)
        form.addRow(tr("&Uraian masalah *"), self.uraian)
        form.addRow("", self.uraian_reason)
        berkas_row = QHBoxLayout()
        berkas_row.addWidget(self.berkas, 1)
        berkas_row.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        form.addRow(tr("Berkas"), berkas_row)
        form.addRow("", self.present)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addWidget(self.compose)
        buttons = QHBoxLayout()
        buttons.addWidget(self.submit_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        for a, b in (
            (self.nama, self.wa.edit),
            (self.wa.edit, self.nik.edit),
            (self.nik.edit, self.kecamatan),
            (self.kecamatan, self.uraian),
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
        self.uraian.textChanged.connect(self.uraian_reason.hide)
        for shortcut in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(
                QKeySequence(shortcut),
                self,
                activated=self.submit,
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )

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
        if not self.uraian.toPlainText().strip():
            self.uraian_reason.setText(tr("Tuliskan masalah yang diadukan."))
            self.uraian_reason.show()
            problem = problem or self.uraian
        return problem

    def submit(self) -> None:
        if self._busy:
            return
        problem = self._first_problem()
        if problem is not None:
            problem.setFocus()
            self.message.error(tr("Periksa isian yang ditandai merah."))
            return
        data = svc.IntakeData(
            service=SERVICE,
            nama=self.nama.text(),
            wa=self.wa.text(),
            nik=self.nik.text() or None,
            kecamatan=self.kecamatan.currentData(),
            present=[self.requirement.key] if self.requirement and self.present.isChecked() else [],
            uraian=self.uraian.toPlainText(),
            berkas=self.files(),
            setuju_wa=self.setuju_wa.isChecked(),
        )
        actor = self.ctx.actor
        self._busy = True
        self.submit_button.setEnabled(False)
        self.message.info(tr("Menyimpan…"))
        self.ctx.ops.run(
            lambda s: svc.intake(s, actor, data),
            write=True,
            on_done=self._done,
            on_error=self._failed,
        )

    def _done(self, ref: svc.CaseRef) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.submit_button.setEnabled(True)
        self.message.success(
            tr(
                "Pengaduan terdaftar dengan kode {kode}. Lanjutkan: terima berkasnya.",
                kode=_pretty(ref.code),
            )
        )
        self.ctx.show_status(tr("Pengaduan {kode} terdaftar", kode=_pretty(ref.code)))
        self.clear()
        self.registered.emit(ref.code)

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
        elif field == "uraian":
            self.uraian_reason.setText(str(error))
            self.uraian_reason.show()
        self.message.error(str(error))  # everything typed stays in the form

    def clear(self) -> None:
        self.nama.clear()
        self.wa.clear()
        self.nik.clear()
        self.kecamatan.setCurrentIndex(0)
        self.uraian.clear()
        self._files.clear()
        self.berkas.clear_entries()
        self.present.setChecked(False)
        self.setuju_wa.setChecked(False)  # asked of each pelapor
        self.nama_reason.setText("")


# --------------------------------------------------------------------------- detail


class ComplaintDetail(QWidget):
    """One complaint: who, what, the SOP steps so far, and the forms for the current step."""

    acted = Signal(str, str)  # code, form key
    message_composed = Signal(object)  # the WhatsAppDialog shown

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: CaseView | None = None
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
        self.info = QLabel(self)
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
    def code(self) -> str | None:
        return self.view.code if self.view is not None else self._loading

    def load(self, code: str) -> None:
        self._loading = code
        roles = self.ctx.user.roles
        self.ctx.ops.run(
            lambda s: case_view(s, code, roles=roles),
            on_done=self._loaded,
            on_error=self._load_failed,
        )

    def reload(self) -> None:
        if self.code is not None:
            self.load(self.code)

    def _loaded(self, view: CaseView) -> None:
        if not isValid(self) or view.code != self._loading:
            return
        self.view = view
        self._show(view)

    def _load_failed(self, error: SipelayananError) -> None:
        if isValid(self):
            self.message.error(str(error))

    def _show(self, view: CaseView) -> None:
        status = tr(CaseStatus.LABELS.get(view.status, view.status))
        if view.status == CaseStatus.PROSES:
            status = tr(
                "{s}, langkah {n} dari {t}", s=status, n=view.current_step, t=len(view.steps)
            )
        self.header.setText(
            tr("Pengaduan {kode} — {status}", kode=_pretty(view.code), status=status)
        )
        self.step_bar.set_steps(
            self._step_items(view), finished=view.status in (CaseStatus.SELESAI, CaseStatus.BATAL)
        )
        kec = kecamatan_name(view.kecamatan) if view.kecamatan else None
        lines = [
            tr("Pelapor: <b>{nama}</b>", nama=_html(view.pemohon_nama)),
            tr("WhatsApp: {wa}", wa=_html(local_number(view.wa))),
        ]
        if view.nik_masked:
            lines.append(tr("NIK: {nik}", nik=view.nik_masked))
        if kec:
            lines.append(tr("Kecamatan: {kec}", kec=_html(kec)))
        lines.append(tr("Diterima: {t}", t=fmt_dt(view.received_at, with_day=True)))
        if view.status in CaseStatus.OPEN:
            lines.append(tr("Tenggat: {t}", t=fmt_dt(view.due_at, with_day=True)))
        if view.register_number:
            lines.append(tr("Nomor register: <b>{no}</b>", no=_html(view.register_number)))
        if view.missing_items:
            lines.append(tr("Kekurangan: {items}", items=_html("; ".join(view.missing_items))))
        self.info.setText(" · ".join(lines))
        self.uraian.setPlainText(view.uraian or tr("(tidak ada uraian)"))
        self.solusi.setText(tr("<b>Solusi:</b> {s}", s=_html(view.solusi)) if view.solusi else "")
        self.solusi.setVisible(bool(view.solusi))
        self.history.setText(self._history_html(view))
        self.compose_button.setVisible(view.status == CaseStatus.SELESAI)
        self._build_forms(view)

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
            rows.append(
                f"{fmt_dt(h.ended_at)} · "
                + tr("langkah {n}", n=h.step_no)
                + f" · {_html(tr(h.action_label))} · {_html(h.full_name)}"
                f" ({fmt_minutes(h.working_minutes)}){note}"
            )
        return "<br>".join(rows)

    def _build_forms(self, view: CaseView) -> None:
        key = (view.code, view.status, view.current_step, view.version)
        if key == self._form_key:
            return  # same state: keep the forms (and the focus) as they are
        self._form_key = key
        for form in self.forms:
            form.setParent(None)
            form.deleteLater()
        self.forms = []
        specs = forms_for(view)
        prefix = f"{view.code}/{view.current_step}"
        for spec in specs:
            form = ActionForm(spec, self.drafts, prefix, view.solusi, self)
            form.submitted.connect(self._submit)
            self.forms_box.addWidget(form)
            self.forms.append(form)
        self.turn.setText(self._turn_text(view, bool(specs)))
        self.turn.setVisible(bool(self.turn.text()))

    def _turn_text(self, view: CaseView, can_act: bool) -> str:
        if view.status == CaseStatus.SELESAI:
            path = {
                "sederhana": tr("dengan solusi sederhana"),
                "eskalasi": tr("melalui pejabat pengelola pengaduan"),
            }.get(view.closed_path or "", "")
            return tr("Pengaduan selesai {path}.", path=path).replace(" .", ".")
        if view.status == CaseStatus.BATAL:
            return tr("Pengaduan dibatalkan: {alasan}", alasan=view.cancel_reason or "-")
        if can_act:
            return ""
        step = next((s for s in view.steps if s.no == view.current_step), None)
        role = (
            tr(ROLES.get(view.current_role or "", view.current_role or ""))
            if view.current_role
            else tr("petugas penerima aduan")
        )
        text = tr("Menunggu {role} pada langkah {n}.", role=role, n=view.current_step)
        if step is not None and "tim_aduan" in self.ctx.user.roles and view.current_step == 5:
            text += " " + tr(
                "Tim Penjawab Aduan ikut menentukan solusi dalam rapat; "
                "solusinya dicatat oleh Pejabat Pengelola Pengaduan."
            )
        return text

    # ------------------------------------------------------------------ actions

    def _submit(self, form: ActionForm) -> None:
        view = self.view
        if view is None or self._busy:
            return
        actor = self.ctx.actor
        spec = form.spec
        text, note = form.text_value(), form.note_value()
        code, version, step = view.code, view.version, view.current_step
        fn: Callable[[Session], Any]
        if spec.action == "close":

            def fn(s: Session) -> Any:
                return svc.close_simple(s, actor, code, solusi=text, expected_version=version)
        elif spec.action == "return_pemohon":
            items = [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]

            def fn(s: Session) -> Any:
                return svc.return_to_pemohon(
                    s, actor, code, missing=items, note=note or None, expected_version=version
                )
        elif spec.action == "resubmit":

            def fn(s: Session) -> Any:
                return svc.resubmit(s, actor, code, note=text or None, expected_version=version)
        else:
            solusi = text if spec.text_field == "solusi" else None
            step_note = note if spec.text_field == "solusi" else text
            ticked = list(form.ticks)
            present = [c.key for c in view.checklist if c.present]

            def fn(s: Session) -> Any:
                expected: int | None = version
                if ticked:  # ticked now: the checklist and the move in one unit of work
                    svc.update_checklist(
                        s, actor, code, present=present + ticked, expected_version=version
                    )
                    expected = None  # checked just above, in this same transaction
                return svc.advance(
                    s,
                    actor,
                    code,
                    note=step_note or None,
                    solusi=solusi,
                    expected_version=expected,
                    expected_step=step,
                )

        self._busy = True
        for f in self.forms:
            f.button.setEnabled(False)
        self.ctx.ops.run(
            fn,
            write=True,
            on_done=lambda ref: self._acted(form, ref),
            on_error=lambda e: self._act_failed(e),
        )

    def _acted(self, form: ActionForm, ref: svc.CaseRef) -> None:
        if not isValid(self):
            return
        self._busy = False
        spec = form.spec if isValid(form) else None
        if spec is None:
            return
        form.forget()
        texts = {
            "close": tr("Pengaduan {kode} selesai dengan solusi sederhana."),
            "return_pemohon": tr("Pengaduan {kode} dikembalikan ke pelapor."),
            "resubmit": tr("Berkas susulan {kode} diterima; pengaduan berlanjut."),
        }
        if spec.action in texts:
            text = texts[spec.action].format(kode=_pretty(ref.code))
        elif ref.status == CaseStatus.SELESAI:
            text = tr("Pengaduan {kode} selesai; pelapor sudah dijawab.", kode=_pretty(ref.code))
        else:
            text = tr(
                "Langkah {a} selesai; pengaduan {kode} di langkah {b}.",
                a=ref.current_step - 1,
                kode=_pretty(ref.code),
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
            target = form.text or form.note or form.button
            target.setFocus()
            return


def _html(text: str | None) -> str:
    from html import escape

    return escape(text or "")


# --------------------------------------------------------------------------- the page


class PengaduanPage(QWidget):
    """Daftar pengaduan on the left; the chosen complaint (or the register form) on the right."""

    title = "Pengaduan"

    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, ask_files: AskFiles | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._started = False
        self._select_after_load: str | None = None
        self.can_register = ctx.has_role("petugas_aduan")

        self.new_button = QPushButton(tr("&Pengaduan baru"), self)
        self.new_button.setObjectName("new_complaint")
        self.new_button.setToolTip(tr("Ctrl+N"))
        self.new_button.setVisible(self.can_register)
        self.scope = QComboBox(self)
        self.scope.setObjectName("complaint_scope")
        self.scope.addItem(tr("Giliran saya"), SCOPE_MINE)
        self.scope.addItem(tr("Semua yang terbuka"), SCOPE_OPEN)
        self.scope.addItem(tr("Selesai ({n} hari terakhir)", n=FINISHED_DAYS), SCOPE_DONE)
        self.count = QLabel(self)
        self.model = ComplaintModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("complaint_list")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        for col, width in enumerate((112, 140, 70, 150, 120, 120)):
            self.table.setColumnWidth(col, width)
        self.message = MessageBar(self)

        self.register = RegisterForm(ctx, self, ask_files=ask_files)
        self.detail = ComplaintDetail(ctx, self)
        self.empty = QLabel(tr("Pilih pengaduan di daftar."), self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #5f6368;")
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.register)
        self.stack.addWidget(self.detail)

        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addWidget(self.scope, 1)
        lv.addLayout(top)
        lv.addWidget(self.message)
        lv.addWidget(self.table, 1)
        lv.addWidget(self.count)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([520, 780])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.new_button.clicked.connect(self.show_register)
        self.scope.currentIndexChanged.connect(lambda _i: self.reload_list())
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.activated.connect(lambda _i: self.detail.focus_first_form())
        self.register.registered.connect(self._registered)
        self.detail.acted.connect(lambda _code, _key: self.reload_list())
        if self.can_register:
            QShortcut(
                QKeySequence("Ctrl+N"),
                self,
                activated=self.show_register,
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )
        if not self.can_register and not ctx.has_role("pejabat_aduan", "tim_aduan"):
            self.scope.setCurrentIndex(self.scope.findData(SCOPE_OPEN))

    # ------------------------------------------------------------------ page contract

    def refresh(self) -> None:
        self.reload_list()
        if self.stack.currentWidget() is self.detail:
            self.detail.reload()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._started:
            self._started = True
            self.reload_list()

    # ------------------------------------------------------------------ list

    def reload_list(self) -> None:
        scope = str(self.scope.currentData())
        roles = self.ctx.user.roles
        self.ctx.ops.run(
            lambda s: list_complaints(s, scope, roles),
            on_done=lambda rows, sc=scope: self._listed(sc, rows),
            on_error=lambda e: self.message.error(str(e)) if isValid(self) else None,
        )

    def _listed(self, scope: str, rows: list[ComplaintRow]) -> None:
        if not isValid(self) or scope != self.scope.currentData():
            return
        keep = self._select_after_load or (
            self.detail.code if self.stack.currentWidget() is self.detail else None
        )
        self._select_after_load = None
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(rows)
        self.table.selectionModel().blockSignals(False)
        if keep is not None:
            row = self.model.row_of(keep)
            if row >= 0:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)
        elif rows and self.stack.currentWidget() is self.empty:
            self.table.selectRow(0)  # the most urgent one, ready to work on
        mine = sum(1 for r in rows if r.mine and r.status == CaseStatus.PROSES)
        text = tr("{n} pengaduan", n=len(rows))
        if scope != SCOPE_DONE:
            text += tr(" · {m} giliran Anda", m=mine)
        if len(rows) >= LIST_LIMIT:
            text += tr(
                " (ditampilkan {n} teratas; pakai halaman Cari untuk yang lain)", n=LIST_LIMIT
            )
        self.count.setText(text)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        code = self.model.data(current, Qt.ItemDataRole.UserRole) if current.isValid() else None
        if code:
            self.open_complaint(str(code))

    # ------------------------------------------------------------------ right side

    def open_complaint(self, code: str) -> None:
        self.stack.setCurrentWidget(self.detail)
        if self.detail.code != code:
            self.detail.view = None
            self.detail._form_key = None
        self.detail.load(code)

    def show_register(self) -> None:
        if not self.can_register:
            return
        self.table.clearSelection()
        self.stack.setCurrentWidget(self.register)
        self.register.nama.setFocus()

    def _registered(self, code: str) -> None:
        self._select_after_load = code
        if self.scope.currentData() == SCOPE_DONE:
            self.scope.setCurrentIndex(self.scope.findData(SCOPE_MINE))
        self.open_complaint(code)
        if self.register.compose.isChecked():
            self.detail.compose("berkas_diterima")
        self.reload_list()
