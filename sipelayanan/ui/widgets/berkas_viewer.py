"""A berkas viewer fit for photos sent over WhatsApp (issue 12.11): zoom, rotate, fit to the
window, the previous/next file of the request, a PDF's pages, and "open in another program".

Opened by double-clicking a thumbnail in any ``BerkasStrip``. A stored berkas (its key is the
attachment id) is read through ``services.access.open_berkas``, which records that this clerk
opened that file (UU 27/2022); files not yet stored (intake, a resubmission being prepared) are
shown from memory. "Buka di aplikasi lain" writes the file to a private temporary folder of
this run (0600) that is removed when the app closes; folders left by a crashed run are removed
on the next start.

Keys: ←/→ previous/next file, PgUp/PgDn pages, + / − zoom, 0 actual size, F fit, R / Shift+R
rotate right / left, Ctrl+wheel zoom, Esc close.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRunnable, Qt, QThreadPool, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QImage,
    QImageReader,
    QKeyEvent,
    QPixmap,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...i18n import tr
from .berkas import BerkasEntry, _RenderSignals, pdf_page_count, render_page
from .common import MessageBar

#: the zoom steps offered by + and − (1.0 = the picture's own pixels)
ZOOMS = (0.1, 0.15, 0.25, 0.33, 0.5, 0.67, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
PDF_SIDE = 2200  # a PDF page is rendered this many pixels on its long side
TEMP_PREFIX = "sipelayanan-berkas-"
STALE_SECONDS = 24 * 3600
#: where the private folders are made (None: the system's temporary folder)
TEMP_ROOT: Path | None = None

Opener = Callable[[QUrl], bool]
#: ``fetch(entry, done, failed)``: the entry's (filename, mime, content), read and recorded
Fetch = Callable[
    [BerkasEntry, Callable[[tuple[str, str, bytes]], None], Callable[[str], None]], None
]


# --------------------------------------------------------------------------- temporary files

_temp_dir: Path | None = None


def temp_dir() -> Path:
    """This run's private folder for files handed to other programs (created on first use)."""
    global _temp_dir
    if _temp_dir is None or not _temp_dir.is_dir():
        remove_stale_temp_dirs()
        _temp_dir = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=_root()))
        atexit.register(remove_temp_dir)
    return _temp_dir


def _root() -> Path:
    return TEMP_ROOT if TEMP_ROOT is not None else Path(tempfile.gettempdir())


def remove_temp_dir() -> None:
    """Remove this run's folder (at exit; a program still holding a file may keep it)."""
    global _temp_dir
    if _temp_dir is not None:
        shutil.rmtree(_temp_dir, ignore_errors=True)
        _temp_dir = None


def remove_stale_temp_dirs(now: float | None = None) -> int:
    """Remove the folders earlier runs left (a crash, a power cut) once a day old."""
    now = time.time() if now is None else now
    removed = 0
    for folder in _root().glob(f"{TEMP_PREFIX}*"):
        with contextlib.suppress(OSError):
            if folder != _temp_dir and now - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed


def write_temp_copy(filename: str, content: bytes) -> Path:
    """``content`` as a file named like the berkas in this run's private folder (0600)."""
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in Path(filename).name)
    safe = safe.strip(" .") or "berkas"
    folder = Path(tempfile.mkdtemp(dir=temp_dir()))  # one folder per copy: names never clash
    target = folder / safe
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return target


# --------------------------------------------------------------------------- loading


def read_image(content: bytes) -> QImage:
    """A photo as the camera meant it (EXIF orientation applied); null when unreadable."""
    data = QByteArray(content)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    image = reader.read()
    buffer.close()
    return image


#: Shown for a berkas whose content the retention schedule removed (the row stays).
PURGED_TEXT = tr(
    "Isi berkas ini sudah dihapus karena masa simpannya lewat (jadwal retensi, UU 27/2022); "
    "nama, ukuran dan sidik SHA-256-nya tetap tercatat."
)


class _PageJob(QRunnable):
    def __init__(
        self, signals: _RenderSignals, key: object, generation: int, content: bytes, page: int
    ) -> None:
        super().__init__()
        self._signals, self._key, self._generation = signals, key, generation
        self._content, self._page = content, page

    def run(self) -> None:
        try:
            if self._page < 0:  # a photo: as the camera meant it
                image = read_image(self._content)
            else:
                image = render_page(self._content, "application/pdf", PDF_SIDE, self._page)
        except Exception:  # an unreadable page shows as such, never a traceback
            image = QImage()
        with contextlib.suppress(RuntimeError):
            self._signals.done.emit(self._key, image, self._generation)


def ctx_of(widget: QWidget | None) -> Any:
    """The UiContext of the window ``widget`` sits in (the request window, a page), if any."""
    while widget is not None:
        ctx = getattr(widget, "ctx", None)
        if ctx is not None and hasattr(ctx, "ops") and hasattr(ctx, "actor"):
            return ctx
        widget = widget.parentWidget()
    return None


def stored_id(entry: BerkasEntry) -> int | None:
    """The attachment id of a stored berkas (its key), None for a file not stored yet."""
    key = entry.key
    return key if isinstance(key, int) and not isinstance(key, bool) else None


def recorded_fetch(ctx: Any) -> Fetch:
    """Reads a stored berkas through ``services.access.open_berkas`` (the open is recorded in
    the audit chain, in the same transaction as the read); other files from memory."""

    def fetch(
        entry: BerkasEntry,
        done: Callable[[tuple[str, str, bytes]], None],
        failed: Callable[[str], None],
    ) -> None:
        att = stored_id(entry)
        if att is None or ctx is None:
            if entry.content is not None:
                done((entry.filename, entry.mime, entry.content))
            else:
                failed(tr("Berkas ini belum dapat ditampilkan."))
            return
        from ...services.access import open_berkas

        actor = ctx.actor
        ctx.ops.run(
            lambda s: open_berkas(s, actor, att, channel="gui"),
            write=True,
            on_done=done,
            on_error=lambda e: failed(str(e)),
        )

    return fetch


# --------------------------------------------------------------------------- the viewer


class _Canvas(QScrollArea):
    """The picture; Ctrl+wheel zooms."""

    def __init__(self, viewer: BerkasViewer) -> None:
        super().__init__(viewer)
        self._viewer = viewer
        self.label = QLabel(self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("QScrollArea { background: #3c4043; } QLabel { color: #e8eaed; }")

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._viewer.zoom_step(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self._viewer.fit:
            self._viewer.redraw()


class BerkasViewer(QDialog):
    """A window showing ``entries`` from ``index``; ``fetch`` reads each file (recorded)."""

    def __init__(
        self,
        entries: Sequence[BerkasEntry],
        index: int = 0,
        *,
        fetch: Fetch,
        opener: Opener | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setWindowTitle(tr("Berkas"))
        self.entries = list(entries)
        self.index = max(0, min(index, len(self.entries) - 1))
        self._fetch = fetch
        self.opener: Opener = opener or QDesktopServices.openUrl
        self.content: tuple[str, str, bytes] | None = None  # the file shown
        self.image = QImage()  # the file's picture (the current page of a PDF)
        self.zoom = 1.0
        self.fit = True
        self.rotation = 0  # degrees, clockwise
        self.page = 0
        self.pages = 1
        self.opened_files: list[Path] = []
        self._generation = 0
        self._signals = _RenderSignals(self)
        self._signals.done.connect(self._on_page)

        def tool(text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(False)
            button.clicked.connect(slot)
            return button

        self.prev_file = tool(
            "◀", tr("Berkas sebelumnya (←)"), lambda: self.show_index(self.index - 1)
        )
        self.next_file = tool(
            "▶", tr("Berkas berikutnya (→)"), lambda: self.show_index(self.index + 1)
        )
        self.position = QLabel(self)
        self.name = QLabel(self)
        self.name.setStyleSheet("font-weight: 600;")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.zoom_out = tool("−", tr("Perkecil (−)"), lambda: self.zoom_step(-1))
        self.zoom_label = QLabel(self)
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in = tool("+", tr("Perbesar (+)"), lambda: self.zoom_step(1))
        self.fit_button = tool(tr("Pas layar"), tr("Sesuaikan dengan jendela (F)"), self.fit_window)
        self.actual = tool("1:1", tr("Ukuran sebenarnya (0)"), lambda: self.set_zoom(1.0))
        self.rotate_left = tool("⟲", tr("Putar ke kiri (Shift+R)"), lambda: self.rotate(-90))
        self.rotate_right = tool("⟳", tr("Putar ke kanan (R)"), lambda: self.rotate(90))
        self.prev_page = tool(
            "‹", tr("Halaman sebelumnya (Page Up)"), lambda: self.show_page(self.page - 1)
        )
        self.page_label = QLabel(self)
        self.next_page = tool(
            "›", tr("Halaman berikutnya (Page Down)"), lambda: self.show_page(self.page + 1)
        )
        self.external = QPushButton(tr("Buka di aplikasi lain"), self)
        self.external.setToolTip(tr("Buka berkas ini dengan penampil gambar/PDF di PC ini"))
        self.external.clicked.connect(self.open_external)
        close = QPushButton(tr("Tutup"), self)
        close.clicked.connect(self.close)

        bar = QHBoxLayout()
        for w in (self.prev_file, self.position, self.next_file):
            bar.addWidget(w)
        bar.addSpacing(8)
        bar.addWidget(self.name, 1)
        for w in (self.prev_page, self.page_label, self.next_page):
            bar.addWidget(w)
        bar.addSpacing(8)
        for w in (self.zoom_out, self.zoom_label, self.zoom_in, self.fit_button, self.actual):
            bar.addWidget(w)
        bar.addSpacing(8)
        bar.addWidget(self.rotate_left)
        bar.addWidget(self.rotate_right)
        self.message = MessageBar(self)
        self.canvas = _Canvas(self)
        bottom = QHBoxLayout()
        hint = QLabel(
            tr("←/→ berkas · PgUp/PgDn halaman · +/− perbesar · F pas layar · R putar"), self
        )
        hint.setStyleSheet("color: #5f6368;")
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.external)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bottom)

        from ..printing import fit_to_screen

        fit_to_screen(self)
        self.show_index(self.index)

    # ------------------------------------------------------------------ files
    def current(self) -> BerkasEntry | None:
        return self.entries[self.index] if 0 <= self.index < len(self.entries) else None

    def show_index(self, index: int) -> None:
        if not 0 <= index < len(self.entries):
            return
        self.index = index
        entry = self.entries[index]
        self._generation += 1
        generation = self._generation
        self.content = None
        self.image = QImage()
        self.rotation = 0
        self.fit = True
        self.page, self.pages = 0, 1
        self.name.setText(entry.filename)
        self.setWindowTitle(tr("Berkas — {nama}", nama=entry.filename))
        self.canvas.label.setPixmap(QPixmap())
        self.canvas.label.setText(tr("Memuat…"))
        self._update_controls()
        self._fetch(
            entry,
            lambda data: self._loaded(data, generation),
            lambda text: self._failed(text, generation),
        )

    def _loaded(self, data: tuple[str, str, bytes], generation: int) -> None:
        if generation != self._generation:
            return
        self.content = data
        _name, mime, content = data
        if not content:  # its content removed by the retention schedule (UU 27/2022)
            self.canvas.label.setText(PURGED_TEXT)
            self._update_controls()
            return
        if mime == "application/pdf":
            try:
                self.pages = max(1, pdf_page_count(content))
            except Exception:
                self.pages = 1
            self.show_page(0)
            return
        # decoded on the pool like the thumbnails: a photo decoded on the UI thread while a
        # thumbnail decodes on the pool deadlocked (Qt's image plugin lock against the GIL)
        self._generation += 1
        QThreadPool.globalInstance().start(
            _PageJob(self._signals, "image", self._generation, content, -1)
        )

    def _failed(self, text: str, generation: int) -> None:
        if generation != self._generation:
            return
        self.canvas.label.setText(tr("Berkas tidak dapat dibuka."))
        self.message.error(text)
        self._update_controls()

    # ------------------------------------------------------------------ pages
    def show_page(self, page: int) -> None:
        if self.content is None or not 0 <= page < self.pages:
            return
        self.page = page
        self._generation += 1
        QThreadPool.globalInstance().start(
            _PageJob(self._signals, page, self._generation, self.content[2], page)
        )
        self._update_controls()

    def _on_page(self, _key: object, image: QImage, generation: int) -> None:
        if generation != self._generation:
            return
        self.image = image
        if image.isNull():
            self.canvas.label.setText(
                tr("Berkas ini tidak dapat ditampilkan; coba “Buka di aplikasi lain”.")
            )
        self.redraw()

    # ------------------------------------------------------------------ view
    def fit_zoom(self) -> float:
        """The zoom at which the rotated picture fits the window."""
        if self.image.isNull():
            return 1.0
        w, h = self.image.width(), self.image.height()
        if self.rotation % 180:
            w, h = h, w
        view = self.canvas.viewport().size()
        return max(0.02, min((view.width() - 4) / max(w, 1), (view.height() - 4) / max(h, 1)))

    def set_zoom(self, zoom: float) -> None:
        self.fit = False
        self.zoom = max(ZOOMS[0], min(ZOOMS[-1], zoom))
        self.redraw()

    def zoom_step(self, direction: int) -> None:
        now = self.fit_zoom() if self.fit else self.zoom
        if direction > 0:
            self.set_zoom(next((z for z in ZOOMS if z > now + 1e-6), ZOOMS[-1]))
        else:
            self.set_zoom(next((z for z in reversed(ZOOMS) if z < now - 1e-6), ZOOMS[0]))

    def fit_window(self) -> None:
        self.fit = True
        self.redraw()

    def rotate(self, degrees: int) -> None:
        self.rotation = (self.rotation + degrees) % 360
        self.redraw()

    def shown_size(self) -> tuple[int, int]:
        pix = self.canvas.label.pixmap()
        return (pix.width(), pix.height()) if pix is not None and not pix.isNull() else (0, 0)

    def redraw(self) -> None:
        if self.image.isNull():
            self._update_controls()
            return
        image = self.image
        if self.rotation:
            image = image.transformed(QTransform().rotate(self.rotation))
        zoom = self.fit_zoom() if self.fit else self.zoom
        if self.fit:
            self.zoom = zoom
        width = max(1, round(image.width() * zoom))
        height = max(1, round(image.height() * zoom))
        scaled = image.scaled(
            width,
            height,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.canvas.label.setText("")
        self.canvas.label.setPixmap(QPixmap.fromImage(scaled))
        self.canvas.label.setMinimumSize(0 if self.fit else width, 0 if self.fit else height)
        self._update_controls()

    def _update_controls(self) -> None:
        n = len(self.entries)
        self.position.setText(tr("{i}/{n}", i=self.index + 1, n=n))
        self.prev_file.setEnabled(self.index > 0)
        self.next_file.setEnabled(self.index < n - 1)
        multi = self.pages > 1
        for w in (self.prev_page, self.page_label, self.next_page):
            w.setVisible(multi)
        self.page_label.setText(tr("hal. {n}/{t}", n=self.page + 1, t=self.pages))
        self.prev_page.setEnabled(self.page > 0)
        self.next_page.setEnabled(self.page < self.pages - 1)
        has_image = not self.image.isNull()
        for w in (
            self.zoom_in,
            self.zoom_out,
            self.fit_button,
            self.actual,
            self.rotate_left,
            self.rotate_right,
        ):
            w.setEnabled(has_image)
        self.zoom_label.setText(f"{round(self.zoom * 100)} %" if has_image else "")
        self.external.setEnabled(self.content is not None)

    # ------------------------------------------------------------------ outside
    def open_external(self) -> None:
        if self.content is None:
            return
        filename, _mime, content = self.content
        try:
            path = write_temp_copy(filename, content)
        except OSError as exc:
            self.message.error(
                tr("Berkas tidak dapat disiapkan: {alasan}", alasan=exc.strerror or str(exc))
            )
            return
        self.opened_files.append(path)
        if not self.opener(QUrl.fromLocalFile(str(path))):
            self.message.warning(tr("Tidak ada program untuk membuka berkas ini di PC ini."))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if key == Qt.Key.Key_Left:
            self.show_index(self.index - 1)
        elif key == Qt.Key.Key_Right:
            self.show_index(self.index + 1)
        elif key == Qt.Key.Key_PageDown:
            self.show_page(self.page + 1)
        elif key == Qt.Key.Key_PageUp:
            self.show_page(self.page - 1)
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_step(1)
        elif key == Qt.Key.Key_Minus:
            self.zoom_step(-1)
        elif key == Qt.Key.Key_0:
            self.set_zoom(1.0)
        elif key == Qt.Key.Key_F:
            self.fit_window()
        elif key == Qt.Key.Key_R:
            self.rotate(-90 if shift else 90)
        else:
            super().keyPressEvent(event)


def open_viewer(
    strip: QWidget,
    entries: Sequence[BerkasEntry],
    index: int,
    *,
    fetch: Fetch | None = None,
) -> BerkasViewer:
    """Open the viewer on ``entries[index]`` for the window ``strip`` sits in."""
    viewer = BerkasViewer(
        entries, index, fetch=fetch or recorded_fetch(ctx_of(strip)), parent=strip.window()
    )
    viewer.show()
    viewer.raise_()
    viewer.activateWindow()
    return viewer
