"""The one entry point for visible text: ``tr("...")``.

Source strings are Bahasa Indonesia; an English (or other) build would load a catalogue here
instead of changing code. Qt widgets call the same function.
"""

from __future__ import annotations

_catalogue: dict[str, str] = {}


def tr(text: str, /, **kwargs: object) -> str:
    out = _catalogue.get(text, text)
    return out.format(**kwargs) if kwargs else out


def load_catalogue(entries: dict[str, str]) -> None:
    _catalogue.clear()
    _catalogue.update(entries)
