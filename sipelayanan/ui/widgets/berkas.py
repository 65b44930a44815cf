"""Berkas thumbnails (images, first page of a PDF) and a viewer, rendered off the UI thread.

PDF pages are rendered with pypdfium2 (pyside6-essentials has no QtPdf). PDFium is not
thread-safe, so every render holds one lock; QImage (unlike QPixmap) may be built off the UI
thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QObject,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QIcon,
    QImage,
    QKeyEvent,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...i18n import tr
from ...services.berkas import human_size

_PDFIUM_LOCK = threading.Lock()
THUMB = 132  # thumbnail side in pixels


def pdf_page_count(content: bytes) -> int:
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(content)
        try:
            return len(pdf)
        finally:
            pdf.close()


def render_page(content: bytes, mime: str, max_side: int, page: int = 0) -> QImage:
    """An image of the berkas (a PDF's ``page``) scaled to fit ``max_side``; a null QImage
    when it cannot be read. Safe to call from any thread."""
    if mime == "application/pdf":
        return _render_pdf(content, max_side, page)
    image = QImage.fromData(content)
    if image.isNull():
        return image
    if max(image.width(), image.height()) > max_side:
        image = image.scaled(
            max_side,
            max_side,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image


def _render_pdf(content: bytes, max_side: int, page_no: int) -> QImage:
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(content)
        except pdfium.PdfiumError:
            return QImage()
        try:
            if not 0 <= page_no < len(pdf):
                return QImage()
            page = pdf[page_no]
            width, height = page.get_size()
            scale = max_side / max(width, height, 1.0)
            bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True)
            image = QImage(
                bytes(bitmap.buffer),
                bitmap.width,
                bitmap.height,
                bitmap.stride,
                QImage.Format.Format_RGBX8888,
            ).copy()
            bitmap.close()
            page.close()
            return image
        finally:
            pdf.close()


def placeholder_icon(text: str, size: int = THUMB) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor("#f1f3f4"))
    painter = QPainter(pix)
    painter.setPen(QColor("#5f6368"))
    font = QFont(painter.font())
    font.setPointSize(11)
    font.setBold(True)
    painter.setFont(font)
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.drawText(pix.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pix)


def _framed(image: QImage, size: int = THUMB) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor("#ffffff"))
    painter = QPainter(pix)
    scaled = image.scaled(
        size - 8,
        size - 8,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    painter.drawImage((size - scaled.width()) // 2, (size - scaled.height()) // 2, scaled)
    painter.setPen(QColor("#dadce0"))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pix)


class _RenderSignals(QObject):
    done = Signal(object, object, int)  # key, QImage, generation


class _RenderJob(QRunnable):
    def __init__(
        self,
        signals: _RenderSignals,
        key: object,
        generation: int,
        load: Callable[[], tuple[bytes, str]],
        max_side: int,
        page: int = 0,
    ) -> None:
        super().__init__()
        self._signals = signals
        self._key = key
        self._generation = generation
        self._load = load
        self._max_side = max_side
        self._page = page

    def run(self) -> None:
        try:
            content, mime = self._load()
            image = render_page(content, mime, self._max_side, self._page)
        except Exception:  # an unreadable file shows as a placeholder, never a traceback
            image = QImage()
        with contextlib.suppress(RuntimeError):  # the widget went away meanwhile
            self._signals.done.emit(self._key, image, self._generation)


@dataclass
class BerkasEntry:
    """One berkas shown in a strip: local bytes (intake) or an attachment id (a request)."""

    key: object  # a stored berkas: its attachment id (int); a file not stored yet: its sha256
    filename: str
    mime: str
    size: int
    content: bytes | None = None
    problem: str | None = None  # why this file will be refused, shown on the thumbnail


class BerkasStrip(QListWidget):
    """Thumbnails in a row/grid. With ``accept_files`` it takes files dropped from the
    desktop (``files_dropped``) and removes the selected one on Delete (``remove_requested``)."""

    files_dropped = Signal(list)
    remove_requested = Signal(object)

    def __init__(self, *, accept_files: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 28, THUMB + 40))
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setMovement(QListWidget.Movement.Static)
        self.setWordWrap(True)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._accept = accept_files
        self.setAcceptDrops(accept_files)
        self.setDragEnabled(False)
        self._signals = _RenderSignals(self)
        self._signals.done.connect(self._on_rendered)
        self._generation = 0
        self._entries: dict[object, BerkasEntry] = {}
        self._pool = QThreadPool.globalInstance()
        self.last_viewer: QWidget | None = None  # the viewer last opened from this strip
        self.itemDoubleClicked.connect(lambda item: self.open_viewer(self.row(item)))

    def open_viewer(self, row: int | None = None) -> QWidget | None:
        """Open the berkas viewer (zoom, rotate, previous/next, the system viewer) on the
        file at ``row`` (default: the current one), with every file of this strip."""
        from .berkas_viewer import open_viewer

        row = self.currentRow() if row is None else row
        entries = self.entries()
        if not 0 <= row < len(entries):
            return None
        self.last_viewer = open_viewer(self, entries, row)
        return self.last_viewer

    # ------------------------------------------------------------------ content
    def entries(self) -> list[BerkasEntry]:
        return [
            self._entries[self.item(i).data(Qt.ItemDataRole.UserRole)] for i in range(self.count())
        ]

    def clear_entries(self) -> None:
        self._generation += 1
        self._entries.clear()
        self.clear()

    def add_entry(
        self, entry: BerkasEntry, load: Callable[[], tuple[bytes, str]] | None = None
    ) -> None:
        """Show ``entry``; its picture is rendered in the background from ``entry.content``
        or from ``load()`` (run on a pool thread, e.g. a database read)."""
        self._entries[entry.key] = entry
        label = f"{entry.filename}\n{human_size(entry.size)}" if entry.size else entry.filename
        item = QListWidgetItem(placeholder_icon("…"), label)
        item.setData(Qt.ItemDataRole.UserRole, entry.key)
        tip = f"{entry.filename} — {human_size(entry.size)}" if entry.size else entry.filename
        if entry.problem:
            tip += "\n" + entry.problem
            item.setForeground(QColor("#a50e0e"))
        item.setToolTip(tip)
        item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.addItem(item)
        if entry.problem and entry.content is None and load is None:
            item.setIcon(placeholder_icon(tr("DITOLAK")))
            return
        if load is None:
            content, mime = entry.content or b"", entry.mime
            load = lambda: (content, mime)  # noqa: E731
        self._pool.start(_RenderJob(self._signals, entry.key, self._generation, load, THUMB))

    def remove_entry(self, key: object) -> None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.takeItem(i)
                break
        self._entries.pop(key, None)

    def current_entry(self) -> BerkasEntry | None:
        item = self.currentItem()
        return None if item is None else self._entries.get(item.data(Qt.ItemDataRole.UserRole))

    def _on_rendered(self, key: object, image: QImage, generation: int) -> None:
        if generation != self._generation:
            return
        entry = self._entries.get(key)
        for i in range(self.count()):
            item = self.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                if image.isNull():
                    item.setIcon(placeholder_icon(tr("TIDAK\nTERBACA")))
                elif entry is not None and entry.problem:
                    item.setIcon(_framed(image))
                    item.setBackground(QColor("#fce8e6"))
                else:
                    item.setIcon(_framed(image))
                break

    # ------------------------------------------------------------------ drag & drop, keys
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._accept and event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._accept and event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if not (self._accept and event.mimeData().hasUrls()):
            super().dropEvent(event)
            return
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        paths = [p for p in paths if p and Path(p).is_file()]
        if paths:
            self.files_dropped.emit(paths)
        event.acceptProposedAction()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem():
            self.open_viewer()
            return
        if self._accept and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            entry = self.current_entry()
            if entry is not None:
                self.remove_requested.emit(entry.key)
                return
        super().keyPressEvent(event)


class PageViewer(QWidget):
    """A larger view of one berkas with page navigation for PDFs. ``load`` fetches the bytes
    (possibly from the database through Ops) and calls back with (content, mime)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._content: bytes | None = None
        self._mime = ""
        self._page = 0
        self._pages = 1
        self._generation = 0
        self._signals = _RenderSignals(self)
        self._signals.done.connect(self._on_rendered)
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: 600;")
        self.prev_btn = QPushButton("‹", self)
        self.next_btn = QPushButton("›", self)
        for b in (self.prev_btn, self.next_btn):
            b.setFixedWidth(32)
        self.prev_btn.setToolTip(tr("Halaman sebelumnya (Page Up)"))
        self.next_btn.setToolTip(tr("Halaman berikutnya (Page Down)"))
        self.page_label = QLabel(self)
        self.prev_btn.clicked.connect(lambda: self.show_page(self._page - 1))
        self.next_btn.clicked.connect(lambda: self.show_page(self._page + 1))
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.prev_btn)
        top.addWidget(self.page_label)
        top.addWidget(self.next_btn)
        self.image_label = QLabel(tr("Pilih berkas untuk melihatnya."), self)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setStyleSheet("color: #5f6368;")
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self.image_label)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setMinimumHeight(120)  # the request window fits 1366×768 at 125 %
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.scroll_area, 1)
        self._update_nav()

    def clear(self) -> None:
        self._generation += 1
        self._content = None
        self.title.clear()
        self.image_label.setPixmap(QPixmap())
        self.image_label.setText(tr("Pilih berkas untuk melihatnya."))
        self._pages = 1
        self._update_nav()

    def show_loading(self, filename: str) -> None:
        self._generation += 1
        self.title.setText(filename)
        self.image_label.setPixmap(QPixmap())
        self.image_label.setText(tr("Memuat…"))

    def set_content(self, filename: str, content: bytes, mime: str) -> None:
        self._content, self._mime = content, mime
        self.title.setText(filename)
        self._pages = 1
        if mime == "application/pdf":
            try:
                self._pages = max(1, pdf_page_count(content))
            except Exception:
                self._pages = 1
        self.show_page(0)

    def show_page(self, page: int) -> None:
        if self._content is None or not 0 <= page < self._pages:
            return
        self._page = page
        self._generation += 1
        side = max(800, self.scroll_area.viewport().width() - 8)
        content, mime = self._content, self._mime
        QThreadPool.globalInstance().start(
            _RenderJob(self._signals, page, self._generation, lambda: (content, mime), side, page)
        )
        self._update_nav()

    def _on_rendered(self, _key: object, image: QImage, generation: int) -> None:
        if generation != self._generation:
            return
        if image.isNull():
            self.image_label.setPixmap(QPixmap())
            self.image_label.setText(tr("Berkas tidak dapat ditampilkan."))
            return
        width = max(200, self.scroll_area.viewport().width() - 8)
        if image.width() > width:
            image = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.image_label.setText("")
        self.image_label.setPixmap(QPixmap.fromImage(image))

    def _update_nav(self) -> None:
        multi = self._pages > 1
        self.prev_btn.setVisible(multi)
        self.next_btn.setVisible(multi)
        self.page_label.setVisible(multi)
        self.page_label.setText(tr("hal. {n}/{t}", n=self._page + 1, t=self._pages))
        self.prev_btn.setEnabled(self._page > 0)
        self.next_btn.setEnabled(self._page < self._pages - 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_PageDown:
            self.show_page(self._page + 1)
        elif event.key() == Qt.Key.Key_PageUp:
            self.show_page(self._page - 1)
        else:
            super().keyPressEvent(event)


AskFiles = Callable[[QWidget | None], list[str]]


def ask_berkas_files(parent: QWidget | None, title: str = "Tambah berkas") -> list[str]:
    """The file dialog every window uses to add berkas (images or PDF)."""
    from PySide6.QtWidgets import QFileDialog

    paths, _filter = QFileDialog.getOpenFileNames(
        parent,
        tr(title),
        "",
        tr("Gambar atau PDF (*.jpg *.jpeg *.png *.webp *.pdf);;Semua berkas (*)"),
    )
    return list(paths)
