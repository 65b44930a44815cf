"""Pengguna dan peran: add staff, change names/NIP/roles, deactivate, reset a password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from sqlalchemy.orm import Session

from ...errors import InputError, SipelayananError
from ...i18n import tr
from ...services import users as svc
from ...services.users import MIN_PASSWORD_LENGTH, UserInfo
from ...sop import ROLES
from ..context import UiContext
from ..widgets.common import MessageBar


class UsersTab(QWidget):
    """A list of accounts and a form for the selected one (or a new one)."""

    changed = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.users: list[UserInfo] = []
        self.selected: UserInfo | None = None
        self._busy = False
        self._dirty = False

        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("users_table")
        self.table.setHorizontalHeaderLabels(
            [tr("Nama pengguna"), tr("Nama lengkap"), tr("NIP"), tr("Peran"), tr("Status")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((105, 170, 130, 235)):
            self.table.setColumnWidth(col, width)
        self.new_button = QPushButton(tr("Pengguna &baru"), self)
        self.new_button.setObjectName("user_new")

        self.form_title = QLabel(self)
        self.form_title.setStyleSheet("font-weight: 600;")
        self.username = QLineEdit(self)
        self.username.setObjectName("user_username")
        self.username.setMaxLength(64)
        self.full_name = QLineEdit(self)
        self.full_name.setObjectName("user_full_name")
        self.full_name.setMaxLength(200)
        self.nip = QLineEdit(self)
        self.nip.setObjectName("user_nip")
        self.nip.setMaxLength(32)
        self.nip.setPlaceholderText(tr("18 digit, opsional"))
        self.role_boxes: dict[str, QCheckBox] = {}
        roles_box = QGroupBox(tr("Peran"), self)
        grid = QGridLayout(roles_box)
        grid.setVerticalSpacing(2)  # ten roles in five rows: the form fits 768 px at 125 %
        grid.setContentsMargins(8, 4, 8, 4)
        for i, (key, label) in enumerate(ROLES.items()):
            box = QCheckBox(tr(label), roles_box)
            box.setObjectName(f"role_{key}")
            box.toggled.connect(self._mark_dirty)
            self.role_boxes[key] = box
            grid.addWidget(box, i // 2, i % 2)
        self.password = QLineEdit(self)
        self.password.setObjectName("user_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit(self)
        self.password2.setObjectName("user_password2")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_label = QLabel(tr("&Kata sandi"), self)
        self.password_label.setBuddy(self.password)
        self.password2_label = QLabel(tr("&Ulangi kata sandi"), self)
        self.password2_label.setBuddy(self.password2)
        self.reason = QLabel(self)
        self.reason.setObjectName("user_reason")
        self.reason.setWordWrap(True)
        self.reason.setStyleSheet("color: #a50e0e;")
        self.reason.hide()  # shown with a reason only: an empty line would push the form down

        self.save_button = QPushButton(tr("&Simpan"), self)
        self.save_button.setObjectName("user_save")
        self.active_button = QPushButton(self)
        self.active_button.setObjectName("user_active")
        self.reset_button = QPushButton(tr("Atur ulang kata &sandi"), self)
        self.reset_button.setObjectName("user_reset_password")
        self.message = MessageBar(self)

        form = QFormLayout()
        form.addRow(tr("Nama &pengguna"), self.username)
        form.addRow(tr("Nama &lengkap"), self.full_name)
        form.addRow(tr("&NIP"), self.nip)
        form.addRow(roles_box)
        form.addRow(self.password_label, self.password)
        form.addRow(self.password2_label, self.password2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.active_button)
        buttons.addStretch(1)
        fields = QWidget(self)
        fv = QVBoxLayout(fields)
        fv.setContentsMargins(0, 0, 0, 0)
        fv.addWidget(self.form_title)
        fv.addLayout(form)
        fv.addWidget(self.reason)
        fv.addStretch(1)
        # the fields scroll on a short screen (1366x768 at 125 %); the buttons stay in view
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(fields)
        right = QWidget(self)
        rv = QVBoxLayout(right)
        rv.addWidget(scroll, 1)
        rv.addLayout(buttons)
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 4)  # the last button clear of the tab frame
        lv.addWidget(self.table, 1)
        lv.addWidget(self.new_button)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 440])
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(splitter, 1)

        self.table.currentCellChanged.connect(self._row_changed)
        self.new_button.clicked.connect(self.new_user)
        self.save_button.clicked.connect(self.save)
        self.active_button.clicked.connect(self.toggle_active)
        self.reset_button.clicked.connect(self.reset_password)
        for edit in (self.username, self.full_name, self.nip, self.password, self.password2):
            edit.textEdited.connect(self._mark_dirty)
            edit.returnPressed.connect(self.save)
        self.new_user()

    def _say(self, text: str) -> None:
        self.reason.setText(text)
        self.reason.setVisible(bool(text))

    @property
    def busy(self) -> bool:
        return self._busy

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        self.ctx.ops.run(
            svc.list_users,
            on_done=self._listed,
            on_error=lambda e: self.message.error(str(e)) if isValid(self) else None,
        )

    def _listed(self, users: list[UserInfo]) -> None:
        if not isValid(self):
            return
        self.users = list(users)
        keep = self.selected.username if self.selected is not None else None
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.users))
        for row, user in enumerate(self.users):
            cells = (
                user.username,
                user.full_name,
                user.nip or "",
                ", ".join(tr(ROLES.get(r, r)) for r in user.roles),
                tr("Aktif") if user.active else tr("Nonaktif"),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.username)
                if not user.active:
                    item.setForeground(QBrush(QColor("#80868b")))
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        if keep is not None:
            match = next((u for u in self.users if u.username == keep), None)
            if match is not None:
                self.table.blockSignals(True)
                self.table.selectRow(self.users.index(match))
                self.table.blockSignals(False)
                if not self._dirty:
                    self._show_user(match)
                else:
                    self.selected = match
                    self._update_buttons()

    def _row_changed(self, row: int, _col: int, _prev_row: int, _prev_col: int) -> None:
        if 0 <= row < len(self.users):
            self._show_user(self.users[row])

    # ------------------------------------------------------------------ form

    def new_user(self) -> None:
        self.selected = None
        self.table.clearSelection()
        self.form_title.setText(tr("Pengguna baru"))
        self.username.setReadOnly(False)
        for edit in (self.username, self.full_name, self.nip, self.password, self.password2):
            edit.clear()
        for box in self.role_boxes.values():
            box.setChecked(False)
        self.password_label.setText(tr("&Kata sandi"))
        self._say("")
        self._dirty = False
        self._update_buttons()
        self.username.setFocus()

    def _show_user(self, user: UserInfo) -> None:
        self.selected = user
        self.form_title.setText(tr("Pengguna: {u}", u=user.username))
        self.username.setText(user.username)
        self.username.setReadOnly(True)
        self.full_name.setText(user.full_name)
        self.nip.setText(user.nip or "")
        for key, box in self.role_boxes.items():
            box.blockSignals(True)
            box.setChecked(key in user.roles)
            box.blockSignals(False)
        self.password.clear()
        self.password2.clear()
        self.password_label.setText(tr("Kata sandi &baru"))
        self._say("")
        self._dirty = False
        self._update_buttons()

    def _update_buttons(self) -> None:
        existing = self.selected is not None
        self.reset_button.setVisible(existing)
        self.active_button.setVisible(existing)
        self.save_button.setText(tr("&Simpan perubahan") if existing else tr("&Tambah pengguna"))
        if self.selected is not None:
            self.active_button.setText(
                tr("&Nonaktifkan") if self.selected.active else tr("&Aktifkan lagi")
            )
        self.password.setPlaceholderText(
            tr("isi hanya untuk mengatur ulang")
            if existing
            else tr("minimal {n} karakter", n=MIN_PASSWORD_LENGTH)
        )

    def _mark_dirty(self, *_args: object) -> None:
        self._dirty = True

    def roles(self) -> list[str]:
        return [key for key, box in self.role_boxes.items() if box.isChecked()]

    def _check_passwords(self, *, required: bool) -> str | None:
        """The new password, '' when none was typed (and none is required), None when bad."""
        a, b = self.password.text(), self.password2.text()
        if not a and not b and not required:
            return ""
        if len(a) < MIN_PASSWORD_LENGTH:
            self._refuse(
                tr("Kata sandi minimal {n} karakter.", n=MIN_PASSWORD_LENGTH), self.password
            )
            return None
        if a != b:
            self._refuse(tr("Kedua kata sandi tidak sama."), self.password2)
            return None
        return a

    def _refuse(self, text: str, widget: QWidget | None = None) -> None:
        self._say(text)
        if widget is not None:
            widget.setFocus()

    # ------------------------------------------------------------------ actions

    def save(self) -> None:
        if self._busy:
            return
        self._say("")
        actor = self.ctx.actor
        roles = self.roles()
        if not roles:
            self._refuse(tr("Pilih sedikitnya satu peran."))
            return
        full_name, nip = self.full_name.text(), self.nip.text().strip()
        if nip and (not nip.replace(" ", "").isdigit() or len(nip.replace(" ", "")) != 18):
            self._refuse(tr("NIP terdiri dari 18 digit angka."), self.nip)
            return
        nip = nip.replace(" ", "")
        fn: Callable[[Session], Any]
        if self.selected is None:
            checked = self._check_passwords(required=True)
            if checked is None:
                return
            username, new_password = self.username.text(), checked

            def fn(s: Session) -> Any:
                return svc.create_user(
                    s,
                    username=username,
                    full_name=full_name,
                    password=new_password,
                    roles=roles,
                    nip=nip or None,
                    actor=actor,
                )

            done = tr("Pengguna {u} ditambahkan.")
        else:
            password = self._check_passwords(required=False)
            if password is None:
                return
            username = self.selected.username

            def fn(s: Session) -> Any:
                info = svc.update_user(
                    s, username, actor=actor, full_name=full_name, nip=nip, roles=roles
                )
                if password:
                    svc.set_password(s, username, password, actor=actor)
                return info

            done = tr("Perubahan pengguna {u} disimpan.")
        self._run(fn, done)

    def toggle_active(self) -> None:
        if self.selected is None or self._busy:
            return
        actor = self.ctx.actor
        username, active = self.selected.username, not self.selected.active
        done = (
            tr("Pengguna {u} diaktifkan lagi.")
            if active
            else tr("Pengguna {u} dinonaktifkan; ia tidak dapat masuk lagi.")
        )
        self._run(lambda s: svc.update_user(s, username, actor=actor, active=active), done)

    def reset_password(self) -> None:
        if self.selected is None or self._busy:
            return
        self._say("")
        password = self._check_passwords(required=True)
        if password is None:
            return
        actor = self.ctx.actor
        username = self.selected.username

        def fn(s: Session) -> UserInfo:
            svc.set_password(s, username, password, actor=actor)
            return svc.get_user(s, username)

        self._run(fn, tr("Kata sandi {u} diatur ulang; sampaikan kepadanya secara langsung."))

    def _run(self, fn: Callable[[Session], Any], done_text: str) -> None:
        self._busy = True
        self.message.clear()
        self.save_button.setEnabled(False)
        self.ctx.ops.run(
            fn, write=True, on_done=lambda info: self._done(info, done_text), on_error=self._failed
        )

    def _done(self, info: UserInfo, done_text: str) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.save_button.setEnabled(True)
        self._dirty = False
        self.selected = info
        self._show_user(info)
        self.message.success(done_text.format(u=info.username))
        self.refresh()
        self.changed.emit()

    def _failed(self, error: SipelayananError) -> None:
        if not isValid(self):
            return
        self._busy = False
        self.save_button.setEnabled(True)
        widgets = {
            "username": self.username,
            "full_name": self.full_name,
            "password": self.password,
        }
        field = error.field if isinstance(error, InputError) else None
        self._refuse(str(error), widgets.get(field or ""))
        self.message.error(str(error))
