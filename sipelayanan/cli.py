"""The ``sipelayanan`` command: the desktop app by default, plus automation sub-commands.

Exit status: 0 on success, 2 on bad input or a refused action (one line in Bahasa Indonesia on
standard error, never a traceback), 3 when the database cannot be reached, 1 on a fault (logged).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from types import ModuleType
from typing import Any, NoReturn

from . import __version__
from .errors import DatabaseUnavailable, InputError, SipelayananError

log = logging.getLogger("sipelayanan.cli")

# argparse's own phrases, in Bahasa Indonesia.
_ARGPARSE_ID = {
    "usage: ": "penggunaan: ",
    "options": "opsi",
    "positional arguments": "argumen posisi",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "the following arguments are required: %s": "argumen wajib belum diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "expected one argument": "butuh satu nilai",
    "expected at least one argument": "butuh sedikitnya satu nilai",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "pilihan tidak sah: %(value)r (pilih dari %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak sah: %(value)r",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
    "one of the arguments %s is required": "salah satu argumen %s wajib diisi",
    "%(prog)s: error: %(message)s\n": "%(prog)s: kesalahan: %(message)s\n",
    "show program's version number and exit": "tampilkan versi program lalu keluar",
}


def _argparse_tr(text: str) -> str:
    return _ARGPARSE_ID.get(text, text)


argparse._ = _argparse_tr  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: kesalahan: {message}\n")


class UsageError(SipelayananError):
    pass


# --------------------------------------------------------------------------- helpers


def read_password(prompt: str = "Kata sandi: ", *, confirm: bool = False) -> str:
    """From standard input when it is not a terminal (first line), else a hidden prompt."""
    if not sys.stdin.isatty():
        try:
            line = sys.stdin.readline()
            if _has_surrogates(line):  # read with surrogateescape under a C/POSIX locale
                raise UnicodeDecodeError("utf-8", b"", 0, 1, "not UTF-8")
        except UnicodeDecodeError:
            raise InputError(
                "Kata sandi di standard input berisi karakter yang tidak sah (bukan teks UTF-8).",
                "password",
            ) from None
        if not line:
            raise InputError("Kata sandi tidak diberikan di standard input.", "password")
        return line.rstrip("\r\n")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Ulangi kata sandi: ") != first:
        raise InputError("Kedua kata sandi tidak sama.", "password")
    return first


def open_db(args: argparse.Namespace, *, migrate: bool = True) -> Any:
    from .data_folder import ENV_DB
    from .db_open import open_database

    # A mistyped --db must not silently create a folder and an empty office; the default
    # location (or the installer's choice) and 'db upgrade' create what they need.
    explicit = args.db or os.environ.get(ENV_DB)
    creates = not explicit or getattr(args, "func", None) is cmd_db_upgrade
    return open_database(explicit or None, create_folder=creates, migrate=migrate)


def login(db: Any, username: str, password: str) -> Any:
    from .services.login import login as log_in

    return log_in(db, username, password)  # a failed attempt is committed, then raised


def acting_user(db: Any, args: argparse.Namespace) -> Any:
    return login(db, args.user, read_password(f"Kata sandi {args.user}: "))


def admin_actor(db: Any, args: argparse.Namespace) -> Any:
    """The logged-in admin for user management (``--user``). Without ``--user`` this is allowed
    only while the office has no active admin yet — to create the very first one."""
    from .services.users import needs_first_admin

    if args.user:
        return acting_user(db, args).actor()
    with db.read() as session:
        if needs_first_admin(session):
            return None
    raise UsageError(
        "Perintah ini hanya untuk admin: tambahkan --user ADMIN (kata sandi admin dibaca dari "
        "standard input)."
    )


def shown(code: str) -> str:
    """A tracking code as printed everywhere (receipt, messages, windows): ``ABCD-EFGH3``."""
    from .identity import format_tracking_code

    return format_tracking_code(code)


def fmt_dt(value: Any) -> str:
    from .calendar import WIB

    return value.astimezone(WIB).strftime("%d-%m-%Y %H:%M") if value else "-"


# --------------------------------------------------------------------------- commands


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from .migrate import current_revision

    db = open_db(args, migrate=False)
    db.upgrade()
    print(f"Basis data mutakhir (revisi {current_revision(db.engine)}).")
    return 0


def cmd_sop_list(args: argparse.Namespace) -> int:
    from .sop import ROLES, services

    data: list[dict[str, Any]] = []
    for sdef in services().values():
        steps = []
        for s in sdef.steps:
            moves = [
                {"kind": m.kind, **({"to": m.to} if m.to is not None else {})} for m in s.moves
            ]
            steps.append(
                {
                    "no": s.no,
                    "activity": s.activity,
                    "actor_label": s.actor_label,
                    "role": s.role,
                    "minutes": s.minutes,
                    "needs": s.needs,
                    "output": s.output,
                    "moves": moves,
                    "assigns_register": s.assigns_register,
                    "records": list(s.records),
                }
            )
        data.append(
            {
                "code": sdef.code,
                "name": sdef.name,
                "short_name": sdef.short_name,
                "sop_number": sdef.sop_number,
                "version": sdef.version,
                "wa_number": sdef.wa_number,
                "standard_working_days": sdef.standard_working_days,
                "total_minutes": sdef.total_minutes,
                "steps": steps,
                "requirements": [
                    {
                        "key": r.key,
                        "label": r.label,
                        "required": r.required,
                        "condition": r.condition,
                        "alternative_group": r.alternative_group,
                        "source": r.source,
                    }
                    for r in sdef.requirements
                ],
            }
        )
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for svc in data:
        print(
            f"{svc['code']:<11} {svc['name']} — SOP {svc['sop_number']}, "
            f"{svc['total_minutes']} menit, WA {svc['wa_number'] or '-'}"
        )
        for s in svc["steps"]:
            print(f"  {s['no']:>2}. [{ROLES[s['role']]}, {s['minutes']} mnt] {s['activity']}")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from .services.users import create_user

    db = open_db(args)
    actor = admin_actor(db, args)
    password = read_password(f"Kata sandi untuk {args.username}: ", confirm=True)
    with db.write() as session:
        info = create_user(
            session,
            username=args.username,
            full_name=args.name,
            password=password,
            roles=args.role,
            nip=args.nip,
            actor=actor,
        )
    print(f"Pengguna {info.username} dibuat dengan peran: {', '.join(info.roles)}.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from .services.users import list_users, require_admin

    db = open_db(args)
    actor = admin_actor(db, args)
    with db.read() as session:
        if actor is not None:
            require_admin(session, actor)
        users = list_users(session)
    for u in users:
        state = "aktif" if u.active else "nonaktif"
        print(f"{u.username:<16} {u.full_name:<32} {','.join(u.roles):<40} {state}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from .services.users import set_password

    db = open_db(args)
    # An admin sets anyone's password; a user may change their own (--user NAMA_SENDIRI).
    actor = admin_actor(db, args)
    password = read_password(f"Kata sandi baru untuk {args.username}: ", confirm=True)
    with db.write() as session:
        set_password(session, args.username, password, actor=actor)
    print(f"Kata sandi {args.username} diganti.")
    return 0


def cmd_user_active(args: argparse.Namespace) -> int:
    from .services.users import update_user

    db = open_db(args)
    actor = admin_actor(db, args)
    with db.write() as session:
        update_user(session, args.username, active=args.active, actor=actor)
    print(f"Pengguna {args.username} {'diaktifkan' if args.active else 'dinonaktifkan'}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import DEMO_PASSWORD, DEMO_USERS, load_demo

    db = open_db(args)
    actor = acting_user(db, args).actor() if args.user else None
    summary = load_demo(db, count=args.jumlah, seed=args.seed, actor=actor, tambah=args.tambah)
    print(f"Data demo dimuat: {summary.cases} permohonan, {summary.users_created} pengguna baru.")
    print(f"Pengguna demo (kata sandi semuanya '{DEMO_PASSWORD}'):")
    for username, full_name, roles in DEMO_USERS:
        print(f"  {username:<12} {full_name:<28} {', '.join(roles)}")
    return 0


def _berkas(paths: Sequence[str] | None, db: Any) -> list[Any]:
    from .services.berkas import read_file
    from .services.office import get_profile

    if not paths:
        return []
    with db.read() as session:
        limit = get_profile(session).max_attachment_bytes
    return [read_file(p, max_bytes=limit) for p in paths]


def cmd_case_new(args: argparse.Namespace) -> int:
    from .services import actions
    from .services.cases import IntakeData, service_def

    db = open_db(args)
    sdef = service_def(args.service)
    berkas = _berkas(args.berkas, db)
    from . import complaints_cli

    if sdef.is_complaint or complaints_cli.given(args):
        return complaints_cli.case_new(args, db, sdef, berkas)
    present = None
    if args.kurang:
        keys = {r.key for r in sdef.requirements}
        unknown = set(args.kurang) - keys
        if unknown:
            raise InputError(
                f"Butir persyaratan tidak dikenal: {', '.join(sorted(unknown))}. "
                f"Pilihan: {', '.join(sorted(keys))}.",
                "kurang",
            )
        present = keys - set(args.kurang)
    data = IntakeData(
        service=sdef.code,
        nama=args.nama,
        nik=args.nik,
        wa=args.wa,
        no_kk=args.kk,
        kecamatan=args.kecamatan,
        conditions=args.kondisi or (),
        present=present,
        uraian=args.uraian,
        berkas=berkas,
        setuju_wa=args.setuju_wa,
    )
    from .services.cases import validate_intake

    validate_intake(data)  # bad fields are refused before a password is asked
    # --kurang: recorded and returned to the pemohon in one transaction; --teruskan: intake
    # finishes the SOP's first step itself (as the Penerimaan page does)
    inp = actions.ReceiveInput(
        data,
        return_to_pemohon=bool(args.kurang),
        missing=list(args.kurang or ()),
        finish_first_step=bool(args.teruskan),
    )
    user = acting_user(db, args)
    with db.write() as session:
        result = actions.receive(session, user.actor(), inp)
    print(shown(result.code))
    return 0


def cmd_case_show(args: argparse.Namespace) -> int:
    from .identity import ValidationError, normalize_tracking_code
    from .services.access import view_case

    try:
        normalize_tracking_code(args.code)  # a mistyped code is refused before the password
    except ValidationError as exc:
        raise InputError(str(exc), "kode") from exc
    db = open_db(args)
    user = acting_user(db, args)
    with db.write() as session:  # the view of personal data is recorded (UU 27/2022)
        view = view_case(session, user.actor(), args.code, channel="cli")
    if args.json:
        data = view.to_json()
        data["code"] = shown(view.code)  # one printed form of a code everywhere
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"Kode       : {shown(view.code)}  ({view.service_name}, SOP versi {view.sop_version})")
    print(f"Status     : {view.status_label}; langkah {view.current_step}: {view.current_activity}")
    print(f"Pemohon    : {view.pemohon_nama}  NIK {view.nik_masked or '-'}  WA {view.wa}")
    print(
        f"Diterima   : {fmt_dt(view.received_at)} WIB   Batas: {fmt_dt(view.due_at)} WIB"
        + (f"   Selesai: {fmt_dt(view.finished_at)} WIB" if view.finished_at else "")
    )
    if view.register_number:
        print(f"Register   : {view.register_number}")
    if view.queue_number:
        print(f"Antrian    : {view.queue_number}")
    for kind, number in view.documents:
        print(f"Dokumen    : {kind} {number}")
    if view.delivery:
        d = view.delivery
        what = f"PT POS resi {d['resi']}" if d["method"] == "pos" else f"diambil {d['recipient']}"
        print(f"Penyerahan : {what} ({fmt_dt(d['delivered_at'])})")
    if view.missing_items:
        print("Kekurangan : " + "; ".join(view.missing_items))
    print("Riwayat:")
    for h in view.history:
        extra = f" → langkah {h.to_step}" if h.to_step else ""
        note = f" — {h.note}" if h.note else ""
        print(
            f"  {fmt_dt(h.ended_at)}  langkah {h.step_no}: {h.action_label}{extra} oleh "
            f"{h.username} ({h.working_minutes:.0f}/{h.standard_minutes} mnt){note}"
        )
    return 0


def cmd_case_advance(args: argparse.Namespace) -> int:
    from .services import actions

    inp = actions.CompleteInput(
        expected_version=args.versi,
        expected_step=args.langkah,
        note=args.note,
        nomor_dokumen=args.nomor_dokumen,
        resi=args.resi,
        penerima=args.penerima,
        solusi=args.solusi,
    )
    db = open_db(args)
    user = acting_user(db, args)
    with db.write() as session:
        result = actions.complete_step(session, user.actor(), args.code, inp)
    _print_ref(result)
    return 0


def _print_ref(ref: Any) -> None:
    from .models import CaseStatus

    if ref.status == CaseStatus.PROSES:
        print(f"{shown(ref.code)}: sekarang di langkah {ref.current_step}.")
    else:
        print(f"{shown(ref.code)}: {CaseStatus.LABELS[ref.status]}.")


def cmd_case_return(args: argparse.Namespace) -> int:
    from .services import actions

    if args.to_pemohon and not args.missing:
        raise UsageError("--ke-pemohon butuh sedikitnya satu --kurang BUTIR.")
    db = open_db(args)
    user = acting_user(db, args)
    with db.write() as session:
        if args.to_pemohon:
            ref = actions.return_to_pemohon(
                session,
                user.actor(),
                args.code,
                actions.ReturnToPemohonInput(
                    missing=args.missing, note=args.reason, expected_version=args.versi
                ),
            )
        else:
            ref = actions.return_to_step(
                session,
                user.actor(),
                args.code,
                actions.ReturnInput(
                    to_step=args.to_step, reason=args.reason, expected_version=args.versi
                ),
            )
    if args.to_pemohon:
        print(f"{shown(ref.code)}: dikembalikan ke pemohon; menunggu kelengkapan berkas.")
    else:
        _print_ref(ref)
    return 0


def cmd_case_resubmit(args: argparse.Namespace) -> int:
    from .services import actions

    db = open_db(args)
    berkas = _berkas(args.berkas, db)
    user = acting_user(db, args)
    inp = actions.ResubmitInput(berkas=berkas, note=args.note)
    with db.write() as session:
        ref = actions.resubmit(session, user.actor(), args.code, inp)
    _print_ref(ref)
    return 0


def cmd_case_close(args: argparse.Namespace) -> int:
    from .services import actions

    db = open_db(args)
    user = acting_user(db, args)
    with db.write() as session:
        ref = actions.close_simple(
            session, user.actor(), args.code, actions.CloseInput(solusi=args.solusi)
        )
    _print_ref(ref)
    return 0


def cmd_case_cancel(args: argparse.Namespace) -> int:
    from .services import actions

    db = open_db(args)
    user = acting_user(db, args)
    with db.write() as session:
        ref = actions.cancel(
            session, user.actor(), args.code, actions.CancelInput(reason=args.reason)
        )
    _print_ref(ref)
    return 0


def cmd_case_record(args: argparse.Namespace) -> int:
    """After the SOP: the SIAK number, or the hand-over after the notify step (who collected,
    or the PT POS resi) - the request then leaves the "Siap diambil" list."""
    from .services import actions

    if not (args.nomor_dokumen or args.resi or args.penerima):
        raise UsageError("Isi --nomor-dokumen, --resi atau --penerima.")
    if args.resi and args.penerima:
        raise UsageError("Isi --resi (dikirim PT POS) atau --penerima (diambil), bukan keduanya.")
    inp = actions.CollectionInput(
        penerima=args.penerima, resi=args.resi, nomor_dokumen=args.nomor_dokumen
    )
    db = open_db(args)
    user = acting_user(db, args)
    with db.write() as session:
        actions.record_collection(session, user.actor(), args.code, inp)
    print(f"{shown(args.code)}: dicatat.")
    return 0


def cmd_case_ready(args: argparse.Namespace) -> int:
    """The "Siap diambil" list: told their document is ready, not yet collected."""
    from .services.collection import ready_for_collection

    db = open_db(args)
    acting_user(db, args)
    with db.read() as session:
        rows = ready_for_collection(session)
    if args.json:
        data = [
            {
                "code": shown(r.code),
                "service": r.service,
                "ready_at": r.ready_at.isoformat(timespec="seconds"),
                "hand_over_default": r.hand_over_default,
            }
            for r in rows
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("Tidak ada dokumen yang menunggu diambil.")
    for r in rows:
        via = "PT POS" if r.hand_over_default == "pos" else "diambil"
        since = fmt_dt(r.ready_at)
        print(f"{shown(r.code)}  {r.service_name:<22} diberi tahu {since} WIB  ({via})")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from .services.audit import parse_anchor, verify

    anchors = tuple(parse_anchor(a) for a in args.jangkar or ())
    db = open_db(args)
    with db.read() as session:
        result = verify(session, anchors=anchors)
    if result.ok:
        print(f"Log audit utuh: {result.entries} entri diperiksa.")
        print(f"Jangkar (catat untuk pemeriksaan berikutnya): {result.anchor}")
        return 0
    print(
        f"Log audit TIDAK utuh: {result.problem} (entri pertama yang bermasalah: "
        f"nomor {result.first_bad_seq})."
    )
    return 4


def cmd_audit_restore_head(args: argparse.Namespace) -> int:
    from .services.audit import restore_head

    db = open_db(args)
    password = read_password(f"Kata sandi {args.user}: ")
    with db.write() as session:  # a login cannot be recorded before the head is back
        result = restore_head(session, args.user, password)
    print(f"Kepala rantai log audit dipulihkan: {result.entries} entri utuh.")
    return 0


def cmd_self_test(args: argparse.Namespace) -> int:
    from .selftest import run_self_test

    return run_self_test()


def cmd_gui(args: argparse.Namespace) -> int:
    from .instance import quick_hand_over

    if quick_hand_over():  # already open in this session: that window came to the front
        return 0  # (asked without Qt or the app's modules, so a second start ends at once)
    from .ui.app import run

    return run(args.db)


# --------------------------------------------------------------------------- parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"tanggal harus YYYY-MM-DD, bukan '{text}'") from None


CODE_HELP = "kode pelacakan pada tanda terima, mis. ABCD-EFGH3 (tanda minus boleh tidak ditulis)"


def build_parser() -> Parser:
    p = Parser(
        prog="sipelayanan",
        description="SiPelayanan — pelayanan online WhatsApp Disdukcapil Kabupaten Way Kanan. "
        "Tanpa sub-perintah: membuka aplikasi desktop.",
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"SiPelayanan {__version__}",
        help="tampilkan versi lalu keluar",
    )
    p.add_argument(
        "--self-test",
        action="store_true",
        help="uji mandiri tanpa layar: basis data sementara, satu permohonan, tanda "
        "terima dan QR-nya; mencetak SELF-TEST OK",
    )
    p.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="basis data: sqlite:///FILE atau postgresql://USER@HOST/DB "
        "(bawaan: $SIPELAYANAN_DB, pilihan saat instalasi, atau file SQLite di folder data PC)",
    )
    sub = p.add_subparsers(dest="command", metavar="PERINTAH", parser_class=Parser)

    db = sub.add_parser("db", help="kelola basis data").add_subparsers(
        dest="db_command", metavar="PERINTAH", required=True, parser_class=Parser
    )
    db.add_parser("upgrade", help="buat/perbarui skema basis data (migrasi)").set_defaults(
        func=cmd_db_upgrade
    )

    sop = sub.add_parser("sop", help="definisi SOP").add_subparsers(
        dest="sop_command", metavar="PERINTAH", required=True, parser_class=Parser
    )
    sl = sop.add_parser("list", help="daftar layanan dan langkah SOP")
    sl.add_argument("--json", action="store_true", help="keluaran JSON")
    sl.set_defaults(func=cmd_sop_list)

    def admin_option(sp: argparse.ArgumentParser, *, own: bool = False) -> None:
        extra = "; atau pengguna itu sendiri untuk kata sandinya" if own else ""
        sp.add_argument(
            "--pengguna",
            "--user",
            dest="user",
            metavar="ADMIN",
            help="admin yang bertindak, kata sandinya baris pertama standard input (wajib, "
            f"kecuali untuk membuat admin pertama pada basis data kosong){extra}",
        )

    user = sub.add_parser("user", help="kelola pengguna (admin)").add_subparsers(
        dest="user_command", metavar="PERINTAH", required=True, parser_class=Parser
    )
    ua = user.add_parser("add", help="tambah pengguna (kata sandi dibaca dari standard input)")
    ua.add_argument("username", metavar="USERNAME", help="nama pengguna (login)")
    ua.add_argument(
        "--nama", "--name", dest="name", required=True, metavar="NAMA", help="nama lengkap"
    )
    ua.add_argument(
        "--peran",
        "--role",
        dest="role",
        required=True,
        action="append",
        metavar="PERAN",
        help="peran (boleh berulang): operator_online, operator, kasi, kabid, "
        "kadis, petugas_penyerahan, petugas_aduan, pejabat_aduan, tim_aduan, admin",
    )
    ua.add_argument("--nip", help="NIP (opsional)")
    admin_option(ua)
    ua.set_defaults(func=cmd_user_add)
    ul = user.add_parser("list", help="daftar pengguna")
    admin_option(ul)
    ul.set_defaults(func=cmd_user_list)
    up = user.add_parser(
        "passwd",
        help="ganti kata sandi (dibaca dari standard input, setelah kata sandi --user)",
    )
    up.add_argument("username", metavar="USERNAME", help="nama pengguna (login)")
    admin_option(up, own=True)
    up.set_defaults(func=cmd_user_passwd)
    for name, active, text in (
        ("deactivate", False, "nonaktifkan"),
        ("activate", True, "aktifkan"),
    ):
        ud = user.add_parser(name, help=f"{text} pengguna")
        ud.add_argument("username", metavar="USERNAME", help="nama pengguna (login)")
        admin_option(ud)
        ud.set_defaults(func=cmd_user_active, active=active)

    demo = sub.add_parser("demo", help="muat pengguna dan permohonan contoh untuk mencoba")
    demo.add_argument("--jumlah", type=int, default=300, help="jumlah permohonan (bawaan 300)")
    demo.add_argument(
        "--benih", "--seed", dest="seed", type=int, default=2022, help="benih acak (bawaan 2022)"
    )
    demo.add_argument(
        "--tambah",
        action="store_true",
        help="tambahkan permohonan contoh walau basis data sudah berisi permohonan",
    )
    demo.add_argument(
        "--pengguna",
        "--user",
        dest="user",
        metavar="ADMIN",
        help="admin yang memuat data demo (wajib bila basis data sudah memiliki admin)",
    )
    demo.set_defaults(func=cmd_demo)

    case = sub.add_parser("case", help="permohonan/pengaduan").add_subparsers(
        dest="case_command", metavar="PERINTAH", required=True, parser_class=Parser
    )

    def acting(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--pengguna",
            "--user",
            dest="user",
            required=True,
            metavar="USERNAME",
            help="petugas yang bertindak (kata sandi dibaca dari standard input)",
        )

    cn = case.add_parser("new", help="catat permohonan baru; mencetak kode pelacakan")
    cn.add_argument(
        "--layanan",
        "--service",
        dest="service",
        required=True,
        metavar="LAYANAN",
        help="KK, SKPWNI, KTP_EL, KIA, AKTA_LAHIR, AKTA_MATI atau PENGADUAN",
    )
    cn.add_argument("--nama", required=True, metavar="NAMA", help="nama pemohon/pelapor")
    cn.add_argument("--nik", metavar="NIK", help="NIK pemohon (16 digit)")
    cn.add_argument("--wa", required=True, metavar="NOMOR", help="nomor WhatsApp pemohon")
    cn.add_argument("--kk", metavar="NO", help="nomor KK (16 digit)")
    cn.add_argument("--kecamatan", metavar="KODE", help="kode kecamatan Way Kanan, mis. 18.08.01")
    cn.add_argument(
        "--kondisi",
        action="append",
        metavar="KUNCI",
        help="kondisi persyaratan, mis. anak_lebih_5_tahun (boleh berulang)",
    )
    cn.add_argument(
        "--kurang",
        action="append",
        metavar="BUTIR",
        help="butir persyaratan yang belum ada (bawaan: semua lengkap)",
    )
    cn.add_argument("--uraian", metavar="TEKS", help="uraian (pengaduan) atau catatan")
    cn.add_argument("--berkas", nargs="+", metavar="FILE", help="berkas (gambar atau PDF)")
    cn.add_argument(
        "--setuju-wa",
        action="store_true",
        help="pemohon setuju menerima pemberitahuan WhatsApp otomatis dari nomor kantor",
    )
    cn.add_argument(
        "--teruskan",
        action="store_true",
        help="berkas lengkap: selesaikan langkah 1 sekaligus (seperti halaman Penerimaan)",
    )
    from . import complaints_cli

    complaints_cli.add_options(cn)
    acting(cn)
    cn.set_defaults(func=cmd_case_new)

    cs = case.add_parser("show", help="tampilkan permohonan (dicatat di log akses)")
    cs.add_argument("code", metavar="KODE", help=CODE_HELP)
    acting(cs)
    cs.add_argument("--json", action="store_true", help="keluaran JSON")
    cs.set_defaults(func=cmd_case_show)

    ca = case.add_parser("advance", help="selesaikan langkah sekarang dan teruskan")
    ca.add_argument("code", metavar="KODE", help=CODE_HELP)
    acting(ca)
    ca.add_argument("--catatan", "--note", dest="note", metavar="TEKS", help="catatan")
    ca.add_argument("--nomor-dokumen", metavar="NO", help="nomor dokumen dari SIAK")
    ca.add_argument("--resi", metavar="NO", help="nomor resi PT POS")
    ca.add_argument("--penerima", metavar="NAMA", help="nama yang mengambil dokumen")
    ca.add_argument("--solusi", metavar="TEKS", help="solusi pengaduan")
    ca.add_argument(
        "--versi",
        type=int,
        metavar="N",
        help="tolak bila versi permohonan bukan N (cegah tabrakan)",
    )
    ca.add_argument(
        "--langkah", type=int, metavar="N", help="tolak bila permohonan tidak di langkah N"
    )
    ca.set_defaults(func=cmd_case_advance)

    cr = case.add_parser("return", help="kembalikan ke langkah sebelumnya atau ke pemohon")
    cr.add_argument("code", metavar="KODE", help=CODE_HELP)
    acting(cr)
    cr.add_argument(
        "--alasan", "--reason", dest="reason", required=True, metavar="TEKS", help="alasan/koreksi"
    )
    where = cr.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--ke-langkah", "--to-step", dest="to_step", type=int, metavar="N", help="ke langkah N"
    )
    where.add_argument(
        "--ke-pemohon",
        "--to-pemohon",
        dest="to_pemohon",
        action="store_true",
        help="ke pemohon (berkas kurang)",
    )
    cr.add_argument(
        "--kurang",
        "--missing",
        dest="missing",
        nargs="+",
        action="extend",
        metavar="BUTIR",
        help="kekurangan berkas (kunci persyaratan atau teks bebas)",
    )
    cr.add_argument("--versi", type=int, metavar="N", help="tolak bila versi bukan N")
    cr.set_defaults(func=cmd_case_return)

    cu = case.add_parser("resubmit", help="catat berkas susulan dari pemohon; proses berlanjut")
    cu.add_argument("code", metavar="KODE", help=CODE_HELP)
    acting(cu)
    cu.add_argument("--berkas", nargs="+", metavar="FILE", help="berkas susulan")
    cu.add_argument("--catatan", "--note", dest="note", metavar="TEKS", help="catatan")
    cu.set_defaults(func=cmd_case_resubmit)

    cc = case.add_parser("close", help="tutup pengaduan dengan solusi sederhana")
    cc.add_argument("code", metavar="KODE", help=CODE_HELP)
    acting(cc)
    cc.add_argument(
        "--solusi", required=True, metavar="TEKS", help="solusi yang diberikan kepada pelapor"
    )
    cc.set_defaults(func=cmd_case_close)

    cx = case.add_parser("cancel", help="batalkan permohonan")
    cx.add_argument("code", metavar="KODE", help=CODE_HELP)
    acting(cx)
    cx.add_argument(
        "--alasan",
        "--reason",
        dest="reason",
        required=True,
        metavar="TEKS",
        help="alasan pembatalan (dicatat di riwayat)",
    )
    cx.set_defaults(func=cmd_case_cancel)

    cd = case.add_parser("record", help="catat nomor dokumen SIAK atau penyerahan setelahnya")
    cd.add_argument("code", metavar="KODE", help=CODE_HELP)
    acting(cd)
    cd.add_argument("--nomor-dokumen", metavar="NO", help="nomor dokumen dari SIAK")
    cd.add_argument("--resi", metavar="NO", help="nomor resi PT POS")
    cd.add_argument("--penerima", metavar="NAMA", help="nama yang mengambil dokumen")
    cd.set_defaults(func=cmd_case_record)

    cy = case.add_parser(
        "siap", help="daftar Siap diambil: sudah diberi tahu, belum diambil/dikirim"
    )
    acting(cy)
    cy.add_argument("--json", action="store_true", help="keluaran JSON")
    cy.set_defaults(func=cmd_case_ready)

    audit = sub.add_parser("audit", help="log audit").add_subparsers(
        dest="audit_command", metavar="PERINTAH", required=True, parser_class=Parser
    )
    av = audit.add_parser("verify", help="periksa keutuhan rantai log audit")
    av.add_argument(
        "--jangkar",
        action="append",
        metavar="NOMOR:HASH",
        help="jangkar yang dicatat sebelumnya (boleh berulang): menangkap log yang ditulis ulang",
    )
    av.set_defaults(func=cmd_audit_verify)
    ah = audit.add_parser(
        "pulihkan-kepala",
        aliases=["restore-head"],
        help="pulihkan baris kepala rantai log audit yang terhapus (admin; hanya bila rantai "
        "dan keadaan permohonan utuh)",
    )
    ah.add_argument(
        "--pengguna",
        "--user",
        dest="user",
        required=True,
        metavar="ADMIN",
        help="admin (kata sandi dari standard input)",
    )
    ah.set_defaults(func=cmd_audit_restore_head)

    for extend in EXTENSIONS:
        extend(sub)
    return p


# Other modules (reports, backup, …) add their sub-commands here without editing this file.
EXTENSIONS: list[Callable[[Any], None]] = []

#: The modules that add sub-commands, and the top-level commands each one adds to or extends.
#: Only the module of the chosen command is imported (start-up time: ``status`` needs neither
#: the backup code nor the report tooling); all of them for ``--help`` or an unknown word.
EXTENSION_COMMANDS: dict[str, frozenset[str]] = {
    "sipelayanan.reports.cli": frozenset({"receipt", "report"}),
    "sipelayanan.status_cli": frozenset({"status"}),
    "sipelayanan.ops_cli": frozenset({"backup", "restore", "db"}),
    "sipelayanan.statussite.cli": frozenset({"status-site"}),
    "sipelayanan.outbox_cli": frozenset({"notifikasi"}),
    "sipelayanan.skm_cli": frozenset({"skm"}),
    "sipelayanan.privacy_cli": frozenset({"data-pribadi"}),
}
#: Top-level commands :func:`build_parser` defines itself.
CORE_COMMANDS = frozenset({"db", "sop", "user", "demo", "case", "audit"})
_HELP = frozenset({"-h", "--help"})


def command_word(argv: Sequence[str]) -> str | None:
    """The sub-command named in ``argv`` (the first word after the global options)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token == "--db":
            skip = True
        elif token == "--":
            return None
        elif not token.startswith("-"):
            return token
    return None


def extension_modules(argv: Sequence[str] | None) -> list[str]:
    """The extension modules ``argv`` needs: none for ``--version`` or the desktop app."""
    if argv is None:
        return list(EXTENSION_COMMANDS)
    command = command_word(argv)
    if command is None:
        return list(EXTENSION_COMMANDS) if _HELP.intersection(argv) else []
    wanted = [name for name, commands in EXTENSION_COMMANDS.items() if command in commands]
    if wanted or command in CORE_COMMANDS:
        return wanted
    return list(EXTENSION_COMMANDS)  # a typo: argparse lists every command there is


# Each command module imported by an explicit statement (searching for a module finds its
# importer here), inside a function so that only the chosen command's module loads.
def _import_reports_cli() -> ModuleType:
    from .reports import cli as module

    return module


def _import_status_cli() -> ModuleType:
    from . import status_cli as module

    return module


def _import_ops_cli() -> ModuleType:
    from . import ops_cli as module

    return module


def _import_statussite_cli() -> ModuleType:
    from .statussite import cli as module

    return module


def _import_outbox_cli() -> ModuleType:
    from . import outbox_cli as module

    return module


def _import_skm_cli() -> ModuleType:
    from . import skm_cli as module

    return module


def _import_privacy_cli() -> ModuleType:
    from . import privacy_cli as module

    return module


#: How each module of ``EXTENSION_COMMANDS`` is imported (a test keeps the two in step).
EXTENSION_IMPORTS: dict[str, Callable[[], ModuleType]] = {
    "sipelayanan.reports.cli": _import_reports_cli,
    "sipelayanan.status_cli": _import_status_cli,
    "sipelayanan.ops_cli": _import_ops_cli,
    "sipelayanan.statussite.cli": _import_statussite_cli,
    "sipelayanan.outbox_cli": _import_outbox_cli,
    "sipelayanan.skm_cli": _import_skm_cli,
    "sipelayanan.privacy_cli": _import_privacy_cli,
}


def _load_extensions(argv: Sequence[str] | None = None) -> None:
    for name in extension_modules(argv):
        EXTENSION_IMPORTS[name]()


def check_sop_definitions() -> None:
    """Load and validate the SOP files once, before anything else runs: a broken file stops
    the start with a message naming file and line."""
    from .sop import SopError, services

    try:
        services()
    except SopError as exc:
        raise SopDefinitionError(
            f"Definisi SOP tidak sah, aplikasi tidak dijalankan: {exc}"
        ) from exc


class SopDefinitionError(SipelayananError):
    pass


def _refuse_undecodable(args: argparse.Namespace) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates; no database can store them."""
    for name, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and _has_surrogates(item):
                option = "--" + name.replace("_", "-")
                raise InputError(
                    f"Nilai {option} berisi karakter yang tidak sah (bukan teks UTF-8); ketik "
                    "ulang nilainya.",
                    name,
                )


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    # Parse first and import only what the chosen command needs: ``--version`` and ``--help``
    # never load SQLAlchemy, Qt or the report tooling.
    argv = list(sys.argv[1:] if argv is None else argv)
    _load_extensions(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    from .logs import setup_logging

    setup_logging()
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", cmd_gui)
    if args.self_test:
        func = cmd_self_test
    try:
        _refuse_undecodable(args)
        check_sop_definitions()
        return func(args)
    except DatabaseUnavailable as exc:
        print(f"sipelayanan: {exc}", file=sys.stderr)
        return 3
    except SipelayananError as exc:
        print(f"sipelayanan: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sipelayanan: dibatalkan.", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in %s", getattr(args, "command", "gui"))
        from .logs import log_file

        print(
            f"sipelayanan: terjadi kesalahan tak terduga; rinciannya dicatat di {log_file()}.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
