"""Child process: scroll the Cari results over every request through the real lazy model.

    python -m benchmarks.ui_scroll URL [--pages N]

Builds the real Cari page (``ui.search.SearchPage``: its ``SearchModel`` on the real ``Ops``
worker thread, its configured table) in a shown window (offscreen), starts the empty search
(every request, newest first) and asks for the next page the way the table does when it reaches
the end (``fetchMore``), until no page is left or ``N`` pages were fetched. Prints one JSON
line: seconds per page (from fetchMore to the rows being in the model), rows held, and resident
memory at the start and the end.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path


def rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb() -> float:
    """VmHWM (Linux); ru_maxrss would include the parent's size at fork time."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args = sys.argv[1:]
    url = args[0]
    limit = int(args[args.index("--pages") + 1]) if "--pages" in args else 10**9

    import tempfile

    from PySide6.QtCore import QEventLoop, QModelIndex, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from sipelayanan.services.queries import SearchFilters
    from sipelayanan.services.users import UserInfo
    from sipelayanan.ui.context import UiContext
    from sipelayanan.ui.ops import Ops
    from sipelayanan.ui.search import SearchPage
    from sipelayanan.ui.settings import Settings

    app = QApplication(sys.argv[:1])
    ops = Ops(url, poll_ms=0)
    ini = Path(tempfile.mkdtemp(prefix="sip-scroll-")) / "settings.ini"
    ctx = UiContext(
        ops=ops,
        user=UserInfo(1, "operator", "Operator", None, ("operator",), True),
        settings=Settings(QSettings(str(ini), QSettings.Format.IniFormat)),
        open_case=lambda _code: None,
        show_status=lambda _text: None,
    )
    page = SearchPage(ctx)
    page.resize(1280, 760)
    model = page.model
    page._started = True  # the search is started below, and timed
    page.show()

    def wait_loaded(start: Callable[[], object]) -> float:
        loop = QEventLoop()
        model.loaded.connect(loop.quit)
        model.failed.connect(loop.quit)
        QTimer.singleShot(120_000, loop.quit)
        t = time.perf_counter()
        start()
        loop.exec()
        took = time.perf_counter() - t
        model.loaded.disconnect(loop.quit)
        model.failed.disconnect(loop.quit)
        return took

    first = wait_loaded(lambda: model.set_query("", SearchFilters()))
    rss_start = rss_mb()
    times: list[float] = []
    memory: list[tuple[int, float]] = [(len(model.rows), rss_start)]
    while model.canFetchMore(QModelIndex()) and len(times) < limit:
        times.append(wait_loaded(lambda: model.fetchMore(QModelIndex())))
        if len(times) % 250 == 0:
            memory.append((len(model.rows), rss_mb()))
            print(
                f"{len(model.rows):,} rows, {times[-1] * 1000:.1f} ms/page, {memory[-1][1]:.0f} MB",
                file=sys.stderr,
                flush=True,
            )
    page.table.scrollToBottom()
    app.processEvents()
    memory.append((len(model.rows), rss_mb()))
    ops.shutdown()
    print(
        json.dumps(
            {
                "first_page": first,
                "pages": times,
                "rows": len(model.rows),
                "page_size": model.page_size,
                "memory": memory,
                "peak_mb": peak_mb(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
