"""Laporan: register, rekap, kinerja, pengaduan, SOP chart — and the tanda terima of a request.

The document is made on the long-job worker (``ops.run(..., long=True)``) with a progress bar
and written straight to the file the clerk chose, so the window never freezes and the inbox
keeps refreshing meanwhile. Making a document writes an audit entry; if the file cannot be
written the transaction rolls back and nothing is recorded.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ..errors import InputError, SipelayananError
from ..i18n import tr
from ..identity import ValidationError, extract_tracking_code, normalize_tracking_code
from ..reports import (  # kinds without a period (sop, …); kinds about complaints only
    COMPLAINT_REPORTS,
    PERIODLESS,
)
from ..services.berkas import human_size
from ..sop import services
from ..sop.catalog import complaint_codes
from .context import UiContext
from .widgets.common import MessageBar

RECEIPT = "receipt"

FORMAT_LABELS = {
    "pdf": "PDF (.pdf)",
    "xlsx": "Excel (.xlsx)",
    "png": "Gambar PNG (.png) — untuk dikirim lewat WhatsApp",
}
FORMAT_FILTERS = {
    "pdf": "PDF (*.pdf)",
    "xlsx": "Excel (*.xlsx)",
    "png": "Gambar PNG (*.png)",
}

ChoosePath = Callable[[QWidget, str, str], "str | None"]
Opener = Callable[[QUrl], bool]


def _choose_path(parent: QWidget, suggested: str, file_filter: str) -> str | None:
    path, _selected = QFileDialog.getSaveFileName(
        parent, tr("Simpan sebagai"), suggested, file_filter
    )
    return path or None


@dataclass(frozen=True)
class Saved:
    path: str
    size: int


def _write_atomically(path: Path, content: bytes) -> None:
    """Write next to the target, then rename: a half-written report never replaces a good one."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".sipelayanan-", suffix=path.suffix, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if isinstance(exc, PermissionError):
            reason = tr("tidak ada izin menulis, atau berkas sedang dibuka program lain")
        raise InputError(
            tr(
                "Berkas tidak dapat disimpan di {path}: {reason}. Pilih folder lain lalu coba "
                "lagi; tidak ada yang dicatat.",
                path=str(path),
                reason=reason,
            ),
            "path",
        ) from exc


class ReportsDialog(QDialog):
    """Pick a kind, period, service and format; save the document; offer to open it."""

    saved = Signal(str)  # the path written

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        code: str | None = None,
        kind: str | None = None,
        choose_path: ChoosePath | None = None,
        opener: Opener | None = None,
    ) -> None:
        super().__init__(parent)
        from ..reports import REPORT_FORMATS, REPORT_KINDS, REPORT_LABELS

        self.ctx = ctx
        self.choose_path: ChoosePath = choose_path or _choose_path
        self.opener: Opener = opener or QDesktopServices.openUrl
        self._formats: dict[str, tuple[str, ...]] = {**REPORT_FORMATS, RECEIPT: ("pdf", "png")}
        self._running = False
        self.last_saved: Saved | None = None
        self.last_preview: Any = None  # the print preview last opened (Cetak…)
        self.setWindowTitle(tr("Laporan dan Tanda Terima"))
        self.setMinimumWidth(680)

        self.kind = QComboBox(self)
        self.kind.setObjectName("report_kind")
        for k in REPORT_KINDS:
            self.kind.addItem(tr(REPORT_LABELS[k]), k)
        self.kind.addItem(tr("Tanda Terima Permohonan"), RECEIPT)

        today = QDate.currentDate()
        self.date_from = QDateEdit(QDate(today.year(), today.month(), 1), self)
        self.date_to = QDateEdit(today, self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
            edit.setMinimumWidth(120)
        self.period_row = QWidget(self)
        period = QHBoxLayout(self.period_row)
        period.setContentsMargins(0, 0, 0, 0)
        period.addWidget(self.date_from)
        period.addWidget(QLabel(tr("s.d."), self))
        period.addWidget(self.date_to)
        self.quick: dict[str, QPushButton] = {}
        for key, label in (
            ("today", tr("Hari ini")),
            ("month", tr("Bulan ini")),
            ("last_month", tr("Bulan lalu")),
            ("year", tr("Tahun ini")),
        ):
            button = QPushButton(label, self)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, k=key: self.set_quick_period(k))
            period.addWidget(button)
            self.quick[key] = button
        period.addStretch(1)

        self.service = QComboBox(self)
        self.service.setObjectName("report_service")
        self.service.addItem(tr("Semua layanan"), None)
        for svc_code, sdef in services().items():
            self.service.addItem(sdef.short_name, svc_code)

        self.code = QLineEdit(self)
        self.code.setObjectName("receipt_code")
        self.code.setPlaceholderText(tr("mis. ABCD-EFGH3, atau pindai QR"))
        self.code.setMaxLength(2000)
        self.code_reason = QLabel(self)
        self.code_reason.setWordWrap(True)
        self.code_row = QWidget(self)
        code_layout = QHBoxLayout(self.code_row)
        code_layout.setContentsMargins(0, 0, 0, 0)
        code_layout.addWidget(self.code, 0)
        code_layout.addWidget(self.code_reason, 1)

        self.format = QComboBox(self)
        self.format.setObjectName("report_format")

        self.form = QFormLayout()
        self.form.addRow(tr("&Jenis"), self.kind)
        self.form.addRow(tr("&Periode"), self.period_row)
        self.form.addRow(tr("&Layanan"), self.service)
        self.form.addRow(tr("&Kode pelacakan"), self.code_row)
        self.form.addRow(tr("&Format"), self.format)

        self.progress = QProgressBar(self)
        self.progress.setObjectName("report_progress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.message = MessageBar(self)

        self.make_button = QPushButton(tr("&Buat dan simpan…"), self)
        self.make_button.setDefault(True)
        self.open_button = QPushButton(tr("B&uka berkas"), self)
        self.open_button.setEnabled(False)
        self.folder_button = QPushButton(tr("Buka f&older"), self)
        self.folder_button.setEnabled(False)
        self.close_button = QPushButton(tr("&Tutup"), self)
        self.close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.make_button)
        self.print_button = QPushButton(tr("&Cetak…"), self)  # ui/printing.py: preview, print
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(self.print_document)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.code.textChanged.connect(self._check_code)
        self.code.returnPressed.connect(self.make)
        self.make_button.clicked.connect(self.make)
        self.open_button.clicked.connect(self.open_file)
        self.folder_button.clicked.connect(self.open_folder)
        self.close_button.clicked.connect(self.close)

        if code:
            found = extract_tracking_code(code)
            self.code.setText(f"{found[:4]}-{found[4:]}" if found else code)
            kind = kind or RECEIPT
        if kind is not None and self.kind.findData(kind) >= 0:
            self.kind.setCurrentIndex(self.kind.findData(kind))
        self._kind_changed()
        self._check_code()

    # ------------------------------------------------------------------ choices

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def current_format(self) -> str:
        return str(self.format.currentData())

    def set_format(self, fmt: str) -> None:
        index = self.format.findData(fmt)
        if index >= 0:
            self.format.setCurrentIndex(index)

    def set_period(self, date_from: date, date_to: date) -> None:
        self.date_from.setDate(QDate(date_from.year, date_from.month, date_from.day))
        self.date_to.setDate(QDate(date_to.year, date_to.month, date_to.day))

    def set_quick_period(self, key: str) -> None:
        today = QDate.currentDate()
        if key == "today":
            start, end = today, today
        elif key == "month":
            start, end = QDate(today.year(), today.month(), 1), today
        elif key == "last_month":
            first = QDate(today.year(), today.month(), 1)
            end = first.addDays(-1)
            start = QDate(end.year(), end.month(), 1)
        else:
            start, end = QDate(today.year(), 1, 1), today
        self.date_from.setDate(start)
        self.date_to.setDate(end)

    def _kind_changed(self, *_args: object) -> None:
        kind = self.current_kind()
        previous = self.format.currentData()
        self.format.clear()
        for fmt in self._formats.get(kind, ("pdf",)):
            self.format.addItem(tr(FORMAT_LABELS.get(fmt, fmt)), fmt)
        if previous is not None:
            self.set_format(str(previous))
        receipt = kind == RECEIPT
        self.form.setRowVisible(self.code_row, receipt)
        self.form.setRowVisible(self.period_row, not receipt and kind not in PERIODLESS)
        self.form.setRowVisible(self.service, not receipt)
        if kind in COMPLAINT_REPORTS:
            complaints = complaint_codes()
            if complaints:
                self.service.setCurrentIndex(self.service.findData(complaints[0]))
        self.service.setEnabled(kind not in COMPLAINT_REPORTS)
        if receipt:
            self.code.setFocus()

    def _check_code(self, *_args: object) -> str | None:
        text = self.code.text().strip()
        if not text:
            self.code_reason.setText("")
            return None
        code = extract_tracking_code(text)
        if code is not None:
            self.code_reason.setStyleSheet("color: #137333;")
            self.code_reason.setText(tr("✓ {kode}", kode=f"{code[:4]}-{code[4:]}"))
            return code
        try:
            normalize_tracking_code(text)
            reason = tr("Kode pelacakan tidak dikenal.")
        except ValidationError as exc:
            reason = str(exc)
        self.code_reason.setStyleSheet("color: #a50e0e;")
        self.code_reason.setText(reason)
        return None

    # ------------------------------------------------------------------ making

    def suggested_name(self) -> str:
        kind, fmt = self.current_kind(), self.current_format()
        if kind == RECEIPT:
            code = self._check_code() or "kode"
            return f"tanda-terima_{code[:4]}-{code[4:]}.{fmt}"
        service = self.service.currentData()
        parts = [kind]
        if service:
            parts.append(str(service))
        if kind not in PERIODLESS:
            a = self.date_from.date().toString("yyyy-MM-dd")
            b = self.date_to.date().toString("yyyy-MM-dd")
            parts.append(a if a == b else f"{a}_{b}")
        return "_".join(parts) + f".{fmt}"

    def _job(self, fmt: str | None = None) -> tuple[Callable[..., Any], bool] | None:
        """The worker function for the current choices (in format ``fmt``, by default the one
        chosen), or None (with a message shown)."""
        from ..reports import receipt, report

        kind, fmt = self.current_kind(), fmt or self.current_format()
        actor = self.ctx.actor
        if kind == RECEIPT:
            code = self._check_code()
            if code is None:
                self.message.error(
                    self.code_reason.text() or tr("Isi kode pelacakan permohonannya dahulu.")
                )
                self.code.setFocus()
                return None

            def make_receipt(session: Session) -> bytes:
                return receipt(session, code, fmt, actor=actor)  # type: ignore[arg-type]

            return make_receipt, False
        date_from: date = self.date_from.date().toPython()  # type: ignore[assignment]
        date_to: date = self.date_to.date().toPython()  # type: ignore[assignment]
        if kind not in PERIODLESS and date_from > date_to:
            self.message.error(tr("Tanggal awal periode sesudah tanggal akhirnya."))
            self.date_from.setFocus()
            return None
        service = self.service.currentData()

        def make_report(session: Session, progress: Callable[[int, int], None]) -> bytes:
            return report(
                session,
                kind,
                date_from,
                date_to,
                service=service,
                fmt=fmt,  # type: ignore[arg-type]
                actor=actor,
                progress=progress,
            )

        return make_report, True

    def print_document(self) -> None:
        """Cetak…: the chosen document as a PDF, straight to the print preview."""
        from .printing import make_and_print

        if self._running:
            return
        self.message.clear()
        job = self._job("pdf")
        if job is None:
            return
        fn, with_progress = job
        make = (lambda s: fn(s, lambda _d, _t: None)) if with_progress else fn
        title = Path(self.suggested_name()).stem

        def report(text: str, level: str) -> None:
            if isValid(self):
                self.message.show_message(text, level)

        def keep(preview: Any) -> None:
            self.last_preview = preview

        make_and_print(self.ctx, self, make, title, report, keep)

    def make(self) -> None:
        if self._running:
            return
        self.message.clear()
        job = self._job()
        if job is None:
            return
        fn, with_progress = job
        fmt = self.current_format()
        folder = self.ctx.settings.export_dir() or str(Path.home())
        chosen = self.choose_path(
            self, str(Path(folder) / self.suggested_name()), tr(FORMAT_FILTERS[fmt])
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(path.name + f".{fmt}")
        self.ctx.settings.set_export_dir(str(path.parent))
        self._start(fn, with_progress, path)

    def _start(self, fn: Callable[..., Any], with_progress: bool, path: Path) -> None:
        ctx = self.ctx

        if with_progress:

            def work(session: Session, progress: Callable[[int, int], None]) -> Saved:
                content = fn(session, progress)
                _write_atomically(path, content)
                return Saved(str(path), len(content))

        else:

            def work(session: Session) -> Saved:  # type: ignore[misc]
                content = fn(session)
                _write_atomically(path, content)
                return Saved(str(path), len(content))

        def done(saved: Saved) -> None:
            ctx.show_status(tr("Tersimpan: {path}", path=saved.path))
            if isValid(self):
                self._finished(saved)

        def failed(error: SipelayananError) -> None:
            if isValid(self):
                self._failed(str(error))
            else:
                ctx.show_status(str(error))

        self._running = True
        self.make_button.setEnabled(False)
        self.open_button.setEnabled(False)
        self.folder_button.setEnabled(False)
        self.progress.show()
        self.progress.setRange(0, 100 if with_progress else 0)  # 0..0: busy indicator
        self.progress.setValue(0)
        self.state.setText(tr("Sedang dibuat: {name}…", name=path.name))
        self.ctx.ops.run(
            work,
            write=True,
            long=True,
            on_done=done,
            on_error=failed,
            on_progress=self._progress if with_progress else None,
            parent=self,
        )

    def _progress(self, done: int, total: int) -> None:
        if not isValid(self):
            return
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(min(done, total))

    def _finished(self, saved: Saved) -> None:
        self._running = False
        self.last_saved = saved
        self.make_button.setEnabled(True)
        self.open_button.setEnabled(True)
        self.folder_button.setEnabled(True)
        self.progress.setRange(0, 100)
        self.progress.setValue(100)
        self.state.setText(
            tr("Tersimpan di {path} ({size}).", path=saved.path, size=human_size(saved.size))
        )
        self.message.success(tr("Selesai. Tekan “Buka berkas” untuk melihat atau mencetaknya."))
        self.open_button.setFocus()
        self.saved.emit(saved.path)

    def _failed(self, text: str) -> None:
        self._running = False
        self.make_button.setEnabled(True)
        self.progress.hide()
        self.state.setText("")
        self.message.error(text)

    # ------------------------------------------------------------------ after saving

    def open_file(self) -> None:
        if self.last_saved is not None:
            self._open(QUrl.fromLocalFile(self.last_saved.path))

    def open_folder(self) -> None:
        if self.last_saved is not None:
            self._open(QUrl.fromLocalFile(str(Path(self.last_saved.path).parent)))

    def _open(self, url: QUrl) -> None:
        if not self.opener(url):
            self.message.warning(
                tr("Tidak ada program untuk membuka {path} di PC ini.", path=url.toLocalFile())
            )

    @property
    def running(self) -> bool:
        return self._running

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._running:
            # The document is still being made: keep it going; it is saved and the status bar
            # says so when done. Hide instead of destroying the callbacks' target.
            self.ctx.show_status(tr("Laporan masih dibuat; akan tersimpan otomatis."))
            event.ignore()
            self.hide()
            return
        super().closeEvent(event)
