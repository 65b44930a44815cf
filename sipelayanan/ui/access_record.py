"""What the request window records of personal data viewed (UU 27/2022 Pasal 31): the opening
of the window, once, and each berkas file shown full size, once per window. The records are
written on the worker beside the window's own read (``access.record_case_open``,
``access.record_berkas_view``), so the window shows the request as fast as before; a failed
record never disturbs the clerk (the chain refuses nothing a read needs)."""

from __future__ import annotations

from PySide6.QtCore import QObject

from ..services import access
from .context import UiContext


class CaseAccess(QObject):
    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.code: str | None = None
        self.berkas_seen: set[int] = set()
        self.records = 0

    def _done(self, _result: object) -> None:
        self.records += 1

    def opened(self, code: str) -> None:
        """The window shows request ``code``: recorded the first time only."""
        if code == self.code:
            return
        self.code, self.berkas_seen = code, set()
        actor = self.ctx.actor
        self.ctx.ops.run(
            lambda s: access.record_case_open(s, actor, code),
            write=True,
            on_done=self._done,
            on_error=lambda e: None,
        )

    def berkas(self, attachment_id: int) -> None:
        """Berkas file ``attachment_id`` shown full size: recorded once per window."""
        if attachment_id in self.berkas_seen:
            return
        self.berkas_seen.add(attachment_id)
        actor = self.ctx.actor
        self.ctx.ops.run(
            lambda s: access.record_berkas_view(s, actor, attachment_id),
            write=True,
            on_done=self._done,
            on_error=lambda e: None,
        )
