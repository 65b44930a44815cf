"""``sipelayanan --self-test``: a headless end-to-end check of an installed copy.

Proves in a few seconds, without a display and without touching the user's data, that what a
clerk needs is really there: the bundled resources and SOP files, time-zone and holiday data, a
fresh SQLite database built by the Alembic migrations, a temporary operator (argon2) who logs
in, one request taken through intake and its first SOP step, the tanda terima rendered as PDF and
PNG, its QR code decoded back (zxing-cpp) to exactly ``reports.qr_content(...)`` with no personal
data in it, the register report (PDF and XLSX), the PostgreSQL driver, and Qt starting on the
offscreen platform with every window module importable.

Prints one line per check, then ``SELF-TEST OK`` (exit 0) or ``SELF-TEST GAGAL: <alasan>``
(exit 1). Details of an unexpected fault go to the log file, never a traceback on screen.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import __version__

log = logging.getLogger("sipelayanan.selftest")

OK_LINE = "SELF-TEST OK"
FAIL_PREFIX = "SELF-TEST GAGAL: "

# A made-up pemohon: clearly a test, valid for every check of the intake form.
TEST_NAMA = "Pemohon Uji Mandiri"
TEST_NIK = "1808011203850001"
TEST_ROLES = ("operator_online", "operator")
TEST_WA = "0811-7961-501"
TEST_USER = "ujimandiri"
TEST_PASSWORD = "uji-mandiri-sipelayanan"


class CheckFailed(Exception):
    """A check found something wrong; the message (Bahasa Indonesia) says what."""


@dataclass
class State:
    """What one check leaves for the next."""

    workdir: Path
    db: Any = None
    actor: Any = None
    code: str = ""
    png: bytes = b""
    pdf: bytes = b""
    notes: list[str] = field(default_factory=list)


Check = Callable[[State], str]


def _require(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --------------------------------------------------------------------------- the checks


def check_resources(state: State) -> str:
    from .resources import resource_path, resources_dir
    from .sop import load_services, services, shipped_folder, sop_folder

    folder = resources_dir()
    # The build must carry the shipped SOP files (whatever folder this PC reads them from).
    shipped = load_services(shipped_folder())
    _require(bool(shipped), f"definisi SOP bawaan tidak ada di {shipped_folder()}")
    # every file the release ships (resources/sop/shipped.txt), e.g. one an antivirus removed
    listed = (shipped_folder() / "shipped.txt").read_text("utf-8").split()
    missing = [name for name in listed if not (shipped_folder() / name).is_file()]
    _require(
        not missing,
        f"definisi SOP tidak lengkap: {', '.join(missing)} tidak ada di {shipped_folder()}",
    )
    defs = services()
    where = sop_folder()
    _require(bool(defs), f"tidak ada definisi SOP di {where.path}")
    for parts in (("icons", "app.png"), ("wilayah", "way_kanan.csv")):
        _require(resource_path(*parts).is_file(), f"file {'/'.join(parts)} tidak ada di {folder}")
    return f"{len(defs)} SOP dari {where.path} ({where.source_label}), folder {folder}"


def check_calendar(state: State) -> str:
    from importlib.resources import files
    from zoneinfo import ZoneInfo

    from .calendar import WIB, national_holidays

    # zoneinfo prefers the system's tz files; Windows has none, so the tzdata package must be in.
    tz_file = files("tzdata").joinpath("zoneinfo", "Asia", "Jakarta")
    _require(tz_file.is_file(), "data zona waktu (paket tzdata) tidak ikut terpasang")
    _require(str(ZoneInfo("Asia/Jakarta")) == "Asia/Jakarta" and WIB is not None, "zona WIB")
    holidays = national_holidays(2024)
    independence = holidays.get(date(2024, 8, 17), "")
    _require(
        "Kemerdekaan" in independence,
        f"hari libur nasional tidak terbaca (17-08-2024: '{independence or 'kosong'}')",
    )
    return f"WIB, {len(holidays)} hari libur nasional 2024"


def check_database(state: State) -> str:
    from .db import Database
    from .migrate import current_revision, head_revision, is_up_to_date

    path = state.workdir / "uji-mandiri.sqlite3"
    state.db = Database(f"sqlite:///{path}")
    state.db.upgrade()
    _require(is_up_to_date(state.db.engine), "migrasi basis data tidak sampai revisi terakhir")
    revision = current_revision(state.db.engine)
    _require(revision == head_revision(), "revisi basis data tidak cocok")
    return f"SQLite sementara, migrasi Alembic sampai {revision}"


def check_operator(state: State) -> str:
    from .services.context import Actor
    from .services.users import authenticate, create_user

    with state.db.write() as session:
        info = create_user(
            session,
            username=TEST_USER,
            full_name="Operator Uji Mandiri",
            password=TEST_PASSWORD,
            roles=list(TEST_ROLES),
        )
    with state.db.write() as session:
        who = authenticate(session, TEST_USER, TEST_PASSWORD)
    _require(who.username == TEST_USER, "operator sementara tidak dapat masuk")
    state.actor = Actor(info.id, info.username)
    return "operator sementara dibuat dan berhasil masuk (argon2)"


def check_request(state: State) -> str:
    from .services import cases
    from .services.queries import case_view
    from .sop import services

    # a document service the test operator receives, whose first step simply goes on
    sdef = next(
        s
        for s in services().values()
        if not s.is_complaint
        and len(s.steps) > 1
        and s.intake_step.role in TEST_ROLES
        and s.intake_step.allows("next")
    )
    data = cases.IntakeData(service=sdef.code, nama=TEST_NAMA, wa=TEST_WA, nik=TEST_NIK)
    with state.db.write() as session:
        ref = cases.intake(session, state.actor, data)
    state.code = ref.code
    first = sdef.intake_step.no
    second = first + 1
    _require(ref.current_step == first, f"permohonan baru tidak berada di langkah {first}")
    with state.db.write() as session:
        moved = cases.advance(session, state.actor, ref.code, note="uji mandiri")
    _require(moved.current_step == second, f"langkah tidak maju (sekarang {moved.current_step})")
    with state.db.read() as session:
        view = case_view(session, ref.code)
    _require(view.current_step == second, "riwayat permohonan tidak tersimpan")
    return (
        f"permohonan {sdef.short_name} {ref.code}: penerimaan lalu langkah {first} selesai, "
        f"kini langkah {second}"
    )


def check_receipt(state: State) -> str:
    from . import reports

    with state.db.write() as session:
        state.pdf = reports.receipt(session, state.code, "pdf", actor=state.actor)
        state.png = reports.receipt(session, state.code, "png", actor=state.actor)
    _require(
        state.pdf.startswith(b"%PDF-") and b"%%EOF" in state.pdf[-1024:], "tanda terima PDF rusak"
    )
    from PIL import Image

    with Image.open(io.BytesIO(state.png)) as image:
        _require(image.format == "PNG", f"tanda terima PNG berformat {image.format}")
        size = image.size
    return f"tanda terima PDF {len(state.pdf) // 1024} KB dan PNG {size[0]}x{size[1]}"


def _qr_texts(image: Any) -> list[str]:
    import zxingcpp

    found = zxingcpp.read_barcodes(image.convert("RGB"))
    return [r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode]


def check_qr(state: State) -> str:
    from PIL import Image

    from . import reports

    with Image.open(io.BytesIO(state.png)) as image:
        texts = _qr_texts(image)
    _require(texts, "kode QR pada tanda terima PNG tidak terbaca")
    with state.db.read() as session:
        expected = reports.qr_content(session, state.code)
    _require(expected in texts, "isi kode QR pada tanda terima PNG berbeda dari yang seharusnya")
    lowered = expected.lower()
    _require(
        TEST_NIK not in expected
        and TEST_NAMA.lower() not in lowered
        and "pemohon uji" not in lowered,
        "kode QR memuat data pribadi (NIK/nama)",
    )
    detail = "QR PNG"
    if state.pdf:  # the printed receipt too, rasterised by PDFium (the GUI's berkas viewer)
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(state.pdf)
        try:
            page = document[0]
            image = page.render(scale=3).to_pil()
            page.close()
        finally:
            document.close()
        _require(
            expected in _qr_texts(image), "kode QR pada tanda terima PDF tidak terbaca/berbeda"
        )
        detail += " dan PDF"
    return f"{detail} terbaca (zxing-cpp), isinya sama dengan qr_content, tanpa data pribadi"


def check_reports(state: State) -> str:
    from . import reports

    today = date.today()
    with state.db.write() as session:
        pdf = reports.report(session, "register", today, today, fmt="pdf", actor=state.actor)
        xlsx = reports.report(session, "register", today, today, fmt="xlsx", actor=state.actor)
    _require(pdf.startswith(b"%PDF-"), "buku register PDF rusak")
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        _require("xl/workbook.xml" in book.namelist(), "buku register XLSX rusak")
    return f"buku register PDF {len(pdf) // 1024} KB dan XLSX {len(xlsx) // 1024} KB"


def check_postgres_driver(state: State) -> str:
    try:
        import psycopg
    except ImportError:
        if getattr(sys, "frozen", False):
            raise CheckFailed("driver PostgreSQL (psycopg) tidak ikut terpasang") from None
        return "dilewati: psycopg tidak terpasang (pip install sipelayanan[postgres])"
    impl = psycopg.pq.__impl__
    if getattr(sys, "frozen", False):
        _require(impl == "binary", f"driver PostgreSQL memakai implementasi '{impl}'")
    libpq = psycopg.pq.version()  # e.g. 170002 for 17.2
    return f"psycopg {psycopg.__version__} ({impl}), libpq {libpq // 10000}.{libpq % 10000}"


def check_keyring(state: State) -> str:
    """Where the PostgreSQL password is kept (Windows Credential Manager in the installed app)."""
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, FailKeyring):
        _require(
            not (getattr(sys, "frozen", False) and sys.platform == "win32"),
            "Windows Credential Manager tidak terjangkau (keyring)",
        )
        return f"tidak ada di PC ini ({name}); kata sandi PostgreSQL ditanyakan tiap mulai"
    return name


@contextmanager
def _offscreen() -> Iterator[None]:
    old = os.environ.get("QT_QPA_PLATFORM")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("QT_QPA_PLATFORM", None)
        else:
            os.environ["QT_QPA_PLATFORM"] = old


def _platform_plugin_present(library_paths: Sequence[str]) -> bool:
    for folder in library_paths:
        platforms = Path(folder) / "platforms"
        if platforms.is_dir() and any("offscreen" in p.name for p in platforms.iterdir()):
            return True
    return False


def check_qt(state: State) -> str:
    import importlib
    import pkgutil

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication, QIcon, QImage
    from PySide6.QtWidgets import QApplication, QLabel

    from .resources import resource_path

    existing = QApplication.instance()
    if existing is None:
        # Qt aborts the whole process when the platform plugin is missing: look first.
        paths = QCoreApplication.libraryPaths()
        _require(
            _platform_plugin_present(paths),
            "plugin platform Qt 'offscreen' tidak ditemukan (dicari di: "
            f"{', '.join(paths) or 'tidak ada folder plugin'})",
        )
    with _offscreen():
        app = existing or QApplication(["sipelayanan-self-test"])
        try:
            ico = QImage(str(resource_path("icons", "app.ico")))
            _require(not ico.isNull(), "Qt tidak dapat membaca ikon .ico (plugin imageformats)")
            label = QLabel("SiPelayanan")
            label.setWindowIcon(QIcon(str(resource_path("icons", "app.png"))))
            label.show()
            app.processEvents()
            shot = label.grab()
            label.close()
            label.deleteLater()
            app.processEvents()
            _require(not shot.isNull() and shot.width() > 0, "Qt tidak dapat menggambar jendela")
            platform = QGuiApplication.platformName()
        finally:
            if existing is None:
                app.shutdown()
    from . import ui

    modules = 0
    for info in pkgutil.walk_packages(ui.__path__, "sipelayanan.ui."):
        try:
            importlib.import_module(info.name)
        except ImportError as exc:
            raise CheckFailed(f"modul jendela {info.name} tidak dapat dimuat: {exc}") from exc
        modules += 1
    return f"Qt {pyside_version} platform '{platform}', {modules} modul jendela termuat"


CHECKS: list[tuple[str, Check]] = [
    ("resources dan SOP", check_resources),
    ("zona waktu dan hari libur", check_calendar),
    ("basis data sementara", check_database),
    ("operator sementara", check_operator),
    ("permohonan", check_request),
    ("tanda terima", check_receipt),
    ("kode QR", check_qr),
    ("laporan", check_reports),
    ("driver PostgreSQL", check_postgres_driver),
    ("penyimpan kata sandi", check_keyring),
    ("Qt tanpa layar", check_qt),
]


# --------------------------------------------------------------------------- the runner


def run_self_test(
    checks: Sequence[tuple[str, Check]] | None = None,
    *,
    out: Callable[[str], None] | None = None,
) -> int:
    """Run every check in order, stop at the first failure. Returns the exit status."""
    emit = out or (lambda line: print(line, flush=True))
    frozen = " (paket)" if getattr(sys, "frozen", False) else ""
    emit(f"SiPelayanan {__version__}{frozen}: uji mandiri")
    started = time.perf_counter()
    state: State | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="sipelayanan-uji-") as tmp:
            state = State(workdir=Path(tmp))
            try:
                for label, check in checks if checks is not None else CHECKS:
                    t0 = time.perf_counter()
                    try:
                        detail = check(state)
                    except CheckFailed as exc:
                        raise CheckFailed(f"{label}: {exc}") from exc
                    except Exception as exc:
                        log.exception("self-test check %r failed", label)
                        raise CheckFailed(f"{label}: {_describe(exc)}") from exc
                    emit(f"  ok  {label:<26} {detail}  [{time.perf_counter() - t0:.2f} s]")
            finally:
                if state.db is not None:
                    state.db.dispose()  # release the file so the folder can be removed
    except CheckFailed as exc:
        emit(f"{FAIL_PREFIX}{exc}")
        return 1
    except OSError as exc:  # the temporary folder itself
        log.exception("self-test could not use a temporary folder")
        emit(f"{FAIL_PREFIX}folder sementara tidak dapat dipakai ({exc.strerror or exc})")
        return 1
    emit(f"  semua pemeriksaan lulus dalam {time.perf_counter() - started:.1f} s")
    emit(OK_LINE)
    return 0


def _describe(exc: BaseException) -> str:
    """One line for the screen: our own errors are clerk-ready; others name their type."""
    from .errors import SipelayananError

    if isinstance(exc, SipelayananError):
        return str(exc)
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
