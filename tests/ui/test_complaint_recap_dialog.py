"""The rekap pengaduan from the Laporan dialog: offered beside the other reports, fixed on the
complaint service, saved as xlsx and read back against the core recap."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sipelayanan.services import complaints as core
from sipelayanan.services.users import get_user

from .support_b import UiKit
from .test_reports_dialog import _Chooser, _dialog, _make

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def kit(db_url: str, tmp_path: Path, db, ops, settings, ctx_for, opened) -> UiKit:
    return UiKit(db_url, tmp_path, ops, settings, db, ctx_for, opened)


def test_rekap_pengaduan_from_the_dialog(kit: UiKit, qtbot, db, tmp_path) -> None:
    with db.read() as s:
        aduan = get_user(s, "aduan").actor()
    with db.write() as s:
        for channel, lapor in (("whatsapp", None), ("lapor", "LAP-1"), ("lapor", "LAP-2")):
            core.register(
                s,
                aduan,
                core.NewComplaint(
                    nama="Pelapor Dialog",
                    wa="0812-3456-7890",
                    uraian="x",
                    facts=core.ComplaintFacts(channel=channel, lapor_number=lapor),
                ),
                now=T0,
            )
    out = tmp_path / "rekap-pengaduan.xlsx"
    dialog = _dialog(kit, qtbot, _Chooser(out), kind="pengaduan-rekap")
    assert dialog.kind.currentData() == "pengaduan-rekap"
    assert dialog.service.currentData() == core.complaint_service().code
    assert not dialog.service.isEnabled()
    dialog.set_period(date(2026, 3, 1), date(2026, 3, 31))
    dialog.set_format("xlsx")
    _make(dialog, qtbot)
    sheet = load_workbook(out, read_only=True)["Saluran pengaduan"]
    counts = {r[0]: r[1] for r in sheet.iter_rows(values_only=True) if r and len(r) > 1}
    assert counts["WhatsApp"] == 1 and counts["SP4N-LAPOR!"] == 2 and counts["Jumlah"] == 3
    cells = " ".join(
        str(v)
        for ws in load_workbook(out, read_only=True).worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    )
    assert "Pelapor Dialog" not in cells and "0812" not in cells
