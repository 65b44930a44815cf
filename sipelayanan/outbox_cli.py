"""``sipelayanan notifikasi …``: the WhatsApp notice outbox from the command line.

``kirim`` runs one sender round (for Task Scheduler: the Cloud API token comes from this PC's
keyring or ``SIPELAYANAN_WA_TOKEN``); ``status FILE`` applies delivery statuses saved from the
Cloud API's webhook (JSON); ``daftar`` lists notices (tracking code, kind, state — no name,
no number). Imported by :mod:`sipelayanan.cli` through ``cli.EXTENSIONS``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from . import cli
from .errors import InputError


def cmd_kirim(args: argparse.Namespace) -> int:
    from .services import outbox

    db = cli.open_db(args)
    try:
        report = outbox.run_sender(db, limit=args.batas)
        with db.read() as s:
            counts = outbox.state_counts(s)
    finally:
        db.dispose()
    print(
        f"Terkirim {report.sent}, dicoba lagi nanti {report.retried}, gagal {report.failed}, "
        f"mungkin terkirim {report.uncertain + report.recovered} ({report.seconds:.1f} detik)."
    )
    if report.message:
        print(report.message)
    waiting = counts.get(outbox.State.FAILED, 0) + counts.get(outbox.State.MANUAL, 0)
    if waiting:
        print(f"Belum terkirim (kirim manual): {waiting}.")
    if counts.get(outbox.State.UNCERTAIN, 0):
        print(f"Mungkin terkirim, menunggu keputusan petugas: {counts[outbox.State.UNCERTAIN]}.")
    return 2 if report.halted in ("token", "no_token") else 0


def cmd_status(args: argparse.Namespace) -> int:
    from .services import outbox

    path = Path(args.file)
    try:
        payload: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"File {path} tidak ada.", "file") from None
    except (OSError, UnicodeDecodeError, ValueError):
        raise InputError(
            f"File {path} bukan JSON status pengiriman WhatsApp yang dapat dibaca.", "file"
        ) from None
    db = cli.open_db(args)
    try:
        with db.write() as s:
            applied, seen = outbox.import_statuses(s, payload)
    finally:
        db.dispose()
    print(f"{seen} status dibaca, {applied} pemberitahuan diperbarui.")
    return 0


def cmd_daftar(args: argparse.Namespace) -> int:
    from .reports import text as fmt
    from .services import outbox

    db = cli.open_db(args)
    try:
        with db.read() as s:
            rows = outbox.list_notices(s, limit=args.batas)
    finally:
        db.dispose()
    for r in rows:
        print(
            f"{r.id}\t{r.code}\t{r.kind_label}\t{r.state_label}\t"
            f"{fmt.tanggal_jam_angka(r.created_at)}\t{r.error or ''}"
        )
    return 0


def extend(sub: Any) -> None:
    nt = sub.add_parser(
        "notifikasi",
        help="pemberitahuan WhatsApp ke pemohon (antrean, pengiriman WhatsApp Business)",
    ).add_subparsers(dest="notice_command", metavar="PERINTAH", required=True)
    nk = nt.add_parser(
        "kirim",
        help="kirim pemberitahuan yang menunggu lewat WhatsApp Business (untuk Task Scheduler)",
    )
    nk.add_argument("--batas", type=int, default=100, metavar="N", help="paling banyak N pesan")
    nk.set_defaults(func=cmd_kirim)
    ns = nt.add_parser("status", help="terapkan status pengiriman dari webhook (file JSON)")
    ns.add_argument("file", metavar="FILE", help="isi webhook WhatsApp (JSON)")
    ns.set_defaults(func=cmd_status)
    nd = nt.add_parser("daftar", help="daftar pemberitahuan (kode, jenis, keadaan)")
    nd.add_argument("--batas", type=int, default=100, metavar="N", help="paling banyak N baris")
    nd.set_defaults(func=cmd_daftar)


cli.EXTENSIONS.append(extend)
