"""Operational sub-commands: ``backup``, ``restore``, ``db grant``, ``db check``.

Imported by :mod:`sipelayanan.cli`, which calls :func:`extend` through ``cli.EXTENSIONS``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from . import cli
from .errors import InputError, SipelayananError

#: Exit status when a check finds a problem (as ``audit verify``).
EXIT_PROBLEM = 4


# --------------------------------------------------------------------------- backup / restore


def cmd_backup(args: argparse.Namespace) -> int:
    from .backup import backup
    from .services.berkas import human_size

    if args.aksi == "otomatis":
        return cmd_backup_auto(args)
    if not args.output:
        raise InputError(
            "Sebutkan file cadangan (backup -o FILE), atau jalankan 'backup otomatis'.", "output"
        )
    db = cli.open_db(args)
    try:
        result = backup(db, Path(args.output), fmt=args.format, overwrite=args.timpa)
    finally:
        db.dispose()
    if result.note:
        print(f"Catatan: {result.note}")
    print(
        f"Cadangan dibuat: {result.path} (format {result.format}, {human_size(result.size)}, "
        f"{sum(result.rows.values())} baris, {result.seconds:.1f} detik)."
    )
    if not result.audited:
        print("Peringatan: basis data hanya-baca, pencadangan ini tidak tercatat di log audit.")
    return 0


def cmd_backup_auto(args: argparse.Namespace) -> int:
    """For Task Scheduler: one line of output; 0 done or not due, 2 refused/failed, 3 no
    database. The same schedule, verification and rotation as the desktop app's."""
    from .backup import auto

    db = cli.open_db(args)
    try:
        outcome = auto.run(db, force=args.sekarang)
    finally:
        db.dispose()
    print(outcome.message)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from .backup import restore
    from .db import Database

    db = Database(args.db)
    try:
        result = restore(db, Path(args.file))
    finally:
        db.dispose()
    print(
        f"Cadangan dipulihkan (format {result.format}): {sum(result.rows.values())} baris, "
        f"skema {result.revision}, {result.seconds:.1f} detik; isi yang tertulis cocok dengan "
        "sidik SHA-256 cadangan."
    )
    if result.note:
        print(f"Catatan: {result.note}")
    if result.audit_ok:
        print(f"Log audit utuh: {result.audit_entries} entri diperiksa.")
    else:
        print("PERINGATAN: log audit dalam cadangan ini TIDAK utuh; jalankan 'audit verify'.")
        return EXIT_PROBLEM
    if db.dialect == "postgresql":
        print("Berikan lagi izin ke akun aplikasi: sipelayanan --db <URL pemilik> db grant <AKUN>.")
    return 0


# --------------------------------------------------------------------------- PostgreSQL roles

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_app_role(db: Any, role: str) -> list[str]:
    """Give the app's login role what daily work needs, and nothing more.

    Reads and writes every table, but only SELECT and INSERT on ``audit_log`` (no one working
    through the app can alter or delete an audit entry), only SELECT on ``alembic_version``, and
    no right to create or change tables. Run by the owner role after every ``db upgrade``.
    Returns warnings for the admin.
    """
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    if db.dialect != "postgresql":
        raise InputError("'db grant' hanya untuk PostgreSQL.")
    if not _ROLE.match(role):
        raise InputError(
            "Nama akun hanya huruf kecil, angka dan garis bawah (mis. sipelayanan_app).", "role"
        )
    warnings: list[str] = []
    r = _quote(role)
    with db.write() as session:
        info = session.execute(
            text("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :r"),
            {"r": role},
        ).first()
        if info is None:
            raise InputError(
                f"Akun PostgreSQL '{role}' belum ada. Buat dulu sebagai superuser: "
                f"CREATE ROLE {role} LOGIN PASSWORD '...';",
                "role",
            )
        me = session.execute(text("SELECT current_user, current_database()")).one()
        if role == me[0]:
            raise InputError(
                "Akun aplikasi harus berbeda dari akun pemilik yang menjalankan perintah ini.",
                "role",
            )
        if info[0]:
            raise InputError(
                f"Akun '{role}' adalah superuser; akun aplikasi tidak boleh superuser. "
                f"Jalankan sebagai superuser: ALTER ROLE {role} NOSUPERUSER;",
                "role",
            )
        if info[1] or info[2]:
            warnings.append(
                f"Akun '{role}' boleh membuat akun/basis data (CREATEROLE/CREATEDB); sebaiknya "
                f"dicabut: ALTER ROLE {role} NOCREATEROLE NOCREATEDB;"
            )
        schema = session.execute(text("SELECT current_schema()")).scalar_one()
        s = _quote(schema)
        statements = [
            f"GRANT CONNECT ON DATABASE {_quote(me[1])} TO {r}",
            f"GRANT USAGE ON SCHEMA {s} TO {r}",
            f"REVOKE CREATE ON SCHEMA {s} FROM {r}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {r}",
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {r}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT ON SEQUENCES TO {r}",
        ]
        for sql in statements:
            session.execute(text(sql))
        try:
            with session.begin_nested():
                session.execute(text(f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC"))
        except DBAPIError:
            warnings.append(
                f"Hak CREATE pada skema {schema} untuk PUBLIC tidak dapat dicabut oleh akun ini; "
                f"minta superuser: REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC;"
            )
        can_create = session.execute(
            text("SELECT has_schema_privilege(:r, :s, 'CREATE')"), {"r": role, "s": schema}
        ).scalar_one()
        if can_create:
            warnings.append(
                f"Akun '{role}' masih dapat membuat tabel di skema {schema} (lewat PUBLIC atau "
                "keanggotaan akun lain); periksa hak aksesnya."
            )
    return warnings


def cmd_db_grant(args: argparse.Namespace) -> int:
    db = cli.open_db(args, migrate=False)
    try:
        warnings = grant_app_role(db, args.role)
    finally:
        db.dispose()
    for w in warnings:
        print(f"Peringatan: {w}")
    print(
        f"Izin akun '{args.role}' diatur: baca/tulis data, log audit hanya dapat ditambah "
        "(tidak dapat diubah atau dihapus), tanpa hak mengubah skema."
    )
    return 0


# --------------------------------------------------------------------------- check


def check_database(db: Any) -> list[tuple[bool, str]]:
    """Findings as (ok, text) lines, for ``db check`` and the settings window."""
    from sqlalchemy import text

    from .db import is_network_path
    from .migrate import current_revision, head_revision
    from .services.audit import verify

    out: list[tuple[bool, str]] = [(True, f"Basis data: {db.describe()}")]
    path = db.sqlite_file
    if path is not None:
        import shutil

        out.append((not is_network_path(path), "File di disk lokal PC ini"))
        with db.read() as session:
            mode = session.execute(text("PRAGMA journal_mode")).scalar()
            quick = session.execute(text("PRAGMA quick_check")).scalar()
        out.append((str(mode).lower() == "wal", f"Mode jurnal: {mode}"))
        out.append((quick == "ok", f"Pemeriksaan file SQLite: {quick}"))
        free = shutil.disk_usage(path.parent).free
        out.append((free > 500 * 1024 * 1024, f"Ruang disk kosong: {free // (1024 * 1024)} MB"))
    else:
        with db.read() as session:
            version = session.execute(text("SHOW server_version")).scalar()
            user, superuser = session.execute(
                text("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            ).one()
            can_create = session.execute(
                text("SELECT has_schema_privilege(current_schema(), 'CREATE')")
            ).scalar()
            audit_update = session.execute(
                text("SELECT has_table_privilege('audit_log', 'UPDATE')")
            ).scalar()
        out.append((True, f"Server PostgreSQL {version}, akun {user}"))
        out.append(
            (
                not superuser,
                f"Akun {user} bukan superuser"
                if not superuser
                else f"Akun {user} adalah superuser: jangan dipakai untuk bekerja sehari-hari",
            )
        )
        out.append((True, f"Akun {user} {'boleh' if can_create else 'tidak boleh'} mengubah skema"))
        if audit_update and not can_create:
            out.append((False, "Akun aplikasi dapat mengubah log audit; jalankan 'db grant'"))
    current, head = current_revision(db.engine), head_revision()
    out.append((current == head, f"Skema: revisi {current or '-'} (terbaru {head})"))
    if current is not None:
        with db.read() as session:
            result = verify(session)
        out.append(
            (
                result.ok,
                f"Log audit utuh: {result.entries} entri (jangkar {result.anchor[:30]})"
                if result.ok
                else f"Log audit TIDAK utuh: {result.problem}",
            )
        )
    return out


def cmd_db_check(args: argparse.Namespace) -> int:
    db = cli.open_db(args, migrate=False)
    try:
        findings = check_database(db)
    finally:
        db.dispose()
    for ok, line in findings:
        print(f"[{'OK' if ok else '!!'}] {line}")
    return 0 if all(ok for ok, _ in findings) else EXIT_PROBLEM


# --------------------------------------------------------------------------- parser


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise SipelayananError("internal: sub-command group not found")  # pragma: no cover


def extend(sub: Any) -> None:
    from .backup import FORMATS

    bk = sub.add_parser(
        "backup",
        help="cadangkan seluruh basis data ke satu file (boleh saat aplikasi dipakai)",
        description="Cadangkan seluruh basis data: SQLite dengan API backup daring; PostgreSQL "
        "dengan pg_dump bila terpasang, selain itu format portabel (ZIP) yang dapat "
        "dipulihkan ke SQLite maupun PostgreSQL. 'backup otomatis' (untuk Task Scheduler) "
        "membuat cadangan harian bila sudah waktunya, ke folder yang diatur di Admin ▸ "
        "Cadangan, memverifikasinya dengan memulihkannya ke basis data sementara, lalu "
        "merotasi cadangan lama (7 harian, 4 mingguan, 12 bulanan).",
    )
    bk.add_argument(
        "aksi",
        nargs="?",
        choices=["otomatis"],
        help="otomatis: cadangan harian terjadwal (folder dan jam diatur di Admin ▸ Cadangan)",
    )
    bk.add_argument("-o", "--output", metavar="FILE", help="file cadangan")
    bk.add_argument(
        "--sekarang",
        action="store_true",
        help="dengan 'otomatis': buat cadangan sekarang walau belum waktunya",
    )
    bk.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="sqlite (bawaan untuk SQLite), pg_dump (bawaan untuk PostgreSQL bila ada) atau "
        "portabel (ZIP; dapat dipulihkan ke mesin basis data mana pun)",
    )
    bk.add_argument("--timpa", action="store_true", help="timpa file yang sudah ada")
    bk.set_defaults(func=cmd_backup)

    rs = sub.add_parser(
        "restore",
        help="pulihkan cadangan ke basis data KOSONG (--db)",
        description="Pulihkan file cadangan (sqlite, pg_dump atau portabel) ke basis data "
        "kosong yang ditunjuk --db; basis data yang sudah berisi data ditolak.",
    )
    rs.add_argument("file", metavar="FILE", help="file cadangan")
    rs.set_defaults(func=cmd_restore)

    db_group = _subcommands(sub.choices["db"])
    gr = db_group.add_parser(
        "grant",
        help="PostgreSQL: beri akun aplikasi izin kerja (tanpa hak ubah skema/log audit)",
        description="Dijalankan admin dengan akun pemilik basis data setelah 'db upgrade'.",
    )
    gr.add_argument("role", metavar="AKUN", help="akun login aplikasi, mis. sipelayanan_app")
    gr.set_defaults(func=cmd_db_grant)
    db_group.add_parser(
        "check", help="periksa basis data: lokasi, skema, hak akun, keutuhan log audit"
    ).set_defaults(func=cmd_db_check)


cli.EXTENSIONS.append(extend)
