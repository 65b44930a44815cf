"""Windows that open inside the screen they are on (issue 12.6).

Office PCs run 1366×768 at 100 % or 125 % (then Qt sees 1093×614), with a taskbar: a window
sized by fixed pixels opens with its bottom (and its buttons) off-screen. ``size_to_screen``
sizes a window from the screen's *available* geometry; ``keep_on_screen`` pulls a window whose
saved geometry came from a larger monitor back inside.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

#: room kept free around a window sized from the screen (title bar, a margin)
MARGIN = 24


def available(window: QWidget) -> QRect:
    """The available geometry of the window's screen (or the primary screen)."""
    screen: QScreen | None = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def size_to_screen(window: QWidget, width: int, height: int, *, share: float = 0.94) -> None:
    """``width``×``height`` where the screen has room, else ``share`` of the available screen
    (never below the window's minimum size); centred in the available screen."""
    avail = available(window)
    w = min(width, int(avail.width() * share))
    h = min(height, int(avail.height() * share) - MARGIN)
    minimum = window.minimumSize()
    w, h = max(w, minimum.width()), max(h, minimum.height())
    window.resize(w, h)
    window.move(
        avail.left() + (avail.width() - w) // 2, avail.top() + max(0, (avail.height() - h) // 3)
    )


def keep_on_screen(window: QWidget) -> None:
    """Shrink and move ``window`` (e.g. after ``restoreGeometry``) so all of it is inside the
    available screen."""
    avail = available(window)
    geo = window.geometry()
    frame = window.frameGeometry()
    extra_w, extra_h = frame.width() - geo.width(), frame.height() - geo.height()
    w = min(geo.width(), avail.width() - extra_w)
    h = min(geo.height(), avail.height() - MARGIN - extra_h)
    if (w, h) != (geo.width(), geo.height()):
        window.resize(w, h)
    x = min(max(geo.left(), avail.left()), avail.right() - w + 1)
    y = min(max(geo.top(), avail.top()), avail.bottom() - h - MARGIN + 1)
    if (x, y) != (geo.left(), geo.top()):
        window.move(x, max(avail.top(), y))
