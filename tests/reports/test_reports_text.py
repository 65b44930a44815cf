"""Indonesian formatting of dates, numbers and durations, and the layout helpers that fit text
into table cells."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from sipelayanan.reports import text as fmt
from sipelayanan.reports.common import Progress, split_office_name
from sipelayanan.reports.fonts import SANS, register_fonts
from sipelayanan.reports.pdf import fit_lines


def test_dates_in_bahasa_indonesia() -> None:
    t = datetime(2026, 11, 17, 1, 5, tzinfo=UTC)  # 08.05 WIB
    assert fmt.tanggal(t) == "17 November 2026"
    assert fmt.hari_tanggal(date(2026, 11, 16)) == "Senin, 16 November 2026"
    assert fmt.waktu(t) == "Selasa, 17 November 2026 pukul 08.05 WIB"
    assert fmt.waktu(t, hari=False) == "17 November 2026 pukul 08.05 WIB"
    assert fmt.tanggal_angka(t) == "17-11-2026"
    assert fmt.tanggal_jam_angka(t) == "17-11-2026 08.05"
    assert fmt.bulan_tahun(date(2026, 8, 1)) == "Agustus 2026"
    # 20.00 UTC on 31 December is already 1 January in WIB
    new_year = datetime(2025, 12, 31, 20, 0, tzinfo=UTC)
    assert fmt.waktu(new_year) == "Kamis, 1 Januari 2026 pukul 03.00 WIB"
    assert [fmt.nama_hari(date(2026, 11, d)) for d in range(16, 23)] == [
        "Senin",
        "Selasa",
        "Rabu",
        "Kamis",
        "Jumat",
        "Sabtu",
        "Minggu",
    ]
    with pytest.raises(ValueError):
        fmt.waktu(datetime(2026, 1, 1, 8, 0))


def test_periods() -> None:
    assert fmt.periode(date(2026, 11, 17), date(2026, 11, 17)) == "17 November 2026"
    assert fmt.periode(date(2026, 11, 1), date(2026, 11, 30)) == "1–30 November 2026"
    assert fmt.periode(date(2026, 10, 1), date(2026, 11, 30)) == "1 Oktober – 30 November 2026"
    assert fmt.periode(date(2025, 12, 1), date(2026, 1, 31)) == (
        "1 Desember 2025 – 31 Januari 2026"
    )


def test_numbers_and_durations() -> None:
    assert fmt.angka(1234567) == "1.234.567"
    assert fmt.angka(12.345, 1) == "12,3"
    assert fmt.angka(1234.5, 1) == "1.234,5"
    assert fmt.persen(7, 8) == "87,5%"
    assert fmt.persen(2, 5, 0) == "40%"
    assert fmt.persen(1, 0) == "–"
    assert fmt.durasi_menit(45) == "45 menit"
    assert fmt.durasi_menit(60) == "1 jam"
    assert fmt.durasi_menit(125.4) == "2 jam 5 menit"


def test_cells_are_fitted_to_their_column() -> None:
    register_fonts()
    width = 80.0
    assert fit_lines("  Siti   Aminah ", SANS, 7.5, width) == "Siti Aminah"
    two = fit_lines("Muhammad Rizky Pratama Saputra Wijaya", SANS, 7.5, width)
    assert two.count("\n") == 1
    cut = fit_lines("kata " * 60, SANS, 7.5, width)
    assert cut.count("\n") == 1 and cut.endswith("…")
    one = fit_lines("00001/AKTA_LAHIR/2026-SANGAT-PANJANG", SANS, 7.5, width, 1)
    assert one.endswith("…") and "\n" not in one
    for text in (two, cut, one):
        assert all(stringWidth(line, SANS, 7.5) <= width for line in text.split("\n"))


def test_office_name_split_and_progress() -> None:
    assert split_office_name("DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KABUPATEN WAY KANAN") == [
        "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
        "KABUPATEN WAY KANAN",
    ]
    assert split_office_name("DINAS") == ["DINAS"]
    seen: list[tuple[int, int]] = []
    p = Progress(lambda d, t: seen.append((d, t)), 100)
    p.to(0)
    p.to(30)
    p.to(20)  # never goes back
    step = p.span(30, 90, 3)
    step(1)
    step(3)
    step(7)  # never past its end
    p.finish()
    assert seen == [(0, 100), (30, 100), (50, 100), (90, 100), (100, 100)]
