"""Admin ▸ Data pribadi (UU 27/2022): who may reveal a full NIK, a resident's request for their
data (export as ZIP, correction), and the retention schedule of berkas with its purge.

The logic lives in ``services/access``, ``services/privacy`` and ``services/retention`` (no Qt);
every action here is one service call through ``ops.run`` and is recorded in the audit log.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...errors import SipelayananError
from ...i18n import tr
from ...services import access, privacy, retention
from ...services.berkas import human_size
from ...sop import ROLES, services
from ..context import UiContext
from ..widgets.common import MessageBar

FIELDS = {"nama": "Nama", "nik": "NIK", "no_kk": "No. KK", "wa": "Nomor WhatsApp"}


class PrivacyTab(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.message = MessageBar(self)
        self.last_plan: retention.Plan | None = None
        self.last_export: Path | None = None

        # --- NIK reveal roles
        roles_box = QGroupBox(tr("Peran yang boleh melihat NIK lengkap"), self)
        grid = QGridLayout(roles_box)
        self.role_checks: dict[str, QCheckBox] = {}
        for i, (key, label) in enumerate(ROLES.items()):
            check = QCheckBox(tr(label), roles_box)
            check.setObjectName(f"reveal_{key}")
            self.role_checks[key] = check
            grid.addWidget(check, i // 3, i % 3)
        self.save_roles = QPushButton(tr("Simpan peran"), roles_box)
        self.save_roles.setObjectName("save_reveal_roles")
        self.save_roles.clicked.connect(self.save_reveal_roles)
        grid.addWidget(self.save_roles, (len(ROLES) + 2) // 3, 2)

        # --- a resident's request (Pasal 32)
        subject = QGroupBox(
            tr("Permintaan pemilik data (Pasal 32: dijawab dalam 3 × 24 jam)"), self
        )
        form = QFormLayout(subject)
        self.nik = QLineEdit(subject)
        self.nik.setObjectName("subject_nik")
        self.nik.setPlaceholderText(tr("NIK pemilik data (16 digit)"))
        self.export_button = QPushButton(tr("Ekspor semua datanya (ZIP)…"), subject)
        self.export_button.setObjectName("export_subject")
        self.export_button.clicked.connect(self._choose_export)
        row = QHBoxLayout()
        row.addWidget(self.nik, 1)
        row.addWidget(self.export_button)
        form.addRow(tr("NIK:"), row)
        self.code = QLineEdit(subject)
        self.code.setObjectName("correct_code")
        self.code.setPlaceholderText(tr("kode pelacakan permohonan"))
        self.code.setMinimumWidth(190)
        self.field = QComboBox(subject)
        self.field.setObjectName("correct_field")
        for key, label in FIELDS.items():
            self.field.addItem(tr(label), key)
        self.value = QLineEdit(subject)
        self.value.setObjectName("correct_value")
        self.value.setPlaceholderText(tr("isi yang benar"))
        self.reason = QLineEdit(subject)
        self.reason.setObjectName("correct_reason")
        self.reason.setPlaceholderText(tr("dasar perbaikan, mis. permintaan pemohon 26-11-2026"))
        self.correct_button = QPushButton(tr("Terapkan perbaikan"), subject)
        self.correct_button.setObjectName("apply_correction")
        self.correct_button.clicked.connect(self.apply_correction)
        fix = QHBoxLayout()
        fix.addWidget(self.code)
        fix.addWidget(self.field)
        fix.addWidget(self.value, 1)
        form.addRow(tr("Perbaikan:"), fix)
        reason_row = QHBoxLayout()
        reason_row.addWidget(self.reason, 1)
        reason_row.addWidget(self.correct_button)
        form.addRow(tr("Dasar:"), reason_row)

        # --- retention (Pasal 42-44)
        keep = QGroupBox(tr("Masa simpan berkas (retensi)"), self)
        keep_layout = QGridLayout(keep)
        self.years: dict[str, QSpinBox] = {}
        for i, (code, sdef) in enumerate(services().items()):
            spin = QSpinBox(keep)
            spin.setObjectName(f"retention_{code}")
            spin.setRange(0, retention.MAX_YEARS)
            spin.setSpecialValueText(tr("selamanya"))
            spin.setSuffix(tr(" tahun"))
            self.years[code] = spin
            keep_layout.addWidget(QLabel(tr(sdef.name), keep), i // 2, (i % 2) * 2)
            keep_layout.addWidget(spin, i // 2, (i % 2) * 2 + 1)
        n = (len(self.years) + 1) // 2
        self.automatic = QCheckBox(
            tr("Jalankan otomatis setelah cadangan harian terverifikasi"), keep
        )
        self.automatic.setObjectName("retention_auto")
        keep_layout.addWidget(self.automatic, n, 0, 1, 4)
        note = QLabel(
            tr(
                "Dihitung sejak permohonan selesai. Yang dihapus hanya isi berkas (gambar/PDF); "
                "permohonan, riwayat, buku register dan log audit tetap disimpan."
            ),
            keep,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6368;")
        keep_layout.addWidget(note, n + 1, 0, 1, 4)
        buttons = QHBoxLayout()
        self.save_schedule_button = QPushButton(tr("Simpan jadwal"), keep)
        self.save_schedule_button.setObjectName("save_retention")
        self.save_schedule_button.clicked.connect(self.save_schedule)
        self.dry_run_button = QPushButton(tr("Uji: apa yang akan dihapus"), keep)
        self.dry_run_button.setObjectName("retention_dry_run")
        self.dry_run_button.clicked.connect(self.dry_run)
        self.purge_button = QPushButton(tr("Hapus sekarang…"), keep)
        self.purge_button.setObjectName("retention_purge")
        self.purge_button.clicked.connect(lambda: self.purge_now())
        for b in (self.save_schedule_button, self.dry_run_button, self.purge_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        keep_layout.addLayout(buttons, n + 2, 0, 1, 4)
        self.plan_label = QLabel(keep)
        self.plan_label.setObjectName("retention_plan")
        self.plan_label.setWordWrap(True)
        keep_layout.addWidget(self.plan_label, n + 3, 0, 1, 4)

        inner = QWidget(self)
        column = QVBoxLayout(inner)
        for w in (roles_box, subject, keep):
            column.addWidget(w)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)

    # ------------------------------------------------------------------ loading
    def refresh(self) -> None:
        def read(s: Any) -> tuple[tuple[str, ...], retention.Schedule]:
            return access.reveal_roles(s), retention.get_schedule(s)

        self.ctx.ops.run(read, on_done=self._loaded, on_error=self._error, parent=self)

    def _loaded(self, loaded: tuple[tuple[str, ...], retention.Schedule]) -> None:
        roles, schedule = loaded
        for key, check in self.role_checks.items():
            check.setChecked(key in roles)
        for code, spin in self.years.items():
            spin.setValue(int(schedule.years.get(code, 0)))
        self.automatic.setChecked(schedule.automatic)

    def _error(self, error: SipelayananError) -> None:
        self.message.error(str(error))

    # ------------------------------------------------------------------ NIK reveal roles
    def save_reveal_roles(self) -> None:
        chosen = [k for k, c in self.role_checks.items() if c.isChecked()]
        actor = self.ctx.actor
        self.ctx.ops.run(
            lambda s: access.set_reveal_roles(s, actor, chosen),
            write=True,
            on_done=lambda _r: self.message.success(tr("Peran yang boleh melihat NIK disimpan.")),
            on_error=self._error,
            parent=self,
        )

    # ------------------------------------------------------------------ export, correction
    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, tr("Simpan data pribadi"), "data-pribadi.zip", tr("Arsip ZIP (*.zip)")
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        nik, actor = self.nik.text().strip(), self.ctx.actor
        if path.suffix.lower() != ".zip":
            path = path.with_suffix(".zip")

        def done(result: privacy.ExportResult) -> None:
            try:
                path.write_bytes(result.content)
                os.chmod(path, 0o600)
            except OSError as exc:
                self.message.error(tr("Tidak dapat menyimpan {p}: {e}", p=str(path), e=str(exc)))
                return
            self.last_export = path
            self.message.success(
                tr(
                    "Data pribadi disimpan ke {p}: {c} permohonan, {f} berkas, {a} catatan "
                    "akses. Ekspor ini dicatat di log audit.",
                    p=str(path),
                    c=result.cases,
                    f=result.files,
                    a=result.accesses,
                )
            )

        self.ctx.ops.run(
            lambda s: privacy.export_subject(s, actor, nik),
            write=True,
            on_done=done,
            on_error=self._error,
            parent=self,
        )

    def apply_correction(self) -> None:
        code, actor = self.code.text().strip(), self.ctx.actor
        changes = {str(self.field.currentData()): self.value.text()}
        reason = self.reason.text()

        def done(changed: list[str]) -> None:
            self.value.clear()
            self.message.success(
                tr(
                    "Permohonan {k} diperbaiki ({f}); perbaikan dicatat di log audit.",
                    k=code,
                    f=", ".join(FIELDS[c] for c in changed),
                )
            )

        self.ctx.ops.run(
            lambda s: privacy.correct_pemohon(s, actor, code, changes, alasan=reason),
            write=True,
            on_done=done,
            on_error=self._error,
            parent=self,
        )

    # ------------------------------------------------------------------ retention
    def schedule(self) -> retention.Schedule:
        years = {code: spin.value() for code, spin in self.years.items() if spin.value()}
        return retention.Schedule(years, self.automatic.isChecked())

    def save_schedule(self) -> None:
        chosen, actor = self.schedule(), self.ctx.actor
        self.ctx.ops.run(
            lambda s: retention.save_schedule(s, actor, chosen),
            write=True,
            on_done=lambda _r: self.message.success(tr("Jadwal retensi berkas disimpan.")),
            on_error=self._error,
            parent=self,
        )

    def _describe(self, plan: retention.Plan, verb: str) -> str:
        if not plan.services:
            return tr("Jadwal retensi belum diatur: semua berkas disimpan.")
        lines = [
            tr(
                "{svc}: {n} berkas ({size}) dari permohonan selesai sebelum {d}",
                svc=services()[s.service].name if s.service in services() else s.service,
                n=s.files,
                size=human_size(s.bytes),
                d=s.cutoff.date().strftime("%d-%m-%Y"),
            )
            for s in plan.services
        ]
        lines.append(
            tr(
                "Jumlah: {n} berkas {verb}, {size} kembali.",
                n=plan.files,
                verb=verb,
                size=human_size(plan.bytes),
            )
        )
        return "\n".join(lines)

    def dry_run(self) -> None:
        def done(plan: retention.Plan) -> None:
            self.last_plan = plan
            self.plan_label.setText(self._describe(plan, tr("akan dihapus")))

        self.ctx.ops.run(retention.plan, on_done=done, on_error=self._error, parent=self)

    def purge_now(self, *, confirmed: bool = False) -> None:
        if not confirmed:
            answer = QMessageBox.question(
                self,
                tr("Hapus berkas lewat masa simpan"),
                tr(
                    "Isi berkas yang melewati masa simpan dihapus dan tidak dapat dikembalikan "
                    "(kecuali dari cadangan lama, yang akan dihapus lagi saat dipulihkan). "
                    "Lanjutkan?"
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        actor = self.ctx.actor

        def done(plan: retention.Plan) -> None:
            self.last_plan = plan
            self.plan_label.setText(self._describe(plan, tr("dihapus")))
            self.message.success(tr("Penghapusan berkas selesai dan dicatat di log audit."))

        self.ctx.ops.run(
            lambda s: retention.purge(s, actor),
            write=True,
            on_done=done,
            on_error=self._error,
            parent=self,
        )
