"""``sipelayanan data-pribadi …``: a resident's data and its retention (UU 27/2022).

``ekspor --nik NIK -o FILE.zip`` gathers everything held about one NIK (admin; recorded);
``koreksi KODE --nama/--nik/--no-kk/--wa … --alasan T`` applies a correction request (admin;
recorded as a change of the request); ``nik KODE`` reveals one request's full NIK to a role the
office allows (recorded); ``retensi --uji`` shows what the retention schedule would purge and
how much space returns, ``retensi`` purges it (admin; recorded with counts).
Imported by :mod:`sipelayanan.cli` through ``cli.EXTENSIONS``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from . import cli
from .errors import InputError


def _admin(db: Any, args: argparse.Namespace) -> Any:
    if not args.user:
        raise InputError(
            "Perintah ini memuat atau mengubah data pribadi: tambahkan --pengguna NAMA (kata "
            "sandi dari standard input); tindakannya dicatat di log audit.",
            "pengguna",
        )
    return cli.acting_user(db, args).actor()


def cmd_ekspor(args: argparse.Namespace) -> int:
    from .identity import ValidationError, normalize_nik
    from .reports.cli import _check_folder, _write
    from .services.privacy import export_subject

    path = Path(args.output)
    if path.suffix.lower() != ".zip":
        raise InputError(f"Nama file keluaran harus berakhiran .zip (bukan '{path.name}').", "o")
    _check_folder(path)
    try:
        nik = normalize_nik(args.nik)
    except ValidationError as exc:
        raise InputError(str(exc), "nik") from exc
    db = cli.open_db(args)
    try:
        actor = _admin(db, args)
        with db.write() as session:
            result = export_subject(session, actor, nik, channel="cli")
    finally:
        db.dispose()
    _write(path, result.content)
    os.chmod(path, 0o600)
    print(
        f"Data pribadi disimpan ke {path}: {result.cases} permohonan, {result.files} berkas, "
        f"{result.accesses} catatan akses. Ekspor ini dicatat di log audit."
    )
    return 0


def cmd_koreksi(args: argparse.Namespace) -> int:
    from .services.privacy import correct_pemohon

    changes = {
        k: v
        for k, v in (("nama", args.nama), ("nik", args.nik), ("no_kk", args.no_kk), ("wa", args.wa))
        if v is not None
    }
    if not changes:
        raise InputError("Sebutkan data yang diperbaiki: --nama, --nik, --no-kk atau --wa.", "data")
    db = cli.open_db(args)
    try:
        actor = _admin(db, args)
        with db.write() as session:
            changed = correct_pemohon(session, actor, args.code, changes, alasan=args.alasan)
    finally:
        db.dispose()
    print(f"Data permohonan {cli.shown(args.code)} diperbaiki: {', '.join(changed)}.")
    return 0


def cmd_nik(args: argparse.Namespace) -> int:
    from .services.access import reveal_nik

    db = cli.open_db(args)
    try:
        actor = _admin(db, args)
        with db.write() as session:
            nik = reveal_nik(session, actor, args.code)
    finally:
        db.dispose()
    print(nik)
    return 0


def cmd_retensi(args: argparse.Namespace) -> int:
    from .services import retention
    from .services.berkas import human_size

    db = cli.open_db(args)
    try:
        if args.uji:
            with db.read() as session:
                result = retention.plan(session)
        else:
            actor = _admin(db, args)
            with db.write() as session:
                result = retention.purge(session, actor)
    finally:
        db.dispose()
    if not result.services:
        print("Jadwal retensi belum diatur (Admin ▸ Data pribadi): semua berkas disimpan.")
        return 0
    for s in result.services:
        print(
            f"{s.service}\tsimpan {s.years} tahun\tselesai sebelum {s.cutoff.date().isoformat()}"
            f"\t{s.files} berkas\t{human_size(s.bytes)}"
        )
    verb = "akan dihapus" if args.uji else "dihapus"
    print(
        f"Jumlah: {result.files} berkas {verb}, {human_size(result.bytes)} kembali. Permohonan, "
        "register dan log audit tetap disimpan."
        + ("" if args.uji else " Penghapusan ini dicatat di log audit.")
    )
    return 0


def extend(sub: Any) -> None:
    dp = sub.add_parser(
        "data-pribadi",
        help="data pribadi pemohon (UU 27/2022): ekspor, koreksi, NIK lengkap, retensi berkas",
    ).add_subparsers(dest="privacy_command", metavar="PERINTAH", required=True)

    def user_option(p: argparse.ArgumentParser, who: str = "ADMIN") -> None:
        p.add_argument(
            "--pengguna",
            "--user",
            dest="user",
            metavar=who,
            help=f"{who.lower()} yang bertindak (kata sandi dari standard input)",
        )

    de = dp.add_parser("ekspor", help="semua data tentang satu NIK sebagai ZIP (admin; dicatat)")
    de.add_argument("--nik", required=True, metavar="NIK", help="NIK pemilik data (16 digit)")
    de.add_argument("-o", "--output", required=True, metavar="FILE.zip", help="file ZIP keluaran")
    user_option(de)
    de.set_defaults(func=cmd_ekspor)

    dk = dp.add_parser("koreksi", help="perbaiki nama/NIK/No. KK/WhatsApp permohonan (admin)")
    dk.add_argument("code", metavar="KODE", help="kode pelacakan")
    dk.add_argument("--nama", metavar="NAMA", help="nama pemohon yang benar")
    dk.add_argument("--nik", metavar="NIK", help="NIK yang benar (16 digit)")
    dk.add_argument("--no-kk", dest="no_kk", metavar="NO", help="No. KK yang benar")
    dk.add_argument("--wa", metavar="NOMOR", help="nomor WhatsApp yang benar")
    dk.add_argument("--alasan", required=True, metavar="T", help="dasar perbaikan")
    user_option(dk)
    dk.set_defaults(func=cmd_koreksi)

    dn = dp.add_parser("nik", help="tampilkan NIK lengkap satu permohonan (peran yang diizinkan)")
    dn.add_argument("code", metavar="KODE", help="kode pelacakan")
    user_option(dn, "PENGGUNA")
    dn.set_defaults(func=cmd_nik)

    dr = dp.add_parser(
        "retensi", help="hapus isi berkas yang melewati masa simpan (--uji: hanya tampilkan)"
    )
    dr.add_argument("--uji", action="store_true", help="uji saja: apa yang akan dihapus")
    user_option(dr)
    dr.set_defaults(func=cmd_retensi)


cli.EXTENSIONS.append(extend)
