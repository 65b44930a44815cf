"""Survei Kepuasan: type in paper questionnaires fast by keyboard, import a CSV, and (admin) the
"rencana tindak lanjut" of a quarter.

One form per respondent: the nine answers as one field of nine digits 1–4 (``443434344``, the
wording of each shown beside it as you type), umur, jenis kelamin, pendidikan, pekerjaan (a
digit or a letter picks the item), saran; Enter in any field records it and clears the form for
the next sheet, keeping the date and the service. The tracking code is optional and, when given,
only checks "one answer per code": the answer is stored without it (:mod:`sipelayanan.skm`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QRegularExpression, Qt
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from .. import skm
from ..errors import InputError, SipelayananError
from ..i18n import tr
from ..skm.store import (
    Recorded,
    get_follow_up,
    quarter_of,
    record_answer,
    save_follow_up,
    survey,
    surveyed_services,
    today_wib,
)
from .context import UiContext
from .widgets.common import MessageBar


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class SkmPage(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("skm_page")
        self.ctx = ctx
        self.recorded = 0
        self.message = MessageBar(self)

        today = today_wib()
        self.day = QDateEdit(_qdate(today), self)
        self.day.setObjectName("skm_tanggal")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd-MM-yyyy")
        self.day.setMaximumDate(_qdate(today))
        self.service = QComboBox(self)
        self.service.setObjectName("skm_layanan")
        for code, name in surveyed_services().items():
            self.service.addItem(name, code)
        self.code = QLineEdit(self)
        self.code.setObjectName("skm_kode")
        self.code.setPlaceholderText(tr("boleh kosong, mis. ABCD-EFGH3"))
        self.nilai = QLineEdit(self)
        self.nilai.setObjectName("skm_nilai")
        self.nilai.setPlaceholderText(tr("sembilan angka 1–4, mis. 443434344"))
        self.nilai.setValidator(
            QRegularExpressionValidator(QRegularExpression("[1-4]{0,9}"), self.nilai)
        )
        self.nilai.setMaxLength(9)
        self.umur = QLineEdit(self)
        self.umur.setObjectName("skm_umur")
        self.umur.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{0,2}"), self.umur)
        )
        self.umur.setMaximumWidth(60)
        self.jk = self._combo(
            "skm_jk", tr("(jenis kelamin)"), [("L", "L  Laki-laki"), ("P", "P  Perempuan")]
        )
        self.pendidikan = self._combo(
            "skm_pendidikan",
            tr("(pendidikan)"),
            [(k, f"{k}  {v}") for k, v in skm.PENDIDIKAN.items()],
        )
        self.pekerjaan = self._combo(
            "skm_pekerjaan",
            tr("(pekerjaan)"),
            [(k, f"{k}  {v}") for k, v in skm.PEKERJAAN.items()],
        )
        self.saran = QLineEdit(self)
        self.saran.setObjectName("skm_saran")
        self.saran.setMaxLength(skm.SARAN_MAX)

        form = QFormLayout()
        form.addRow(tr("&Tanggal"), self.day)
        form.addRow(tr("&Layanan"), self.service)
        form.addRow(tr("&Kode pelacakan"), self.code)
        form.addRow(tr("&Jawaban U1–U9"), self.nilai)
        profile = QHBoxLayout()
        profile.addWidget(self.umur)
        profile.addWidget(QLabel(tr("tahun"), self))
        profile.addWidget(self.jk)
        profile.addWidget(self.pendidikan)
        profile.addWidget(self.pekerjaan)
        profile.addStretch(1)
        profile_label = QLabel(tr("&Umur, profil"), self)
        profile_label.setBuddy(self.umur)
        form.addRow(profile_label, profile)
        form.addRow(tr("&Saran"), self.saran)

        # the nine elements with the wording of the answer typed so far
        grid = QGridLayout()
        self.meaning: list[QLabel] = []
        half = (len(skm.UNSUR) + 1) // 2  # two columns of elements: fits 768 px at 125 %
        for u in skm.UNSUR:
            row, col = (u.no - 1) % half, 2 * ((u.no - 1) // half)
            grid.addWidget(QLabel(f"U{u.no}  {u.name}", self), row, col)
            label = QLabel("–", self)
            label.setObjectName(f"skm_arti_{u.no}")
            self.meaning.append(label)
            grid.addWidget(label, row, col + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.nilai.textChanged.connect(self._show_meaning)

        self.save_button = QPushButton(tr("&Catat jawaban (Enter)"), self)
        self.save_button.setObjectName("skm_simpan")
        self.save_button.clicked.connect(self.submit)
        self.import_button = QPushButton(tr("&Impor CSV…"), self)
        self.import_button.setObjectName("skm_impor")
        self.import_button.clicked.connect(self.choose_csv)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("skm_jumlah")
        self.figures = QLabel(self)
        self.figures.setObjectName("skm_angka")
        self.figures.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.count_label, 1)

        entry = QGroupBox(tr("Formulir survei kertas"), self)
        entry_layout = QVBoxLayout(entry)
        entry_layout.addLayout(form)
        entry_layout.addLayout(grid)
        entry_layout.addLayout(buttons)

        # the page's content scrolls by itself on a short screen (1366x768 at 125 %) instead of
        # making the page taller than the window
        content = QWidget(self)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.addWidget(self.message)
        layout.addWidget(entry)
        layout.addWidget(self.figures)
        self.follow_up = QPlainTextEdit(self)
        self.follow_up.setObjectName("skm_tindak_lanjut")
        self.follow_up.setMaximumHeight(90)
        self.follow_up_save = QPushButton(tr("Simpan rencana &tindak lanjut"), self)
        self.follow_up_save.setObjectName("skm_tindak_lanjut_simpan")
        self.follow_up_save.clicked.connect(self.save_follow_up)
        if ctx.has_role("admin"):
            box = QGroupBox(tr("Rencana tindak lanjut triwulan ini (satu rencana per baris)"), self)
            box_layout = QHBoxLayout(box)  # the button beside the text: fits 768 px at 125 %
            box_layout.addWidget(self.follow_up, 1)
            box_layout.addWidget(self.follow_up_save, 0, Qt.AlignmentFlag.AlignBottom)
            layout.addWidget(box)
        else:
            self.follow_up.hide()
            self.follow_up_save.hide()
        layout.addStretch(1)
        scroll.setWidget(content)

        for field in (self.code, self.nilai, self.umur, self.saran):
            field.returnPressed.connect(self.submit)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.submit)
        self._show_count()
        self.refresh()
        self.setFocusProxy(self.code)  # the page opens on the first field a sheet needs

    def _combo(self, name: str, empty: str, items: list[tuple[Any, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setToolTip(tr("Ketik angka/huruf pilihan; kosong bila tidak diisi"))
        combo.addItem(empty, None)
        for key, label in items:
            combo.addItem(label, key)
        return combo

    def _show_meaning(self, text: str) -> None:
        for i, label in enumerate(self.meaning):
            if i < len(text):
                label.setText(f"{text[i]} — {skm.UNSUR[i].options[int(text[i]) - 1]}")
            else:
                label.setText("–")

    def _show_count(self) -> None:
        self.count_label.setText(tr("{n} jawaban dicatat di sini", n=self.recorded))

    def answer(self) -> skm.Answer:
        """The form as an answer; InputError (Indonesian) for what is missing or wrong."""
        digits = self.nilai.text().strip()
        if len(digits) != 9:
            raise InputError(
                tr("Isi jawaban kesembilan unsur: sembilan angka 1–4 (baru {n}).", n=len(digits)),
                "nilai",
            )
        return skm.Answer(
            service=str(self.service.currentData()),
            day=_pydate(self.day.date()),
            code=self.code.text().strip() or None,
            nilai=tuple(int(d) for d in digits),
            umur=skm.parse_umur(self.umur.text()),
            jenis_kelamin=self.jk.currentData(),
            pendidikan=self.pendidikan.currentData(),
            pekerjaan=self.pekerjaan.currentData(),
            saran=self.saran.text(),
        )

    def submit(self) -> None:
        try:
            answer = self.answer()
        except InputError as exc:
            self.message.error(str(exc))
            (self.nilai if exc.field == "nilai" else self.umur).setFocus()
            return
        actor = self.ctx.actor
        self.save_button.setEnabled(False)

        def failed(error: SipelayananError) -> None:
            self.save_button.setEnabled(True)
            self.message.error(str(error))
            field = getattr(error, "field", None)
            (self.code if field in (None, "kode", "layanan") else self.nilai).setFocus()

        self.ctx.ops.run(
            lambda s: record_answer(s, actor, answer, source="kertas"),
            write=True,
            on_done=self._recorded,
            on_error=failed,
            parent=self,
        )

    def _recorded(self, result: Recorded) -> None:
        self.save_button.setEnabled(True)
        self.recorded += 1
        self._show_count()
        for field in (self.code, self.nilai, self.umur, self.saran):
            field.clear()
        for combo in (self.jk, self.pendidikan, self.pekerjaan):
            combo.setCurrentIndex(0)
        self.message.success(tr("Jawaban ke-{n} dicatat.", n=self.recorded))
        self.code.setFocus()
        self.refresh()

    # ------------------------------------------------------------------ figures, follow-up

    def refresh(self) -> None:
        date_from, date_to = quarter_of(today_wib())

        def load(s: Session) -> tuple[Any, list[str]]:
            return survey(s, date_from, date_to), get_follow_up(s, date_from, date_to)

        self.ctx.ops.run(load, on_done=self._show_figures, parent=self)

    def _show_figures(self, result: tuple[Any, list[str]]) -> None:
        data, follow_up = result
        o = data.office
        label = skm.period_label(data.date_from, data.date_to)
        if o.index.ikm is None:
            text = tr("{p}: belum ada jawaban.", p=label)
        else:
            text = tr(
                "{p}: IKM {ikm} (mutu {mutu}, {kinerja}); {n} responden, sampel minimum {m} "
                "dari {pop} permohonan selesai — {reached}.",
                p=label,
                ikm=f"{o.index.ikm}".replace(".", ","),
                mutu=o.index.mutu.code,
                kinerja=o.index.mutu.kinerja,
                n=o.responden,
                m=o.sampel_minimum,
                pop=o.populasi,
                reached=tr("tercapai") if o.tercapai else tr("belum tercapai"),
            )
        self.figures.setText(text)
        if not self.follow_up.hasFocus():
            self.follow_up.setPlainText("\n".join(follow_up))

    def save_follow_up(self) -> None:
        date_from, date_to = quarter_of(today_wib())
        lines = self.follow_up.toPlainText().splitlines()
        actor = self.ctx.actor
        self.ctx.ops.run(
            lambda s: save_follow_up(s, actor, date_from, date_to, lines),
            write=True,
            on_done=lambda _r: self.message.success(tr("Rencana tindak lanjut disimpan.")),
            on_error=lambda e: self.message.error(str(e)),
            parent=self,
        )

    # ------------------------------------------------------------------ import

    def choose_csv(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, tr("Impor jawaban survei (CSV)"), "", tr("CSV (*.csv);;Semua file (*)")
        )
        if path:
            self.import_csv(path)

    def import_csv(self, path: str, mapping: str | None = None) -> None:
        from pathlib import Path

        from ..skm.importer import error_lines, import_csv, read_text

        try:
            text = read_text(Path(path))
        except InputError as exc:
            self.message.error(str(exc))
            return
        actor = self.ctx.actor

        def done(result: Any) -> None:
            lines = error_lines(result)
            summary = result.summary()
            if result.errors:  # the bad rows, kept to fix and import again
                rejected = Path(path).with_name(Path(path).stem + ".ditolak.csv")
                try:
                    rejected.write_text(result.rejected_csv(), encoding="utf-8-sig")
                    lines.insert(0, tr("Baris yang ditolak disimpan ke {f}.", f=str(rejected)))
                except OSError as exc:
                    lines.insert(0, tr("{f} tidak dapat disimpan: {e}", f=str(rejected), e=exc))
            if lines:
                shown = "\n".join(lines[:8]) + ("\n…" if len(lines) > 8 else "")
                self.message.warning(f"{summary}\n{shown}")
            else:
                self.message.success(summary)
            self.refresh()

        self.ctx.ops.run(
            lambda s: import_csv(s, actor, text, mapping=mapping),
            write=True,
            on_done=done,
            on_error=lambda e: self.message.error(str(e)),
            parent=self,
        )
