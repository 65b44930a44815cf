"""Read and validate the SOP definition files (``resources/sop/<CODE>.toml``).

Every problem raises :class:`SopError` naming the file and the line of the offending item.
``tomllib`` reports no positions for parsed values, so lines are found by scanning the text for
the ``[[steps]]`` / ``[[requirements]]`` / ``[[conditions]]`` headers and the ``key =`` lines
inside each block.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, cast

from sipelayanan.resources import resource_path
from sipelayanan.sop.definitions import (
    HAND_OVER_METHODS,
    MOVE_KINDS,
    RECORD_KINDS,
    ROLES,
    Condition,
    Move,
    Requirement,
    ServiceDef,
    SopError,
    Step,
)
from sipelayanan.sop.forms import read_forms

__all__ = ["SERVICE_ORDER", "load_service_file", "load_services", "services"]

#: The order services are listed in everywhere; other files follow alphabetically.
SERVICE_ORDER: Final[tuple[str, ...]] = (
    "KK",
    "SKPWNI",
    "KTP_EL",
    "KIA",
    "AKTA_LAHIR",
    "AKTA_MATI",
    "PENGADUAN",
)

_TOP_REQUIRED = (
    "code",
    "version",
    "name",
    "short_name",
    "sop_number",
    "sop_title",
    "wa_number",
    "standard_working_days",
    "requires_nik",
    "register_name",
    "steps",
)
_TOP_OPTIONAL = (
    "document_kind",
    "requirements",
    "conditions",
    "hand_over_default",
    "short_label",
    "demo_weight",
    "identity",  # read by sop/identity.py (the identity page), not part of ServiceDef
)
_STEP_REQUIRED = ("no", "activity", "actor_label", "role", "minutes", "needs", "output", "moves")
_STEP_OPTIONAL = (
    "assigns_register",
    "records",
    "decision",
    "with_roles",
    "notifies",
    "assigns_queue",
    "status_text",
    "forms",  # read by sop/forms.py (the clerk's form per step), not part of ServiceDef
)
_REQ_REQUIRED = ("key", "label", "source")
_REQ_OPTIONAL = ("required", "condition", "alternative_group", "count")
_COND_REQUIRED = ("key", "label")
_COND_OPTIONAL = ("nik_age_from",)
_MOVE_REQUIRED = ("kind",)
_MOVE_OPTIONAL = ("to",)

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_HEADER_RE = re.compile(r"^\s*(\[\[?)([^\]]*)\]")
_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_TOML_END_RE = re.compile(r"\s*\(at end of document\)")


# --------------------------------------------------------------------------- line locating


@dataclass(frozen=True)
class _Header:
    line: int
    name: str
    is_array: bool


class _Locator:
    """Find the line of a top-level key or of an item (and a key in it) in a TOML text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[_Header] = []
        for no, line in enumerate(self.lines, start=1):
            m = _HEADER_RE.match(line)
            if m:
                name = re.sub(r"[\s\"']", "", m.group(2))
                self.headers.append(_Header(no, name, m.group(1) == "[["))

    def _key_line(self, key: str, start: int, end: int) -> int | None:
        """First line in [start, end) that assigns ``key``."""
        k = re.escape(key)
        pattern = re.compile(rf"^\s*(?:{k}|\"{k}\"|'{k}')\s*=")
        for no in range(start, min(end, len(self.lines) + 1)):
            if pattern.match(self.lines[no - 1]):
                return no
        return None

    def top(self, key: str | None) -> int:
        if key is None:
            return 1
        first_header = self.headers[0].line if self.headers else len(self.lines) + 1
        found = self._key_line(key, 1, first_header)
        if found is not None:
            return found
        for h in self.headers:
            if h.name == key or h.name.startswith(key + "."):
                return h.line
        return 1

    def item(self, section: str, index: int, key: str | None = None) -> int:
        starts = [h for h in self.headers if h.is_array and h.name == section]
        if index >= len(starts):  # e.g. written as an inline array: point at the array
            return self.top(section)
        start = starts[index].line
        end = len(self.lines) + 1
        for h in self.headers:
            if h.line > start and (h.name == section or not h.name.startswith(section + ".")):
                end = h.line
                break
        if key is None:
            return start
        found = self._key_line(key, start + 1, end)
        if found is not None:
            return found
        for h in self.headers:
            if start < h.line < end and h.name == f"{section}.{key}":
                return h.line
        return start


# --------------------------------------------------------------------------- typed reading

_MISSING: Final = object()


@dataclass(frozen=True)
class _Item:
    """One TOML table (the top level, a step, a requirement, ...) with error reporting."""

    data: Mapping[str, Any]
    where: str
    path: Path
    line_of: Callable[[str | None], int]

    def error(self, message: str, key: str | None = None) -> SopError:
        prefix = f"{self.where}: " if self.where else ""
        return SopError(prefix + message, self.path, self.line_of(key))

    def check_keys(self, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
        allowed = required + optional
        for key in self.data:
            if key not in allowed:
                raise self.error(
                    f"kunci tidak dikenal '{key}' (yang dikenal: {', '.join(allowed)})", key
                )
        for key in required:
            if key not in self.data:
                raise self.error(f"kunci wajib '{key}' tidak ada")

    def text(self, key: str, *, nonempty: bool = False) -> str:
        value = self.data[key]
        if not isinstance(value, str):
            raise self.error(f"'{key}' harus berupa teks, didapat {value!r}", key)
        if nonempty and not value.strip():
            raise self.error(f"'{key}' tidak boleh kosong", key)
        return value

    def opt_text(self, key: str) -> str | None:
        if key not in self.data:
            return None
        return self.text(key, nonempty=True)

    def integer(self, key: str, default: int | None = None, *, positive: bool = True) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"'{key}' harus bilangan bulat, didapat {value!r}", key)
        if positive and value <= 0:
            raise self.error(f"'{key}' harus bilangan bulat positif, didapat {value}", key)
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"'{key}' harus true atau false, didapat {value!r}", key)
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f"'{key}' harus berupa daftar teks, didapat {value!r}", key)
        return tuple(cast(list[str], value))

    def tables(self, key: str) -> list[dict[str, Any]]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(f"'{key}' harus berupa daftar tabel ([[{key}]])", key)
        return cast(list[dict[str, Any]], value)


# --------------------------------------------------------------------------- loading


def _parse_toml(path: Path) -> tuple[dict[str, Any], _Locator]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SopError(f"File SOP tidak dapat dibaca: {exc.strerror or exc}", path) from exc
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM some Windows editors add
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SopError("File SOP bukan teks UTF-8 yang valid", path, line) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = 1
        column: int | None = None
        m = _TOML_POS_RE.search(message)
        if m:
            line, column = int(m.group(1)), int(m.group(2))
            message = _TOML_POS_RE.sub("", message)
        elif _TOML_END_RE.search(message):
            line = max(1, len(text.splitlines()))
            message = _TOML_END_RE.sub("", message)
        where = f" (kolom {column})" if column is not None else ""
        raise SopError(f"Sintaks TOML tidak valid{where}: {message}", path, line) from exc
    return data, _Locator(text)


def _read_conditions(top: _Item, loc: _Locator) -> tuple[Condition, ...]:
    result: list[Condition] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(top.tables("conditions")):
        item = _Item(raw, f"[[conditions]] ke-{i + 1}", top.path, _item_line(loc, "conditions", i))
        item.check_keys(_COND_REQUIRED, _COND_OPTIONAL)
        key = item.text("key", nonempty=True)
        if not _KEY_RE.match(key):
            raise item.error(f"kunci '{key}' harus snake_case (huruf kecil, angka, _)", "key")
        if key in seen:
            raise item.error(
                f"kunci kondisi '{key}' duplikat (sudah ada di baris {seen[key]})", "key"
            )
        seen[key] = item.line_of("key")
        age = item.integer("nik_age_from", positive=False) if "nik_age_from" in raw else None
        if age is not None and age < 0:
            raise item.error(f"'nik_age_from' tidak boleh negatif, didapat {age}", "nik_age_from")
        result.append(Condition(key=key, label=item.text("label", nonempty=True), nik_age_from=age))
    return tuple(result)


def _read_requirements(
    top: _Item, loc: _Locator, conditions: tuple[Condition, ...]
) -> tuple[Requirement, ...]:
    declared = {c.key for c in conditions}
    result: list[Requirement] = []
    items: list[_Item] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(top.tables("requirements")):
        item = _Item(
            raw, f"[[requirements]] ke-{i + 1}", top.path, _item_line(loc, "requirements", i)
        )
        item.check_keys(_REQ_REQUIRED, _REQ_OPTIONAL)
        key = item.text("key", nonempty=True)
        if not _KEY_RE.match(key):
            raise item.error(f"kunci '{key}' harus snake_case (huruf kecil, angka, _)", "key")
        if key in seen:
            raise item.error(
                f"kunci persyaratan '{key}' duplikat (sudah ada di baris {seen[key]})", "key"
            )
        seen[key] = item.line_of("key")
        condition = item.opt_text("condition")
        if condition is not None and condition not in declared:
            raise item.error(
                f"kondisi '{condition}' belum dideklarasikan di [[conditions]]", "condition"
            )
        result.append(
            Requirement(
                key=key,
                label=item.text("label", nonempty=True),
                source=item.text("source", nonempty=True),
                required=item.flag("required", True),
                condition=condition,
                alternative_group=item.opt_text("alternative_group"),
                count=item.integer("count", 1),
            )
        )
        items.append(item)
    groups: dict[str, int] = {}
    for r in result:
        if r.alternative_group is not None:
            groups[r.alternative_group] = groups.get(r.alternative_group, 0) + 1
    for r, item in zip(result, items, strict=True):
        if r.alternative_group is not None and groups[r.alternative_group] < 2:
            raise item.error(
                f"alternative_group '{r.alternative_group}' hanya punya satu anggota "
                "(alternatif butuh sedikitnya dua)",
                "alternative_group",
            )
    return tuple(result)


def _read_moves(item: _Item) -> tuple[Move, ...]:
    moves: list[Move] = []
    for raw in item.tables("moves"):
        move = _Item(raw, item.where, item.path, lambda _k: item.line_of("moves"))
        move.check_keys(_MOVE_REQUIRED, _MOVE_OPTIONAL)
        kind = move.text("kind")
        if kind not in MOVE_KINDS:
            raise move.error(
                f"jenis perpindahan tidak dikenal '{kind}' (yang dikenal: {', '.join(MOVE_KINDS)})"
            )
        to: int | None = None
        if kind == "back":
            if "to" not in raw:
                raise move.error("perpindahan 'back' harus menyebut langkah tujuan ('to')")
            to = move.integer("to")
        elif "to" in raw:
            raise move.error(f"'to' hanya untuk perpindahan 'back', bukan '{kind}'")
        m = Move(kind=kind, to=to)
        if m in moves:
            raise move.error(f"perpindahan '{kind}' tercantum dua kali")
        moves.append(m)
    if not moves:
        raise item.error("'moves' tidak boleh kosong", "moves")
    return tuple(moves)


def _read_steps(top: _Item, loc: _Locator) -> tuple[tuple[Step, ...], list[_Item]]:
    steps: list[Step] = []
    items: list[_Item] = []
    for i, raw in enumerate(top.tables("steps")):
        item = _Item(raw, f"[[steps]] ke-{i + 1}", top.path, _item_line(loc, "steps", i))
        item.check_keys(_STEP_REQUIRED, _STEP_OPTIONAL)
        no = item.integer("no", positive=False)
        if no != i + 1:
            raise item.error(
                f"nomor langkah harus {i + 1} (langkah bernomor 1..n berurutan), didapat {no}",
                "no",
            )
        role = item.text("role")
        if role not in ROLES:
            raise item.error(f"peran (role) tidak dikenal '{role}'", "role")
        with_roles = item.texts("with_roles")
        for r in with_roles:
            if r not in ROLES:
                raise item.error(f"peran (role) tidak dikenal '{r}' di with_roles", "with_roles")
        records = item.texts("records")
        for r in records:
            if r not in RECORD_KINDS:
                raise item.error(
                    f"jenis pencatatan tidak dikenal '{r}' "
                    f"(yang dikenal: {', '.join(RECORD_KINDS)})",
                    "records",
                )
        steps.append(
            Step(
                no=no,
                activity=item.text("activity", nonempty=True),
                actor_label=item.text("actor_label", nonempty=True),
                role=role,
                minutes=item.integer("minutes"),
                needs=item.text("needs"),
                output=item.text("output"),
                moves=_read_moves(item),
                assigns_register=item.flag("assigns_register"),
                records=records,
                decision=item.flag("decision"),
                with_roles=with_roles,
                notifies=item.flag("notifies"),
                assigns_queue=item.flag("assigns_queue"),
                status_text=item.opt_text("status_text"),
            )
        )
        if steps[-1].notifies and "penyerahan" not in records:
            raise item.error(
                "langkah pemberitahuan (notifies) harus mencatat penyerahan "
                '(records = ["penyerahan"]): pengambilan/resi dicatat sesudahnya',
                "notifies",
            )
        items.append(item)
    if not steps:
        raise top.error("SOP harus punya sedikitnya satu langkah [[steps]]", "steps")
    return tuple(steps), items


def _check_flow(steps: tuple[Step, ...], items: list[_Item]) -> None:
    last = len(steps)
    for step, item in zip(steps, items, strict=True):
        for target in step.back_targets():
            if not 1 <= target <= last:
                raise item.error(f"perpindahan ke langkah {target} yang tidak ada", "moves")
            if target >= step.no:
                raise item.error(
                    f"perpindahan 'back' harus ke langkah sebelumnya, bukan ke langkah {target}",
                    "moves",
                )
    # Reachability over next/back moves, from step 1.
    reached = {1}
    todo = [1]
    while todo:
        step = steps[todo.pop() - 1]
        targets = list(step.back_targets())
        if step.allows("next") and step.no < last:
            targets.append(step.no + 1)
        for t in targets:
            if t not in reached:
                reached.add(t)
                todo.append(t)
    for step, item in zip(steps, items, strict=True):
        if step.no not in reached:
            raise item.error(f"langkah {step.no} tidak dapat dicapai dari langkah 1")
    for step, item in zip(steps, items, strict=True):
        if step.no < last and not step.allows("next"):
            raise item.error(
                f"langkah {step.no} tidak punya jalan lanjut (perlu perpindahan 'next')", "moves"
            )
        if step.no == last and not (step.allows("next") or step.allows("close")):
            raise item.error(
                f"langkah terakhir ({step.no}) harus punya perpindahan 'next' (selesai) "
                "atau 'close'",
                "moves",
            )
    for kind in ("nomor_dokumen", "penyerahan"):  # a solusi may be written on several steps
        at = [(s, i) for s, i in zip(steps, items, strict=True) if kind in s.records]
        if len(at) > 1:
            raise at[1][1].error(
                f"pencatatan '{kind}' sudah ada di langkah {at[0][0].no}; hanya boleh satu langkah",
                "records",
            )
    registering = [(s, i) for s, i in zip(steps, items, strict=True) if s.assigns_register]
    if len(registering) > 1:
        raise registering[1][1].error(
            f"nomor register sudah diberikan di langkah {registering[0][0].no}; "
            "hanya boleh satu langkah",
            "assigns_register",
        )


def _item_line(loc: _Locator, section: str, index: int) -> Callable[[str | None], int]:
    return lambda key: loc.item(section, index, key)


def load_service_file(path: Path) -> ServiceDef:
    """Read and validate one SOP definition file."""
    data, loc = _parse_toml(path)
    top = _Item(data, "", path, loc.top)
    top.check_keys(_TOP_REQUIRED, _TOP_OPTIONAL)
    code = top.text("code", nonempty=True)
    if code != path.stem:
        raise top.error(f"code '{code}' harus sama dengan nama file '{path.stem}'", "code")
    conditions = _read_conditions(top, loc)
    requirements = _read_requirements(top, loc, conditions)
    steps, step_items = _read_steps(top, loc)
    _check_flow(steps, step_items)
    read_forms(code, top.tables("steps"), steps, path, lambda i, k: loc.item("steps", i, k))
    hand_over = top.opt_text("hand_over_default") or "diambil"
    if hand_over not in HAND_OVER_METHODS:
        raise top.error(
            f"hand_over_default tidak dikenal '{hand_over}' "
            f"(yang dikenal: {', '.join(HAND_OVER_METHODS)})",
            "hand_over_default",
        )
    return ServiceDef(
        code=code,
        version=top.text("version", nonempty=True),
        name=top.text("name", nonempty=True),
        short_name=top.text("short_name", nonempty=True),
        sop_number=top.text("sop_number", nonempty=True),
        sop_title=top.text("sop_title", nonempty=True),
        wa_number=top.text("wa_number"),
        standard_working_days=top.integer("standard_working_days"),
        document_kind=top.opt_text("document_kind"),
        requires_nik=top.flag("requires_nik"),
        register_name=top.text("register_name", nonempty=True),
        requirements=requirements,
        conditions=conditions,
        steps=steps,
        hand_over_default=hand_over,
        short_label=top.opt_text("short_label") or top.text("short_name", nonempty=True),
        demo_weight=top.integer("demo_weight", 10),
    )


def load_services(folder: Path | None = None) -> Mapping[str, ServiceDef]:
    """Load every ``*.toml`` in ``folder`` (default: the shipped ``resources/sop``).

    Ordered by :data:`SERVICE_ORDER`, then any other codes alphabetically. Read-only mapping.
    """
    if folder is None:
        folder = resource_path("sop")
    if not folder.is_dir():
        raise SopError("Folder SOP tidak ditemukan", folder)
    files = {p.stem: p for p in folder.glob("*.toml") if p.is_file()}
    if not files:
        raise SopError("Tidak ada file SOP (*.toml) di folder ini", folder)
    rank = {code: i for i, code in enumerate(SERVICE_ORDER)}
    ordered = sorted(files, key=lambda stem: (rank.get(stem, len(rank)), stem))
    result: dict[str, ServiceDef] = {}
    for stem in ordered:
        service = load_service_file(files[stem])
        result[service.code] = service
    return MappingProxyType(result)


@functools.cache
def services() -> Mapping[str, ServiceDef]:
    """The office's SOP definitions, loaded once per process from :func:`sop_folder` (the
    shipped ``resources/sop`` unless ``SIPELAYANAN_SOP_DIR`` or this PC's setting names
    another folder). ``services.cache_clear()`` makes the next call read them again."""
    from sipelayanan.sop.folder import sop_folder

    return load_services(sop_folder().path)
