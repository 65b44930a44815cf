"""Import SKM answers from a CSV file (a Google Forms export or a spreadsheet), with the default
columns ``tanggal,layanan,kode,u1..u9,umur,jenis_kelamin,pendidikan,pekerjaan,saran`` or an
admin's saved column mapping.

Every row is checked first; each good row is recorded in its own savepoint, so a bad row (a
wrong value, a code already answered) is reported with its row number in Indonesian and the
other rows still land. Nothing a bad row held is written to a log line — the report names the
row and the column only."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ..errors import DomainError, InputError, SipelayananError
from ..services.context import Actor
from . import (
    Answer,
    clean_saran,
    parse_jenis_kelamin,
    parse_nilai,
    parse_pekerjaan,
    parse_pendidikan,
    parse_umur,
)
from .store import CSV_FIELDS, REQUIRED_FIELDS, get_mappings, require_skm_role, store_answer

MAX_BYTES = 20 * 1024 * 1024


@dataclass
class ImportResult:
    rows: int = 0  # data rows read
    recorded: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number in the file, message)
    headings: list[str] = field(default_factory=list)
    rejected: list[list[str]] = field(default_factory=list)  # the bad rows as they were

    def rejected_csv(self) -> str:
        """The bad rows with their headings and a last column ``alasan``, to fix and import
        again."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*self.headings, "alasan"])
        for row, (n, message) in zip(self.rejected, self.errors, strict=True):
            writer.writerow([*row, f"baris {n}: {message}"])
        return out.getvalue()

    def summary(self) -> str:
        text = f"{self.rows} baris dibaca, {self.recorded} jawaban dicatat"
        if self.errors:
            text += f", {len(self.errors)} baris ditolak"
        return text + "."


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"File {path} tidak ada.", "file") from None
    except OSError as exc:
        raise InputError(
            f"File {path} tidak dapat dibaca: {exc.strerror or exc}.", "file"
        ) from None
    if len(data) > MAX_BYTES:
        raise InputError(f"File {path.name} terlalu besar (paling besar 20 MB).", "file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"File {path.name} bukan teks CSV yang dapat dibaca.", "file")


def _parse_day(text: str) -> date:
    value = text.strip()
    # Google Forms: "26/11/2026 10:31:05" (d/m/y) or ISO; a time part is ignored
    value = re.split(r"[ T]", value, maxsplit=1)[0]
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise InputError(
        f"Tanggal '{text.strip()}' tidak dapat dibaca; tulis YYYY-MM-DD (mis. 2026-11-26).",
        "tanggal",
    )


def parse_row(values: dict[str, str]) -> Answer:
    """One CSV row (field -> text) as an :class:`Answer`; InputError names the bad field."""
    for name in REQUIRED_FIELDS:
        if not (values.get(name) or "").strip():
            raise InputError(f"kolom {name} kosong.", name)
    nilai = tuple(parse_nilai(values[f"u{i}"], i) for i in range(1, 10))
    return Answer(
        service=values["layanan"].strip().upper(),
        day=_parse_day(values["tanggal"]),
        code=(values.get("kode") or "").strip() or None,
        nilai=nilai,
        umur=parse_umur(values.get("umur")),
        jenis_kelamin=parse_jenis_kelamin(values.get("jenis_kelamin")),
        pendidikan=parse_pendidikan(values.get("pendidikan")),
        pekerjaan=parse_pekerjaan(values.get("pekerjaan")),
        saran=clean_saran(values.get("saran")),
    )


def _layout(headings: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """field -> column index, from the mapping (or the default headings)."""
    norm = [h.strip().lower() for h in headings]
    out: dict[str, int] = {}
    missing: list[str] = []
    for name in CSV_FIELDS:
        heading = mapping.get(name, name).strip().lower()
        if heading in norm:
            out[name] = norm.index(heading)
        elif name in REQUIRED_FIELDS:
            missing.append(mapping.get(name, name))
    if missing:
        raise InputError(
            "Kolom wajib tidak ada di baris judul CSV: "
            + ", ".join(missing)
            + ". Judul yang ada: "
            + ", ".join(h for h in headings if h.strip())[:300]
            + ". Gunakan --pemetaan NAMA untuk judul kolom yang lain.",
            "kolom",
        )
    return out


def import_csv(
    session: Session,
    actor: Actor | None,
    text: str,
    *,
    mapping: str | None = None,
    now: datetime | None = None,
    unattended: bool = False,
) -> ImportResult:
    """Record every good row of ``text``; return the count and each bad row's message.

    ``unattended``: the command line's ``skm import FILE.csv`` without a login (the form the
    issue spells out, for a scheduled import of the office's Google Form export). The answers
    are anonymous, so no personal data is at stake; the audit entry says it ran without a login.
    A window always passes the clerk who imports."""
    if not unattended or actor is not None:
        require_skm_role(session, actor)
    columns: dict[str, str] = {}
    if mapping:
        saved = get_mappings(session)
        if mapping not in saved:
            names = ", ".join(saved) or "belum ada"
            raise InputError(
                f"Pemetaan '{mapping}' tidak ada (yang tersimpan: {names}).", "pemetaan"
            )
        columns = saved[mapping]
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headings = next(reader)
    except StopIteration:
        raise InputError("File CSV kosong.", "file") from None
    except csv.Error as exc:
        raise InputError(f"Baris judul CSV tidak dapat dibaca: {exc}.", "file") from None
    layout = _layout(headings, columns)
    result = ImportResult(headings=headings)
    first_id: int | None = None
    row_id = 0
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line += 1
            result.rows += 1
            result.errors.append((line, f"baris tidak dapat dibaca ({exc})."))
            result.rejected.append([])
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        result.rows += 1
        values = {name: (row[i] if i < len(row) else "") for name, i in layout.items()}
        try:
            answer = parse_row(values)
            with session.begin_nested():
                row_id = store_answer(session, answer, source="impor", now=now).id
        except (InputError, DomainError, SipelayananError) as exc:
            result.errors.append((line, str(exc)))
            result.rejected.append(row)
            continue
        result.recorded += 1
        first_id = row_id if first_id is None else first_id
    if result.recorded:
        from ..services import audit

        # one entry for the file: how many rows and which answer rows (never a code)
        detail: dict[str, object] = {
            "source": "impor",
            "rows": result.recorded,
            "rejected": len(result.errors),
        }
        if actor is None:
            detail["tanpa_login"] = True
        audit.record(session, actor, "skm.import", "skm", f"{first_id}-{row_id}", detail, now=now)
    return result


def error_lines(result: ImportResult) -> list[str]:
    return [f"Baris {n}: {message}" for n, message in result.errors]
