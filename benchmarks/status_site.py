"""What the resident's status page costs (run on demand; prints figures).

    .venv/bin/python -m benchmarks.status_site --kdf-only
    .venv/bin/python -m benchmarks.status_site --db /tmp/bench/office-1m.sqlite3

1. Key derivation in the browser: PBKDF2-SHA256 through WebCrypto in headless Chromium
   (Debian's ``chromium`` + ``chromium-driver``), median of 5 per iteration count, next to
   Python's hashlib on this machine.
2. With ``--db``: the database is copied first (the original is never written); the site is
   built cold (every name derived) and again with nothing changed; then a day of changes (new
   requests through the service layer, a day of expiries) is built and published to a real
   OpenSSH ``sshd`` on loopback (needs root and openssh-server).
"""

from __future__ import annotations

import argparse
import functools
import getpass
import hashlib
import http.server
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sipelayanan.resources import resource_path
from sipelayanan.statussite.build import DEFAULT_ITERATIONS


def kdf_in_chromium(counts: list[int]) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    tmp = Path(tempfile.mkdtemp(prefix="sipelayanan-kdf-"))
    for name in ("index.html", "app.js", "style.css"):
        shutil.copy(resource_path("statussite", name), tmp / name)
    (tmp / "config.json").write_text('{"salt": "00", "iterations": 1000, "hari": 30}')
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=360,740",
    ]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    salt = os.urandom(16).hex()
    try:
        driver.get(f"http://127.0.0.1:{server.server_port}/")
        print("PBKDF2-SHA256, 16-byte salt, 16-byte output (median of 5):")
        for n in counts:
            runs = []
            for i in range(5):
                ms = driver.execute_async_script(
                    "var done = arguments[arguments.length - 1], t = performance.now();"
                    "SiPelayanan.deriveName(arguments[0], arguments[1], arguments[2],"
                    " function () { done(performance.now() - t); });",
                    f"ABCDEFG{i}3",
                    salt,
                    n,
                )
                runs.append(float(ms))
            t = time.perf_counter()
            hashlib.pbkdf2_hmac("sha256", b"ABCDEFGH3", bytes.fromhex(salt), n, 16)
            py = (time.perf_counter() - t) * 1000
            print(
                f"  {n:>9,} iterations: Chromium {statistics.median(runs):7.0f} ms, "
                f"Python hashlib {py:7.0f} ms"
            )
    finally:
        driver.quit()
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


def _tree_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _sshd(tmp: Path) -> tuple[subprocess.Popen[bytes], int, Path]:
    d = tmp / "sshd"
    d.mkdir()
    for name in ("host", "user"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True
        )
    (d / "authorized_keys").write_text((d / "user.pub").read_text())
    Path("/run/sshd").mkdir(exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    (d / "config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d / 'host'}\nPidFile {d / 'pid'}\n"
        f"AuthorizedKeysFile {d / 'authorized_keys'}\nPasswordAuthentication no\nUsePAM no\n"
        "PermitRootLogin prohibit-password\nStrictModes no\nSubsystem sftp internal-sftp\n"
    )
    proc = subprocess.Popen(["/usr/sbin/sshd", "-f", str(d / "config"), "-D", "-e"])
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, port, d / "user"


def office(db_path: Path, new_requests: int, iterations: int, copy_first: bool) -> None:
    from sipelayanan.db import Database
    from sipelayanan.services import cases as svc
    from sipelayanan.services.users import list_users
    from sipelayanan.sop import services
    from sipelayanan.statussite.build import SiteSettings, build_site, save_site_settings
    from sipelayanan.statussite.publish import publish

    tmp = Path(tempfile.mkdtemp(prefix="sipelayanan-bench-site-"))
    try:
        copy = tmp / "office.sqlite3"
        if copy_first:
            t = time.perf_counter()
            shutil.copy(db_path, copy)
            print(f"copied {db_path} in {time.perf_counter() - t:.0f} s")
        else:  # already a throw-away copy
            copy = db_path
        db = Database(f"sqlite:///{copy}")
        db.upgrade()
        with db.write() as s:
            settings = save_site_settings(
                s, SiteSettings(iterations=iterations, days=30), actor=None
            )
        folder = tmp / "situs"
        folder.mkdir()
        now = datetime.now(UTC)
        with db.read() as s:
            cold = build_site(s, folder, settings, now=now)
        files, size = _tree_size(folder)
        print(
            f"cold build: {cold.published:,} requests published (open + finished in 30 days), "
            f"{cold.derived:,} names derived, {cold.seconds:.1f} s, {files:,} files, "
            f"{size / 1024 / 1024:.1f} MiB"
        )
        with db.read() as s:
            warm = build_site(s, folder, settings, now=now)
        print(f"rebuild, nothing changed: {warm.seconds:.1f} s ({warm.written} written)")
        if iterations != DEFAULT_ITERATIONS:
            t = time.perf_counter()
            for i in range(20):
                hashlib.pbkdf2_hmac("sha256", b"ABCDEFGH%d" % i, b"s" * 16, DEFAULT_ITERATIONS, 16)
            per = (time.perf_counter() - t) / 20
            cores = os.cpu_count() or 1
            print(
                f"  (built with {iterations:,} iterations; at the office default "
                f"{DEFAULT_ITERATIONS:,} one name costs {per * 1000:.0f} ms here, so the cold "
                f"build's derivation adds about {cold.derived * per / cores / 60:.1f} min on "
                f"{cores} cores — once: later builds take names from the cache)"
            )

        proc, port, key = _sshd(tmp)
        remote = tmp / "remote"
        remote.mkdir()
        target = f"sftp://{getpass.getuser()}@127.0.0.1:{port}{remote}"
        try:
            first = publish(folder, target, key_file=str(key))
            print(
                f"first publish to loopback SFTP: {first.sent:,} files, "
                f"{first.bytes_sent / 1024 / 1024:.1f} MiB, {first.seconds:.1f} s"
            )
            # a day of changes: new requests, and a day of expiries
            users = {}
            with db.read() as s:
                for u in list_users(s):
                    for role in u.roles:
                        users.setdefault(role, u.actor())
            sdefs = [d for d in services().values() if d.document_kind is not None]
            t = time.perf_counter()
            for i in range(new_requests):
                sdef = sdefs[i % len(sdefs)]
                data = svc.IntakeData(
                    service=sdef.code,
                    nama=f"Pemohon Uji {i}",
                    nik="1808015708900003" if sdef.requires_nik else None,
                    wa="0812-3456-7890",
                    kecamatan="18.08.01",
                )
                with db.write() as s:
                    svc.intake(s, users[sdef.step(1).role], data, now=now + timedelta(hours=8))
            print(f"{new_requests} new requests recorded in {time.perf_counter() - t:.0f} s")
            with db.read() as s:
                day = build_site(s, folder, settings, now=now + timedelta(days=1))
            print(
                f"build after a day: {day.written} written, {day.removed} expired, "
                f"{day.derived} names derived, {day.seconds:.1f} s"
            )
            pub = publish(folder, target, key_file=str(key))
            print(
                f"publish a day's changes to loopback SFTP: {pub.sent} sent, {pub.removed} "
                f"removed, {pub.bytes_sent / 1024:.0f} KiB, {pub.seconds:.1f} s"
            )
        finally:
            proc.terminate()
            proc.wait(10)
        db.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--db", type=Path, help="a generated SQLite office database (copied)")
    ap.add_argument("--kdf-only", action="store_true")
    ap.add_argument("--new", type=int, default=300, help="new requests in the simulated day")
    ap.add_argument(
        "--iterations",
        type=int,
        default=DEFAULT_ITERATIONS,
        help="PBKDF2 cost for the 1M build (a lower one to time everything but the KDF)",
    )
    ap.add_argument(
        "--no-copy", action="store_true", help="--db is already a throw-away copy: use it as is"
    )
    args = ap.parse_args()
    kdf_in_chromium(sorted({50_000, 100_000, 150_000, DEFAULT_ITERATIONS, 600_000}))
    if args.db and not args.kdf_only:
        office(args.db, args.new, args.iterations, not args.no_copy)


if __name__ == "__main__":
    main()
