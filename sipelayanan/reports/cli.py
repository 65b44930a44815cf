"""Sub-commands ``receipt``, ``report`` and ``status`` of the ``sipelayanan`` command.

Imported by :mod:`sipelayanan.cli`, which calls :func:`add_commands` through ``EXTENSIONS``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .. import cli
from ..errors import InputError


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a failure never leaves half a file behind."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"Tidak dapat menyimpan {path}: {reason}.", "output") from exc


def _check_folder(path: Path) -> None:
    """Refuse an output folder that does not exist before any work is done."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(
            f"Folder {folder} tidak ada; pilih folder lain untuk {path.name}.", "output"
        )
    if path.is_dir():
        raise InputError(f"{path} adalah folder; tuliskan nama file keluaran.", "output")


def _format_of(path: Path, allowed: tuple[str, ...]) -> str:
    _check_folder(path)
    ext = path.suffix.lower().lstrip(".")
    if ext not in allowed:
        wanted = " atau ".join("." + a for a in allowed)
        raise InputError(
            f"Nama file keluaran harus berakhiran {wanted} (bukan '{path.name}').", "output"
        )
    return ext


#: Reports that list pemohon or pelapor by name: reading them needs a login, which is recorded.
PERSONAL_DATA_REPORTS = frozenset({"register", "pengaduan"})


def _actor(db: Any, args: argparse.Namespace, *, required: bool = False) -> Any:
    if not args.user:
        if required:
            raise InputError(
                "Dokumen ini memuat data pribadi: tambahkan --user USERNAME (kata sandi dari "
                "standard input); pencetakannya dicatat di log audit.",
                "user",
            )
        return None
    return cli.acting_user(db, args).actor()


def _size(data: bytes) -> str:
    from .text import angka

    return f"{angka(len(data) / 1024, 0)} KiB" if len(data) >= 1024 else f"{len(data)} byte"


def cmd_receipt(args: argparse.Namespace) -> int:
    from . import receipt

    path = Path(args.output)
    fmt = _format_of(path, ("pdf", "png"))
    db = cli.open_db(args)
    actor = _actor(db, args, required=True)
    with db.write() as session:
        data = receipt(session, args.code, fmt, actor=actor)  # type: ignore[arg-type]
    _write(path, data)
    print(f"Tanda terima disimpan ke {path} ({_size(data)}).")
    return 0


def _today() -> date:
    from ..calendar import WIB

    return datetime.now(WIB).date()


def cmd_report(args: argparse.Namespace) -> int:
    from . import PERIODLESS, REPORT_FORMATS, REPORT_LABELS, report

    if args.kind == "skm":
        from ..skm_cli import cmd_report_skm

        return cmd_report_skm(args)
    if args.json or not args.output:
        raise InputError("Tuliskan file keluaran: -o FILE (--json hanya untuk laporan skm).")
    path = Path(args.output)
    fmt = _format_of(path, REPORT_FORMATS[args.kind])
    if args.kind in PERIODLESS:
        date_from = args.date_from or _today()
        date_to = args.date_to or date_from
    else:
        if args.date_from is None or args.date_to is None:
            raise InputError(
                "Isi periode laporan: --dari YYYY-MM-DD --sampai YYYY-MM-DD.", "period"
            )
        date_from, date_to = args.date_from, args.date_to
    db = cli.open_db(args)
    actor = _actor(db, args, required=args.kind in PERSONAL_DATA_REPORTS)
    show = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if show:
            print(
                f"\r{REPORT_LABELS[args.kind]}: {100 * done // total}%",
                end="",
                file=sys.stderr,
                flush=True,
            )

    with db.write() as session:
        data = report(
            session,
            args.kind,
            date_from,
            date_to,
            service=args.service,
            fmt=fmt,  # type: ignore[arg-type]
            actor=actor,
            progress=progress,
        )
    if show:
        print(file=sys.stderr)
    _write(path, data)
    print(f"{REPORT_LABELS[args.kind]} disimpan ke {path} ({_size(data)}).")
    return 0


def add_commands(sub: Any) -> None:
    from . import REPORT_KINDS, REPORT_LABELS

    def user_option(p: argparse.ArgumentParser, when: str = "wajib") -> None:
        p.add_argument(
            "--pengguna",
            "--user",
            dest="user",
            metavar="USERNAME",
            help=f"petugas yang mencetak, dicatat di log audit (kata sandi dari standard "
            f"input); {when}",
        )

    rc = sub.add_parser("receipt", help="cetak tanda terima permohonan (.pdf A5 atau .png)")
    rc.add_argument("code", metavar="KODE", help="kode pelacakan")
    rc.add_argument(
        "-o",
        "--keluaran",
        "--output",
        dest="output",
        required=True,
        metavar="FILE",
        help="file keluaran: .pdf (untuk dicetak) atau .png (untuk WhatsApp)",
    )
    user_option(rc)
    rc.set_defaults(func=cmd_receipt)

    kinds = "; ".join(f"{k} = {REPORT_LABELS[k]}" for k in REPORT_KINDS)
    rp = sub.add_parser(
        "report",
        help="buat laporan/register (.pdf atau .xlsx)",
        description=f"Jenis laporan: {kinds}.",
    )
    rp.add_argument(
        "kind",
        metavar="JENIS",
        choices=REPORT_KINDS,
        help=", ".join(REPORT_KINDS[:-1]) + " atau " + REPORT_KINDS[-1],
    )
    rp.add_argument(
        "--dari",
        "--from",
        dest="date_from",
        type=cli._date,
        metavar="YYYY-MM-DD",
        help="tanggal awal periode (WIB)",
    )
    rp.add_argument(
        "--sampai",
        "--to",
        dest="date_to",
        type=cli._date,
        metavar="YYYY-MM-DD",
        help="tanggal akhir periode, ikut dihitung",
    )
    rp.add_argument(
        "--layanan",
        "--service",
        dest="service",
        metavar="LAYANAN",
        help="hanya satu layanan: KK, SKPWNI, KTP_EL, KIA, AKTA_LAHIR, AKTA_MATI, "
        "PENGADUAN (bawaan: semua); juga untuk standar (A4 per layanan)",
    )
    rp.add_argument(
        "-o",
        "--keluaran",
        "--output",
        dest="output",
        metavar="FILE",
        help="file keluaran: .pdf, atau .xlsx untuk register, rekap, kinerja, pengaduan dan skm",
    )
    rp.add_argument(
        "--json",
        action="store_true",
        help="skm: cetak angka IKM sebagai JSON (tanpa -o)",
    )
    user_option(rp, "wajib untuk " + " dan ".join(sorted(PERSONAL_DATA_REPORTS)))
    rp.set_defaults(func=cmd_report)


if add_commands not in cli.EXTENSIONS:
    cli.EXTENSIONS.append(add_commands)
