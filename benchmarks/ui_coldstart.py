"""Child process: the real app from a cold interpreter to the logged-in inbox, offscreen.

    python -m benchmarks.ui_coldstart URL USERNAME PASSWORD T0 [--bare]

``T0`` is the parent's ``time.time()`` just before it started this process, so the figure
includes the interpreter, every import, opening (and checking the migrations of) the database,
the login (Argon2 verification), building the main window and the inbox's first page. The
login form is filled in the moment it appears, as if the clerk typed instantly. Modules are
imported in the order the ``sipelayanan`` command imports them (the command, then the desktop
app, which brings PySide6). Prints one JSON line: seconds to the first page shown, the phases,
rows shown, peak memory (VmHWM) and the CPU time of the process (user + system, all threads:
less sensitive than wall time to a machine shared with other work).

``--bare`` is the floor: PySide6 with a QMainWindow and a QTableView showing the same inbox
rows read with the bare driver, no login.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


def _peak_mb() -> float:
    """Peak resident memory of this process image. On Linux VmHWM: ru_maxrss survives execve
    and would report the parent's size at fork time."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def real(url: str, username: str, password: str, t0: float) -> dict[str, object]:
    import sipelayanan.cli  # noqa: F401  (the entry point's own imports come first)
    from sipelayanan.ui.app import AppController, resolve_start_url, setup_application
    from sipelayanan.ui.settings import Settings

    from PySide6.QtWidgets import QApplication  # isort: skip  (already loaded by the app)

    phases: dict[str, float] = {"imports": time.time() - t0}
    app = QApplication(sys.argv[:1])
    setup_application(app)
    settings = Settings()
    start_url = resolve_start_url(settings, url)  # as ui.app.run does
    assert start_url is not None
    controller = AppController(start_url, settings, poll_ms=0)
    result: dict[str, object] = {}

    original_login = controller.show_login
    original_main = controller.show_main

    def show_login() -> None:
        phases["login_shown"] = time.time() - t0
        original_login()
        dialog = controller.login
        assert dialog is not None
        dialog.username.setText(username)  # type: ignore[attr-defined]
        dialog.password.setText(password)  # type: ignore[attr-defined]
        dialog.submit()  # type: ignore[attr-defined]

    def show_main(user: object) -> None:
        phases["logged_in"] = time.time() - t0
        original_main(user)
        window = controller.main_window
        page = window.pages["inbox"]  # type: ignore[union-attr]

        def loaded() -> None:
            app.processEvents()  # let the table paint its first rows
            result["seconds"] = time.time() - t0
            result["rows"] = len(page.model.rows)
            result["peak_mb"] = _peak_mb()
            result["cpu_seconds"] = _cpu()
            controller.quit()

        page.loaded.connect(loaded)

    controller.show_login = show_login  # type: ignore[method-assign]
    controller.show_main = show_main  # type: ignore[method-assign]
    controller.start()
    app.exec()
    controller.shutdown()
    result["phases"] = phases
    return result


def bare(url: str, role: str, t0: float) -> dict[str, object]:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

    app = QApplication(sys.argv[:1])
    rows: list[tuple[object, ...]]
    if url.startswith("sqlite"):
        import sqlite3

        lite = sqlite3.connect(url.split("///", 1)[1])
        rows = lite.execute(
            "SELECT code, service, pemohon_nama, nik, current_step, due_at FROM cases "
            "WHERE status = 'proses' AND current_role = ? ORDER BY due_at, id LIMIT 101",
            (role,),
        ).fetchall()
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(url).set(drivername="postgresql")
        with psycopg.connect(u.render_as_string(hide_password=False)) as conn:
            rows = conn.execute(
                "SELECT code, service, pemohon_nama, nik, current_step, due_at FROM cases "
                "WHERE status = 'proses' AND current_role = %s ORDER BY due_at, id LIMIT 101",
                (role,),
            ).fetchall()
    model = QStandardItemModel(len(rows), 6)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            model.setItem(i, j, QStandardItem(str(value)))
    window = QMainWindow()
    view = QTableView(window)
    view.setModel(model)
    window.setCentralWidget(view)
    window.resize(1280, 800)
    window.show()
    result: dict[str, object] = {}

    def shown() -> None:
        app.processEvents()
        result["seconds"] = time.time() - t0
        result["rows"] = len(rows)
        result["peak_mb"] = _peak_mb()
        result["cpu_seconds"] = _cpu()
        app.quit()

    QTimer.singleShot(0, shown)
    app.exec()
    return result


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args = sys.argv[1:]
    if "--bare" in args:
        args.remove("--bare")
        url, role, t0 = args[0], args[1], float(args[2])
        print(json.dumps(bare(url, role, t0)))
        return 0
    url, username, password, t0 = args[0], args[1], args[2], float(args[3])
    print(json.dumps(real(url, username, password, t0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
