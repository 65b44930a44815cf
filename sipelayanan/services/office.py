"""Office-wide settings stored in the shared database (so every PC agrees) and the calendar."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, bindparam, delete, null, select, union_all
from sqlalchemy.orm import Session

from ..calendar import OfficeHours, WorkCalendar
from ..errors import InputError
from ..models import Closure, OfficeSetting
from ..sop import services
from . import audit
from .context import Actor, resolve_now
from .office_defaults import DEFAULT_OFFICE_NAME
from .reading import select_rows

DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass
class OfficeProfile:
    name: str = DEFAULT_OFFICE_NAME
    parent: str = "Pemerintah Kabupaten Way Kanan"
    address: str = "Jl. Jend. Sudirman, Blambangan Umpu, Way Kanan, Lampung"
    kepala_dinas: str = ""
    kepala_dinas_nip: str = ""
    # per service code; empty string means "use the number in the SOP file"
    wa_numbers: dict[str, str] = field(default_factory=dict)
    status_url_template: str = ""  # e.g. "https://dukcapil.example/status/{code}"; "" = wa.me
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES
    logo_png: str = ""  # base64, optional
    # the office's data-protection officer (UU 27/2022 Pasal 53): name and contact
    dpo_name: str = ""
    dpo_contact: str = ""

    def wa_number(self, service: str) -> str:
        configured = self.wa_numbers.get(service, "").strip()
        if configured:
            return configured
        return services()[service].wa_number if service in services() else ""


_SETTING = select(OfficeSetting.value).where(OfficeSetting.key == bindparam("key"))


def _get(session: Session, key: str) -> Any:
    value = select_rows(session, _SETTING, {"key": key}).scalar()
    return None if value is None else json.loads(value)


def _put(session: Session, key: str, value: Any, now: datetime | None) -> None:
    row = session.get(OfficeSetting, key)
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if row is None:
        session.add(OfficeSetting(key=key, value=text, updated_at=resolve_now(now)))
    else:
        row.value = text
        row.updated_at = resolve_now(now)


def get_profile(session: Session) -> OfficeProfile:
    data = _get(session, "profile") or {}
    known = {k: v for k, v in data.items() if k in OfficeProfile.__dataclass_fields__}
    return OfficeProfile(**known)


def save_profile(
    session: Session, profile: OfficeProfile, *, actor: Actor | None, now: datetime | None = None
) -> None:
    if profile.max_attachment_bytes < 1024:
        raise InputError("Batas ukuran berkas terlalu kecil.", "max_attachment_bytes")
    _put(session, "profile", asdict(profile), now)
    audit.record(
        session, actor, "office.profile", "office", "profile", now=now, username="(sistem)"
    )


def get_hours(session: Session) -> OfficeHours:
    data = _get(session, "hours")
    return OfficeHours.default() if data is None else OfficeHours.from_json(data)


def save_hours(
    session: Session, hours: OfficeHours, *, actor: Actor | None, now: datetime | None = None
) -> None:
    _put(session, "hours", hours.to_json(), now)
    audit.record(session, actor, "office.hours", "office", "hours", now=now, username="(sistem)")


def list_closures(session: Session) -> list[tuple[date, str]]:
    rows = session.execute(select(Closure).order_by(Closure.day)).scalars()
    return [(r.day, r.reason) for r in rows]


def add_closure(
    session: Session, day: date, reason: str, *, actor: Actor | None, now: datetime | None = None
) -> None:
    reason = " ".join(reason.split()) or "Kantor tutup"
    existing = session.get(Closure, day)
    if existing is None:
        session.add(Closure(day=day, reason=reason[:200]))
    else:
        existing.reason = reason[:200]
    audit.record(
        session,
        actor,
        "office.closure.add",
        "office",
        day.isoformat(),
        now=now,
        username="(sistem)",
    )


def remove_closure(
    session: Session, day: date, *, actor: Actor | None, now: datetime | None = None
) -> None:
    session.execute(delete(Closure).where(Closure.day == day))
    audit.record(
        session,
        actor,
        "office.closure.remove",
        "office",
        day.isoformat(),
        now=now,
        username="(sistem)",
    )


#: the office hours (one row, if ever saved) and every closure day, in one round trip
_CALENDAR = union_all(
    select(OfficeSetting.value.label("hours"), null().cast(Date).label("day")).where(
        OfficeSetting.key == "hours"
    ),
    select(null().cast(OfficeSetting.value.type), Closure.day),
)


def work_calendar(session: Session) -> WorkCalendar:
    """The office's calendar as stored now (hours and closures)."""
    hours = OfficeHours.default()
    days = []
    for row in select_rows(session, _CALENDAR).all():
        if row.hours is not None:
            hours = OfficeHours.from_json(json.loads(row.hours))
        else:
            days.append(row.day)
    return WorkCalendar(hours, days)


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    value = _get(session, key)
    return default if value is None else value


def set_setting(
    session: Session, key: str, value: Any, *, actor: Actor | None, now: datetime | None = None
) -> None:
    _put(session, key, value, now)
    audit.record(session, actor, "office.setting", "office", key, now=now, username="(sistem)")
