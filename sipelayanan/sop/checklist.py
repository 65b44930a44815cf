"""What a request's checklist asks for, decided once from its SOP.

Every place that shows the checklist or the missing berkas — the intake panel "Belum lengkap",
the WhatsApp text, the status answer, the tanda terima, the core's "complete before going on"
check — asks these functions, so they agree:

- an item with a ``condition`` applies only while that condition holds;
- an alternative group is ONE item ("Salah satu dari: …"), satisfied by any applicable member;
- an optional item (``required = false``) is never missing.

Conditions may also follow from the NIK (``nik_age_from`` on a condition): a KIA child from
its fifth birthday on needs a photo, decided from the birth date in the child's NIK.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sipelayanan.sop.definitions import Requirement, ServiceDef

__all__ = [
    "GROUP_PREFIX",
    "ChecklistRow",
    "MissingItem",
    "age_in_years",
    "applicable",
    "applies",
    "group_label",
    "known_labels",
    "missing_items",
    "missing_labels",
    "nik_conditions",
    "resolve_missing",
    "rows",
]

GROUP_PREFIX = "Salah satu dari: "


def applies(req: Requirement, conditions: Iterable[str]) -> bool:
    """Whether ``req`` is asked for while ``conditions`` hold."""
    return req.condition is None or req.condition in set(conditions)


def applicable(sdef: ServiceDef, conditions: Iterable[str] = ()) -> tuple[Requirement, ...]:
    """The checklist items that apply, in checklist order."""
    active = set(conditions)
    return tuple(r for r in sdef.requirements if applies(r, active))


def group_label(members: Sequence[Requirement]) -> str:
    """One line for an alternative group: ``"Salah satu dari: A; B; C"``."""
    return GROUP_PREFIX + "; ".join(m.label for m in members)


@dataclass(frozen=True)
class MissingItem:
    """One thing the pemohon still has to send. ``key`` is the requirement's key, or the
    alternative group's name for a group (then ``members`` are its applicable items)."""

    key: str
    label: str
    members: tuple[Requirement, ...]

    @property
    def is_group(self) -> bool:
        return len(self.members) > 1


def _groups(items: Iterable[Requirement]) -> dict[str, list[Requirement]]:
    groups: dict[str, list[Requirement]] = {}
    for r in items:
        if r.alternative_group is not None:
            groups.setdefault(r.alternative_group, []).append(r)
    return groups


def missing_items(
    sdef: ServiceDef, present: Iterable[str], conditions: Iterable[str] = ()
) -> list[MissingItem]:
    """What is still missing, in checklist order: required items not present, and each
    alternative group none of whose applicable members is present (as one item). Optional
    items and items whose condition does not hold are never missing."""
    have = set(present)
    items = applicable(sdef, conditions)
    groups = _groups(items)
    out: list[MissingItem] = []
    seen: set[str] = set()
    for r in items:
        group = r.alternative_group
        if group is None:
            if r.required and r.key not in have:
                out.append(MissingItem(r.key, r.label, (r,)))
            continue
        if group in seen:
            continue
        seen.add(group)
        members = groups[group]
        if any(m.key in have for m in members) or not any(m.required for m in members):
            continue
        if len(members) == 1:  # the other alternatives do not apply under these conditions
            out.append(MissingItem(members[0].key, members[0].label, (members[0],)))
        else:
            out.append(MissingItem(group, group_label(members), tuple(members)))
    return out


def missing_labels(
    sdef: ServiceDef, present: Iterable[str], conditions: Iterable[str] = ()
) -> list[str]:
    return [m.label for m in missing_items(sdef, present, conditions)]


@dataclass(frozen=True)
class ChecklistRow:
    """A line of a printed checklist (the tanda terima)."""

    label: str
    present: bool
    required: bool


def rows(
    sdef: ServiceDef, present: Iterable[str], conditions: Iterable[str] = ()
) -> list[ChecklistRow]:
    """The checklist as a pemohon reads it on paper: the applicable items; an alternative group
    shows the member(s) brought, or one "Salah satu dari: …" line when none was."""
    have = set(present)
    items = applicable(sdef, conditions)
    groups = _groups(items)
    out: list[ChecklistRow] = []
    seen: set[str] = set()
    for r in items:
        group = r.alternative_group
        if group is None:
            out.append(ChecklistRow(r.label, r.key in have, r.required))
            continue
        if group in seen:
            continue
        seen.add(group)
        members = groups[group]
        brought = [m for m in members if m.key in have]
        required = any(m.required for m in members)
        if brought:
            out += [ChecklistRow(m.label, True, required) for m in brought]
        elif len(members) == 1:
            out.append(ChecklistRow(members[0].label, False, required))
        else:
            out.append(ChecklistRow(group_label(members), False, required))
    return out


def _all_groups(sdef: ServiceDef) -> dict[str, list[Requirement]]:
    return _groups(sdef.requirements)


def known_labels(sdef: ServiceDef) -> dict[str, str]:
    """Every label the SOP itself can put in a missing list (items and alternative groups),
    by ``casefold()``: what a public status answer may repeat."""
    labels = {r.label.casefold(): r.label for r in sdef.requirements}
    for members in _all_groups(sdef).values():
        label = group_label(members)
        labels[label.casefold()] = label
    return labels


def resolve_missing(sdef: ServiceDef, raw: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Turn what a clerk named as missing into ``(label, requirement keys)`` pairs.

    Each entry may be a requirement key or label, an alternative group's name or label (one
    entry for the group), or free text (kept as typed, no keys). Duplicates are dropped."""
    by_key = {r.key: r for r in sdef.requirements}
    by_label = {r.label.casefold(): r for r in sdef.requirements}
    groups = _all_groups(sdef)
    group_by_label = {group_label(m).casefold(): g for g, m in groups.items()}
    out: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    for item in raw:
        text = item.strip()
        if not text:
            continue
        req = by_key.get(text) or by_label.get(text.casefold())
        group = text if text in groups else group_by_label.get(text.casefold())
        entry: tuple[str, tuple[str, ...]]
        if req is not None:
            entry = (req.label, (req.key,))
        elif group is not None:
            members = groups[group]
            entry = (group_label(members), tuple(m.key for m in members))
        else:
            entry = (text, ())
        if entry[0].casefold() not in seen:
            seen.add(entry[0].casefold())
            out.append(entry)
    return out


def age_in_years(born: date, on: date) -> int:
    """Whole years between ``born`` and ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def nik_conditions(sdef: ServiceDef, born: date | None, on: date) -> tuple[set[str], set[str]]:
    """The conditions the NIK's birth date decides: ``(hold, do_not_hold)``.

    Only conditions declared with ``nik_age_from`` are decided; without a birth date none is."""
    hold: set[str] = set()
    not_hold: set[str] = set()
    if born is None:
        return hold, not_hold
    age = age_in_years(born, on)
    for c in sdef.conditions:
        if c.nik_age_from is None:
            continue
        (hold if age >= c.nik_age_from else not_hold).add(c.key)
    return hold, not_hold
