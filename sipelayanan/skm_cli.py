"""``sipelayanan skm …``: the Survei Kepuasan Masyarakat from the command line — import a CSV
(``skm import FILE.csv [--pemetaan NAMA]``), the admin's column mappings (``skm pemetaan``),
the "rencana tindak lanjut" of a period (``skm tindak-lanjut``), the one-page summary for
publishing (``skm ringkasan``) — and ``report skm`` (PDF, xlsx or ``--json``), which
:mod:`sipelayanan.reports.cli` hands to :func:`cmd_report_skm`.

Imported by :mod:`sipelayanan.cli` through ``cli.EXTENSIONS``. Nothing printed here names a
respondent, a tracking code or a request."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from . import cli
from .errors import InputError


def _login(db: Any, args: argparse.Namespace, what: str) -> Any:
    if not args.user:
        raise InputError(
            f"{what}: tambahkan --pengguna USERNAME (kata sandi dari standard input); "
            "tindakan ini dicatat di log audit.",
            "user",
        )
    return cli.acting_user(db, args).actor()


def _period(args: argparse.Namespace) -> tuple[date, date]:
    from .skm import parse_period

    if getattr(args, "periode", None):
        if args.date_from or args.date_to:
            raise InputError("Pilih --periode atau --dari/--sampai, tidak keduanya.", "period")
        return parse_period(args.periode)
    if args.date_from is None or args.date_to is None:
        raise InputError(
            "Isi periode: --dari YYYY-MM-DD --sampai YYYY-MM-DD (atau --periode 2026-T4).",
            "period",
        )
    from .reports.data import check_period

    p = check_period(args.date_from, args.date_to)
    return p.date_from, p.date_to


def cmd_import(args: argparse.Namespace) -> int:
    from .skm.importer import error_lines, import_csv, read_text

    path = Path(args.file)
    text = read_text(path)
    db = cli.open_db(args)
    try:
        actor = cli.acting_user(db, args).actor() if args.user else None
        with db.write() as s:
            result = import_csv(s, actor, text, mapping=args.pemetaan, unattended=actor is None)
    finally:
        db.dispose()
    print(f"{path.name}: {result.summary()}")
    for line in error_lines(result):
        print(line)
    if result.errors:
        rejected = path.with_name(path.stem + ".ditolak.csv")
        from .reports.cli import _write

        _write(rejected, result.rejected_csv().encode("utf-8-sig"))
        print(
            f"Baris yang ditolak disimpan ke {rejected} (dengan kolom 'alasan'); perbaiki lalu "
            "impor file itu lagi."
        )
        return 2
    return 0


def cmd_mapping_save(args: argparse.Namespace) -> int:
    from .skm.store import save_mapping

    columns: dict[str, str] = {}
    for item in args.kolom or []:
        field, sep, heading = item.partition("=")
        if not sep or not field.strip() or not heading.strip():
            raise InputError(
                f"--kolom '{item}' harus berbentuk ISIAN=JUDUL, mis. u1=\"Persyaratan\".",
                "kolom",
            )
        columns[field.strip().lower()] = heading.strip()
    db = cli.open_db(args)
    try:
        actor = _login(db, args, "Menyimpan pemetaan kolom")
        with db.write() as s:
            save_mapping(s, actor, args.nama, columns)
    finally:
        db.dispose()
    print(f"Pemetaan '{' '.join(args.nama.split())}' disimpan ({len(columns)} kolom).")
    return 0


def cmd_mapping_list(args: argparse.Namespace) -> int:
    from .skm.store import CSV_FIELDS, get_mappings

    db = cli.open_db(args)
    try:
        with db.read() as s:
            mappings = get_mappings(s)
    finally:
        db.dispose()
    print("(bawaan)\t" + ",".join(CSV_FIELDS))
    for name, columns in sorted(mappings.items()):
        shown = "; ".join(f"{k}={columns[k]}" for k in CSV_FIELDS if k in columns)
        print(f"{name}\t{shown}")
    return 0


def cmd_mapping_delete(args: argparse.Namespace) -> int:
    from .skm.store import delete_mapping

    db = cli.open_db(args)
    try:
        actor = _login(db, args, "Menghapus pemetaan kolom")
        with db.write() as s:
            delete_mapping(s, actor, args.nama)
    finally:
        db.dispose()
    print(f"Pemetaan '{args.nama}' dihapus.")
    return 0


def cmd_follow_up(args: argparse.Namespace) -> int:
    from .skm.store import get_follow_up, save_follow_up

    date_from, date_to = _period(args)
    db = cli.open_db(args)
    try:
        if args.baris is None:
            with db.read() as s:
                lines = get_follow_up(s, date_from, date_to)
            for i, line in enumerate(lines, 1):
                print(f"{i}. {line}")
            if not lines:
                print("Rencana tindak lanjut periode ini belum diisi.")
            return 0
        actor = _login(db, args, "Mengisi rencana tindak lanjut")
        with db.write() as s:
            save_follow_up(s, actor, date_from, date_to, args.baris)
    finally:
        db.dispose()
    print(f"Rencana tindak lanjut disimpan ({len([b for b in args.baris if b.strip()])} baris).")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from .reports.cli import _format_of, _size, _write
    from .reports.common import make_context
    from .reports.data import check_period, check_service
    from .reports.skm import render_summary_pdf

    date_from, date_to = _period(args)
    path = Path(args.output)
    _format_of(path, ("pdf",))
    service = check_service(args.service)
    db = cli.open_db(args)
    try:
        with db.read() as s:
            ctx = make_context(s, None)
            data = render_summary_pdf(s, ctx, check_period(date_from, date_to), service)
    finally:
        db.dispose()
    _write(path, data)
    print(f"Ringkasan IKM disimpan ke {path} ({_size(data)}).")
    return 0


def cmd_report_skm(args: argparse.Namespace) -> int:
    """``report skm``: the PDF/xlsx through :func:`sipelayanan.reports.report`, or ``--json``."""
    from .reports.data import check_service

    date_from, date_to = _period(args)
    service = check_service(args.service)
    if args.json:
        if args.output:
            raise InputError("Pilih salah satu: --json (ke layar) atau -o FILE.", "output")
        from .reports.skm import check_surveyed
        from .skm.store import survey

        check_surveyed(service)
        db = cli.open_db(args)
        try:
            with db.read() as s:
                data = survey(s, date_from, date_to, service)
        finally:
            db.dispose()
        json.dump(data.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    if not args.output:
        raise InputError("Tuliskan file keluaran: -o FILE.pdf atau -o FILE.xlsx (atau --json).")
    from .reports import REPORT_FORMATS, REPORT_LABELS, report
    from .reports.cli import _actor, _format_of, _size, _write

    path = Path(args.output)
    fmt = _format_of(path, REPORT_FORMATS["skm"])
    db = cli.open_db(args)
    try:
        actor = _actor(db, args)
        with db.write() as s:
            data_bytes = report(
                s,
                "skm",
                date_from,
                date_to,
                service=service,
                fmt=fmt,  # type: ignore[arg-type]
                actor=actor,
            )
    finally:
        db.dispose()
    _write(path, data_bytes)
    print(f"{REPORT_LABELS['skm']} disimpan ke {path} ({_size(data_bytes)}).")
    return 0


def _user_option(p: argparse.ArgumentParser, help_text: str) -> None:
    p.add_argument("--pengguna", "--user", dest="user", metavar="USERNAME", help=help_text)


def _period_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--dari",
        "--from",
        dest="date_from",
        type=cli._date,
        metavar="YYYY-MM-DD",
        help="awal periode (termasuk)",
    )
    p.add_argument(
        "--sampai",
        "--to",
        dest="date_to",
        type=cli._date,
        metavar="YYYY-MM-DD",
        help="akhir periode (termasuk)",
    )
    p.add_argument(
        "--periode",
        metavar="PERIODE",
        help="2026 (tahun), 2026-S1/2026-S2 (semester) atau 2026-T1 … 2026-T4 (triwulan)",
    )


def extend(sub: Any) -> None:
    from .skm.store import CSV_FIELDS

    sk = sub.add_parser(
        "skm",
        help="Survei Kepuasan Masyarakat (PermenPANRB 14/2017): impor, pemetaan kolom, "
        "rencana tindak lanjut, ringkasan",
    ).add_subparsers(dest="skm_command", metavar="PERINTAH", required=True)
    si = sk.add_parser(
        "import",
        aliases=["impor"],
        help="impor jawaban survei dari CSV (mis. ekspor Google Forms)",
        description="Kolom bawaan: " + ",".join(CSV_FIELDS) + ". tanggal YYYY-MM-DD, layanan "
        "kode layanan, u1…u9 jawaban 1–4 menurut urutan unsur peraturan; kode, profil dan "
        "saran boleh kosong. Baris yang salah dilaporkan dengan nomornya dan disimpan ke "
        "FILE.ditolak.csv; baris lain tetap dicatat.",
    )
    si.add_argument("file", metavar="FILE.csv", help="file CSV (UTF-8; koma, titik koma atau tab)")
    si.add_argument("--pemetaan", metavar="NAMA", help="pemetaan kolom yang disimpan admin")
    _user_option(
        si,
        "admin atau Operator Pelayanan Online (kata sandi dari standard input); tanpa ini impor "
        "dicatat di log audit sebagai impor tanpa login (jawaban survei anonim)",
    )
    si.set_defaults(func=cmd_import)

    sm = sk.add_parser("pemetaan", help="pemetaan kolom CSV yang disimpan admin").add_subparsers(
        dest="skm_mapping_command", metavar="PERINTAH", required=True
    )
    ss = sm.add_parser("simpan", help="simpan/ganti pemetaan: --kolom ISIAN=JUDUL …")
    ss.add_argument("nama", metavar="NAMA", help="nama pemetaan, mis. 'Google Form'")
    ss.add_argument(
        "--kolom",
        action="append",
        metavar="ISIAN=JUDUL",
        help='mis. --kolom tanggal=Timestamp --kolom u1="Persyaratan" (isian: '
        + ", ".join(CSV_FIELDS)
        + ")",
    )
    _user_option(ss, "admin; wajib")
    ss.set_defaults(func=cmd_mapping_save)
    sl = sm.add_parser("daftar", help="daftar pemetaan")
    sl.set_defaults(func=cmd_mapping_list)
    sd = sm.add_parser("hapus", help="hapus pemetaan")
    sd.add_argument("nama", metavar="NAMA", help="nama pemetaan yang dihapus")
    _user_option(sd, "admin; wajib")
    sd.set_defaults(func=cmd_mapping_delete)

    st = sk.add_parser(
        "tindak-lanjut",
        help="rencana tindak lanjut hasil survei satu periode (tanpa --baris: tampilkan)",
    )
    _period_options(st)
    st.add_argument("--baris", action="append", metavar="TEKS", help="satu rencana; ulangi")
    _user_option(st, "admin; wajib untuk menyimpan")
    st.set_defaults(func=cmd_follow_up)

    sr = sk.add_parser("ringkasan", help="ringkasan IKM satu halaman untuk diumumkan (.pdf)")
    _period_options(sr)
    sr.add_argument(
        "--layanan", "--service", dest="service", metavar="LAYANAN", help="satu layanan saja"
    )
    sr.add_argument(
        "-o",
        "--keluaran",
        "--output",
        dest="output",
        required=True,
        metavar="FILE",
        help="file PDF ringkasan",
    )
    sr.set_defaults(func=cmd_summary)


cli.EXTENSIONS.append(extend)
