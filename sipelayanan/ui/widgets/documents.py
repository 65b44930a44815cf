"""Documents a window offers for one request: the tanda terima (PDF to print or PNG to send over
WhatsApp, saved and opened) and the
WhatsApp message composed from the office's templates. Both are produced off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMenu, QPushButton, QWidget
from sqlalchemy.orm import Session

from ...i18n import tr
from ...identity import format_tracking_code
from ..context import UiContext

AskPath = Callable[[QWidget | None, str, str], str | None]  # parent, suggested path, format
#: the receipt menu's "Cetak…": the PDF goes to the print preview instead of a file
PRINT = "print"
Opener = Callable[[QUrl], bool]


@dataclass(frozen=True)
class PlainMessage:
    """Same shape as services.messages.Message (text + wa.me link)."""

    text: str
    wa_link: str


def _fallback(session: Session, key: str, code: str, extra: dict[str, str]) -> PlainMessage:
    """A plain message while the office's message templates are not available."""
    from ...identity import wa_digits
    from ...services.queries import case_view
    from ..whatsapp import wa_me_link

    view = case_view(session, code)
    shown = format_tracking_code(view.code)
    texts = {
        "berkas_diterima": tr(
            "Berkas permohonan {layanan} Anda sudah kami terima dengan kode "
            "{kode}. Simpan kode ini untuk menanyakan status.",
            layanan=view.service_name,
            kode=shown,
        ),
        "berkas_kurang": tr(
            "Permohonan {layanan} Anda (kode {kode}) belum dapat diproses "
            "karena berkas belum lengkap:\n{kurang}\nMohon kirim kekurangannya "
            "melalui WhatsApp ini.",
            layanan=view.service_name,
            kode=shown,
            kurang="\n".join(f"- {m}" for m in view.missing_items),
        ),
        "dokumen_selesai": tr(
            "Dokumen {layanan} Anda (kode {kode}) sudah selesai.",
            layanan=view.service_name,
            kode=shown,
        ),
        "dikirim_pos": tr(
            "Dokumen {layanan} Anda (kode {kode}) sudah dikirim melalui PT POS.",
            layanan=view.service_name,
            kode=shown,
        ),
    }
    text = texts.get(key) or tr("Informasi permohonan {kode}.", kode=shown)
    if extra.get("alasan"):
        text += "\n" + extra["alasan"]
    return PlainMessage(text, wa_me_link(wa_digits(view.wa), text))


def compose_message(key: str, code: str, **extra: str) -> Callable[[Session], Any]:
    """Worker function: the composed message for template ``key`` and request ``code``."""

    def run(session: Session) -> Any:
        try:
            from ...services.messages import render_message
        except ModuleNotFoundError:
            return _fallback(session, key, code, extra)
        return render_message(session, key, code, now=None, **extra)

    return run


def show_message(parent: QWidget | None, message: Any, title: str | None = None) -> Any:
    from ..whatsapp import show_whatsapp_message

    return show_whatsapp_message(parent, message, title=title)


def track_sent(ctx: Any, dialog: Any, code: str, key: str) -> None:
    """A notice opened in WhatsApp from an action's own message window is sent by hand: the
    outbox records it, so "Kirim semua yang siap" does not offer it again (any window)."""
    from ...services import outbox

    if key not in outbox.KIND_LABELS:
        return  # a message that is no SOP notice (a correction, a free reply)
    actor = ctx.actor

    def sent(_link: str) -> None:
        ctx.ops.run(
            lambda s: outbox.mark_sent_for_case(s, actor, code, key),
            write=True,
            on_error=lambda e: None,
        )

    dialog.opened.connect(sent)


def default_ask_path(parent: QWidget | None, suggested: str, fmt: str) -> str | None:
    filters = {"pdf": tr("Dokumen PDF (*.pdf)"), "png": tr("Gambar PNG (*.png)")}
    path, _filter = QFileDialog.getSaveFileName(
        parent, tr("Simpan tanda terima"), suggested, filters.get(fmt, "")
    )
    return path or None


def receipt_menu(button: QPushButton, save: Callable[[str], None]) -> QMenu:
    """The tanda terima button's choices: a PDF to keep, a PNG to send over WhatsApp, or
    straight to the printer through a print preview."""
    menu = QMenu(button)
    menu.addAction(tr("Simpan PDF…"), lambda: save("pdf"))
    menu.addAction(tr("Gambar PNG untuk WhatsApp…"), lambda: save("png"))
    menu.addAction(tr("Cetak…"), lambda: save(PRINT))  # print preview (ui/printing.py)
    button.setMenu(menu)
    return menu


class ReceiptSaver:
    """Produce a request's tanda terima, ask where to save it, save and open it."""

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget,
        report: Callable[[str, str], None],
        *,
        ask_path: AskPath | None = None,
        opener: Opener | None = None,
    ) -> None:
        self.ctx = ctx
        self.parent = parent
        self.report = report  # (message, level) shown by the owning window
        self.ask_path: AskPath = ask_path or default_ask_path
        self.opener: Opener = opener or QDesktopServices.openUrl
        self.last_saved: Path | None = None
        self.last_preview: Any = None  # the print preview last opened (ui/printing.py)

    @staticmethod
    def available() -> bool:
        try:
            from ...reports import receipt  # noqa: F401
        except ImportError:
            return False
        return True

    def save(self, code: str, fmt: str = "pdf") -> None:
        try:
            from ...reports import receipt
        except ImportError:
            self.report(tr("Modul tanda terima belum terpasang."), "error")
            return
        actor = self.ctx.actor
        if fmt == PRINT:
            from ..printing import make_and_print

            def keep(preview: Any) -> None:
                self.last_preview = preview

            make_and_print(
                self.ctx,
                self.parent,
                lambda s: receipt(s, code, "pdf", actor=actor),
                tr("Tanda terima {kode}", kode=format_tracking_code(code)),
                self.report,
                keep,
            )
            return
        self.report(tr("Membuat tanda terima…"), "info")
        self.ctx.ops.run(
            lambda s: receipt(s, code, fmt, actor=actor),  # type: ignore[arg-type]
            write=True,
            on_done=lambda data: self._write(code, data, fmt),
            on_error=lambda e: self.report(str(e), "error"),
            parent=self.parent,
        )

    def _write(self, code: str, data: bytes, fmt: str = "pdf") -> None:
        folder = self.ctx.settings.export_dir() if hasattr(self.ctx.settings, "export_dir") else ""
        name = f"tanda-terima-{format_tracking_code(code)}.{fmt}"
        suggested = str(Path(folder) / name) if folder else str(Path.home() / name)
        path = self.ask_path(self.parent, suggested, fmt)
        if not path:
            self.report(tr("Tanda terima tidak disimpan."), "info")
            return
        target = Path(path)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_suffix(f".{fmt}")
        try:
            target.write_bytes(data)
        except OSError as exc:
            self.report(
                tr(
                    "Tanda terima tidak dapat disimpan di {path}: {alasan}",
                    path=str(target),
                    alasan=exc.strerror or str(exc),
                ),
                "error",
            )
            return
        self.last_saved = target
        if hasattr(self.ctx.settings, "set_export_dir"):
            self.ctx.settings.set_export_dir(str(target.parent))
        self.report(tr("Tanda terima disimpan: {path}", path=str(target)), "success")
        self.opener(QUrl.fromLocalFile(str(target)))
