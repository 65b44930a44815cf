"""The forms a step's clerk fills in, declared in the SOP file beside the step.

A step may carry ``[steps.forms.next]`` (finish the step and move on) and ``[steps.forms.close]``
(end the request here, e.g. a simple complaint solved at once)::

    [[steps]]
    no = 3
    ...
    [steps.forms.close]
    key = "close"                 # stable name: draft key, widget object name
    title = "Solusi sederhana"
    help = "Masalah dapat diselesaikan petugas sekarang ..."
    button = "Selesaikan dengan solusi ini"
    records = "solusi"            # which text the form records: note | solusi | ringkasan | none
    label = "Solusi untuk pelapor"
    required = true
    prefill = ""                  # "" | solusi | ringkasan: start from what was already typed
    note_label = ""               # a second, optional note line ("" = none)
    compose = "pengaduan_dijawab" # the WhatsApp message composed after success ("" = none)
    at_registration = false       # the registration form finishes this step (berkas received)
    with_note = ""                # shown to the step's ``with_roles`` (who join but record nothing)

The windows and the core read these instead of re-encoding a service's steps by number. The
forms are presentation and input rules, not the SOP's content: they are kept beside the
definition (:func:`forms_of`) and not in its snapshot or fingerprint, so adding wording to a form
never changes the identity of an SOP a request started under.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, cast

from sipelayanan.sop.definitions import ServiceDef, SopError, Step

__all__ = [
    "FORM_MOVES",
    "RECORDS",
    "ServiceForms",
    "StepForm",
    "forms_of",
    "read_forms",
]

FormMove = Literal["next", "close"]
Records = Literal["note", "solusi", "ringkasan", "none"]

#: the moves a step may declare a form for
FORM_MOVES: Final[tuple[FormMove, ...]] = ("next", "close")
#: which text a form records: the step's history note, the solution given to the pelapor, or the
#: summary/reason handed on to the next role (the escalation reason); ``none``: no text box
RECORDS: Final[tuple[Records, ...]] = ("note", "solusi", "ringkasan", "none")
_PREFILLS: Final = ("", "solusi", "ringkasan")

_REQUIRED = ("key", "title", "help", "button")
_OPTIONAL = (
    "records",
    "label",
    "required",
    "prefill",
    "note_label",
    "compose",
    "at_registration",
    "with_note",
)


@dataclass(frozen=True)
class StepForm:
    """One declared form of one step."""

    step_no: int
    move: FormMove
    key: str
    title: str
    help: str
    button: str
    records: Records = "note"
    label: str = ""
    required: bool = False
    prefill: str = ""  # "" | "solusi" | "ringkasan"
    note_label: str = ""
    compose: str = ""
    at_registration: bool = False
    with_note: str = ""


@dataclass(frozen=True)
class ServiceForms:
    """Every declared form of a service, by (step number, move)."""

    forms: Mapping[tuple[int, str], StepForm]

    def get(self, step_no: int, move: str) -> StepForm | None:
        return self.forms.get((step_no, move))

    def of_step(self, step_no: int) -> tuple[StepForm, ...]:
        return tuple(f for (no, _m), f in self.forms.items() if no == step_no)

    def at_registration(self) -> StepForm | None:
        """The form the registration finishes when the berkas came with it, if any."""
        return next((f for f in self.forms.values() if f.at_registration), None)


EMPTY: Final = ServiceForms(MappingProxyType({}))

_by_steps: dict[tuple[str, tuple[Step, ...]], ServiceForms] = {}
_by_code: dict[str, ServiceForms] = {}


def forms_of(sdef: ServiceDef) -> ServiceForms:
    """The forms of this definition; for a snapshot no loaded file matches exactly (an SOP
    edited since), the forms of the service's last loaded file; else none."""
    found = _by_steps.get((sdef.code, sdef.steps))
    if found is None:
        found = _by_code.get(sdef.code, EMPTY)
    return found


def read_forms(
    code: str,
    steps_raw: list[dict[str, Any]],
    steps: tuple[Step, ...],
    path: Path,
    line_of: Callable[[int, str | None], int],
) -> ServiceForms:
    """Read every step's ``forms`` table (``line_of(step_index, key)`` locates a line) and keep
    the result for :func:`forms_of` (the loader calls this once the steps are valid)."""
    forms = _read_all(steps_raw, steps, path, line_of)
    _by_steps[(code, steps)] = forms
    _by_code[code] = forms
    return forms


def _read_all(
    steps_raw: list[dict[str, Any]],
    steps: tuple[Step, ...],
    path: Path,
    line_of: Callable[[int, str | None], int],
) -> ServiceForms:
    result: dict[tuple[int, str], StepForm] = {}
    keys: dict[str, int] = {}
    for index, raw in enumerate(steps_raw):
        table = raw.get("forms")
        if table is None:
            continue
        no = index + 1
        where = f"[[steps]] ke-{no}, forms"

        def error(
            message: str, move: str | None = None, _i: int = index, _w: str = where
        ) -> SopError:
            key = f"forms.{move}" if move else "forms"
            return SopError(f"{_w}: {message}", path, line_of(_i, key))

        if not isinstance(table, dict):
            raise error("'forms' harus berupa tabel ([steps.forms.next] / [steps.forms.close])")
        step = steps[index]
        for move, form in table.items():
            if move not in FORM_MOVES:
                raise error(
                    f"formulir untuk perpindahan tidak dikenal '{move}' "
                    f"(yang dikenal: {', '.join(FORM_MOVES)})"
                )
            if not step.allows(move):
                raise error(
                    f"langkah {no} tidak punya perpindahan '{move}' untuk formulir ini", move
                )
            if not isinstance(form, dict):
                raise error(f"'forms.{move}' harus berupa tabel")
            parsed = _read_one(cast(dict[str, Any], form), no, move, partial(error, move=move))
            if parsed.key in keys:
                raise error(
                    f"kunci formulir '{parsed.key}' sudah dipakai di langkah {keys[parsed.key]}"
                )
            keys[parsed.key] = no
            result[(no, move)] = parsed
    registering = [f for f in result.values() if f.at_registration]
    if len(registering) > 1:
        raise SopError(
            "at_registration hanya boleh pada satu formulir "
            f"(langkah {registering[0].step_no} dan {registering[1].step_no})",
            path,
            line_of(registering[1].step_no - 1, "forms"),
        )
    return ServiceForms(MappingProxyType(result))


def _read_one(
    data: dict[str, Any], no: int, move: str, error: Callable[[str], SopError]
) -> StepForm:
    for key in data:
        if key not in _REQUIRED + _OPTIONAL:
            raise error(
                f"kunci tidak dikenal '{key}' di forms.{move} "
                f"(yang dikenal: {', '.join(_REQUIRED + _OPTIONAL)})"
            )
    for key in _REQUIRED:
        if key not in data:
            raise error(f"kunci wajib '{key}' tidak ada di forms.{move}")

    def text(key: str, default: str = "", *, nonempty: bool = False) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (nonempty and not value.strip()):
            raise error(f"'{key}' di forms.{move} harus berupa teks yang tidak kosong")
        return value

    def flag(key: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            raise error(f"'{key}' di forms.{move} harus true atau false, didapat {value!r}")
        return value

    records = text("records", "note")
    if records not in RECORDS:
        raise error(f"'records' harus salah satu dari {', '.join(RECORDS)}, didapat '{records}'")
    prefill = text("prefill")
    if prefill not in _PREFILLS:
        raise error(f"'prefill' harus kosong, 'solusi' atau 'ringkasan', didapat '{prefill}'")
    label = text("label")
    required = flag("required")
    if records != "none" and not label.strip():
        raise error(f"'label' wajib untuk formulir yang mencatat '{records}'")
    if records == "none" and (required or prefill):
        raise error(
            "formulir tanpa teks (records = 'none') tidak dapat wajib diisi atau diisi awal"
        )
    at_registration = flag("at_registration")
    if at_registration and (move != "next" or no != 1):
        raise error("at_registration hanya untuk formulir 'next' langkah pertama")
    return StepForm(
        step_no=no,
        move=cast(FormMove, move),
        key=text("key", nonempty=True),
        title=text("title", nonempty=True),
        help=text("help", nonempty=True),
        button=text("button", nonempty=True),
        records=records,
        label=label,
        required=required,
        prefill=prefill,
        note_label=text("note_label"),
        compose=text("compose"),
        at_registration=at_registration,
        with_note=text("with_note"),
    )
