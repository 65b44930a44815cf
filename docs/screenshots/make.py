"""Take the README screenshots of the desktop app's main windows on demo data, as an office PC
shows them: a 1366×768 screen at 100 % and at 125 % scaling (issue 12.6).

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python docs/screenshots/make.py

Without arguments it runs itself once per scale (QT_SCALE_FACTOR needs a fresh process):
``NAME.png`` at 100 %, ``NAME_125.png`` at 125 %. Main windows are shown maximised, less a
40 px taskbar and a 32 px title bar. Everything runs on a throw-away SQLite file with the demo
data; the PNGs land beside this script.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from sipelayanan.db import Database  # noqa: E402
from sipelayanan.demo import load_demo  # noqa: E402
from sipelayanan.services.office import get_profile, save_profile  # noqa: E402
from sipelayanan.services.users import get_user  # noqa: E402
from sipelayanan.ui.app import setup_application  # noqa: E402
from sipelayanan.ui.ops import Ops  # noqa: E402
from sipelayanan.ui.settings import Settings  # noqa: E402


def settle(app: QApplication, ms: int) -> None:
    """Let background loads and thumbnail renders land."""
    done: list[bool] = []
    QTimer.singleShot(ms, lambda: done.append(True))
    while not done:
        app.processEvents()


SUFFIX = ""  # "_125" while taking the 125 % set
TASKBAR_AND_TITLE_PX = 72


def grab(app: QApplication, widget: QWidget, name: str, ms: int = 1500) -> None:
    settle(app, ms)
    target = HERE / name.replace(".png", f"{SUFFIX}.png")
    widget.grab().save(str(target))
    print("wrote", target)


def maximise(window: QWidget) -> None:
    """The window as maximised on an office PC: the screen less taskbar and title bar."""
    screen = window.screen()
    avail = screen.availableGeometry()
    room = round(TASKBAR_AND_TITLE_PX / screen.devicePixelRatio())
    window.setGeometry(avail.x(), avail.y(), avail.width(), avail.height() - room)


def main() -> None:
    global SUFFIX
    if len(sys.argv) == 1:  # each scale in a process of its own
        import os
        import subprocess

        for scale, suffix in (("1", ""), ("1.25", "_125")):
            env = {**os.environ, "QT_SCALE_FACTOR": scale, "SHOTS_SUFFIX": suffix}
            subprocess.run([sys.executable, __file__, "--one"], env=env, check=True)
        return
    import os

    SUFFIX = os.environ.get("SHOTS_SUFFIX", "")
    app = QApplication(sys.argv)
    setup_application(app)
    tmp = Path(tempfile.mkdtemp(prefix="sip-shots-"))
    url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    db = Database(url)
    db.upgrade()
    load_demo(db, count=300)
    with db.write() as s:
        profile = get_profile(s)
        profile.kepala_dinas = "Drs. Paryanto, M.M."
        profile.kepala_dinas_nip = "196805121994031007"
        save_profile(s, profile, actor=None)
    settings = Settings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    ops = Ops(url, poll_ms=0)

    def user(name: str):
        with db.read() as s:
            return get_user(s, name)

    # login --------------------------------------------------------------------------------
    from sipelayanan.ui.login import LoginDialog

    settings.set_last_username("online")
    login = LoginDialog(ops, settings)
    login.show()
    login.password.setText("rahasia1")
    login.message.error("Nama pengguna atau kata sandi salah.")
    grab(app, login, "login.png")
    login.close()

    # first start (on its own empty database) ----------------------------------------------
    from sipelayanan.ui.first_start import FirstStartDialog

    empty_url = f"sqlite:///{tmp / 'kosong.sqlite3'}"
    Database(empty_url).upgrade()
    empty_ops = Ops(empty_url, poll_ms=0)
    first = FirstStartDialog(empty_ops)
    first.kadis_name.setText("Drs. Paryanto, M.M.")
    first.kadis_nip.setText("196805121994031007")
    first.full_name.setText("Yusuf Hidayat")
    first.password.setText("sandi-rahasia")
    first.password2.setText("sandi-rahasia")
    first.demo.setChecked(True)
    first.show()
    grab(app, first, "first_start.png", 500)
    first.close()
    empty_ops.shutdown()

    from sipelayanan.ui.main_window import MainWindow

    def main_window(username: str, page: str) -> MainWindow:
        window = MainWindow(ops, user(username), settings)
        maximise(window)
        window.show()
        window.show_page(page)
        return window

    shots: list[tuple[str, str, str, Callable[[MainWindow], None] | None]] = [
        ("operator", "inbox", "kotak_masuk.png", None),
        ("kasi", "review", "tinjauan.png", None),
        ("kasi", "today", "hari_ini.png", None),
        ("penyerahan", "collection", "siap_diambil.png", None),
        ("operator", "search", "cari.png", None),
        ("aduan", "pengaduan", "pengaduan.png", None),
        ("admin", "admin", "admin.png", None),
    ]
    for username, page, name, prepare in shots:
        window = main_window(username, page)
        if page not in window.pages:
            window.close()
            continue
        settle(app, 1200)
        if prepare is not None:
            prepare(window)
        if page == "review":
            review = window.pages["review"]
            review.table.setFocus()  # type: ignore[attr-defined]
            review.table.selectRow(0)  # type: ignore[attr-defined]
        if page == "search":
            search = window.pages["search"]
            box = getattr(search, "box", None) or getattr(search, "search_box", None)
            if box is not None:
                box.setText("Siti")
                box.returnPressed.emit()
        grab(app, window, name)
        window.close()

    # intake, partly filled, with berkas ----------------------------------------------------
    window = main_window("online", "intake")
    intake = window.pages["intake"]
    from sipelayanan.ui.intake import IntakePage
    from tests.ui.conftest import pdf_bytes  # a real PDF made with ReportLab

    assert isinstance(intake, IntakePage)
    intake.set_service("KIA")
    intake.nama.setText("Aisyah Putri Lestari")
    intake.nik.setText("1808015708180002")
    intake.no_kk.setText("1808011203150004")
    intake.wa.setText("0812 7788 9900")
    intake.kecamatan.setCurrentIndex(1)
    intake.checklist.box("fotokopi_kk").setChecked(True)
    intake.checklist.box("foto_akta_kelahiran").setChecked(True)
    intake.checklist.condition_box("anak_lebih_5_tahun").setChecked(True)
    files = []
    for i, text in enumerate(("Kartu Keluarga", "Kutipan Akta Kelahiran")):
        path = tmp / f"berkas_{i + 1}.pdf"
        path.write_bytes(pdf_bytes(text))
        files.append(str(path))
    from PySide6.QtGui import QColor, QImage, QPainter

    photo = QImage(300, 400, QImage.Format.Format_RGB32)
    photo.fill(QColor("#c5d8f0"))
    painter = QPainter(photo)
    painter.setBrush(QColor("#8d6e63"))
    painter.drawEllipse(90, 80, 120, 150)
    painter.drawRect(60, 250, 180, 150)
    painter.end()
    photo.save(str(tmp / "ktp_ibu.jpg"))
    files.append(str(tmp / "ktp_ibu.jpg"))
    intake.add_files(files)
    grab(app, window, "penerimaan.png", 2500)
    window.close()

    # the request window: a KK with a koreksi in its history, as Kabid --------------------
    from sqlalchemy import select

    from sipelayanan.models import Case, CaseStep
    from sipelayanan.ui.case import CaseWindow

    with db.read() as s:
        code = (
            s.execute(
                select(Case.code)
                .join(CaseStep, CaseStep.case_id == Case.id)
                .where(
                    Case.status == "proses",
                    Case.service == "KK",
                    Case.current_step == 4,
                    CaseStep.action == "kembali",
                )
            ).scalar()
            or s.execute(
                select(Case.code).where(
                    Case.status == "proses", Case.current_step == 4, Case.service == "KK"
                )
            ).scalar()
        )
    host = main_window("kabid", "inbox")
    if code:
        from sipelayanan.services.berkas import BerkasFile
        from sipelayanan.services.cases import add_attachments, advance, return_to_step
        from sipelayanan.services.context import Actor

        def actor(name: str) -> Actor:
            info = user(name)
            return Actor(info.id, info.username)

        with db.write() as s:  # a koreksi in the history, fixed since
            return_to_step(
                s,
                actor("kabid"),
                code,
                to_step=2,
                reason="Nama istri pada draf KK tidak sesuai buku nikah; mohon "
                "diperbaiki di SIAK dan dicetak ulang.",
            )
            advance(s, actor("operator"), code, note="Sudah diperbaiki dan dicetak ulang.")
            advance(s, actor("kasi"), code)
        kabid = user("kabid")
        with db.write() as s:
            add_attachments(
                s,
                Actor(kabid.id, kabid.username),
                code,
                [
                    BerkasFile("formulir_f102.pdf", pdf_bytes("Formulir F-1.02")),
                    BerkasFile("buku_nikah.pdf", pdf_bytes("Kutipan Akta Perkawinan")),
                    BerkasFile("ktp_suami.jpg", (tmp / "ktp_ibu.jpg").read_bytes()),
                ],
            )
        case = CaseWindow(host.ctx, code, host)
        case.show()  # its own size: from the screen's available geometry
        settle(app, 1500)
        case.tabs.setCurrentIndex(2)
        grab(app, case, "permohonan.png", 1500)
        case.tabs.setCurrentIndex(0)
        case.berkas.setCurrentRow(0)
        grab(app, case, "permohonan_berkas.png", 1500)
        viewer = case.berkas.open_viewer(2)  # the photo, in the berkas viewer
        if viewer is not None:
            settle(app, 1200)
            viewer.rotate(90)
            grab(app, viewer, "berkas_viewer.png", 800)
            viewer.close()
        case.close()

    # the connection banner -------------------------------------------------------------------
    host.show_page("inbox")
    host.banner.show_lost(
        "Server basis data tidak dapat dihubungi atau memutus koneksi. Tidak "
        "ada yang tersimpan setengah jalan; periksa jaringan/server lalu coba "
        "lagi."
    )
    grab(app, host, "koneksi_terputus.png", 800)
    host.close()
    ops.shutdown()


if __name__ == "__main__":
    main()
