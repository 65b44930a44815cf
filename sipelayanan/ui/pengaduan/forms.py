"""One action form of a complaint step, built from a core ``FormSpec`` (which the SOP file
declares: ``[steps.forms.*]``). It keeps what the clerk typed (per complaint and step) until the
action succeeds, so a lost connection or someone else's change never throws text away."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...i18n import tr
from ...services.complaints import MAX_TEXT, ComplaintAction, FormSpec


class ActionForm(QGroupBox):
    """One form: an optional text box (+ optional note line), ticks, and its button."""

    submitted = Signal(object)  # the form itself

    def __init__(
        self,
        spec: FormSpec,
        drafts: dict[str, str],
        draft_prefix: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tr(spec.title), parent)
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
        hint = QLabel(tr(spec.hint), self.body)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6368;")
        layout.addWidget(hint)
        self.text: QPlainTextEdit | None = None
        self.note: QLineEdit | None = None
        if spec.text_label is not None:
            label = tr(spec.text_label) + (" *" if spec.text_required else "")
            layout.addWidget(QLabel(label, self.body))
            self.text = QPlainTextEdit(self.body)
            self.text.setObjectName(f"text_{spec.key}")
            self.text.setTabChangesFocus(True)
            self.text.setMaximumHeight(100 if spec.text_required or spec.prefill else 56)
            initial = drafts.get(self._prefix + "/text")
            if initial is None and spec.prefill:
                initial = spec.prefill
            if initial:
                self.text.setPlainText(initial)
                self.text.moveCursor(QTextCursor.MoveOperation.End)
            self.text.textChanged.connect(self._keep_text)
            layout.addWidget(self.text)
        if spec.note_label is not None:
            layout.addWidget(QLabel(tr(spec.note_label), self.body))
            self.note = QLineEdit(self.body)
            self.note.setObjectName(f"note_{spec.key}")
            self.note.setMaxLength(2000)
            self.note.setText(drafts.get(self._prefix + "/note", ""))
            self.note.textChanged.connect(self._keep_note)
            self.note.returnPressed.connect(self.submit)
            layout.addWidget(self.note)
        self.ticks: dict[str, QCheckBox] = {}
        for key, item in spec.checklist:
            box = QCheckBox(tr("{label} sudah diterima", label=tr(item)), self.body)
            box.setObjectName(f"tick_{key}")
            self.ticks[key] = box
            layout.addWidget(box)
        self.reason = QLabel(self.body)
        self.reason.setStyleSheet("color: #a50e0e;")
        self.reason.setWordWrap(True)
        self.reason.hide()
        layout.addWidget(self.reason)
        row = QHBoxLayout()
        self.button = QPushButton(tr(spec.button), self.body)
        self.button.setObjectName(f"button_{spec.key}")
        self.button.setToolTip(tr("Ctrl+Enter"))
        self.button.clicked.connect(self.submit)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addLayout(row)
        if self.text is not None:
            for keys in ("Ctrl+Return", "Ctrl+Enter"):
                shortcut = QShortcut(QKeySequence(keys), self.text)
                shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
                shortcut.activated.connect(self.submit)

    def _unfold(self, on: bool) -> None:
        self.body.setVisible(on)
        if on:
            if self.text is not None:
                self.text.setFocus()
            else:
                self.button.setFocus()

    def text_value(self) -> str:
        return self.text.toPlainText().strip() if self.text is not None else ""

    def note_value(self) -> str:
        return self.note.text().strip() if self.note is not None else ""

    def show_reason(self, text: str) -> None:
        self.reason.setText(text)
        self.reason.setVisible(bool(text))

    def action(self, version: int, step: int) -> ComplaintAction:
        """What pressing the button asks of the core."""
        return ComplaintAction(
            move=self.spec.move,
            text=self.text_value(),
            note=self.note_value(),
            ticked=tuple(self.ticks),
            expected_version=version,
            expected_step=step,
        )

    def submit(self) -> None:
        if not self.button.isEnabled():
            return
        if self.spec.text_required and not self.text_value():
            self.show_reason(tr("{label} wajib diisi.", label=tr(self.spec.text_label or "")))
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
