"""Excel workbooks for clerks who work on the numbers: streaming (write-only) sheets with a title
block, a bold frozen header with filters, real date cells and set column widths."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..calendar import WIB
from ..services.office import OfficeProfile

_TITLE = Font(name="Arial", bold=True, size=13)
_SUB = Font(name="Arial", size=10, color="555555")
_HEAD = Font(name="Arial", bold=True, size=10)
_BODY = Font(name="Arial", size=10)
_BOLD = Font(name="Arial", bold=True, size=10)
_FILL = PatternFill("solid", fgColor="DDE6F0")
_TOTAL_FILL = PatternFill("solid", fgColor="F4F6F8")
_THIN = Side(style="thin", color="8A8A8A")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")

DATE_FORMAT = "DD-MM-YYYY"
DATETIME_FORMAT = "DD-MM-YYYY HH:MM"

#: Characters Excel refuses in sheet names.
_BAD_SHEET = str.maketrans({c: "-" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class XColumn:
    header: str
    width: float  # Excel character units
    number_format: str | None = None


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def local(value: datetime | None) -> datetime | None:
    """An aware datetime as naive WIB wall time (Excel has no time zones)."""
    if value is None:
        return None
    return value.astimezone(WIB).replace(tzinfo=None)


def add_sheet(
    wb: Workbook,
    title: str,
    *,
    heading: str,
    lines: Sequence[str],
    profile: OfficeProfile,
    columns: Sequence[XColumn],
    rows: Iterable[Sequence[Any]],
    total: Sequence[Any] | None = None,
) -> int:
    """Write one sheet: office name, heading, info lines, header, rows (and a total row).

    Returns the number of data rows written.
    """
    ws = wb.create_sheet(title.translate(_BAD_SHEET)[:31] or "Data")
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width

    def styled(value: Any, font: Font, **kw: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.font = font
        for key, val in kw.items():
            setattr(cell, key, val)
        return cell

    ws.append([styled(profile.name, _SUB)])
    ws.append([styled(heading, _TITLE)])
    for line in lines:
        ws.append([styled(line, _SUB)])
    ws.append([])
    header_row = 3 + len(lines) + 1
    ws.append(
        [styled(c.header, _HEAD, fill=_FILL, border=_BORDER, alignment=_WRAP) for c in columns]
    )
    ws.freeze_panes = f"A{header_row + 1}"
    # Data cells: plain values (fast) except dates and formatted numbers, which get a copy of
    # one prepared style (setting a style attribute per cell costs a hash lookup each time).
    prepared: dict[str, Any] = {}

    def style_for(number_format: str) -> Any:
        if number_format not in prepared:
            proto = WriteOnlyCell(ws, value=None)
            proto.number_format = number_format
            prepared[number_format] = proto._style
        return prepared[number_format]

    formats = [c.number_format for c in columns]
    count = 0
    for row in rows:
        cells: list[Any] = []
        for value, number_format in zip(row, formats, strict=True):
            if isinstance(value, datetime):
                value = local(value)
                number_format = number_format or DATETIME_FORMAT
            elif isinstance(value, date):
                number_format = number_format or DATE_FORMAT
            if number_format is None or value is None:
                cells.append(value)
                continue
            cell = WriteOnlyCell(ws, value=value)
            cell._style = copy(style_for(number_format))
            cells.append(cell)
        ws.append(cells)
        count += 1
    if count:
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A{header_row}:{last}{header_row + count}"
    if total is not None:
        ws.append([styled(v, _BOLD, fill=_TOTAL_FILL) for v in total])
    return count


def save(wb: Workbook) -> bytes:
    if not wb.worksheets:
        wb.create_sheet("Data")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
