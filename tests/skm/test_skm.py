"""Survei Kepuasan Masyarakat (issue 16.1): the index against hand computations at every mutu
band edge, the minimum sample against the Krejcie–Morgan table, the three input ways (WhatsApp
answer string, paper form, CSV import) recording the same answers, one answer per tracking code,
bad CSV rows reported by row number without losing the good ones, and no personal data in any
SKM output (PDF text, xlsx cells, JSON, the status site's config, the audit log) — on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sipelayanan import cli, skm
from sipelayanan.db import Database
from sipelayanan.errors import DomainError, InputError, PermissionDenied
from sipelayanan.models import AuditEntry, Case, SkmAnswer
from sipelayanan.skm.importer import import_csv
from sipelayanan.skm.store import (
    code_key,
    record_answer,
    save_follow_up,
    save_mapping,
    stored_answers,
    survey,
)
from tests.reports.test_reports_data import NIK, intake, run

# --------------------------------------------------------------------------- pure: the index


def _answers(n: int, total: int) -> list[list[int]]:
    """n respondents whose 9n answers add up to ``total``: all 1s, then cells raised to 4 in
    reading order until the total is reached."""
    rows = [[1] * 9 for _ in range(n)]
    left = total - 9 * n
    for r in range(n):
        for c in range(9):
            step = min(3, left)
            rows[r][c] += step
            left -= step
    assert left == 0
    return rows


# (n respondents, sum of all their answers, IKM by hand = 25 × S / (9 × n), rounded half up to
# two decimals, mutu). IKM = 25 × (1/9) × Σ NRRᵢ and Σ NRRᵢ = S / n, so the hand value is
# 25·S/(9n): e.g. 25 × 763 / 216 = 19075 / 216 = 88.3101… -> 88.31 (A).
BAND_EDGES = [
    (1, 36, "100.00", "A"),  # 25 × 36 / 9 = 100
    (24, 763, "88.31", "A"),  # 19075 / 216 = 88.3101…
    (19, 604, "88.30", "B"),  # 15100 / 171 = 88.3040…
    (19, 524, "76.61", "B"),  # 13100 / 171 = 76.6081…
    (26, 717, "76.60", "C"),  # 17925 / 234 = 76.6025…
    (5, 117, "65.00", "C"),  # 2925 / 45 = 65
    (38, 889, "64.99", "D"),  # 22225 / 342 = 64.9853…
    (1, 9, "25.00", "D"),  # 25 × 9 / 9 = 25
]


@pytest.mark.parametrize(("n", "total", "ikm", "mutu"), BAND_EDGES)
def test_ikm_equals_the_hand_computation_at_each_band_edge(
    n: int, total: int, ikm: str, mutu: str
) -> None:
    answers = _answers(n, total)
    index = skm.compute(answers)
    assert index.responden == n
    assert index.ikm == Decimal(ikm)
    assert index.mutu is not None and index.mutu.code == mutu
    # the nine NRR the long way: each column's sum over n
    for i in range(9):
        assert index.nrr[i] == Fraction(sum(row[i] for row in answers), n)
    assert sum(index.nrr) == Fraction(total, n)


def test_worked_example_with_nrr_per_element() -> None:
    """Three respondents; NRR by hand: u1 (4+3+4)/3 = 11/3, u2 3, u3 10/3, u4 4, u5 3,
    u6 10/3, u7 10/3, u8 7/3, u9 3; Σ NRR = 48/3 + 13 = 29; IKM = 25 × 29 / 9 = 80.555…
    = 80.56 (B, Baik)."""
    answers = [
        [4, 3, 3, 4, 3, 3, 4, 2, 3],
        [3, 3, 3, 4, 3, 3, 3, 3, 3],
        [4, 3, 4, 4, 3, 4, 3, 2, 3],
    ]
    index = skm.compute(answers)
    assert [str(v) for v in index.nrr_rounded()] == [
        "3.667",
        "3.000",
        "3.333",
        "4.000",
        "3.000",
        "3.333",
        "3.333",
        "2.333",
        "3.000",
    ]
    assert index.ikm == Decimal("80.56")
    assert index.mutu is not None and (index.mutu.code, index.mutu.kinerja) == ("B", "Baik")
    assert index.weakest(2) == [8, 2]  # 2.333, then the first of the 3.000s
    assert skm.compute([]).ikm is None


def test_answers_outside_the_scale_are_refused() -> None:
    with pytest.raises(ValueError):
        skm.compute([[5, 3, 3, 3, 3, 3, 3, 3, 3]])
    with pytest.raises(InputError, match="unsur 3"):
        skm.parse_nilai("0", 3)
    assert skm.parse_nilai("Sangat sesuai", 1) == 4  # a Google Form exporting the wording


# Krejcie & Morgan (1970), "Determining sample size for research activities", Table 1:
# population N -> sample s (also the table PermenPANRB 14/2017 reproduces).
KREJCIE_MORGAN_TABLE = {
    10: 10,
    15: 14,
    20: 19,
    30: 28,
    50: 44,
    95: 76,
    100: 80,
    200: 132,
    500: 217,
    1000: 278,
    2000: 322,
    5000: 357,
    10000: 370,
    20000: 377,
    50000: 381,
    75000: 382,
    1000000: 384,
}


def test_minimum_sample_equals_the_krejcie_morgan_table() -> None:
    for population, sample in KREJCIE_MORGAN_TABLE.items():
        assert skm.krejcie_morgan(population) == sample, population
    assert skm.krejcie_morgan(0) == 0


def test_periods() -> None:
    assert skm.period_dates("triwulan", 2026, 4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert skm.period_dates("semester", 2026, 1) == (date(2026, 1, 1), date(2026, 6, 30))
    assert skm.parse_period("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    assert skm.parse_period("2026-t1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert skm.period_label(date(2026, 7, 1), date(2026, 12, 31)) == "Semester II 2026"
    with pytest.raises(InputError):
        skm.parse_period("2026-T5")


def test_answer_string_round_trip_and_damage() -> None:
    answer = skm.Answer(
        service=None,
        day=None,
        code="ABCDEFGH3",
        nilai=(4, 4, 3, 4, 3, 4, 4, 3, 3),
        umur=35,
        jenis_kelamin="L",
        pendidikan=3,
        pekerjaan=4,
    )
    text = skm.encode_answer(answer)
    assert re.fullmatch(r"SKM-ABCDEFGH3-443434433-35L34-[0-9A-Y]{2}", text)
    pasted = f"Survei Kepuasan Masyarakat (jawaban tanpa nama):\n{text}\nSaran: antre lebih rapi"
    back = skm.decode_answer(pasted)
    assert back.nilai == answer.nilai and back.code == "ABCDEFGH3"
    assert (back.umur, back.jenis_kelamin, back.pendidikan, back.pekerjaan) == (35, "L", 3, 4)
    assert back.saran == "antre lebih rapi"
    # one changed answer, one changed profile digit: the check value catches each
    for i in (14, len(text) - 5):
        digit = text[i]
        bad = text[:i] + ("1" if digit != "1" else "2") + text[i + 1 :]
        with pytest.raises(InputError, match="rusak"):
            skm.decode_answer(bad)
    assert skm.clean_saran("hubungi 0812-3456-7890 ya") == "hubungi [angka disamarkan] ya"


# --------------------------------------------------------------------------- database


ANSWER = (4, 3, 3, 4, 3, 4, 4, 2, 3)
PROFILE = {"umur": 41, "jenis_kelamin": "P", "pendidikan": 5, "pekerjaan": 4}
NAME = "Hendrawan Wulandari"


def finished(db: Database, actors: dict[str, Any], service: str, n: int) -> list[str]:
    at = datetime.now(UTC) - timedelta(days=3)
    codes = []
    for _ in range(n):
        code = intake(db, actors, service, at, nama=NAME)
        run(db, actors, code, at)
        codes.append(code)
    return codes


def _csv(rows: list[str]) -> str:
    from sipelayanan.skm.store import CSV_FIELDS

    assert CSV_FIELDS == (
        "tanggal", "layanan", "kode", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9",
        "umur", "jenis_kelamin", "pendidikan", "pekerjaan", "saran",
    )  # fmt: skip
    head = ",".join(CSV_FIELDS)
    return "\n".join([head, *rows]) + "\n"


def test_three_ways_record_the_same_answers(db: Database, actors: dict[str, Any]) -> None:
    a, b, c = finished(db, actors, "KIA", 3)
    today = datetime.now(UTC).astimezone(skm.store.WIB).date()
    # (a) the status page's string, pasted by the clerk
    text = skm.encode_answer(skm.Answer(None, None, a, ANSWER, **PROFILE))
    with db.write() as s:
        record_answer(s, actors["online"], skm.decode_answer(text + "\nSaran: ok"), source="wa")
    # (b) a paper form typed in (what the entry page hands over)
    with db.write() as s:
        record_answer(
            s,
            actors["admin"],
            skm.Answer("KIA", today, b, ANSWER, saran="ok", **PROFILE),
            source="kertas",
        )
    # (c) a CSV row, profile as the words a Google Form exports
    row = f"{today.isoformat()},KIA,{c},{','.join(map(str, ANSWER))},41,Perempuan,S1,Swasta,ok"
    with db.write() as s:
        result = import_csv(s, actors["online"], _csv([row]))
    assert result.recorded == 1 and result.errors == []
    with db.read() as s:
        rows = stored_answers(s, today, today)
    assert [r[-1] for r in rows] == ["wa", "kertas", "impor"]
    assert len({r[:-1] for r in rows}) == 1, rows  # identical apart from how they came in
    assert rows[0][:-1] == ("KIA", today, *ANSWER, 41, "P", 5, 4, "ok")
    with db.read() as s:
        keys = set(s.execute(select(SkmAnswer.code_key)).scalars())
    assert keys == {code_key(x) for x in (a, b, c)}


def test_one_answer_per_code(db: Database, actors: dict[str, Any]) -> None:
    (code,) = finished(db, actors, "KK", 1)
    today = datetime.now(UTC).astimezone(skm.store.WIB).date()
    text = skm.encode_answer(skm.Answer(None, None, code, ANSWER))
    with db.write() as s:
        record_answer(s, actors["online"], skm.decode_answer(text), source="wa")
    with db.write() as s, pytest.raises(DomainError, match="sudah tercatat"):
        record_answer(s, actors["online"], skm.decode_answer(text), source="wa")
    with db.write() as s, pytest.raises(DomainError, match="satu kode satu jawaban"):
        record_answer(s, actors["admin"], skm.Answer("KK", today, code, ANSWER), source="kertas")
    row = f"{today.isoformat()},KK,{code},{','.join(map(str, ANSWER))},,,,,"
    with db.write() as s:
        result = import_csv(s, actors["online"], _csv([row, row.replace(code, "")]))
    assert result.recorded == 1  # the row without a code
    assert result.errors and result.errors[0][0] == 2 and "sudah tercatat" in result.errors[0][1]
    with db.read() as s:
        assert len(s.execute(select(SkmAnswer.id)).all()) == 2


def test_unfinished_unknown_and_complaint_codes_are_refused(
    db: Database, actors: dict[str, Any]
) -> None:
    at = datetime.now(UTC) - timedelta(days=1)
    open_code = intake(db, actors, "KTP_EL", at)
    complaint = intake(db, actors, "PENGADUAN", at)
    run(db, actors, complaint, at)
    with db.write() as s, pytest.raises(DomainError, match="belum selesai"):
        record_answer(s, actors["online"], skm.Answer(None, None, open_code, ANSWER), source="wa")
    with db.write() as s, pytest.raises(InputError, match="pengaduan"):
        record_answer(s, actors["online"], skm.Answer(None, None, complaint, ANSWER), source="wa")
    with db.write() as s, pytest.raises(InputError, match="tidak terdaftar"):
        record_answer(s, actors["online"], skm.Answer(None, None, "ABCDEFGH3", ANSWER), source="wa")
    with db.write() as s, pytest.raises(PermissionDenied):
        record_answer(s, actors["kasi"], skm.Answer("KK", None, None, ANSWER), source="kertas")


def test_bad_csv_rows_are_named_and_the_good_ones_kept(
    db: Database, actors: dict[str, Any]
) -> None:
    ok = ",".join(map(str, ANSWER))
    rows = [
        f"2026-11-02,KK,,{ok},35,L,SLTA,PNS,",
        f"2026-11-02,KK,,{ok.replace('4', '5', 1)},35,L,SLTA,PNS,",  # line 3: answer 5
        f"02/11/2026,KTP_EL,,{ok},,,,,cepat",  # Google Forms' d/m/y
        f"2026-11-02,XYZ,,{ok},,,,,",  # line 5: unknown service
        f"2026-11-02,KIA,,{ok},7,,,,",  # line 6: umur 7
        f"2099-01-01,KIA,,{ok},,,,,",  # line 7: in the future
        f"2026-11-03,PENGADUAN,,{ok},,,,,",  # line 8: complaints are not surveyed
        f"2026-11-02,KK,,{ok},,X,,,",  # line 9: jenis kelamin X
    ]
    with db.write() as s:
        result = import_csv(s, actors["admin"], _csv(rows))
    assert result.rows == 8 and result.recorded == 2
    assert [n for n, _m in result.errors] == [3, 5, 6, 7, 8, 9]
    messages = dict(result.errors)
    assert "unsur 1" in messages[3] and "1, 2, 3 atau 4" in messages[3]
    assert "XYZ" in messages[5]
    assert "Umur '7'" in messages[6]
    assert "belum terjadi" in messages[7]
    assert "PENGADUAN" in messages[8]
    assert "Jenis kelamin 'X'" in messages[9]
    rejected = result.rejected_csv().splitlines()
    assert rejected[0].endswith(",alasan") and len(rejected) == 7
    with db.read() as s:
        assert survey(s, date(2026, 11, 1), date(2026, 11, 30)).office.responden == 2


def test_saved_column_mapping(db: Database, actors: dict[str, Any], tmp_path: Path) -> None:
    columns = {"tanggal": "Timestamp", "layanan": "Layanan yang diterima"}
    columns |= {f"u{i}": f"Pertanyaan {i}" for i in range(1, 10)}
    with db.write() as s:
        save_mapping(s, actors["admin"], "Google Form 2026", columns)
    with db.write() as s, pytest.raises(PermissionDenied):
        save_mapping(s, actors["online"], "lain", columns)
    head = "Timestamp,Layanan yang diterima," + ",".join(f"Pertanyaan {i}" for i in range(1, 10))
    text = f"{head}\n26/11/2026 10:31:05,AKTA_LAHIR,{','.join(['4'] * 9)}\n"
    with db.write() as s:
        with pytest.raises(InputError, match="Kolom wajib tidak ada"):
            import_csv(s, actors["online"], text)
        result = import_csv(s, actors["online"], text, mapping="Google Form 2026")
    assert result.recorded == 1


def test_report_outputs_hold_no_personal_data(
    db: Database, actors: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    codes = finished(db, actors, "KK", 2) + finished(db, actors, "AKTA_LAHIR", 1)
    today = datetime.now(UTC).astimezone(skm.store.WIB).date()
    for i, code in enumerate(codes):
        nilai = tuple(min(4, v + i % 2) for v in ANSWER)
        text = skm.encode_answer(skm.Answer(None, None, code, nilai, **PROFILE))
        with db.write() as s:
            record_answer(
                s, actors["online"], skm.decode_answer(text + "\nSaran: ramah"), source="wa"
            )
    date_from, date_to = skm.store.quarter_of(today)
    with db.write() as s:
        save_follow_up(
            s, actors["admin"], date_from, date_to, ["Menambah kursi ruang tunggu", "Papan alur"]
        )
    with db.read() as s:
        data = survey(s, date_from, date_to)
        private = set()
        for nama, nik, wa, code in s.execute(
            select(Case.pemohon_nama, Case.nik, Case.wa, Case.code)
        ):
            private |= {nama, *nama.split(), code, f"{code[:4]}-{code[4:]}", wa, wa.lstrip("+")}
            if nik:
                private.add(nik)
    assert NIK in private and NAME in private
    o = data.office
    assert o.responden == 3
    expected = skm.compute(
        [tuple(min(4, v + i % 2) for v in ANSWER) for i in range(3)]  # type: ignore[misc]
    )
    assert o.index.ikm == expected.ikm
    assert set(data.per_layanan) >= {"KK", "AKTA_LAHIR"}
    assert data.per_layanan["KK"].responden == 2

    url = str(db.url)
    outputs: dict[str, str] = {}
    for name in ("skm.pdf", "skm.xlsx"):
        rc = cli.main(
            ["--db", url, "report", "skm", "--from", date_from.isoformat(), "--to",
             date_to.isoformat(), "-o", str(tmp_path / name)]
        )  # fmt: skip
        assert rc == 0
    rc = cli.main(
        ["--db", url, "skm", "ringkasan", "--dari", date_from.isoformat(), "--sampai",
         date_to.isoformat(), "-o", str(tmp_path / "ringkasan.pdf")]
    )  # fmt: skip
    assert rc == 0
    capsys.readouterr()
    rc = cli.main(
        ["--db", url, "report", "skm", "--dari", date_from.isoformat(), "--sampai",
         date_to.isoformat(), "--json"]
    )  # fmt: skip
    assert rc == 0
    printed = capsys.readouterr().out
    figures = json.loads(printed)
    assert figures["ikm"] == float(expected.ikm)  # type: ignore[arg-type]
    assert figures["mutu"] == expected.mutu.code  # type: ignore[union-attr]
    assert figures["responden"] == 3
    assert figures["sampel_minimum"] == skm.krejcie_morgan(figures["populasi"])
    assert figures["nrr"] == [float(v) for v in expected.nrr_rounded()]
    assert len(figures["nrr"]) == 9
    assert figures["per_layanan"]["KK"]["responden"] == 2
    assert figures["per_layanan"]["KTP_EL"]["nrr"] == [None] * 9  # no respondent
    assert figures["per_layanan"]["KTP_EL"]["ikm"] is None
    assert "PENGADUAN" not in figures["per_layanan"]  # complaints are not surveyed
    assert set(figures["per_layanan"]["KK"]) >= {
        "ikm",
        "mutu",
        "responden",
        "sampel_minimum",
        "nrr",
    }
    outputs["json"] = printed

    for name in ("skm.pdf", "ringkasan.pdf"):
        reader = PdfReader(str(tmp_path / name))
        outputs[name] = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert len(PdfReader(str(tmp_path / "ringkasan.pdf")).pages) == 1
    pdf = " ".join(outputs["skm.pdf"].split())
    ikm_text = f"{expected.ikm}".replace(".", ",")
    assert ikm_text in pdf and "Baik" in pdf
    assert "Menambah kursi ruang tunggu" in pdf  # the rencana tindak lanjut
    assert "Penanganan pengaduan" in pdf and "Sarana dan prasarana" in pdf
    assert "Krejcie" in pdf and "Kepala" in pdf
    assert "Perempuan" in pdf and "S1" in pdf  # the respondent profile
    assert "ramah 3" in pdf  # the suggestion, given three times, counted once
    with zipfile.ZipFile(tmp_path / "skm.xlsx") as z:
        outputs["xlsx"] = "\n".join(
            z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")
        )
    assert "Sarana dan prasarana" in outputs["xlsx"]
    with db.read() as s:
        from sipelayanan.skm.site import config_part

        outputs["site"] = json.dumps(config_part(s), ensure_ascii=False)
        audit = s.execute(
            select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.detail).where(
                AuditEntry.action.like("skm.%") | AuditEntry.action.like("report.skm%")
            )
        ).all()
    outputs["audit"] = json.dumps([list(map(str, row)) for row in audit])
    assert len([row for row in audit if row[0] == "skm.answer"]) == 3
    for where, body in outputs.items():
        for secret in private:
            if len(secret) >= 4:
                assert secret not in body, (where, secret)


# --------------------------------------------------------------------------- command line


def test_cli_import_mapping_and_follow_up(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.core.test_cli import run as cli_run

    def run(*args: str, stdin: str = "rahasia123\n") -> tuple[int, str, str]:
        return cli_run(monkeypatch, capsys, db_url, *args, stdin=stdin)

    head = "Timestamp,Layanan," + ",".join(f"Pertanyaan {i}" for i in range(1, 10)) + ",Saran"
    csv_file = tmp_path / "form.csv"
    csv_file.write_text(
        f"{head}\n01/10/2026 09:00:00,KK,{','.join(['3'] * 9)},Antre rapi\n"
        f"02/10/2026 09:00:00,KK,{','.join(['3'] * 8)},5,\n",
        encoding="utf-8",
    )
    # without the mapping: refused, nothing recorded (with or without a login)
    rc, _out, err = run("skm", "import", str(csv_file))
    assert rc == 2 and "Kolom wajib tidak ada" in err and "--pemetaan" in err
    rc, _out, err = run("skm", "import", str(csv_file), "--pengguna", "online")
    assert rc == 2 and "Kolom wajib tidak ada" in err and "--pemetaan" in err
    # a wrong password is still refused: a login given is a login checked
    rc, _out, err = run("skm", "import", str(csv_file), "--pengguna", "online", stdin="salah\n")
    assert rc == 2
    kolom = ["--kolom", "tanggal=Timestamp", "--kolom", "layanan=Layanan", "--kolom", "saran=Saran"]
    for i in range(1, 10):
        kolom += ["--kolom", f"u{i}=Pertanyaan {i}"]
    rc, _out, err = run("skm", "pemetaan", "simpan", "Google Form", *kolom, "--pengguna", "online")
    assert rc == 2 and "admin" in err  # saving a mapping is the admin's
    rc, out, _err = run("skm", "pemetaan", "simpan", "Google Form", *kolom, "--pengguna", "admin")
    assert rc == 0 and "Pemetaan 'Google Form' disimpan (12 kolom)" in out
    rc, out, _err = run("skm", "pemetaan", "daftar")
    assert "Google Form\ttanggal=Timestamp" in out
    rc, out, err = run(
        "skm", "import", str(csv_file), "--pemetaan", "Google Form", "--pengguna", "online"
    )
    assert rc == 2  # one row refused
    assert "2 baris dibaca, 1 jawaban dicatat, 1 baris ditolak" in out
    assert "Baris 3: Jawaban unsur 9 (Sarana dan prasarana) '5'" in out
    assert (tmp_path / "form.ditolak.csv").exists()
    # the form the issue spells out, `skm import FILE.csv --pemetaan NAMA`, needs no login
    # (anonymous answers, e.g. a scheduled import); its audit entry says it ran without one
    again = tmp_path / "form2.csv"
    again.write_text(f"{head}\n03/10/2026 10:00:00,KK,{','.join(['4'] * 9)},\n", "utf-8")
    rc, out, _err = run("skm", "import", str(again), "--pemetaan", "Google Form", stdin="")
    assert rc == 0 and "1 jawaban dicatat" in out
    with Database(db_url).read() as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "skm.import").order_by(AuditEntry.id)
        ).all()[-1]
        assert entry.user_id is None and '"tanpa_login": true' in entry.detail
    rc, out, _err = run(
        "skm", "tindak-lanjut", "--periode", "2026-T4", "--baris", "Papan alur",
        "--pengguna", "admin",
    )  # fmt: skip
    assert rc == 0
    rc, out, _err = run("skm", "tindak-lanjut", "--dari", "2026-10-01", "--sampai", "2026-12-31")
    assert out.strip() == "1. Papan alur"
    with pytest.raises(SystemExit) as refused:  # report takes --dari/--sampai, as the issue
        run("report", "skm", "--periode", "2026-T4", "--json")
    assert refused.value.code == 2
    rc, out, _err = run("report", "skm", "--from", "2026-10-01", "--to", "2026-12-31", "--json")
    assert rc == 0 and json.loads(out)["responden"] == 2
