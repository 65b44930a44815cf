"""What changed, read from the audit log (in the spirit of Anki's ``OpChanges``).

Every write records its audit entries in the same transaction as the change, so the entries
after a known position of the log say exactly what changed since then — on this PC or any
other: which requests (by tracking code, with the log position of their latest change), whether
queues may differ, users or office settings. A window refreshes only for what concerns it, and
entries that change no state (a tanda terima printed, a report made, a backup, a record that
someone viewed a request) make no window reload anywhere.

:func:`changes_since` is the UI's change check: one primary-key read of the chain head while
nothing changed, plus one indexed range read of the new entries when something did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from .audit import change_token

__all__ = [
    "EVERYTHING",
    "NOTHING",
    "QUIET_ACTIONS",
    "Changes",
    "changes_of",
    "changes_since",
]

#: Audit actions that record a reading or a document produced, never a change of state.
QUIET_ACTIONS = frozenset({"data.view", "db.backup"})
#: Prefixes of such actions (``report.receipt``, ``report.rekap``, …); a WhatsApp notice marked
#: sent or resent changes no request, queue or count a window shows (the outbox lists and the
#: status-bar count read themselves on their own timer).
QUIET_PREFIXES = ("report.", "notice.")
#: Beyond this many new entries the check stops reading them and says "everything".
MAX_ENTRIES = 500


@dataclass(frozen=True, eq=True)
class Changes:
    """What a write (or the writes of other PCs) changed. Falsy when nothing that any window
    shows changed."""

    #: tracking code -> audit sequence number of its latest change
    cases: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    #: which requests wait where may differ (inbox, review, complaint list, counts)
    queues: bool = False
    users: bool = False
    #: office profile, hours, closures, templates, settings (the work calendar included)
    office: bool = False
    #: unknown or too much to say (a reconnect, a restore, a write that recorded nothing)
    everything: bool = False

    def __bool__(self) -> bool:
        return bool(self.cases or self.queues or self.users or self.office or self.everything)

    def case_changed_after(self, code: str, seq: int) -> bool:
        """True when request ``code`` changed after log position ``seq`` (or anything might
        have: a request window showing ``code`` as of ``seq`` reloads only then)."""
        return self.everything or self.office or self.cases.get(code, 0) > seq

    def __or__(self, other: Changes) -> Changes:
        cases = dict(self.cases)
        for code, seq in other.cases.items():
            cases[code] = max(seq, cases.get(code, 0))
        return Changes(
            MappingProxyType(cases),
            self.queues or other.queues,
            self.users or other.users,
            self.office or other.office,
            self.everything or other.everything,
        )


NOTHING = Changes()
EVERYTHING = Changes(everything=True)


def is_quiet(action: str) -> bool:
    """An entry that records a reading or a document, not a change of state."""
    return action in QUIET_ACTIONS or action.startswith(QUIET_PREFIXES)


def changes_of(entries: Iterable[tuple[int, str, str, str | None]]) -> Changes:
    """Changes described by audit entries ``(seq, action, entity, entity_id)``."""
    cases: dict[str, int] = {}
    queues = users = office = everything = False
    for seq, action, entity, entity_id in entries:
        if is_quiet(action):
            continue
        if action.startswith("case."):
            queues = True
            if entity == "case" and entity_id:
                cases[entity_id] = max(seq, cases.get(entity_id, 0))
        elif action.startswith(("user.", "login")):
            users = True
        elif action.startswith("office."):
            office = True
        else:  # a kind this module does not know yet: refresh everything rather than miss it
            everything = True
    return Changes(MappingProxyType(cases), queues, users, office, everything)


_ENTRIES = text(
    "SELECT seq, action, entity, entity_id FROM audit_log "
    "WHERE seq > :after AND seq <= :head ORDER BY seq"
).bindparams(bindparam("after"), bindparam("head"))


def changes_since(session: Session, after: int | None) -> tuple[int, Changes]:
    """``(head, changes)``: the log position now and what changed after position ``after``
    (``None``: not known yet — nothing is reported, the position is only learnt)."""
    head = change_token(session)
    if after is None or head == after:
        return head, NOTHING
    if head < after or head - after > MAX_ENTRIES:  # a restored database, or a long absence
        return head, EVERYTHING
    rows = session.execute(_ENTRIES, {"after": after, "head": head}).all()
    if len(rows) != head - after:  # entries missing from the log: say everything
        return head, EVERYTHING | changes_of((r[0], r[1], r[2], r[3]) for r in rows)
    return head, changes_of((r[0], r[1], r[2], r[3]) for r in rows)
