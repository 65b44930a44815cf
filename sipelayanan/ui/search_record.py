"""Records the *committed* searches of the Cari page (UU 27/2022 Pasal 31), not keystrokes.

Search-as-you-type runs a query after each pause in typing; recording each would write one
audit entry per keystroke burst, for names nobody looked at. A search counts as committed —
and is recorded once through ``access.record_search`` — when the clerk

- presses Enter, or opens a result (double-click, Enter on a row, "Buka"), or
- stops typing with results on screen for :data:`SETTLE_MS` (they are reading the list).

The same text is recorded once however often it is committed; a search that shows no personal
data (a tracking code, an empty box, no results) is never recorded (``record_search`` decides).
The entry keeps the kind of search and the codes shown, never the typed text.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer

from ..services import access
from .context import UiContext

#: Typing paused this long with results shown: the clerk is reading them.
SETTLE_MS = 2500


class _Page(Protocol):
    box: Any  # QLineEdit
    model: Any  # the results model: .rows, .loaded
    opened: Any  # Signal(str)


class SearchRecorder(QObject):
    def __init__(
        self,
        ctx: UiContext,
        page: _Page,
        parent: QObject | None = None,
        *,
        settle_ms: int = SETTLE_MS,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.page = page
        self.last: str | None = None
        self.recorded = 0
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(settle_ms)
        self.timer.timeout.connect(self.commit)
        page.box.textEdited.connect(lambda _t: self.timer.stop())
        page.box.returnPressed.connect(self.commit)
        page.model.loaded.connect(lambda _n: self.timer.start())
        page.opened.connect(lambda _code: self.commit())

    def shown_codes(self) -> list[str]:
        return [r.code for r in self.page.model.rows if r is not None]

    def commit(self) -> None:
        self.timer.stop()
        text = str(self.page.box.text()).strip()
        codes = self.shown_codes()
        if text == self.last or access.search_kind(text) is None or not codes:
            return
        self.last = text
        actor = self.ctx.actor

        def done(recorded: bool) -> None:
            self.recorded += int(bool(recorded))

        self.ctx.ops.run(
            lambda s: access.record_search(s, actor, text, codes),
            write=True,
            on_done=done,
            on_error=lambda e: None,
        )
