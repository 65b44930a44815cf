"""Cadangan: back up now, restore a backup into a new database, and the daily automatic backup
(folder, on/off, time). Shows when the last *verified* backup was made, with a warning when it is
older than two days. The work runs on the long worker thread (``ops.run(long=True)``); the
logic lives in :mod:`sipelayanan.backup.auto` (no Qt)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ...backup import auto
from ...errors import SipelayananError
from ...i18n import tr
from ..backup_watch import WARNING_STYLE
from ..context import UiContext
from ..widgets.common import MessageBar

OK_STYLE = "color: #137333;"

AskPath = Callable[[QWidget], "str | None"]


def _ask_folder(parent: QWidget) -> str | None:
    path = QFileDialog.getExistingDirectory(parent, tr("Pilih folder cadangan"))
    return path or None


def _ask_backup_file(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getOpenFileName(
        parent,
        tr("Pilih file cadangan"),
        "",
        tr("Cadangan SiPelayanan (*.sqlite3 *.zip *.dump);;Semua file (*)"),
    )
    return path or None


def _ask_new_database(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getSaveFileName(
        parent,
        tr("Pulihkan ke file basis data SQLite baru"),
        "sipelayanan-pulih.sqlite3",
        tr("Basis data SQLite (*.sqlite3)"),
    )
    return path or None


class BackupTab(QWidget):
    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        clock: auto.Clock = auto.system_clock,
        ask_folder: AskPath = _ask_folder,
        ask_backup_file: AskPath = _ask_backup_file,
        ask_new_database: AskPath = _ask_new_database,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.clock = clock
        self._ask_folder = ask_folder
        self._ask_backup_file = ask_backup_file
        self._ask_new_database = ask_new_database
        self.running = False
        self.warning = False
        self.settings_loaded = auto.AutoSettings()
        self.state = auto.AutoState()

        self.message = MessageBar(self)
        self.status = QLabel(tr("Memuat…"), self)
        self.status.setObjectName("backup_status")
        self.status.setWordWrap(True)
        self.backup_button = QPushButton(tr("&Cadangkan sekarang"), self)
        self.backup_button.setObjectName("backup_now")
        self.backup_button.setToolTip(
            tr("Buat cadangan ke folder cadangan lalu verifikasi dengan memulihkannya")
        )
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton(tr("Pu&lihkan…"), self)
        self.restore_button.setObjectName("restore")
        self.restore_button.setToolTip(
            tr("Pulihkan file cadangan ke basis data SQLite baru (data sekarang tidak diubah)")
        )
        self.restore_button.clicked.connect(self.restore_dialog)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.progress_label = QLabel(self)
        self.progress_label.setObjectName("backup_progress")

        now_box = QGroupBox(tr("Cadangan"), self)
        now_layout = QVBoxLayout(now_box)
        now_layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        now_layout.addLayout(buttons)
        now_layout.addWidget(self.progress)
        now_layout.addWidget(self.progress_label)

        self.folder = QLineEdit(self)
        self.folder.setObjectName("backup_folder")
        self.folder.setPlaceholderText(
            tr("mis. D:\\Cadangan, E:\\ (USB) atau \\\\server\\cadangan")
        )
        choose = QPushButton(tr("Pilih &folder…"), self)
        choose.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)
        self.enabled = QCheckBox(tr("Cadangkan &otomatis setiap hari"), self)
        self.enabled.setObjectName("backup_enabled")
        self.at = QTimeEdit(self)
        self.at.setObjectName("backup_at")
        self.at.setDisplayFormat("HH:mm")
        self.at.setTime(QTime(16, 0))
        self.at.setMaximumWidth(110)
        self.save_button = QPushButton(tr("&Simpan pengaturan"), self)
        self.save_button.setObjectName("backup_save")
        self.save_button.clicked.connect(self.save)
        auto_box = QGroupBox(tr("Cadangan otomatis"), self)
        form = QFormLayout(auto_box)
        form.addRow(tr("Folder cadangan:"), folder_row)
        form.addRow("", self.enabled)
        form.addRow(tr("Jam (WIB):"), self.at)
        note = QLabel(
            tr(
                "Folder di disk lain, USB, atau folder jaringan. Disimpan: cadangan terbaru "
                "tiap hari (7 hari), tiap minggu (4 minggu) dan tiap bulan (12 bulan). Setiap "
                "cadangan diverifikasi dengan memulihkannya ke basis data sementara. Bila "
                "aplikasi tidak terbuka pada jamnya, cadangan dibuat saat aplikasi dibuka "
                "berikutnya; untuk PC yang jarang dibuka, jadwalkan 'sipelayanan backup "
                "otomatis' di Task Scheduler."
            ),
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6368;")
        form.addRow("", note)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addStretch(1)
        form.addRow("", save_row)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(now_box)
        layout.addWidget(auto_box)
        layout.addStretch(1)

    # ------------------------------------------------------------------ data

    def refresh(self) -> None:
        self.ctx.ops.run(auto.load, on_done=self._loaded, on_error=self._failed, parent=self)

    def _loaded(self, loaded: tuple[auto.AutoSettings, auto.AutoState]) -> None:
        settings, state = loaded
        if self.form_settings() == self.settings_loaded:  # keep unsaved edits
            self.folder.setText(settings.folder)
            self.enabled.setChecked(settings.enabled)
            hh, mm = settings.at.split(":")
            self.at.setTime(QTime(int(hh), int(mm)))
        self.settings_loaded = settings
        self.show_state(state)

    def show_state(self, state: auto.AutoState) -> None:
        self.state = state
        text, self.warning = auto.status_text(state, self.clock())
        self.status.setText(text)
        self.status.setStyleSheet(WARNING_STYLE if self.warning else OK_STYLE)

    def form_settings(self) -> auto.AutoSettings:
        base = self.settings_loaded
        return auto.AutoSettings(
            folder=self.folder.text().strip(),
            enabled=self.enabled.isChecked(),
            at=self.at.time().toString("HH:mm"),
            keep_daily=base.keep_daily,
            keep_weekly=base.keep_weekly,
            keep_monthly=base.keep_monthly,
        )

    def choose_folder(self) -> None:
        path = self._ask_folder(self)
        if path:
            self.folder.setText(path)

    def save(self) -> None:
        settings = self.form_settings()
        actor = self.ctx.actor

        def job(session: Any) -> tuple[auto.AutoSettings, auto.AutoState]:
            auto.save_settings(session, settings, actor=actor)
            return auto.load(session)

        def done(loaded: tuple[auto.AutoSettings, auto.AutoState]) -> None:
            self.settings_loaded = loaded[0]
            self.show_state(loaded[1])
            self.message.success(tr("Pengaturan cadangan disimpan."))

        self.ctx.ops.run(job, write=True, on_done=done, on_error=self._failed, parent=self)

    # ------------------------------------------------------------------ actions

    def _set_running(self, running: bool, text: str = "") -> None:
        self.running = running
        self.backup_button.setEnabled(not running)
        self.restore_button.setEnabled(not running)
        self.save_button.setEnabled(not running)
        self.progress.setVisible(running)
        self.progress_label.setText(text)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress_label.setText(tr("Memproses… {n} baris", n=f"{done:,}".replace(",", ".")))

    def backup_now(self) -> None:
        """Save the form (so the folder shown is the folder used), back up, verify, rotate."""
        if self.running:
            return
        settings = self.form_settings()
        if not settings.folder:
            self.message.warning(tr("Pilih folder cadangan dulu."))
            return
        url, actor, clock = self.ctx.ops.url, self.ctx.actor, self.clock
        changed = settings != self.settings_loaded

        def job(session: Any, progress: Callable[[int, int], None]) -> auto.Outcome:
            from ...db import Database

            db = Database(url)
            try:
                if changed:
                    with db.write() as s:
                        auto.save_settings(s, settings, actor=actor)
                return auto.run(
                    db,
                    clock=clock,
                    force=True,
                    actor=actor,
                    progress=lambda table, n: progress(n, 0),
                )
            finally:
                db.dispose()

        self._set_running(True, tr("Membuat cadangan dan memverifikasinya…"))
        self.message.clear()
        self.ctx.ops.run(
            job,
            on_done=self._backed_up,
            on_error=self._backup_failed,
            on_progress=self._on_progress,
            parent=self,
            long=True,
        )

    def _backed_up(self, outcome: auto.Outcome) -> None:
        self._set_running(False)
        if outcome.done:
            self.message.success(outcome.message)
        else:
            self.message.warning(outcome.message)
        self.refresh()

    def _backup_failed(self, error: SipelayananError) -> None:
        self._set_running(False)
        self.message.error(str(error))
        self.refresh()

    def restore_dialog(self) -> None:
        """Restore a backup into a *new* SQLite file; the database in use is never touched."""
        if self.running:
            return
        source = self._ask_backup_file(self)
        if not source:
            return
        target = self._ask_new_database(self)
        if not target:
            return
        if Path(target).exists():
            self.message.error(
                tr("File {f} sudah ada; pulihkan hanya ke file basis data baru.", f=target)
            )
            return

        def job(session: Any, progress: Callable[[int, int], None]) -> Any:
            from ...backup import restore
            from ...db import Database

            db = Database(f"sqlite:///{target}")
            try:
                return restore(db, source, progress=lambda table, n: progress(n, 0))
            finally:
                db.dispose()

        def done(result: Any) -> None:
            self._set_running(False)
            rows = sum(result.rows.values())
            text = tr(
                "Cadangan dipulihkan ke {f}: {n} baris, isi cocok dengan sidik cadangan, log "
                "audit {audit}. Untuk memakainya, pilih file itu di tab Koneksi basis data.",
                f=target,
                n=rows,
                audit=tr("utuh") if result.audit_ok else tr("TIDAK utuh"),
            )
            if result.note:  # e.g. berkas past retention purged again (services/retention)
                text += " " + result.note
            (self.message.success if result.audit_ok else self.message.warning)(text)

        def failed(error: SipelayananError) -> None:
            self._set_running(False)
            self.message.error(str(error))

        self._set_running(True, tr("Memeriksa dan memulihkan cadangan…"))
        self.ctx.ops.run(
            job,
            on_done=done,
            on_error=failed,
            on_progress=self._on_progress,
            parent=self,
            long=True,
        )

    def _failed(self, error: SipelayananError) -> None:
        self.message.error(str(error))
