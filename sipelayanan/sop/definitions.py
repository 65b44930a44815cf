"""Immutable definitions of the office's signed SOPs (one ``ServiceDef`` per service).

A definition is read from ``resources/sop/<CODE>.toml`` by :mod:`sipelayanan.sop.loader`.
It turns into plain JSON-able data (:meth:`ServiceDef.to_dict`) and back
(:meth:`ServiceDef.from_dict`) without loss, so a case can keep a snapshot of the SOP it started
under; :meth:`ServiceDef.fingerprint` identifies a definition's exact content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from sipelayanan.sop.checklist import MissingItem

__all__ = [
    "HAND_OVER_METHODS",
    "MOVE_KINDS",
    "OVERSEER_ROLES",
    "RECORD_KINDS",
    "REVIEW_ROLES",
    "ROLES",
    "Condition",
    "Move",
    "MoveKind",
    "Requirement",
    "ServiceDef",
    "SopError",
    "Step",
]

#: The product's roles (one person may hold several) and their Indonesian labels.
ROLES: dict[str, str] = {
    "operator_online": "Operator Pelayanan Online",
    "operator": "Petugas/Operator",
    "kasi": "Kasi",
    "kabid": "Kabid",
    "kadis": "Kepala Dinas",
    "petugas_penyerahan": "Petugas Penyerahan Dokumen",
    "petugas_aduan": "Petugas Penerima Aduan",
    "pejabat_aduan": "Pejabat Pengelola Pengaduan",
    "tim_aduan": "Tim Penjawab Aduan",
    "admin": "Administrator",
}

#: The supervisors who decide at the SOPs' decision steps (the Tinjauan page is theirs).
REVIEW_ROLES: frozenset[str] = frozenset({"kasi", "kabid", "kadis"})

#: Who may see any request and cancel any open one (beyond the holder of its current step).
OVERSEER_ROLES: frozenset[str] = REVIEW_ROLES | {"admin"}

MoveKind = Literal["next", "return_pemohon", "back", "close"]

#: ``next``: to the following step (on the last step: finish); ``return_pemohon``: back to the
#: pemohon with the missing items; ``back``: to an earlier step (``to``) with a reason;
#: ``close``: end the case here (a simple complaint solved at once).
MOVE_KINDS: tuple[MoveKind, ...] = ("next", "return_pemohon", "back", "close")

#: What a step records: ``nomor_dokumen`` — the document number SIAK produced;
#: ``penyerahan`` — the hand-over of the document (in person or through PT POS);
#: ``solusi`` — the solution of a complaint (may be written on several steps).
RECORD_KINDS: tuple[str, ...] = ("nomor_dokumen", "penyerahan", "solusi")

#: What the number a step with ``assigns_queue`` gives is called (kept with the request's
#: recorded numbers under this kind; shown to the resident).
QUEUE_NUMBER_KIND = "Nomor antrian"

#: How a document reaches the resident by default: collected at the office or PT POS.
HAND_OVER_METHODS: tuple[str, ...] = ("diambil", "pos")


class SopError(Exception):
    """An SOP definition file is invalid. ``str()`` is ``"<file>:<line>: <message>"``."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self._text())

    def _text(self) -> str:
        if self.path is None:
            return self.message
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"

    def __str__(self) -> str:
        return self._text()


@dataclass(frozen=True)
class Move:
    """A way out of a step. ``to`` is set only for ``back``."""

    kind: MoveKind
    to: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "to": self.to}


@dataclass(frozen=True)
class Step:
    no: int
    activity: str
    actor_label: str
    role: str
    minutes: int
    needs: str
    output: str
    moves: tuple[Move, ...]
    assigns_register: bool = False
    records: tuple[str, ...] = ()
    decision: bool = False
    with_roles: tuple[str, ...] = ()
    #: The SOP's notify step ("Pemberitahuan melalui WhatsApp ... sudah selesai"): it finishes
    #: when the resident is told the document is ready; the hand-over it records is written
    #: afterwards (who collected, or the PT POS resi), from the "Siap diambil" list.
    notifies: bool = False
    #: Gives the request a queue number (nomor antrian) when the step is finished.
    assigns_queue: bool = False
    #: Where the request is, in the words of the public status answer (None: the activity).
    status_text: str | None = None

    @property
    def records_hand_over_now(self) -> bool:
        """The hand-over is recorded when this step finishes (e.g. a shipment through PT POS),
        not afterwards."""
        return "penyerahan" in self.records and not self.notifies

    def allows(self, kind: str) -> bool:
        """Whether this step has a move of ``kind`` (``next``, ``return_pemohon``, ...)."""
        return any(m.kind == kind for m in self.moves)

    def back_targets(self) -> tuple[int, ...]:
        """The earlier steps this step may send a case back to."""
        return tuple(m.to for m in self.moves if m.kind == "back" and m.to is not None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "activity": self.activity,
            "actor_label": self.actor_label,
            "role": self.role,
            "minutes": self.minutes,
            "needs": self.needs,
            "output": self.output,
            "moves": [m.to_dict() for m in self.moves],
            "assigns_register": self.assigns_register,
            "records": list(self.records),
            "decision": self.decision,
            "with_roles": list(self.with_roles),
            "notifies": self.notifies,
            "assigns_queue": self.assigns_queue,
            "status_text": self.status_text,
        }


@dataclass(frozen=True)
class Requirement:
    """A checklist item. Items with the same ``alternative_group`` are alternatives (any one
    satisfies the group); an item with a ``condition`` only applies when that condition holds.
    ``count`` is how many copies/persons the item stands for (e.g. 2 saksi); it is informative."""

    key: str
    label: str
    source: str
    required: bool = True
    condition: str | None = None
    alternative_group: str | None = None
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "source": self.source,
            "required": self.required,
            "condition": self.condition,
            "alternative_group": self.alternative_group,
            "count": self.count,
        }


@dataclass(frozen=True)
class Condition:
    """A fact about the request that decides whether conditional checklist items apply.

    ``nik_age_from``: the condition holds from the birthday on which the person the NIK belongs
    to turns that many years old (the birth date in the NIK; see ``sop.checklist``)."""

    key: str
    label: str
    nik_age_from: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "nik_age_from": self.nik_age_from}


@dataclass(frozen=True)
class ServiceDef:
    code: str
    version: str
    name: str
    short_name: str
    sop_number: str
    sop_title: str
    wa_number: str
    standard_working_days: int
    document_kind: str | None
    requires_nik: bool
    register_name: str
    requirements: tuple[Requirement, ...]
    conditions: tuple[Condition, ...]
    steps: tuple[Step, ...]
    #: How the document usually reaches the resident: ``diambil`` or ``pos`` (PT POS).
    hand_over_default: str = "diambil"
    #: Compact name for narrow table columns and chart axes.
    short_label: str = ""
    #: Relative share of the office's requests (demo data and the benchmark generator).
    demo_weight: int = 10

    def step(self, no: int) -> Step:
        for s in self.steps:
            if s.no == no:
                return s
        raise KeyError(f"SOP {self.code} tidak memiliki langkah {no} (langkah 1-{self.last_step})")

    @property
    def is_complaint(self) -> bool:
        """A service whose SOP produces no document (``document_kind`` unset): a complaint —
        its pelapor is answered, not handed a document."""
        return self.document_kind is None

    @property
    def hand_over_step(self) -> Step | None:
        """The step that records the hand-over (``records = ["penyerahan"]``), if any."""
        return next((s for s in self.steps if "penyerahan" in s.records), None)

    @property
    def collected_after(self) -> bool:
        """The hand-over is recorded after the request finished (its notify step)."""
        step = self.hand_over_step
        return step is not None and step.notifies

    @property
    def intake_step(self) -> Step:
        """The step a request starts at (its berkas received): the SOP's first step."""
        return self.steps[0]

    @property
    def total_minutes(self) -> int:
        return sum(s.minutes for s in self.steps)

    @property
    def last_step(self) -> int:
        return self.steps[-1].no if self.steps else 0

    def missing_requirements(
        self, present: Iterable[str], conditions: Iterable[str] = ()
    ) -> list[MissingItem]:
        """What is still missing, in checklist order (:func:`sop.checklist.missing_items`):
        an unmet alternative group is ONE item ("Salah satu dari: …", ``key`` = the group's
        name), an item whose condition does not hold is not asked for, an optional item is never
        missing. Each item has ``key`` and ``label``."""
        from sipelayanan.sop.checklist import missing_items

        return missing_items(self, present, conditions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name,
            "short_name": self.short_name,
            "sop_number": self.sop_number,
            "sop_title": self.sop_title,
            "wa_number": self.wa_number,
            "standard_working_days": self.standard_working_days,
            "document_kind": self.document_kind,
            "requires_nik": self.requires_nik,
            "register_name": self.register_name,
            "requirements": [r.to_dict() for r in self.requirements],
            "conditions": [c.to_dict() for c in self.conditions],
            "steps": [s.to_dict() for s in self.steps],
            "hand_over_default": self.hand_over_default,
            "short_label": self.short_label,
            "demo_weight": self.demo_weight,
        }

    def fingerprint(self) -> str:
        """SHA-256 (hex) of the canonical JSON of :meth:`to_dict`: equal content, equal value."""
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ServiceDef:
        """Rebuild a definition from :meth:`to_dict` output (e.g. a snapshot kept in the
        database). Raises :class:`SopError` when the data is not such output."""
        try:
            return cls(
                code=_s(d["code"]),
                version=_s(d["version"]),
                name=_s(d["name"]),
                short_name=_s(d["short_name"]),
                sop_number=_s(d["sop_number"]),
                sop_title=_s(d["sop_title"]),
                wa_number=_s(d["wa_number"]),
                standard_working_days=_i(d["standard_working_days"]),
                document_kind=_opt_s(d["document_kind"]),
                requires_nik=_b(d["requires_nik"]),
                register_name=_s(d["register_name"]),
                requirements=tuple(
                    Requirement(
                        key=_s(r["key"]),
                        label=_s(r["label"]),
                        source=_s(r["source"]),
                        required=_b(r["required"]),
                        condition=_opt_s(r["condition"]),
                        alternative_group=_opt_s(r["alternative_group"]),
                        count=_i(r["count"]),
                    )
                    for r in _list(d["requirements"])
                ),
                conditions=tuple(
                    Condition(
                        key=_s(c["key"]),
                        label=_s(c["label"]),
                        nik_age_from=_opt_i(c.get("nik_age_from")),
                    )
                    for c in _list(d["conditions"])
                ),
                steps=tuple(
                    Step(
                        no=_i(s["no"]),
                        activity=_s(s["activity"]),
                        actor_label=_s(s["actor_label"]),
                        role=_s(s["role"]),
                        minutes=_i(s["minutes"]),
                        needs=_s(s["needs"]),
                        output=_s(s["output"]),
                        moves=tuple(
                            Move(kind=_kind(m["kind"]), to=_opt_i(m["to"]))
                            for m in _list(s["moves"])
                        ),
                        assigns_register=_b(s["assigns_register"]),
                        records=tuple(_s(x) for x in _list(s["records"])),
                        decision=_b(s["decision"]),
                        with_roles=tuple(_s(x) for x in _list(s["with_roles"])),
                        notifies=_b(s.get("notifies", False)),
                        assigns_queue=_b(s.get("assigns_queue", False)),
                        status_text=_opt_s(s.get("status_text")),
                    )
                    for s in _list(d["steps"])
                ),
                hand_over_default=_s(d.get("hand_over_default", "diambil")),
                # keys added later: snapshots written before them lack them
                short_label=_s(d.get("short_label") or d["short_name"]),
                demo_weight=_i(d.get("demo_weight", 10)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise SopError(f"Data SOP tersimpan tidak valid: {exc!r}") from exc


def _s(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError(f"teks diharapkan, didapat {v!r}")
    return v


def _opt_s(v: Any) -> str | None:
    return None if v is None else _s(v)


def _i(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"bilangan bulat diharapkan, didapat {v!r}")
    return v


def _opt_i(v: Any) -> int | None:
    return None if v is None else _i(v)


def _b(v: Any) -> bool:
    if not isinstance(v, bool):
        raise TypeError(f"true/false diharapkan, didapat {v!r}")
    return v


def _list(v: Any) -> list[Any]:
    if not isinstance(v, list | tuple):
        raise TypeError(f"daftar diharapkan, didapat {v!r}")
    return list(v)


def _kind(v: Any) -> MoveKind:
    if v not in MOVE_KINDS:
        raise ValueError(f"jenis perpindahan tidak dikenal: {v!r}")
    return cast(MoveKind, v)
