"""Line edits that validate as the clerk types, with the reason shown beside the field."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QWidget

from ...i18n import tr
from ...identity import (
    ValidationError,
    kecamatan_name,
    normalize_no_kk,
    normalize_wa,
    parse_nik,
)

Validator = Callable[[str], str]  # returns a short confirmation; raises ValidationError


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def check_nik(text: str) -> str:
    info = parse_nik(text)
    sex = tr("laki-laki") if info.sex == "L" else tr("perempuan")
    place = kecamatan_name(info.kecamatan_code)
    where = tr(", Kec. {nama}", nama=place) if place else tr(", {kab}", kab=info.regency.nama)
    return tr(
        "✓ {sex}, lahir {tgl}{where}", sex=sex, tgl=f"{info.birth_date:%d-%m-%Y}", where=where
    )


def check_no_kk(text: str) -> str:
    normalize_no_kk(text)
    return tr("✓ Nomor KK sah")


def check_wa(text: str) -> str:
    e164 = normalize_wa(text)
    return tr("✓ {nomor}", nomor=e164)


def _sixteen_partial(text: str) -> bool:
    digits = _digits(text)
    return 0 < len(digits) < 16 and len(digits) == len(
        text.replace(" ", "").replace("-", "").replace(".", "")
    )


def _wa_partial(text: str) -> bool:
    digits = _digits(text)
    return 0 < len(digits) < 10


class ValidatedField(QWidget):
    """A QLineEdit plus a reason label beside it.

    ``valid`` is True when the text passes (or is empty and the field is optional).
    While the clerk is still typing a number that is merely too short, the reason shows as a
    grey hint; once the field is left or the number is long enough, it turns red.
    """

    validity_changed = Signal(bool)

    def __init__(
        self,
        validator: Validator,
        *,
        required: bool = True,
        placeholder: str = "",
        partial: Callable[[str], bool] | None = None,
        max_length: int = 64,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._validator = validator
        self._partial = partial
        self.required = required
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setMaxLength(max_length)
        self.edit.setMinimumWidth(170)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.reason.setMinimumWidth(140)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 0)
        layout.addWidget(self.reason, 1)
        self.setFocusProxy(self.edit)
        self._valid = not required
        self._error: str | None = None
        self._forced_error: str | None = None
        self.edit.textChanged.connect(self._on_text)
        self.edit.editingFinished.connect(self._on_finished)
        self._render(final=False)

    # ------------------------------------------------------------------ API
    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def clear(self) -> None:
        self.edit.clear()

    @property
    def valid(self) -> bool:
        return self._valid and self._forced_error is None

    @property
    def error(self) -> str | None:
        return self._forced_error or self._error

    def reason_text(self) -> str:
        return self.reason.text()

    def set_required(self, required: bool) -> None:
        self.required = required
        self._on_text()

    def validate_now(self) -> bool:
        """Show the final verdict (red when wrong, even while typing) and return it."""
        self._render(final=True)
        return self.valid

    def set_error(self, message: str) -> None:
        """An error found elsewhere (e.g. by the service on submit): shown until edited."""
        self._forced_error = message
        self._render(final=True)
        self.validity_changed.emit(False)

    # ------------------------------------------------------------------ internals
    def _check(self) -> tuple[bool, str | None, str]:
        text = self.text()
        if not text:
            if self.required:
                return False, tr("Wajib diisi."), ""
            return True, None, ""
        try:
            return True, None, self._validator(text)
        except ValidationError as exc:
            return False, str(exc), ""

    def _on_text(self) -> None:
        was = self.valid
        self._forced_error = None
        self._render(final=False)
        if self.valid != was:
            self.validity_changed.emit(self.valid)

    def _on_finished(self) -> None:
        self._render(final=True)

    def _render(self, *, final: bool) -> None:
        ok, error, note = self._check()
        self._valid, self._error = ok, error
        message = self._forced_error or error
        text = self.text()
        if message is None:
            self.reason.setText(note)
            self.reason.setStyleSheet("color: #137333;")
            self.edit.setStyleSheet("")
            self.edit.setToolTip("")
            return
        hint = (
            not final
            and self._forced_error is None
            and (not text or (self._partial is not None and self._partial(text)))
        )
        self.reason.setText(message if text or final else "")
        self.edit.setToolTip(message)
        if hint:
            self.reason.setStyleSheet("color: #5f6368;")
            self.edit.setStyleSheet("")
        else:
            self.reason.setStyleSheet("color: #a50e0e;")
            self.edit.setStyleSheet(
                "QLineEdit { border: 1px solid #d93025; border-radius: 3px; padding: 2px; }"
            )


def nik_field(*, required: bool = True, parent: QWidget | None = None) -> ValidatedField:
    return ValidatedField(
        check_nik,
        required=required,
        placeholder=tr("16 digit NIK"),
        partial=_sixteen_partial,
        max_length=24,
        parent=parent,
    )


def no_kk_field(*, required: bool = False, parent: QWidget | None = None) -> ValidatedField:
    return ValidatedField(
        check_no_kk,
        required=required,
        placeholder=tr("16 digit Nomor KK"),
        partial=_sixteen_partial,
        max_length=24,
        parent=parent,
    )


def wa_field(*, required: bool = True, parent: QWidget | None = None) -> ValidatedField:
    return ValidatedField(
        check_wa,
        required=required,
        placeholder=tr("mis. 0812-3456-7890"),
        partial=_wa_partial,
        max_length=24,
        parent=parent,
    )
