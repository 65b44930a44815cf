"""The request window, split along its seams: the window (``window``), its action forms
(``forms``) and the read-only HTML panes (``html``)."""

from __future__ import annotations

from .html import checklist_html, history_html
from .window import CaseWindow, LoadedCase, load_case_fn

__all__ = ["CaseWindow", "LoadedCase", "checklist_html", "history_html", "load_case_fn"]
