"""A throw-away PostgreSQL server for benchmarks (``--postgres auto``).

Unlike the test suite's server (``tests/pgserver.py``, which turns fsync off for speed), this one
keeps PostgreSQL's durable defaults, so commit-bound figures (intake throughput) mean what they
would on an office server; and its default collation is Indonesian (ICU ``id-ID``) when the
server supports ICU, as on an office server installed with an Indonesian locale, so queries that
only work under the C collation show it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.pgserver import PgServer, destroy, find_bindir

__all__ = ["PgServer", "destroy", "start_bench_server"]


class BenchServer(PgServer):
    def start(self) -> None:
        log = self.datadir.parent / "server.log"
        subprocess.run(
            self._cmd(
                "pg_ctl",
                "-D",
                str(self.datadir),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                f"-p {self.port} -k {self.datadir.parent} -c listen_addresses=127.0.0.1",
                "start",
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def start_bench_server() -> tuple[BenchServer, str]:
    """Start a server and create database ``office``; returns (server, collation label)."""
    import os
    import shutil
    import tempfile
    import time

    from tests.pgserver import _free_port

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL (pg_ctl) not found; pass --postgres URL instead")
    run_as = None
    if os.geteuid() == 0:
        import pwd

        for name in ("postgres", "nobody"):
            try:
                pwd.getpwnam(name)
                run_as = name
                break
            except KeyError:
                continue
    root = Path(tempfile.mkdtemp(prefix="sipelayanan-bench-pg-"))
    datadir = root / "data"
    if run_as:
        os.chmod(root, 0o777)
        shutil.chown(root, user=run_as)
    server = BenchServer(bindir, datadir, _free_port(), run_as)
    base = ["initdb", "-D", str(datadir), "-U", server.superuser, "-A", "trust", "-E", "UTF8"]
    collation = "ICU id-ID"
    try:
        subprocess.run(
            server._cmd(*base, "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=id-ID"),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except subprocess.CalledProcessError:
        shutil.rmtree(datadir, ignore_errors=True)
        collation = "C"
        subprocess.run(
            server._cmd(*base, "--locale=C"),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    server.start()
    deadline = time.monotonic() + 30
    while True:
        try:
            server.psql("SELECT 1")
            break
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    server.psql("CREATE DATABASE office")
    return server, collation
