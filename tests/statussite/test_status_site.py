"""The resident's status page, end to end: the site is built from a demo office, served by a real
HTTP server on 127.0.0.1 and opened in a real headless Chromium (Debian's ``chromium`` and
``chromium-driver`` through Selenium) at a phone-sized viewport; the published tree is scanned
for every name, NIK and WhatsApp number of the data; the page's check character is compared
with Python's on many codes; the tree is published to a real OpenSSH ``sshd`` on loopback; and
the tanda terima's QR code points at the page once its address is set."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import random
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sipelayanan import cli
from sipelayanan.db import Database
from sipelayanan.demo import load_demo
from sipelayanan.identity import (
    TRACKING_ALPHABET,
    ValidationError,
    _is_valid,
    new_tracking_code,
    normalize_tracking_code,
)
from sipelayanan.models import Case, CaseStatus, Delivery
from sipelayanan.services import cases as svc
from sipelayanan.sop import services
from sipelayanan.statussite.build import (
    SiteSettings,
    build_site,
    cache_path,
    derive_name,
    ensure_salt,
    get_site_settings,
    save_site_settings,
)
from sipelayanan.statussite.publish import publish, state_path
from sipelayanan.statussite.standar_pages import page_files
from tests.reports.test_reports_data import NIK, ROLE_USER, intake, run

CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")
SSHD = Path("/usr/sbin/sshd")
NAME = "Hendrawan Wulandari"
FREE_TEXT = f"KTP a.n. {NAME} {NIK}"
ITERATIONS = 2_000  # the tests' own cost; the office default is measured in benchmarks/


def _missing_tool(path: Path, package: str) -> None:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: .ci/run installs {package}")
        pytest.skip(f"{path} missing (apt-get install {package})")


# --------------------------------------------------------------------------- data


class Office:
    def __init__(self, db: Database, actors: dict[str, Any], now: datetime) -> None:
        self.db = db
        self.now = now
        load_demo(db, count=60, seed=13, now=now - timedelta(hours=2), actor=actors["admin"])
        t0 = now - timedelta(hours=1)
        self.open = intake(db, actors, "KK", t0, nama=NAME)
        run(db, actors, self.open, t0, until=3)
        self.waiting = intake(db, actors, "KTP_EL", t0, nama=NAME)
        sdef = services()["KTP_EL"]
        self.label = sdef.requirements[0].label
        with db.write() as s:
            svc.return_to_pemohon(
                s,
                actors[ROLE_USER[sdef.step(1).role]],
                self.waiting,
                missing=[self.label, FREE_TEXT],
                now=t0 + timedelta(minutes=5),
            )
        start = now - timedelta(days=3)
        self.finished = intake(db, actors, "KIA", start, nama=NAME)
        run(db, actors, self.finished, start)
        old = now - timedelta(days=60)
        self.expired = intake(db, actors, "KIA", old, nama=NAME)
        run(db, actors, self.expired, old)
        with db.write() as s:
            self.settings = save_site_settings(
                s, SiteSettings(iterations=ITERATIONS, days=30), actor=None
            )
        with db.read() as s:
            states = dict(s.execute(select(Case.code, Case.status)).all())
        assert states[self.open] == CaseStatus.PROSES
        assert states[self.waiting] == CaseStatus.MENUNGGU_PEMOHON
        assert states[self.finished] == CaseStatus.SELESAI

    def build(self, folder: Path, *, now: datetime | None = None) -> Any:
        with self.db.read() as s:
            return build_site(s, folder, self.settings, now=now or self.now)

    def private_strings(self) -> set[str]:
        """Every name, NIK, No. KK and WhatsApp number (in each written form) of the data,
        and the document numbers and resi."""
        out: set[str] = set()
        with self.db.read() as s:
            for nama, nik, no_kk, wa in s.execute(
                select(Case.pemohon_nama, Case.nik, Case.no_kk, Case.wa)
            ):
                out.update(x for x in (nama, nik, no_kk) if x)
                out.update(nama.split())
                digits = wa.lstrip("+")
                out.update({wa, digits, "0" + digits[2:], digits[2:]})
            out.update(r for (r,) in s.execute(select(Delivery.resi)) if r)
            out.update(r for (r,) in s.execute(select(Delivery.recipient)) if r)
        out.update({"1808-0001234", "P2211000123"})
        return {x for x in out if len(x) >= 4}


@pytest.fixture
def office(db: Database, actors: dict[str, Any]) -> Office:
    return Office(db, actors, datetime.now(UTC).replace(microsecond=0))


# --------------------------------------------------------------------------- browser


class Served:
    def __init__(self, folder: Path) -> None:
        self.paths: list[str] = []
        served = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                served.paths.append(self.path)

        handler = functools.partial(Handler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _missing_tool(CHROMEDRIVER, "chromium-driver")
    _missing_tool(CHROMIUM, "chromium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=360,740",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_window_size(360, 740)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, what: str, timeout: float = 20.0) -> str:
    """The text of #hasil (what="hasil") or of #pesan once it is final."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what == "hasil":
            if driver.execute_script("return !document.getElementById('hasil').hidden"):
                return " ".join(driver.find_element("id", "hasil").text.split())
        else:
            el = driver.find_element("id", "pesan")
            if "galat" in (el.get_attribute("class") or ""):
                return " ".join(el.text.split())
        time.sleep(0.05)
    raise AssertionError(f"page never showed {what}: {driver.find_element('id', 'pesan').text!r}")


def shown(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def typo(code: str) -> str:
    """The code with one symbol changed: the check character must catch it."""
    i = 2
    other = TRACKING_ALPHABET[(TRACKING_ALPHABET.index(code[i]) + 1) % len(TRACKING_ALPHABET)]
    bad = code[:i] + other + code[i + 1 :]
    assert not _is_valid(bad)
    return bad


def test_page_in_a_real_browser(office: Office, browser: Any, tmp_path: Path) -> None:
    folder = tmp_path / "situs"
    first = office.build(folder)
    assert first.published >= 4 and first.derived == first.published
    names = {p.stem for p in (folder / "s").iterdir()}
    salt = office.settings.salt_bytes()
    assert derive_name(office.open, salt, ITERATIONS) in names
    assert derive_name(office.expired, salt, ITERATIONS) not in names  # finished 60 days ago
    assert not cache_path(folder).is_relative_to(folder)

    served = Served(folder)
    try:
        browser.get(served.url + "#" + shown(office.open))
        assert browser.execute_script("return window.innerWidth") <= 400
        text = wait_for(browser, "hasil")
        assert f"Status permohonan {shown(office.open)}" in text
        assert "Sedang diproses" in text
        assert "Penerbitan Kartu Keluarga (KK) Baru" in text
        assert "langkah 3 dari 7" in text
        assert "Perkiraan selesai" in text
        assert "pukul" in browser.find_element("id", "diperbarui").text
        assert browser.find_element("id", "diperbarui").text.startswith("Data diperbarui ")
        # no horizontal scrolling on a 360-px phone
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )

        # finished, by the form (the bare code, lower case, no hyphen)
        box = browser.find_element("id", "kode")
        box.clear()
        box.send_keys(office.finished.lower())
        browser.find_element("id", "cek").click()
        text = wait_for(browser, "hasil")
        assert f"Status permohonan {shown(office.finished)}" in text
        assert "Selesai" in text and "Kartu Identitas Anak" in text
        assert "PT POS" in text and "P2211000123" not in text
        assert browser.current_url.endswith("#" + shown(office.finished))

        # waiting for the pemohon: the SOP label, the staff's free text only counted
        browser.get(served.url + "#" + office.waiting)
        text = wait_for(browser, "hasil")
        assert "Menunggu kelengkapan dari pemohon" in text
        assert office.label in text
        assert "1 butir lain, sebagaimana disampaikan petugas melalui WhatsApp" in text
        assert NAME not in text and NIK not in text

        # a mistyped code: a clear message, and no request at all
        before = len(served.paths)
        box = browser.find_element("id", "kode")
        box.clear()
        box.send_keys(shown(typo(office.open)))
        browser.find_element("id", "cek").click()
        message = wait_for(browser, "pesan")
        assert "salah ketik" in message and "periksa kembali setiap karakternya" in message
        assert browser.execute_script("return document.getElementById('hasil').hidden")
        box.clear()
        box.send_keys("ABCD-EFG0H")
        browser.find_element("id", "cek").click()
        assert "'0'" in wait_for(browser, "pesan")
        time.sleep(0.3)
        assert served.paths[before:] == []

        # a valid code the office never issued (or expired): a clear message after the lookup
        unknown = new_tracking_code(random.Random(5))
        browser.get(served.url + "#" + shown(office.expired))
        message = wait_for(browser, "pesan")
        assert f"Kode {shown(office.expired)} tidak ditemukan" in message
        browser.get(served.url + "#" + unknown)
        message = wait_for(browser, "pesan")
        assert f"Kode {shown(unknown)} tidak ditemukan" in message
        assert any(p.startswith("/s/") for p in served.paths)
    finally:
        served.close()

    # the whole published tree holds no name, NIK or WhatsApp number, nor the codes themselves
    private = office.private_strings()
    assert NAME in private and NIK in private and "6281234567890" in private
    with office.db.read() as s:
        codes = {c for (c,) in s.execute(select(Case.code))}
    files = [p for p in folder.rglob("*") if p.is_file()]
    # index, app, style, skm.js, config, and the standar pelayanan pages (layanan/)
    assert len(files) == first.published + 5 + len(page_files(folder))
    for path in files:
        body = path.read_text(encoding="utf-8")
        for secret in private | codes | {shown(c) for c in codes}:
            assert secret not in body, (path.name, secret)
    record = json.loads(
        (folder / "s" / f"{derive_name(office.waiting, salt, ITERATIONS)}.json").read_text(
            encoding="utf-8"
        )
    )
    assert record["kurang"] == [office.label] and record["kurang_lain"] == 1


def test_check_character_in_javascript_agrees_with_python(browser: Any, tmp_path: Path) -> None:
    from sipelayanan.resources import resource_path

    for name in ("index.html", "app.js", "style.css"):
        shutil.copy(resource_path("statussite", name), tmp_path / name)
    (tmp_path / "config.json").write_text('{"salt": "00", "iterations": 1000, "hari": 30}')
    served = Served(tmp_path)
    try:
        browser.get(served.url)
        rng = random.Random(31)
        samples: list[str] = []
        for _ in range(700):
            code = new_tracking_code(rng)
            samples.append(code)
            i = rng.randrange(9)
            samples.append(code[:i] + rng.choice(TRACKING_ALPHABET) + code[i + 1 :])
            j = rng.randrange(8)
            samples.append(code[:j] + code[j + 1] + code[j] + code[j + 2 :])
            samples.append("".join(rng.choice(TRACKING_ALPHABET) for _ in range(9)))
        samples += [
            "",
            "abcd-efgh3",
            "ABCD EFGH3",
            "ABCD\u2013EFGH3",
            "ABCDEFGH",
            "ABCD-EFG0I",
            "abcdefgh33",
            "ZZZZZZZZZ",
        ]
        answers = browser.execute_script(
            "return arguments[0].map(function (c) {"
            " var n = SiPelayanan.normalize(c);"
            " return [n.code || null, n.error || null,"
            "         c.length === 9 ? SiPelayanan.isValid(c) : null,"
            "         c.length === 9 ? SiPelayanan.checkSymbol(c.slice(0, 8)) : null]; })",
            samples,
        )
        for sample, (code, error, valid, check) in zip(samples, answers, strict=True):
            try:
                expected = normalize_tracking_code(sample)
            except ValidationError as exc:
                assert code is None and error == str(exc), sample
            else:
                assert code == expected and error is None, sample
            if len(sample) == 9 and all(c in TRACKING_ALPHABET for c in sample):
                assert valid == _is_valid(sample), sample
                assert _is_valid(sample[:8] + check), sample

        # the file name: WebCrypto PBKDF2 equals hashlib's
        salt = "0f3706fa9eb653945655781d731b6e64"
        for code in samples[:8:2]:
            name = browser.execute_async_script(
                "var done = arguments[arguments.length - 1];"
                "SiPelayanan.deriveName(arguments[0], arguments[1], 5000,"
                " function (e, n) { done(e ? String(e) : n); });",
                code,
                salt,
            )
            assert name == derive_name(code, bytes.fromhex(salt), 5000)
    finally:
        served.close()


# --------------------------------------------------------------------------- build, CLI


def test_build_is_incremental_and_expires(office: Office, tmp_path: Path) -> None:
    folder = tmp_path / "situs"
    first = office.build(folder)
    again = office.build(folder)
    assert (again.written, again.removed, again.derived) == (0, 0, 0)
    assert again.published == first.published
    # 29 days later the request finished 3 days ago has expired; nothing else is re-derived
    later = office.build(folder, now=office.now + timedelta(days=29))
    assert later.removed >= 1 and later.derived == 0
    gone = derive_name(office.finished, office.settings.salt_bytes(), ITERATIONS)
    assert not (folder / "s" / f"{gone}.json").exists()
    # a change of state rewrites only that request's file
    with office.db.write() as s:
        svc.cancel(s, office_actor(office.db, "kasi"), office.open, reason="Permintaan pemohon")
    changed = office.build(folder, now=office.now + timedelta(days=29))
    assert changed.written == 1 and changed.derived == 0
    name = derive_name(office.open, office.settings.salt_bytes(), ITERATIONS)
    assert json.loads((folder / "s" / f"{name}.json").read_text())["keadaan"] == "batal"


def test_build_in_bounded_rounds_ends_with_the_whole_site(office: Office, tmp_path: Path) -> None:
    whole, rounds = tmp_path / "sekaligus", tmp_path / "bertahap"
    full = office.build(whole)
    with office.db.read() as s:
        first = build_site(s, rounds, office.settings, now=office.now, max_new_names=5)
    assert first.derived == 5 and first.pending == full.published - 5
    assert len(list((rounds / "s").iterdir())) == 5
    pending, n = first.pending, 1
    while pending:
        with office.db.read() as s:
            step = build_site(s, rounds, office.settings, now=office.now, max_new_names=5)
        assert step.pending < pending
        pending, n = step.pending, n + 1
    assert n == -(-full.published // 5)
    names = {p.name for p in (whole / "s").iterdir()}
    assert {p.name for p in (rounds / "s").iterdir()} == names
    for name in names:
        assert (rounds / "s" / name).read_bytes() == (whole / "s" / name).read_bytes()


def office_actor(db: Database, username: str) -> Any:
    from sipelayanan.services.users import get_user

    with db.read() as s:
        return get_user(s, username).actor()


def test_cli_build_and_publish_to_a_folder(
    office: Office, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "situs"
    assert cli.main(["--db", db_url, "status-site", "build", "-o", str(out)]) == 0
    assert "Situs status dibangun" in capsys.readouterr().out
    assert (out / "index.html").is_file() and (out / "config.json").is_file()
    config = json.loads((out / "config.json").read_text())
    assert config["salt"] == office.settings.salt and config["iterations"] == ITERATIONS
    # refused: publishing without a target; building over a folder holding other files
    assert cli.main(["--db", db_url, "status-site", "publish", "--folder", str(out)]) == 2
    assert "belum diatur" in capsys.readouterr().err
    (tmp_path / "lain").mkdir()
    (tmp_path / "lain" / "skripsi.docx").write_text("x")
    assert cli.main(["--db", db_url, "status-site", "build", "-o", str(tmp_path / "lain")]) == 2
    assert "berisi file lain" in capsys.readouterr().err
    assert cli.main(["--db", db_url, "status-site", "build", "-o", str(out), "--hari", "0"]) == 2
    assert "--hari" in capsys.readouterr().err

    web = tmp_path / "web"
    web.mkdir()
    with office.db.write() as s:
        settings = get_site_settings(s)
        settings.target = str(web)
        save_site_settings(s, settings, actor=None)
    assert cli.main(["--db", db_url, "status-site", "publish", "--folder", str(out)]) == 0
    assert "diterbitkan" in capsys.readouterr().out
    assert tree(web) == tree(out)


def test_salt_is_generated_once(db: Database) -> None:
    with db.write() as s:
        first = ensure_salt(s)
    with db.write() as s:
        second = ensure_salt(s)
    assert len(first.salt) == 32 and first.salt == second.salt


# --------------------------------------------------------------------------- SFTP


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[tuple[int, Path, Path]]:
    """A real OpenSSH server on loopback, its own host key, one user key; (port, key, root)."""
    _missing_tool(SSHD, "openssh-server")
    if os.geteuid() != 0:
        pytest.skip("sshd needs root here")
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation directory
    d = tmp_path / "sshd"
    d.mkdir()
    for name in ("host", "user"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)], check=True
        )
    (d / "authorized_keys").write_text((d / "user.pub").read_text())
    os.chmod(d / "authorized_keys", 0o600)
    root = tmp_path / "remote" / "www"
    root.parent.mkdir()
    port = _free_port()
    (d / "config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {d / 'host'}\n"
        f"PidFile {d / 'pid'}\nAuthorizedKeysFile {d / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "PermitRootLogin prohibit-password\nStrictModes no\n"
        "Subsystem sftp internal-sftp\n"
    )
    proc = subprocess.Popen(
        [str(SSHD), "-f", str(d / "config"), "-D", "-e"],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
    try:
        yield port, d / "user", root
    finally:
        proc.terminate()
        proc.wait(10)


def test_publish_to_a_real_sftp_server(
    office: Office, sshd: tuple[int, Path, Path], tmp_path: Path
) -> None:
    import getpass

    port, key, root = sshd
    target = f"sftp://{getpass.getuser()}@127.0.0.1:{port}{root}"
    folder = tmp_path / "situs"
    office.build(folder)
    first = publish(folder, target, key_file=str(key))
    assert first.sent == len(tree(folder)) and first.removed == 0
    assert tree(root) == tree(folder)
    assert (tmp_path / "situs.known_hosts").read_text().strip()  # the host key, kept

    # nothing changed: only config.json (its "diperbarui") goes again
    office.build(folder, now=office.now + timedelta(minutes=5))
    quiet = publish(folder, target, key_file=str(key))
    assert (quiet.sent, quiet.removed) == (1, 0)

    # a day of changes: a new request, a change of state, expiries
    with office.db.write() as s:
        svc.cancel(s, office_actor(office.db, "kasi"), office.open, reason="Permintaan")
    t = office.now + timedelta(minutes=10)
    sdef = services()["KIA"]
    with office.db.write() as s:
        data = svc.IntakeData(
            service="KIA", nama=NAME, nik=NIK, wa="0812-3456-7890", kecamatan="18.08.01"
        )
        svc.intake(s, office_actor(office.db, ROLE_USER[sdef.step(1).role]), data, now=t)
    changes = office.build(folder, now=office.now + timedelta(days=29))
    assert changes.removed >= 1 and changes.written >= 2
    day = publish(folder, target, key_file=str(key))
    assert day.removed == changes.removed
    assert tree(root) == tree(folder)

    # someone deleted a file on the server: it comes back; a stray old record goes
    victim = next((root / "s").iterdir())
    victim.unlink()
    (root / "s" / "00000000000000000000000000000000.json").write_text("{}")
    publish(folder, target, key_file=str(key))
    assert tree(root) == tree(folder)
    assert json.loads(state_path(folder).read_text())["_last"]["target"] == "SFTP 127.0.0.1"


def test_publish_offline_fails_clearly_and_resumes(office: Office, tmp_path: Path) -> None:
    from sipelayanan.statussite.publish import PublishError

    folder = tmp_path / "situs"
    office.build(folder)
    port = _free_port()  # nobody listens there
    with pytest.raises(PublishError, match="tidak terjangkau"):
        publish(folder, f"sftp://u@127.0.0.1:{port}/x", password="p")
    with pytest.raises(PublishError, match="tidak ada"):
        publish(folder, str(tmp_path / "belum-ada"))


# --------------------------------------------------------------------------- receipt QR


def test_receipt_qr_points_at_the_page_when_the_address_is_set(
    db: Database, actors: dict[str, Any]
) -> None:
    from sipelayanan.reports import receipt
    from tests.reports.test_receipt import decode_png

    code = intake(db, actors, "KK", datetime.now(UTC), nama=NAME)
    with db.write() as s:
        before = decode_png(receipt(s, code, "png", actor=actors["online"]))
    assert before and before[0].startswith("https://wa.me/") and "STATUS" in before[0]

    with db.write() as s:
        save_site_settings(
            s, SiteSettings(public_url="https://disdukcapil.example/status"), actor=None
        )
    with db.write() as s:
        after = decode_png(receipt(s, code, "png", actor=actors["online"]))
        pdf = receipt(s, code, "pdf", actor=actors["online"])
    assert after == [f"https://disdukcapil.example/status/#{code}"]
    import io

    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert f"https://disdukcapil.example/status/#{code}" in text.replace("\n", "")

    with db.write() as s:
        save_site_settings(s, SiteSettings(public_url=""), actor=None)
    with db.write() as s:
        again = decode_png(receipt(s, code, "png", actor=actors["online"]))
    assert again == before


def test_page_is_plain_es5_and_loads_nothing_from_elsewhere() -> None:
    """Old Android browsers: no arrow functions, let/const, classes, template strings or
    fetch; and no CDN or tracker: the page names no other host."""
    import re

    from sipelayanan.resources import resource_path

    js = resource_path("statussite", "app.js").read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", js, flags=re.S)
    for construct in ("=>", "`", "fetch(", "async ", "await "):
        assert construct not in code, construct
    for word in ("let", "const", "class"):
        assert not re.search(rf"\b{word}\s+[A-Za-z_$]", code), word
    for name in ("index.html", "app.js", "style.css"):
        text = resource_path("statussite", name).read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), name


# --------------------------------------------------------------------------- WebDAV / HTTP PUT


class DavServer:
    """A small WebDAV-ish server on loopback: PUT, DELETE, MKCOL, Basic auth."""

    def __init__(self, root: Path, user: str, password: str) -> None:
        import base64

        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.requests: list[tuple[str, str]] = []
        dav = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _path(self) -> Path | None:
                rel = self.path.split("?", 1)[0].removeprefix("/dav/")
                target = (root / rel).resolve()
                return target if target.is_relative_to(root.resolve()) else None

            def _auth(self) -> bool:
                dav.requests.append((self.command, self.path))
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.end_headers()
                    return False
                return True

            def do_PUT(self) -> None:
                if not self._auth():
                    return
                path = self._path()
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if path is None or not path.parent.is_dir():
                    self.send_response(409)
                else:
                    path.write_bytes(body)
                    self.send_response(201)
                self.end_headers()

            def do_DELETE(self) -> None:
                if not self._auth():
                    return
                path = self._path()
                if path is not None and path.is_file():
                    path.unlink()
                    self.send_response(204)
                else:
                    self.send_response(404)
                self.end_headers()

            def do_MKCOL(self) -> None:
                if not self._auth():
                    return
                path = self._path()
                if path is not None and path.is_dir():
                    self.send_response(405)
                elif path is not None:
                    path.mkdir()
                    self.send_response(201)
                else:
                    self.send_response(403)
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://dinas@127.0.0.1:{self.server.server_port}/dav/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def memory_keyring() -> Iterator[dict[tuple[str, str], str]]:
    import keyring
    from keyring.backend import KeyringBackend

    store: dict[tuple[str, str], str] = {}

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            store.pop((service, username), None)

    before = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        yield store
    finally:
        keyring.set_keyring(before)


def test_publish_over_webdav_with_the_password_from_the_keyring(
    office: Office, tmp_path: Path, memory_keyring: dict[tuple[str, str], str]
) -> None:
    from sipelayanan.statussite.publish import PublishError, parse_target, store_password

    root = tmp_path / "dav"
    root.mkdir()
    dav = DavServer(root, "dinas", "rahasia-dav")
    try:
        folder = tmp_path / "situs"
        office.build(folder)
        with pytest.raises(PublishError, match="menolak"):  # no password stored yet
            publish(folder, dav.url)
        assert store_password(parse_target(dav.url), "rahasia-dav")
        assert "rahasia-dav" in memory_keyring.values()
        first = publish(folder, dav.url)
        assert tree(root) == tree(folder) and first.sent == len(tree(folder))
        # a day later: expiries are deleted on the server, nothing else is sent again
        with office.db.write() as s:
            svc.cancel(s, office_actor(office.db, "kasi"), office.open, reason="Permintaan")
        office.build(folder, now=office.now + timedelta(days=29))
        dav.requests.clear()
        day = publish(folder, dav.url)
        assert day.removed >= 1 and day.sent == 2  # the cancelled request and config.json
        assert tree(root) == tree(folder)
        assert all(method in ("PUT", "DELETE", "MKCOL") for method, _ in dav.requests)
    finally:
        dav.close()
