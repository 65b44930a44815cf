"""``case new`` for a complaint: what SP4N-LAPOR! records of it (channel, LAPOR! tracking
number, classification, service concerned, confidentiality), recorded by
:func:`sipelayanan.services.complaints.register` in one transaction.

Called by :func:`sipelayanan.cli.cmd_case_new` when the service is a complaint (or any of these
options is given); :func:`add_options` adds the options to ``case new``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from .errors import InputError
from .sop import ServiceDef

_OPTIONS = ("saluran", "klasifikasi", "nomor_lapor", "layanan_diadukan", "rahasia")


def add_options(parser: argparse.ArgumentParser) -> None:
    from .services.complaint_terms import CHANNELS, CLASSES

    group = parser.add_argument_group("pengaduan (Perpres 76/2013, SP4N-LAPOR!)")
    group.add_argument(
        "--saluran",
        choices=tuple(CHANNELS),
        help="saluran pengaduan: "
        + ", ".join(f"{k} = {v}" for k, v in CHANNELS.items())
        + " (bawaan: whatsapp)",
    )
    group.add_argument(
        "--klasifikasi",
        choices=tuple(CLASSES),
        help="klasifikasi: "
        + ", ".join(f"{k} = {v}" for k, v in CLASSES.items())
        + " (bawaan: pengaduan)",
    )
    group.add_argument(
        "--nomor-lapor",
        dest="nomor_lapor",
        metavar="NOMOR",
        help="nomor pelacakan SP4N-LAPOR! (wajib untuk --saluran lapor)",
    )
    group.add_argument(
        "--layanan-diadukan",
        dest="layanan_diadukan",
        metavar="LAYANAN",
        help="layanan yang diadukan (kode layanan, mis. KK)",
    )
    group.add_argument(
        "--rahasia",
        action="store_true",
        help="rahasiakan identitas pelapor (tidak tampil di pencarian, laporan dan rekap)",
    )


def given(args: argparse.Namespace) -> bool:
    """Whether any complaint option was given."""
    return any(getattr(args, name, None) for name in _OPTIONS)


def case_new(args: argparse.Namespace, db: Any, sdef: ServiceDef, berkas: Sequence[Any]) -> int:
    """Register a complaint from ``case new`` options; prints its tracking code."""
    from . import cli
    from .services import complaints

    if not sdef.is_complaint:
        raise InputError(
            f"--saluran, --klasifikasi, --nomor-lapor, --layanan-diadukan dan --rahasia hanya "
            f"untuk layanan pengaduan, bukan {sdef.code}.",
            "service",
        )
    if args.kurang:
        raise InputError(
            "Pengaduan yang berkasnya belum lengkap: daftarkan tanpa --teruskan, lalu "
            "`sipelayanan case return KODE --ke-pemohon --kurang …`.",
            "kurang",
        )
    data = complaints.NewComplaint(
        nama=args.nama,
        wa=args.wa,
        uraian=args.uraian,
        nik=args.nik,
        kecamatan=args.kecamatan,
        berkas=list(berkas),
        berkas_present=True,  # as for any service: the checklist complete unless --kurang
        receive_now=bool(getattr(args, "teruskan", False)),
        setuju_wa=bool(args.setuju_wa),
        facts=complaints.validate_facts(
            complaints.ComplaintFacts(
                channel=args.saluran or complaints.DEFAULT_CHANNEL,
                classification=args.klasifikasi or complaints.DEFAULT_CLASS,
                lapor_number=args.nomor_lapor,
                concerns=args.layanan_diadukan,
                rahasia=bool(args.rahasia),
            )
        ),
        service=sdef.code,
    )
    user = cli.acting_user(db, args)  # bad input is refused above, before the password
    with db.write() as session:
        done = complaints.register(session, user.actor(), data)
    print(cli.shown(done.ref.code))
    return 0
