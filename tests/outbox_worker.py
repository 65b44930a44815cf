"""A separate sender process for the outbox kill tests.

Run as ``python -m tests.outbox_worker '<json>'`` with ``url`` (database), ``token`` and
``hang`` (a stage of :func:`sipelayanan.services.outbox.send_due`: ``before_request``,
``after_request`` or ``after_record``). The worker runs one sender round; at ``hang`` on the
first notice it prints ``MID <notice id>`` and waits to be killed (SIGKILL: no clean-up runs).
Without ``hang`` it finishes and prints ``RESULT <json>``.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def main() -> None:
    args = json.loads(sys.argv[1])
    from sipelayanan.db import Database
    from sipelayanan.services import outbox

    db = Database(args["url"])
    hang = args.get("hang")

    def on_stage(stage: str, notice_id: int) -> None:
        if stage == hang:
            sys.stdout.write(f"MID {notice_id}\n")
            sys.stdout.flush()
            while True:
                time.sleep(1)

    report = outbox.run_sender(
        db, token=args["token"], on_stage=on_stage, stale_after=args.get("stale_after", 0)
    )
    out: dict[str, Any] = {
        "sent": report.sent,
        "uncertain": report.uncertain,
        "recovered": report.recovered,
        "failed": report.failed,
    }
    db.dispose()
    sys.stdout.write("RESULT " + json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
