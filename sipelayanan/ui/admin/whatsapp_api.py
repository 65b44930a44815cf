"""Admin ▸ WhatsApp Business: the office's Cloud API number (phone-number id, token in this
PC's keyring, approved template names per notice, base URL and version), a test send, the
outbox with each notice's state ("Kirim ulang" / "Tandai terkirim" for the ones a person must
decide) and this month's count of messages sent through the API (they are billed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...errors import InputError, SipelayananError
from ...i18n import tr
from ...services import outbox, wa_cloud
from ..context import UiContext
from ..widgets.common import MessageBar

#: Sample values for "Uji kirim" (never real personal data).
SAMPLE: dict[str, str] = {
    "nama": "Uji Coba",
    "layanan": "Penerbitan Kartu Keluarga (KK) Baru",
    "kode": "ABCD-EFGH3",
    "perkiraan_selesai": "Selasa, 3 Maret 2026 pukul 09.15 WIB",
    "kekurangan": "Fotokopi KK",
    "dokumen": "Kartu Keluarga",
    "alamat_kantor": "Jl. Jend. Sudirman, Blambangan Umpu",
    "resi": "P2603020001234",
    "solusi": "Pesan uji coba dari SiPelayanan.",
}

COLUMNS = ("No.", "Kode", "Pemberitahuan", "Keadaan", "Dibuat", "Terkirim", "Keterangan")


def _when(value: datetime | None) -> str:
    from ...reports.text import tanggal_jam_angka

    return tanggal_jam_angka(value) if value is not None else ""


class WhatsAppApiTab(QWidget):
    saved = Signal()
    token_saved = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[outbox.NoticeRow] = []
        self.message = MessageBar(self)

        settings = QGroupBox(tr("Nomor WhatsApp Business (Cloud API)"), self)
        form = QFormLayout(settings)
        self.phone_id = QLineEdit(settings)
        self.phone_id.setObjectName("wa_phone_id")
        self.phone_id.setPlaceholderText(tr("mis. 109876543210 (WhatsApp Manager ▸ API Setup)"))
        self.token = QLineEdit(settings)
        self.token.setObjectName("wa_token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(tr("kosongkan bila tidak diganti"))
        self.base_url = QLineEdit(settings)
        self.base_url.setObjectName("wa_base_url")
        self.version = QLineEdit(settings)
        self.version.setObjectName("wa_version")
        form.addRow(tr("ID nomor telepon"), self.phone_id)
        form.addRow(tr("Token akses (disimpan di PC ini)"), self.token)
        form.addRow(tr("Alamat dasar API"), self.base_url)
        form.addRow(tr("Versi API"), self.version)
        self.templates: dict[str, QLineEdit] = {}
        for kind, names in wa_cloud.API_PARAMETERS.items():
            edit = QLineEdit(settings)
            edit.setObjectName(f"wa_template_{kind}")
            order = ", ".join(f"{{{{{i}}}}} {n}" for i, n in enumerate(names, start=1))
            edit.setToolTip(tr("Isian templat berurutan: {urutan}", urutan=order))
            edit.setPlaceholderText(tr("kosong: dikirim manual"))
            self.templates[kind] = edit
            form.addRow(tr("Templat: {jenis}", jenis=outbox.KIND_LABELS[kind]), edit)
        hint = QLabel(
            tr(
                "Pemberitahuan dikirim otomatis hanya bila pemohon setuju saat penerimaan dan "
                "templatnya diisi; selain itu tetap dikirim manual (klik untuk kirim). Bahasa "
                "templat: Indonesia (id). Arahkan kursor ke kotak templat untuk urutan isiannya."
            ),
            settings,
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        self.save_button = QPushButton(tr("&Simpan"), settings)
        self.save_button.setObjectName("wa_save")
        self.test_to = QLineEdit(settings)
        self.test_to.setObjectName("wa_test_to")
        self.test_to.setPlaceholderText(tr("nomor WhatsApp penerima uji"))
        self.test_button = QPushButton(tr("&Uji kirim"), settings)
        self.test_button.setObjectName("wa_test")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.test_to)
        buttons.addWidget(self.test_button)
        form.addRow(buttons)

        box = QGroupBox(tr("Antrean pemberitahuan"), self)
        self.table = QTableWidget(0, len(COLUMNS), box)
        self.table.setObjectName("wa_outbox")
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch
        )
        self.counts = QLabel("", box)
        self.counts.setObjectName("wa_counts")
        self.counts.setWordWrap(True)
        self.monthly = QLabel("", box)
        self.monthly.setObjectName("wa_monthly")
        self.monthly.setWordWrap(True)
        self.resend_button = QPushButton(tr("Kirim &ulang"), box)
        self.resend_button.setObjectName("wa_resend")
        self.mark_button = QPushButton(tr("&Tandai terkirim"), box)
        self.mark_button.setObjectName("wa_mark_sent")
        self.reload_button = QPushButton(tr("&Muat ulang"), box)
        row = QHBoxLayout()
        row.addWidget(self.resend_button)
        row.addWidget(self.mark_button)
        row.addStretch(1)
        row.addWidget(self.reload_button)
        inner = QVBoxLayout(box)
        inner.addWidget(self.counts)
        inner.addWidget(self.table, 1)
        inner.addLayout(row)
        inner.addWidget(self.monthly)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(settings)
        layout.addWidget(box, 1)

        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.test_send)
        self.resend_button.clicked.connect(lambda: self._decide("resend"))
        self.mark_button.clicked.connect(lambda: self._decide("mark_sent"))
        self.reload_button.clicked.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._sync_buttons)
        self.token_saved.connect(self._wake_sender)
        self._sync_buttons()

    def _wake_sender(self) -> None:
        """A new token: the app's sender stops waiting after an expired-token answer."""
        sender = self.window().findChild(QObject, "notice_sender")
        if sender is not None and hasattr(sender, "token_saved"):
            sender.token_saved()

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        now = datetime.now().astimezone()

        def load(session: Any) -> tuple[Any, ...]:
            config = wa_cloud.load_config(session)
            rows = outbox.list_notices(session, limit=300)
            counts = outbox.state_counts(session)
            month = outbox.monthly_counts(session, now.year, now.month)
            return config, rows, counts, month

        self.ctx.ops.run(load, on_done=self._loaded, parent=self)

    def _loaded(self, loaded: tuple[Any, ...]) -> None:
        config, rows, counts, month = loaded
        self.phone_id.setText(config.phone_number_id)
        self.base_url.setText(config.base_url)
        self.version.setText(config.version)
        for kind, edit in self.templates.items():
            edit.setText(config.templates.get(kind, ""))
        self.show_rows(rows, counts, month)

    def show_rows(
        self, rows: list[outbox.NoticeRow], counts: dict[str, int], month: dict[str, int]
    ) -> None:
        from ...reports.text import bulan_tahun

        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            values = (
                str(r.id),
                r.code,
                r.kind_label,
                r.state_label,
                _when(r.created_at),
                _when(r.sent_at),
                r.error or "",
            )
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                if j == 0:
                    item.setData(Qt.ItemDataRole.UserRole, r.id)
                if j == len(values) - 1 and value:
                    item.setToolTip(value)  # the whole explanation, however narrow the column
                self.table.setItem(i, j, item)
        for column in range(len(COLUMNS) - 1):
            self.table.resizeColumnToContents(column)
        parts = [
            f"{outbox.State.LABELS[s]}: {counts[s]}" for s in outbox.State.LABELS if counts.get(s)
        ]
        self.counts.setText(" · ".join(parts) if parts else tr("Belum ada pemberitahuan."))
        total = sum(month.values())
        detail = ", ".join(
            f"{outbox.KIND_LABELS.get(k, k)} {n}" for k, n in sorted(month.items()) if n
        )
        self.monthly.setText(
            tr(
                "Terkirim lewat WhatsApp Business bulan {bulan}: {n} pesan (kategori utility, "
                "ditagih Meta){rinci}.",
                bulan=bulan_tahun(datetime.now().astimezone()),
                n=total,
                rinci=f" — {detail}" if detail else "",
            )
        )
        self._sync_buttons()

    def selected(self) -> outbox.NoticeRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        index = rows[0].row()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _sync_buttons(self) -> None:
        row = self.selected()
        state = row.state if row is not None else ""
        self.resend_button.setEnabled(state in (outbox.State.UNCERTAIN, outbox.State.FAILED))
        self.mark_button.setEnabled(
            state in (outbox.State.UNCERTAIN, outbox.State.FAILED, outbox.State.MANUAL)
        )

    # ------------------------------------------------------------------ actions

    def config(self) -> wa_cloud.CloudConfig:
        return wa_cloud.validate_config(
            phone_number_id=self.phone_id.text(),
            base_url=self.base_url.text(),
            version=self.version.text(),
            templates={k: e.text() for k, e in self.templates.items()},
        )

    def save(self) -> None:
        self.message.clear()
        try:
            config = self.config()
        except InputError as exc:
            self.message.error(str(exc))
            return
        token = self.token.text().strip()
        if token and not config.phone_number_id:
            self.message.error(tr("Isi ID nomor telepon sebelum menyimpan token."))
            return
        actor = self.ctx.actor

        def run(session: Any) -> None:
            wa_cloud.save_config(session, config, actor=actor)

        def done(_result: Any) -> None:
            if not isValid(self):
                return
            stored = True
            if token:
                stored = wa_cloud.store_token(config.phone_number_id, token)
                self.token.clear()
            if not stored:
                self.message.warning(
                    tr(
                        "Pengaturan disimpan, tetapi PC ini tidak memiliki penyimpanan kata "
                        "sandi (keyring); token tidak disimpan. Untuk pengiriman terjadwal, "
                        "isi variabel lingkungan SIPELAYANAN_WA_TOKEN."
                    )
                )
            else:
                self.message.success(tr("Pengaturan WhatsApp Business disimpan."))
            self.saved.emit()
            if token and stored:
                self.token_saved.emit()

        self.ctx.ops.run(run, write=True, on_done=done, on_error=self._error, parent=self)

    def test_send(self) -> None:
        """Send the 'berkas diterima' template with sample values to a number the admin typed."""
        from ...identity import ValidationError, normalize_wa

        self.message.clear()
        try:
            config = self.config()
            to = normalize_wa(self.test_to.text())
        except InputError as exc:
            self.message.error(str(exc))
            return
        except ValidationError as exc:
            self.message.error(str(exc))
            return
        kind = next((k for k in wa_cloud.NOTICE_KINDS if config.template_for(k)), None)
        if kind is None:
            self.message.error(tr("Isi ID nomor telepon dan sedikitnya satu nama templat."))
            return
        template = config.template_for(kind) or ""
        typed = self.token.text().strip()
        params = [SAMPLE[n] for n in wa_cloud.API_PARAMETERS[kind]]

        def run(_session: Any) -> wa_cloud.Outcome:
            token = typed or wa_cloud.load_token(config.phone_number_id)
            if not token:
                raise InputError(tr("Isi token akses (atau simpan dulu) sebelum uji kirim."))
            body = wa_cloud.template_body(to, template, params)
            try:
                answer = wa_cloud.post_json(config.endpoint(), token, body)
            except wa_cloud.NotSent:
                return wa_cloud.NETWORK
            except wa_cloud.MaybeSent:
                return wa_cloud.MAYBE
            return wa_cloud.classify(answer, template)

        def done(outcome: wa_cloud.Outcome) -> None:
            if not isValid(self):
                return
            if outcome.action == "sent":
                self.message.success(
                    tr("Uji kirim berhasil: templat '{t}' diterima server WhatsApp.", t=template)
                )
            else:
                self.message.error(tr("Uji kirim gagal: {m}", m=outcome.message))

        self.ctx.ops.run(run, on_done=done, on_error=self._error, parent=self, long=True)

    def _decide(self, what: str) -> None:
        row = self.selected()
        if row is None:
            return
        actor, notice_id = self.ctx.actor, row.id

        def run(session: Any) -> str:
            if what == "resend":
                return outbox.resend(session, actor, notice_id)
            return outbox.mark_sent(session, actor, notice_id)

        def done(state: str) -> None:
            if not isValid(self):
                return
            self.message.success(
                tr(
                    "Pemberitahuan {no}: {keadaan}.",
                    no=notice_id,
                    keadaan=outbox.State.LABELS.get(state, state),
                )
            )
            self.refresh()

        self.ctx.ops.run(run, write=True, on_done=done, on_error=self._error, parent=self)

    def _error(self, error: SipelayananError) -> None:
        if isValid(self):
            self.message.error(str(error))
