"""Sub-command ``status-site`` (``build``, ``publish``) of the ``sipelayanan`` command.

Imported by :mod:`sipelayanan.cli` only for this command (``EXTENSION_COMMANDS``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .. import cli


def default_build_folder() -> Path:
    """This PC's build of the site (the app publishes from here)."""
    from ..data_folder import user_folder

    return user_folder() / "situs-status" / "situs"


def _progress(label: str) -> Any:
    show = sys.stderr.isatty()

    def report(done: int, total: int) -> None:
        if show and total:
            print(f"\r{label}: {100 * done // total}%", end="", file=sys.stderr, flush=True)

    return report


def build(db: Any, folder: Path, *, days: int | None = None, progress: Any = None) -> Any:
    from .build import build_site, ensure_salt

    with db.write() as session:  # the salt is generated once, on first use
        settings = ensure_salt(session)
    if days is not None:
        settings.days = days
    folder.mkdir(parents=True, exist_ok=True)
    with db.read() as session:
        return build_site(session, folder, settings, progress=progress)


def cmd_build(args: argparse.Namespace) -> int:
    from .build import check_output_folder

    folder = Path(args.output)
    check_output_folder(folder)
    if args.days is not None and not 1 <= args.days <= 366:
        from ..errors import InputError

        raise InputError("--hari harus antara 1 dan 366.", "days")
    db = cli.open_db(args)
    result = build(db, folder, days=args.days, progress=_progress("Menurunkan nama file"))
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(
        f"Situs status dibangun di {folder}: {result.published} permohonan "
        f"({result.written} ditulis, {result.removed} kedaluwarsa dihapus, {result.derived} "
        f"nama baru), {result.bytes / 1024:.0f} KiB, {result.seconds:.1f} detik."
    )
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from .build import get_site_settings
    from .publish import publish

    folder = Path(args.folder) if args.folder else default_build_folder()
    db = cli.open_db(args)
    with db.read() as session:
        settings = get_site_settings(session)
    if not settings.target.strip():
        from ..errors import InputError

        raise InputError(
            "Tujuan penerbitan situs status belum diatur (Admin ▸ Situs status).", "target"
        )
    built = build(db, folder)
    result = publish(
        folder, settings.target, key_file=settings.key_file, progress=_progress("Menerbitkan")
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(
        f"Situs status diterbitkan ke {result.target}: {result.sent} file dikirim, "
        f"{result.removed} dihapus ({built.published} permohonan), {result.seconds:.1f} detik."
    )
    return 0


def add_commands(sub: Any) -> None:
    site = sub.add_parser(
        "status-site",
        help="situs status untuk pemohon (statis, tanpa data pribadi)",
    ).add_subparsers(dest="site_command", metavar="AKSI", required=True, parser_class=cli.Parser)
    b = site.add_parser("build", help="bangun situs status ke sebuah folder")
    b.add_argument(
        "-o",
        "--keluaran",
        "--output",
        dest="output",
        required=True,
        metavar="FOLDER",
        help="folder situs (dibuat bila belum ada; cache nama file disimpan di sampingnya)",
    )
    b.add_argument(
        "--hari",
        "--days",
        dest="days",
        type=int,
        metavar="N",
        help="permohonan selesai/batal tetap tampil N hari (bawaan: pengaturan kantor, 30)",
    )
    b.set_defaults(func=cmd_build)
    p = site.add_parser(
        "publish", help="bangun lalu terbitkan situs status ke tujuan yang diatur di Admin"
    )
    p.add_argument(
        "--folder",
        dest="folder",
        metavar="FOLDER",
        help="folder bangun lokal (bawaan: folder data pengguna)",
    )
    p.set_defaults(func=cmd_publish)


if add_commands not in cli.EXTENSIONS:
    cli.EXTENSIONS.append(add_commands)
