"""Start a throw-away PostgreSQL server for the test run (loopback, temporary folder).

Looks for Debian's binaries (/usr/lib/postgresql/*/bin) or pg_ctl on PATH. PostgreSQL refuses to
run as root, so under root the server runs as the 'postgres' system user (Debian's package
creates it) or 'nobody'.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if (Path(c) / "pg_ctl").exists():
            return Path(c)
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    bindir: Path
    datadir: Path
    port: int
    run_as: str | None
    superuser: str = "sipelayanan"

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *cmd]
        return cmd

    @property
    def base_url(self) -> str:
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}"

    def url(self, dbname: str) -> str:
        return f"{self.base_url}/{dbname}"

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
                f"-p {self.port} -k {self.datadir.parent} -c listen_addresses=127.0.0.1"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                " -c max_connections=200",
                "start",
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            self._cmd("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "stop"),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        out = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.superuser,
                "-d",
                dbname,
                "-v",
                "ON_ERROR_STOP=1",
                "-At",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout


def start_server() -> PgServer:
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL binaries (pg_ctl) not found")
    run_as = None
    if os.geteuid() == 0:
        import pwd  # Unix only; imported here so the suite also loads on Windows

        for name in ("postgres", "nobody"):
            try:
                pwd.getpwnam(name)
                run_as = name
                break
            except KeyError:
                continue
    root = Path(tempfile.mkdtemp(prefix="sipelayanan-pg-"))
    datadir = root / "data"
    if run_as:
        os.chmod(root, 0o777)
        shutil.chown(root, user=run_as)
    server = PgServer(bindir, datadir, _free_port(), run_as)
    subprocess.run(
        server._cmd(
            "initdb",
            "-D",
            str(datadir),
            "-U",
            server.superuser,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
        ),
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
    return server


def destroy(server: PgServer) -> None:
    server.stop("immediate")
    shutil.rmtree(server.datadir.parent, ignore_errors=True)
