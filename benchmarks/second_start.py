"""A second start of the desktop app while one runs: how long until the second process ends.

    python -m benchmarks.second_start [--runs 9]

Starts a stand-in for the running app (a ``SingleInstance`` that holds the lock and answers
``show``, in its own process, on a scratch data folder), then times ``sipelayanan`` (no
sub-command: the desktop start) ``--runs`` times, round-robin beside ``python -c pass`` and
``sipelayanan --version``, and prints median / min / max wall time of each whole process, and
how many ``show`` requests the running one received.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNNING = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from sipelayanan.ui.single_instance import SingleInstance
app = QCoreApplication([])
inst = SingleInstance(Path(sys.argv[1]))
assert inst.acquire()
inst.activated.connect(lambda: print("shown", flush=True))
print("ready", flush=True)
app.exec()
"""


def _exe() -> list[str]:
    script = Path(sys.executable).with_name("sipelayanan")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sipelayanan"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="second-start-") as scratch:
        env = dict(os.environ)
        env.update(
            SIPELAYANAN_DATA_DIR=str(Path(scratch) / "data"),
            XDG_STATE_HOME=str(Path(scratch) / "state"),
            QT_QPA_PLATFORM="offscreen",
        )
        env.pop("SIPELAYANAN_DB", None)
        running = subprocess.Popen(
            [sys.executable, "-c", RUNNING, env["SIPELAYANAN_DATA_DIR"]],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert running.stdout is not None and running.stdout.readline() == "ready\n"
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "sipelayanan --version": [*_exe(), "--version"],
            "sipelayanan (second start)": _exe(),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        try:
            for _ in range(args.runs):
                for name, cmd in commands.items():
                    t = time.perf_counter()
                    subprocess.run(cmd, env=env, check=True, capture_output=True)
                    times[name].append(time.perf_counter() - t)
        finally:
            running.terminate()
            out = running.communicate(timeout=30)[0]
        print(f"load average: {os.getloadavg()[0]:.1f} (2 cores)")
        for name, values in times.items():
            print(
                f"{name:28s} median {statistics.median(values):.3f} s  "
                f"min {min(values):.3f}  max {max(values):.3f}  (n={len(values)})"
            )
        print(f"'show' received by the running app: {out.count('shown')} of {args.runs}")


if __name__ == "__main__":
    main()
