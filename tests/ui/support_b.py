"""Helpers for the Cari, Pengaduan, Admin and Laporan tests, built on the shared UI fixtures
of ``conftest.py`` (a real ``Ops`` on the test database, settings in tmp_path, logged-in
contexts). ``ctx.open_case``/``ctx.show_status`` belong to the main window; here they record
what a page asked for, which is what the tests check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sipelayanan.db import Database
from sipelayanan.services import cases as svc
from sipelayanan.services.users import get_user
from sipelayanan.ui.context import UiContext
from sipelayanan.ui.ops import Ops
from sipelayanan.ui.settings import Settings


@dataclass
class UiKit:
    url: str
    tmp_path: Path
    ops: Ops
    settings: Settings
    db: Database
    ctx: Callable[[str], UiContext]  # conftest's ctx_for
    recorded: Any  # conftest's Opened: .codes (open_case), .status (show_status)

    @property
    def opened(self) -> list[str]:
        return self.recorded.codes  # type: ignore[no-any-return]

    @property
    def statuses(self) -> list[str]:
        return self.recorded.status  # type: ignore[no-any-return]

    @property
    def settings_file(self) -> Path:
        return Path(self.settings._s.fileName())

    def actor(self, username: str) -> Any:
        with self.db.read() as session:
            return get_user(session, username).actor()

    def intake(
        self,
        service: str = "KK",
        *,
        nama: str = "Budi Hartono",
        nik: str | None = "1808011203850001",
        wa: str = "0811-7961-501",
        now: datetime | None = None,
        **extra: Any,
    ) -> svc.CaseRef:
        """A request recorded through the service layer (set-up, not what is tested)."""
        role = svc.service_def(service).step(1).role
        actor = self.actor("aduan" if role == "petugas_aduan" else "online")
        with self.db.write() as session:
            data = svc.IntakeData(service=service, nama=nama, nik=nik, wa=wa, **extra)
            return svc.intake(session, actor, data, now=now)
