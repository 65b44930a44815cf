"""``sipelayanan status``: the status answer that is safe to send to anyone holding the code.

Kept apart from the other commands so that it loads almost nothing: on a SQLite file the answer
is read with the standard library's driver (:mod:`sipelayanan.services.status_sqlite`); anything
else — PostgreSQL, a missing or unfamiliar file — takes the app's normal read path, which also
gives the clear messages for a database that cannot be used.
"""

from __future__ import annotations

import argparse
from typing import Any

from . import cli


def cmd_status(args: argparse.Namespace) -> int:
    from .data_folder import default_url
    from .services.status_sqlite import answer_from_file, sqlite_file_of

    text = " ".join(args.code)
    path = sqlite_file_of(args.db or default_url())
    answer = answer_from_file(path, text) if path is not None else None
    if answer is None:
        from .services.status import answer_status

        db = cli.open_db(args)
        with db.read() as session:
            answer = answer_status(session, text)
    print(answer.text)  # the reply to send back, also for a mistyped or unknown code
    return 0 if answer.found else 2


def add_commands(sub: Any) -> None:
    st = sub.add_parser("status", help="jawaban status permohonan yang aman dikirim ke pemohon")
    st.add_argument(
        "code",
        nargs="+",
        metavar="KODE",
        help="kode pelacakan, 'STATUS KODE' atau tautan hasil pindai QR",
    )
    st.set_defaults(func=cmd_status)


if add_commands not in cli.EXTENSIONS:
    cli.EXTENSIONS.append(add_commands)
