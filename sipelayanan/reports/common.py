"""What every document needs: the office profile, who printed it and when, and progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..identity import show_code as show_code  # re-exported for the report modules
from ..models import AuditEntry, AuditHead, User
from ..services.context import Actor, resolve_now
from ..services.office import OfficeProfile, get_profile, get_setting
from ..sop import ServiceDef, services

if TYPE_CHECKING:
    from .pdf import DocMeta

#: Office setting: the place written above the Kepala Dinas signature.
PLACE_SETTING = "tempat_tanda_tangan"
DEFAULT_PLACE = "Blambangan Umpu"


@dataclass(frozen=True)
class Context:
    profile: OfficeProfile
    printed_at: datetime
    printed_by: str | None
    place: str

    def doc_meta(self, title: str, subtitle: str, *, landscape: bool = False) -> DocMeta:
        """The letterhead and footer data every PDF report is built with."""
        from .pdf import DocMeta

        return DocMeta(
            title=title,
            subtitle=subtitle,
            profile=self.profile,
            printed_at=self.printed_at,
            printed_by=self.printed_by,
            landscape=landscape,
        )


def make_context(session: Session, actor: Actor | None, now: datetime | None = None) -> Context:
    name: str | None = None
    if actor is not None:
        name = session.execute(select(User.full_name).where(User.id == actor.user_id)).scalar()
    place = get_setting(session, PLACE_SETTING, DEFAULT_PLACE)
    return Context(
        profile=get_profile(session),
        printed_at=resolve_now(now),
        printed_by=name,
        place=str(place).strip() or DEFAULT_PLACE,
    )


def audit_anchor(session: Session) -> str | None:
    """The audit chain's head as ``SEQ:HASH`` — the form ``sipelayanan audit verify --jangkar``
    takes — or None while the log is empty. Read in the caller's transaction, so a document
    printed with it anchors the log as it stood when the document was made."""
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    if head is None or not head[0]:  # no head row: anchor on the last entry there is
        head = session.execute(
            select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
    if head is None or not head[0]:
        return None
    return f"{int(head[0])}:{head[1]}"


def service_short(code: str) -> str:
    """Compact service name for narrow table columns and chart axes (the SOP's short_label)."""
    sdef = services().get(code)
    return sdef.short_label if sdef else code


def service_label(code: str) -> str:
    sdef = services().get(code)
    return sdef.short_name if sdef else code


_BREAK_BEFORE = ("KABUPATEN", "KOTA", "PROVINSI")


def split_office_name(name: str) -> list[str]:
    """Two balanced lines for a long office name, breaking before "KABUPATEN"/"KOTA" when the
    name has it ("DINAS … SIPIL" / "KABUPATEN WAY KANAN")."""
    words = name.split()
    if len(words) < 2:
        return [name]
    for i in range(len(words) - 1, 0, -1):
        if words[i].upper() in _BREAK_BEFORE:
            return [" ".join(words[:i]), " ".join(words[i:])]
    best = min(
        range(1, len(words)),
        key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))),
    )
    return [" ".join(words[:best]), " ".join(words[best:])]


def sdef_of(code: str) -> ServiceDef:
    return services()[code]


class Progress:
    """Calls ``callback(done, total)`` with ``done`` never going down and never past ``total``."""

    def __init__(self, callback: Callable[[int, int], None] | None, total: int = 100) -> None:
        self.callback = callback
        self.total = max(1, total)
        self.done = 0

    def to(self, done: int) -> None:
        value = min(max(done, self.done), self.total)
        if value != self.done or value == 0:
            self.done = value
            if self.callback is not None:
                self.callback(value, self.total)

    def span(self, start: int, end: int, items: int) -> Callable[[int], None]:
        """A per-item callback mapping ``0..items`` onto ``start..end``."""
        items = max(1, items)

        def report(n: int) -> None:
            self.to(start + (end - start) * min(n, items) // items)

        return report

    def finish(self) -> None:
        self.to(self.total)
