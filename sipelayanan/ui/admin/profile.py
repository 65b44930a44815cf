"""Profil kantor: the letterhead (name, parent, address, logo), the Kepala Dinas who signs
(name, NIP), the WhatsApp number of each service, the status-page link and the berkas limit."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...errors import SipelayananError
from ...i18n import tr
from ...identity import ValidationError, normalize_wa
from ...services.office import OfficeProfile, get_profile, save_profile
from ...sop import services
from ..context import UiContext
from ..widgets.common import MessageBar
from ..widgets.validated import ValidatedField, check_wa

LOGO_MAX_SIDE = 512
LOGO_MAX_BYTES = 2 * 1024 * 1024  # the PNG kept in the office profile
LOGO_MAX_FILE = 20 * 1024 * 1024  # the file picked (read on the UI thread)

ChooseImage = Callable[[QWidget], "str | None"]


def _choose_image(parent: QWidget) -> str | None:
    path, _selected = QFileDialog.getOpenFileName(
        parent, tr("Pilih logo kantor"), "", tr("Gambar (*.png *.jpg *.jpeg)")
    )
    return path or None


def logo_png_base64(path: str) -> str:
    """Read an image file, scale it to at most LOGO_MAX_SIDE, and return PNG bytes as base64.

    Raises ValidationError (shown as is) for a file that is not a readable image."""
    try:
        too_big = os.path.getsize(path) > LOGO_MAX_FILE
    except OSError:
        too_big = False  # unreadable: QImage says so below
    if too_big:
        raise ValidationError(tr("Berkas logo terlalu besar (lebih dari 20 MB)."), "logo")
    image = QImage(path)
    if image.isNull():
        raise ValidationError(tr("Berkas itu bukan gambar PNG/JPEG yang dapat dibaca."), "logo")
    if max(image.width(), image.height()) > LOGO_MAX_SIDE:
        image = image.scaled(
            LOGO_MAX_SIDE,
            LOGO_MAX_SIDE,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; Qt wants str
    buffer.close()
    raw = bytes(data.data())
    if len(raw) > LOGO_MAX_BYTES:
        raise ValidationError(tr("Logo terlalu besar; pakai gambar yang lebih sederhana."), "logo")
    return base64.b64encode(raw).decode("ascii")


def _check_nip(text: str) -> str:
    digits = text.replace(" ", "")
    if not digits.isdigit() or len(digits) != 18:
        raise ValidationError(tr("NIP terdiri dari 18 digit angka."), "nip")
    return tr("✓ NIP {nip}", nip=digits)


def _check_status_url(text: str) -> str:
    if not text.startswith(("https://", "http://")):
        raise ValidationError(tr("Alamat harus diawali https://"), "status_url")
    if "{code}" not in text:
        raise ValidationError(
            tr("Alamat harus memuat {code} di tempat kode pelacakan."), "status_url"
        )
    return tr("✓ contoh: {url}", url=text.replace("{code}", "ABCD-EFGH3"))


class ProfileTab(QWidget):
    saved = Signal()

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        choose_image: ChooseImage | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.choose_image: ChooseImage = choose_image or _choose_image
        self.profile: OfficeProfile | None = None
        self._logo = ""
        self._dirty = False
        self._busy = False

        self.name = QLineEdit(self)
        self.name.setObjectName("profile_name")
        self.parent_name = QLineEdit(self)
        self.parent_name.setObjectName("profile_parent")
        self.address = QLineEdit(self)
        self.address.setObjectName("profile_address")
        self.kadis = QLineEdit(self)
        self.kadis.setObjectName("profile_kadis")
        # the data-protection officer (UU 27/2022 Pasal 53), printed in the privacy notice
        self.dpo_name = QLineEdit(self)
        self.dpo_name.setObjectName("profile_dpo_name")
        self.dpo_name.setMaxLength(120)
        self.dpo_contact = QLineEdit(self)
        self.dpo_contact.setObjectName("profile_dpo_contact")
        self.dpo_contact.setMaxLength(160)
        self.dpo_contact.setPlaceholderText(tr("telepon, WhatsApp atau surel kantor"))
        self.kadis_nip = ValidatedField(
            _check_nip, required=False, placeholder=tr("18 digit"), parent=self
        )
        self.kadis_nip.setObjectName("profile_kadis_nip")
        self.status_url = ValidatedField(
            _check_status_url,
            required=False,
            placeholder="https://…/status/{code}",
            max_length=300,
            parent=self,
        )
        self.status_url.setObjectName("profile_status_url")
        # One place sets it: Admin > Situs status (its public address); shown here read-only.
        self.status_url.setEnabled(False)
        self.status_url.setToolTip(tr("Diatur di Admin ▸ Situs status (alamat publik halaman)."))
        self.max_mb = QSpinBox(self)
        self.max_mb.setObjectName("profile_max_mb")
        self.max_mb.setRange(1, 50)
        self.max_mb.setSuffix(" MB")
        self.wa_fields: dict[str, ValidatedField] = {}
        wa_box = QGroupBox(tr("Nomor WhatsApp per layanan"), self)
        wa_form = QFormLayout(wa_box)
        note = QLabel(tr("Kosong: nomor dari SOP (ditampilkan samar) dipakai."), wa_box)
        note.setStyleSheet("color: #5f6368;")
        wa_form.addRow(note)
        for code, sdef in services().items():
            field = ValidatedField(
                check_wa,
                required=False,
                placeholder=sdef.wa_number or tr("belum ada di SOP"),
                parent=wa_box,
            )
            field.setObjectName(f"profile_wa_{code}")
            self.wa_fields[code] = field
            wa_form.addRow(sdef.short_name, field)
        self.logo = QLabel(self)
        self.logo.setObjectName("profile_logo")
        self.logo.setFixedSize(96, 96)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo.setStyleSheet("border: 1px solid #dadce0; background: white;")
        self.logo_button = QPushButton(tr("Pilih &logo…"), self)
        self.logo_remove = QPushButton(tr("Hapus logo"), self)
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo)
        logo_row.addWidget(self.logo_button, 0, Qt.AlignmentFlag.AlignBottom)
        logo_row.addWidget(self.logo_remove, 0, Qt.AlignmentFlag.AlignBottom)
        logo_row.addStretch(1)

        self.save_button = QPushButton(tr("&Simpan profil"), self)
        self.save_button.setObjectName("profile_save")
        self.undo_button = QPushButton(tr("&Batalkan perubahan"), self)
        self.message = MessageBar(self)

        form = QFormLayout()
        form.addRow(tr("&Nama instansi"), self.name)
        form.addRow(tr("&Induk (pemerintah daerah)"), self.parent_name)
        form.addRow(tr("&Alamat"), self.address)
        form.addRow(tr("Logo"), logo_row)
        form.addRow(tr("Nama &Kepala Dinas"), self.kadis)
        form.addRow(tr("NIP Kepala &Dinas"), self.kadis_nip)
        form.addRow(tr("Pejabat &pelindungan data"), self.dpo_name)
        form.addRow(tr("Kontak pejabat pelindungan data"), self.dpo_contact)
        form.addRow(tr("Halaman status (diatur di Situs status)"), self.status_url)
        form.addRow(tr("Batas &ukuran berkas"), self.max_mb)
        inner = QWidget(self)
        iv = QVBoxLayout(inner)
        iv.addLayout(form)
        iv.addWidget(wa_box)
        iv.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

        for edit in (
            self.name,
            self.parent_name,
            self.address,
            self.kadis,
            self.dpo_name,
            self.dpo_contact,
        ):
            edit.textEdited.connect(self._mark_dirty)
        for field in (self.kadis_nip, self.status_url, *self.wa_fields.values()):
            field.edit.textEdited.connect(self._mark_dirty)
        self.max_mb.valueChanged.connect(self._mark_dirty)
        self.logo_button.clicked.connect(self.pick_logo)
        self.logo_remove.clicked.connect(self.remove_logo)
        self.save_button.clicked.connect(self.save)
        self.undo_button.clicked.connect(self.reload)

    @property
    def dirty(self) -> bool:
        return self._dirty

    def _mark_dirty(self, *_args: object) -> None:
        self._dirty = True

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        """Reload from the database unless the admin is in the middle of editing."""
        if not self._dirty and not self._busy:
            self.reload()

    def reload(self) -> None:
        self.ctx.ops.run(
            get_profile,
            on_done=self._loaded,
            on_error=lambda e: self.message.error(str(e)) if isValid(self) else None,
        )

    def _loaded(self, profile: OfficeProfile) -> None:
        if not isValid(self):
            return
        self.profile = profile
        self.name.setText(profile.name)
        self.parent_name.setText(profile.parent)
        self.address.setText(profile.address)
        self.kadis.setText(profile.kepala_dinas)
        self.kadis_nip.setText(profile.kepala_dinas_nip)
        self.dpo_name.setText(profile.dpo_name)
        self.dpo_contact.setText(profile.dpo_contact)
        self.status_url.setText(profile.status_url_template)
        self.max_mb.blockSignals(True)
        self.max_mb.setValue(max(1, min(50, round(profile.max_attachment_bytes / 1024 / 1024))))
        self.max_mb.blockSignals(False)
        for code, field in self.wa_fields.items():
            field.setText(profile.wa_numbers.get(code, ""))
        self._set_logo(profile.logo_png)
        self._dirty = False

    def _set_logo(self, logo: str) -> None:
        self._logo = logo
        pixmap = QPixmap()
        if logo:
            try:
                pixmap.loadFromData(base64.b64decode(logo))
            except ValueError:
                pixmap = QPixmap()
        if pixmap.isNull():
            self.logo.setPixmap(QPixmap())
            self.logo.setText(tr("(tanpa logo)"))
        else:
            self.logo.setText("")
            self.logo.setPixmap(
                pixmap.scaled(
                    92,
                    92,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        self.logo_remove.setEnabled(bool(logo))

    # ------------------------------------------------------------------ editing

    def pick_logo(self) -> None:
        path = self.choose_image(self)
        if not path:
            return
        try:
            self._set_logo(logo_png_base64(path))
        except ValidationError as exc:
            self.message.error(str(exc))
            return
        self._dirty = True

    def remove_logo(self) -> None:
        self._set_logo("")
        self._dirty = True

    def save(self) -> None:
        if self._busy or self.profile is None:
            return
        self.message.clear()
        bad = [
            f for f in (self.kadis_nip, self.status_url, *self.wa_fields.values()) if not f.valid
        ]
        if bad:
            for field in bad:
                field.set_error(field.error or tr("Isian tidak sah."))
            bad[0].setFocus()
            self.message.error(tr("Periksa isian yang ditandai merah."))
            return
        if not self.name.text().strip():
            self.message.error(tr("Nama instansi wajib diisi (dicetak di kop surat)."))
            self.name.setFocus()
            return
        wa_numbers = {}
        for code, field in self.wa_fields.items():
            if field.text():
                wa_numbers[code] = _display_wa(field.text())
        profile = replace(
            self.profile,
            name=" ".join(self.name.text().split()),
            parent=" ".join(self.parent_name.text().split()),
            address=" ".join(self.address.text().split()),
            kepala_dinas=" ".join(self.kadis.text().split()),
            kepala_dinas_nip=self.kadis_nip.text().replace(" ", ""),
            dpo_name=" ".join(self.dpo_name.text().split()),
            dpo_contact=" ".join(self.dpo_contact.text().split()),
            wa_numbers=wa_numbers,
            status_url_template=self.status_url.text(),
            max_attachment_bytes=self.max_mb.value() * 1024 * 1024,
            logo_png=self._logo,
        )
        actor = self.ctx.actor
        self._busy = True
        self.save_button.setEnabled(False)
        self.ctx.ops.run(
            lambda s: save_profile(s, profile, actor=actor),
            write=True,
            on_done=lambda _r: self._saved(profile),
            on_error=self._failed,
        )

    def _saved(self, profile: OfficeProfile) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.save_button.setEnabled(True)
        self._dirty = False
        self.profile = profile
        self.message.success(
            tr(
                "Profil kantor disimpan; dipakai di semua PC untuk kop surat, "
                "tanda terima dan pesan."
            )
        )
        self.saved.emit()

    def _failed(self, error: SipelayananError) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.save_button.setEnabled(True)
        self.message.error(str(error))  # the edits stay on screen


def _display_wa(text: str) -> str:
    """Store numbers the way the SOP prints them (0811-7961-500)."""
    e164 = normalize_wa(text)
    rest = e164[3:]
    return f"0{rest[:3]}-{rest[3:7]}-{rest[7:]}".rstrip("-")
