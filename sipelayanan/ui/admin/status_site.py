"""Situs status: the public address of the resident's status page (the tanda terima's QR then
opens it), where the app publishes it (a folder, SFTP or WebDAV), how long finished requests
stay on it, automatic publishing, and "Terbitkan sekarang". The password goes to the OS
keyring, never to the database. The work runs on the long worker thread; the logic lives in
:mod:`sipelayanan.statussite` (no Qt)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...errors import SipelayananError
from ...i18n import tr
from ..context import UiContext
from ..status_site_watch import default_folder, last_text, publish_job
from ..widgets.common import MessageBar


class StatusSiteTab(QWidget):
    def __init__(
        self, ctx: UiContext, parent: QWidget | None = None, *, folder: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.folder = folder or default_folder()
        self.settings: Any = None
        self.running = False
        self.sent = self.removed = 0  # over the rounds of one "Terbitkan sekarang"

        self.message = MessageBar(self)
        self.public_url = QLineEdit(self)
        self.public_url.setObjectName("site_public_url")
        self.public_url.setPlaceholderText("https://disdukcapil.waykanankab.go.id/status/")
        self.target = QLineEdit(self)
        self.target.setObjectName("site_target")
        self.target.setPlaceholderText(
            tr("folder, sftp://pengguna@server/folder atau https://server/webdav/status/")
        )
        self.password = QLineEdit(self)
        self.password.setObjectName("site_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("kosongkan bila tidak diubah"))
        self.key_file = QLineEdit(self)
        self.key_file.setObjectName("site_key_file")
        self.key_file.setPlaceholderText(tr("SFTP: file kunci pribadi di PC ini (opsional)"))
        self.days = QSpinBox(self)
        self.days.setObjectName("site_days")
        self.days.setRange(1, 366)
        self.days.setValue(30)
        self.days.setSuffix(tr(" hari"))
        self.auto = QCheckBox(tr("Terbitkan &otomatis setelah ada perubahan"), self)
        self.auto.setObjectName("site_auto")
        self.auto.setChecked(True)

        box = QGroupBox(tr("Situs status untuk pemohon"), self)
        form = QFormLayout(box)
        form.addRow(tr("Alamat publik:"), self.public_url)
        form.addRow(tr("Tujuan penerbitan:"), self.target)
        form.addRow(tr("Kata sandi:"), self.password)
        form.addRow(tr("File kunci SFTP:"), self.key_file)
        form.addRow(tr("Permohonan selesai tampil:"), self.days)
        form.addRow("", self.auto)
        note = QLabel(
            tr(
                "Situs status berisi satu halaman dan satu file kecil per permohonan yang masih "
                "berjalan atau baru selesai — tanpa nama, NIK, nomor telepon, nomor dokumen "
                "atau resi. Bila alamat publik diisi, QR pada tanda terima membuka halaman itu "
                "(alamat…/#KODE); bila kosong, QR tetap berisi pesan WhatsApp STATUS."
            ),
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6368;")
        form.addRow(note)

        self.status = QLabel(self)
        self.status.setObjectName("site_status")
        self.status.setWordWrap(True)
        self.save_button = QPushButton(tr("&Simpan pengaturan"), self)
        self.save_button.setObjectName("site_save")
        self.save_button.clicked.connect(self.save)
        self.publish_button = QPushButton(tr("&Terbitkan sekarang"), self)
        self.publish_button.setObjectName("site_publish")
        self.publish_button.clicked.connect(self.publish_now)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.publish_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(box)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.status.setText(last_text(self.folder))

    # ------------------------------------------------------------------ load / save

    def refresh(self) -> None:
        from ...statussite.build import get_site_settings

        self.ctx.ops.run(get_site_settings, on_done=self._loaded, parent=self)

    def _loaded(self, settings: Any) -> None:
        self.settings = settings
        self.public_url.setText(settings.public_url)
        self.target.setText(settings.target)
        self.key_file.setText(settings.key_file)
        self.days.setValue(settings.days)
        self.auto.setChecked(settings.auto_publish)

    def save(self) -> None:
        from dataclasses import replace

        from ...statussite.build import SiteSettings, save_site_settings
        from ...statussite.publish import PublishError, parse_target, store_password

        target = self.target.text().strip()
        password = self.password.text()
        try:
            spec = parse_target(target) if target else None
        except PublishError as exc:
            self.message.error(str(exc))
            return
        if (
            password
            and spec is not None
            and spec.kind != "folder"
            and not store_password(spec, password)
        ):
            self.message.error(
                tr(
                    "Kata sandi tidak dapat disimpan: PC ini tidak memiliki penyimpanan "
                    "kredensial. Pakai file kunci SFTP."
                )
            )
            return
        base = self.settings if self.settings is not None else SiteSettings()
        wanted = replace(
            base,
            public_url=self.public_url.text().strip(),
            target=target,
            key_file=self.key_file.text().strip(),
            days=self.days.value(),
            auto_publish=self.auto.isChecked(),
        )
        actor = self.ctx.actor

        def job(session: Any) -> Any:
            # the stored settings, not the loaded copy, keep the salt of the first save
            from ...statussite.build import get_site_settings

            current = get_site_settings(session)
            return save_site_settings(
                session, replace(wanted, salt=current.salt or wanted.salt), actor=actor
            )

        self.save_button.setEnabled(False)
        self.ctx.ops.run(
            job, write=True, on_done=self._saved, on_error=self._save_failed, parent=self
        )

    def _saved(self, settings: Any) -> None:
        self.save_button.setEnabled(True)
        self.password.clear()
        self._loaded(settings)
        self.message.success(tr("Pengaturan situs status disimpan."))

    def _save_failed(self, error: SipelayananError) -> None:
        self.save_button.setEnabled(True)
        self.message.error(str(error))

    # ------------------------------------------------------------------ publish

    def publish_now(self, *, again: bool = False) -> None:
        if self.running and not again:
            return
        if not again:
            self.sent = self.removed = 0
            self.status.setText(tr("Membangun dan menerbitkan situs status…"))
        self.running = True
        self.publish_button.setEnabled(False)
        self.ctx.ops.run(
            publish_job(self.folder, force=True),
            on_done=self._published,
            on_error=self._publish_failed,
            long=True,
            parent=self,
        )

    def _published(self, result: Any) -> None:
        if result is None:
            self.running = False
            self.publish_button.setEnabled(True)
            self.status.setText("")
            self.message.warning(tr("Isi dan simpan tujuan penerbitan terlebih dahulu."))
            return
        self.sent += result.sent
        self.removed += result.removed
        if result.pending:  # a big office's first build goes in rounds
            self.status.setText(
                tr("Menerbitkan… {n} permohonan lagi", n=f"{result.pending:,}".replace(",", "."))
            )
            self.publish_now(again=True)
            return
        self.running = False
        self.publish_button.setEnabled(True)
        self.status.setText(last_text(self.folder))
        self.message.success(
            tr(
                "Situs status diterbitkan ke {target}: {sent} file dikirim, {removed} dihapus.",
                target=result.target,
                sent=self.sent,
                removed=self.removed,
            )
        )

    def _publish_failed(self, error: SipelayananError) -> None:
        self.running = False
        self.publish_button.setEnabled(True)
        self.status.setText(last_text(self.folder))
        self.message.error(str(error))
