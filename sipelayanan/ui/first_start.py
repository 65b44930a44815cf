"""First start on an empty database: the office profile, the first admin account, and an
offer of demo data (loaded off the UI thread with a progress bar)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ..demo import DemoSummary, load_demo
from ..errors import InputError, SipelayananError
from ..i18n import tr
from ..services.first_start import OfficeIdentity, set_up_office
from ..services.office import OfficeProfile
from ..services.users import MIN_PASSWORD_LENGTH, UserInfo
from .ops import Ops
from .widgets.common import MessageBar

DEMO_COUNT = 300


def _setup(profile: OfficeProfile, username: str, full_name: str, password: str) -> Any:
    office = OfficeIdentity(
        name=profile.name,
        parent=profile.parent,
        address=profile.address,
        kepala_dinas=profile.kepala_dinas,
        kepala_dinas_nip=profile.kepala_dinas_nip,
    )

    def run(session: Session) -> UserInfo:  # the core refuses when another PC was first
        return set_up_office(
            session, office, username=username, full_name=full_name, password=password
        )

    return run


def _demo(
    url: str, count: int, admin: UserInfo
) -> Callable[[Session, Callable[[int, int], None]], DemoSummary]:
    def run(_session: Session, progress: Callable[[int, int], None]) -> DemoSummary:
        from ..db import Database
        from ..services.context import Actor

        db = Database(url)  # load_demo runs its own units of work
        try:
            # The admin just set up loads the demo staff; their own account stays theirs.
            actor = Actor(admin.id, admin.username)
            return load_demo(db, count=count, progress=progress, actor=actor)
        finally:
            db.dispose()

    return run


class FirstStartDialog(QDialog):
    """Emits ``finished_setup(admin_username)`` once the admin exists (and demo data, if
    asked for, is loaded)."""

    finished_setup = Signal(str)

    def __init__(
        self, ops: Ops, parent: QWidget | None = None, *, demo_count: int = DEMO_COUNT
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.demo_count = demo_count
        self.setWindowTitle(tr("Penyiapan awal — SiPelayanan"))
        self.setMinimumWidth(560)
        defaults = OfficeProfile()

        intro = QLabel(
            tr(
                "Basis data ini masih kosong. Isi profil kantor dan buat akun admin pertama; "
                "semuanya dapat diubah lagi nanti di menu Admin."
            ),
            self,
        )
        intro.setWordWrap(True)

        office_box = QGroupBox(tr("Profil kantor"), self)
        self.office_name = QLineEdit(defaults.name, office_box)
        self.office_parent = QLineEdit(defaults.parent, office_box)
        self.office_address = QLineEdit(defaults.address, office_box)
        self.kadis_name = QLineEdit(office_box)
        self.kadis_name.setPlaceholderText(tr("untuk tanda tangan laporan"))
        self.kadis_nip = QLineEdit(office_box)
        self.kadis_nip.setMaxLength(21)
        office_form = QFormLayout(office_box)
        office_form.addRow(tr("Nama dinas"), self.office_name)
        office_form.addRow(tr("Pemerintah"), self.office_parent)
        office_form.addRow(tr("Alamat"), self.office_address)
        office_form.addRow(tr("Nama Kepala Dinas"), self.kadis_name)
        office_form.addRow(tr("NIP Kepala Dinas"), self.kadis_nip)

        admin_box = QGroupBox(tr("Akun admin pertama"), self)
        self.username = QLineEdit("admin", admin_box)
        self.username.setObjectName("admin_username")
        self.full_name = QLineEdit(admin_box)
        self.full_name.setObjectName("admin_full_name")
        self.password = QLineEdit(admin_box)
        self.password.setObjectName("admin_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("minimal {n} karakter", n=MIN_PASSWORD_LENGTH))
        self.password2 = QLineEdit(admin_box)
        self.password2.setObjectName("admin_password2")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        admin_form = QFormLayout(admin_box)
        admin_form.addRow(tr("Nama pengguna"), self.username)
        admin_form.addRow(tr("Nama lengkap"), self.full_name)
        admin_form.addRow(tr("Kata sandi"), self.password)
        admin_form.addRow(tr("Ulangi kata sandi"), self.password2)

        self.demo = QCheckBox(
            tr(
                "Muat data demo untuk mencoba: pengguna contoh untuk setiap peran (kata sandi "
                "rahasia123; akun admin tetap akun yang Anda buat di atas) dan {n} permohonan "
                "contoh",
                n=demo_count,
            ),
            self,
        )
        self.progress = QProgressBar(self)
        self.progress.setFormat(tr("Memuat data demo… %v dari %m"))
        self.progress.hide()
        self.message = MessageBar(self)
        self.start_button = QPushButton(tr("Mulai"), self)
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.submit)
        cancel = QPushButton(tr("Keluar"), self)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.start_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(office_box)
        layout.addWidget(admin_box)
        layout.addWidget(self.demo)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.full_name.setFocus()
        self._admin: UserInfo | None = None

    # ------------------------------------------------------------------ actions
    def _profile(self) -> OfficeProfile:
        return OfficeProfile(
            name=" ".join(self.office_name.text().split()),
            parent=" ".join(self.office_parent.text().split()),
            address=" ".join(self.office_address.text().split()),
            kepala_dinas=" ".join(self.kadis_name.text().split()),
            kepala_dinas_nip="".join(self.kadis_nip.text().split()),
        )

    def _local_check(self) -> str | None:
        if not self._profile().name:
            self.office_name.setFocus()
            return tr("Nama dinas wajib diisi.")
        if not self.full_name.text().strip():
            self.full_name.setFocus()
            return tr("Nama lengkap admin wajib diisi.")
        if len(self.password.text()) < MIN_PASSWORD_LENGTH:
            self.password.setFocus()
            return tr("Kata sandi minimal {n} karakter.", n=MIN_PASSWORD_LENGTH)
        if self.password.text() != self.password2.text():
            self.password2.setFocus()
            return tr("Kedua kata sandi tidak sama.")
        return None

    def submit(self) -> None:
        problem = self._local_check()
        if problem:
            self.message.error(problem)
            return
        self._set_busy(True)
        self.message.info(tr("Menyimpan…"))
        self.ops.run(
            _setup(
                self._profile(), self.username.text(), self.full_name.text(), self.password.text()
            ),
            write=True,
            on_done=self._on_created,
            on_error=self._on_error,
            parent=self,
        )

    def _set_busy(self, busy: bool) -> None:
        self.start_button.setEnabled(not busy)
        for w in (
            self.office_name,
            self.office_parent,
            self.office_address,
            self.kadis_name,
            self.kadis_nip,
            self.username,
            self.full_name,
            self.password,
            self.password2,
            self.demo,
        ):
            w.setEnabled(not busy)

    def _on_error(self, error: SipelayananError) -> None:
        self._set_busy(False)
        self.progress.hide()
        self.message.error(str(error))
        if isinstance(error, InputError) and error.field:
            widget = {
                "username": self.username,
                "full_name": self.full_name,
                "password": self.password,
            }.get(error.field)
            if widget is not None:
                widget.setFocus()

    def _on_created(self, admin: UserInfo) -> None:
        self._admin = admin
        if not self.demo.isChecked():
            self._done()
            return
        self.message.info(
            tr("Akun admin dibuat. Memuat data demo; ini dapat memakan waktu sekitar satu menit…")
        )
        self.progress.setRange(0, self.demo_count)
        self.progress.setValue(0)
        self.progress.show()
        self.ops.run(
            _demo(self.ops.url, self.demo_count, admin),
            write=False,
            long=True,
            on_progress=self._on_progress,
            on_done=lambda _summary: self._done(),
            on_error=self._on_demo_error,
            parent=self,
        )

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_demo_error(self, error: SipelayananError) -> None:
        # The admin exists already; the office can work without the demo data.
        self.progress.hide()
        self.message.warning(
            tr(
                "Data demo gagal dimuat: {pesan} Akun admin sudah dibuat; silakan masuk.",
                pesan=str(error),
            )
        )
        self.start_button.setText(tr("Lanjut ke halaman masuk"))
        self.start_button.setEnabled(True)
        self.start_button.clicked.disconnect()
        self.start_button.clicked.connect(self._done)

    def _done(self) -> None:
        assert self._admin is not None
        self.finished_setup.emit(self._admin.username)
        self.accept()
