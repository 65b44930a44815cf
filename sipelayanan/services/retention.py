"""Retention and destruction of berkas content (UU 27/2022 Pasal 42-44).

The office sets, per service, how many years after a request finished its berkas files are
kept (Admin ▸ Data pribadi; none set = kept). A purge empties the *content* of the files past
that time and nothing else: the request, its step history, the register rows, the file's name,
size and SHA-256 and the audit chain stay — the archive the rules require. Each purge is one
audit entry (``data.purge``) with its counts; a dry run (:func:`plan`) says what would go and
how much space returns, first.

Runs by hand (Admin, ``sipelayanan data-pribadi retensi``), after each verified automatic
backup when the office turned that on (:func:`run_if_due`, called from ``backup.auto.run``),
and after every restore (:func:`after_restore`): a backup older than a purge brings the files
back, and the same rule purges them again — the restore says so.

A purged file is one whose ``size`` is above zero and whose content is empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, literal, select, update
from sqlalchemy.orm import Session

from ..errors import InputError
from ..models import Attachment, Case
from ..sop import services
from . import audit
from .context import Actor, resolve_now

if TYPE_CHECKING:
    from ..db import Database

SCHEDULE_KEY = "privacy.retention"
STATE_KEY = "privacy.retention_state"
MAX_YEARS = 100
BATCH = 500

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Schedule:
    #: service code -> years after the request finished; a service not named is kept
    years: Mapping[str, int] = field(default_factory=dict)
    #: purge after each verified automatic backup
    automatic: bool = False


def get_schedule(session: Session) -> Schedule:
    from .office import get_setting

    raw = get_setting(session, SCHEDULE_KEY) or {}
    years = {
        str(k): int(v)
        for k, v in dict(raw.get("years") or {}).items()
        if isinstance(v, int) and not isinstance(v, bool) and v > 0
    }
    return Schedule(years, bool(raw.get("automatic", False)))


def save_schedule(
    session: Session, actor: Actor, schedule: Schedule, *, now: datetime | None = None
) -> None:
    from .office import set_setting
    from .users import require_admin

    require_admin(session, actor)
    known = services()
    clean: dict[str, int] = {}
    for code, years in schedule.years.items():
        if code not in known:
            raise InputError(f"Layanan '{code}' tidak dikenal.", "layanan")
        if not isinstance(years, int) or isinstance(years, bool) or not 0 <= years <= MAX_YEARS:
            raise InputError(
                f"Masa simpan berkas {known[code].name}: isi 1-{MAX_YEARS} tahun, atau kosong "
                "untuk menyimpan selamanya.",
                "tahun",
            )
        if years:
            clean[code] = years
    set_setting(
        session,
        SCHEDULE_KEY,
        {"years": clean, "automatic": bool(schedule.automatic)},
        actor=actor,
        now=now,
    )


def cutoff(now: datetime, years: int) -> datetime:
    """``now`` minus ``years`` calendar years (29 February becomes 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@dataclass(frozen=True)
class ServicePlan:
    service: str
    years: int
    cutoff: datetime
    files: int
    bytes: int


@dataclass(frozen=True)
class Plan:
    at: datetime
    services: tuple[ServicePlan, ...]
    ids: tuple[int, ...] = ()

    @property
    def files(self) -> int:
        return sum(s.files for s in self.services)

    @property
    def bytes(self) -> int:
        return sum(s.bytes for s in self.services)


def _due(service: str, limit: datetime) -> Any:
    return and_(
        Case.service == service,
        Case.finished_at.is_not(None),
        Case.finished_at < limit,
        func.length(Attachment.content) > 0,
    )


def plan(session: Session, now: datetime | None = None, *, with_ids: bool = False) -> Plan:
    """What a purge at ``now`` would remove: per service, files and bytes (a dry run)."""
    at = resolve_now(now)
    schedule = get_schedule(session)
    out: list[ServicePlan] = []
    ids: list[int] = []
    for service, years in sorted(schedule.years.items()):
        limit = cutoff(at, years)
        base = select(Attachment.id, Attachment.size).join(Case, Case.id == Attachment.case_id)
        rows = session.execute(base.where(_due(service, limit)).order_by(Attachment.id)).all()
        out.append(ServicePlan(service, years, limit, len(rows), sum(int(r.size) for r in rows)))
        if with_ids:
            ids += [int(r.id) for r in rows]
    return Plan(at, tuple(out), tuple(ids))


def purge(
    session: Session,
    actor: Actor | None,
    now: datetime | None = None,
    *,
    trigger: str = "manual",
) -> Plan:
    """Empty the content of every berkas file past retention at ``now``; one audit entry with
    the counts. The caller's transaction holds it all: nothing half done."""
    from .users import require_admin

    if actor is not None:
        require_admin(session, actor)
    done = plan(session, now, with_ids=True)
    ids = list(done.ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        session.execute(
            update(Attachment)
            .where(Attachment.id.in_(chunk))
            .values(content=literal(b""))
            .execution_options(synchronize_session=False)
        )
    if done.files or trigger == "manual":
        audit.record(
            session,
            actor,
            "data.purge",
            "attachment",
            None,
            {
                "trigger": trigger,
                "files": done.files,
                "bytes": done.bytes,
                "services": {s.service: s.files for s in done.services if s.files},
                "cutoffs": {s.service: s.cutoff.date().isoformat() for s in done.services},
            },
            now=done.at,
            username="(sistem)",
        )
    return Plan(done.at, done.services)  # the ids stay here


def purged_count(session: Session) -> int:
    return int(
        session.execute(
            select(func.count(Attachment.id)).where(
                Attachment.size > 0, func.length(Attachment.content) == 0
            )
        ).scalar()
        or 0
    )


# --------------------------------------------------------------------------- schedule, restore


def _state(session: Session) -> dict[str, Any]:
    from .office import get_setting

    value = get_setting(session, STATE_KEY)
    return dict(value) if isinstance(value, dict) else {}


def run_if_due(db: Database, *, clock: Clock = system_clock) -> Plan | None:
    """The scheduled purge: once a day at most, when the office turned it on (called after a
    verified automatic backup). None when nothing was due."""
    from .office import _put

    now = clock()
    with db.write() as session:
        schedule = get_schedule(session)
        if not schedule.automatic or not schedule.years:
            return None
        state = _state(session)
        if state.get("last_day") == now.date().isoformat():
            return None
        done = purge(session, None, now, trigger="jadwal")
        _put(session, STATE_KEY, {"last_day": now.date().isoformat(), "files": done.files}, now)
    return done


def after_restore(db: Database, *, clock: Clock = system_clock) -> str | None:
    """After a restore: files past retention that the backup brought back are purged again
    (recorded). A sentence for the admin when any were, else None."""
    with db.write() as session:
        if not get_schedule(session).years:
            return None
        done = purge(session, None, clock(), trigger="pemulihan")
    if not done.files:
        return None
    from ..services.berkas import human_size

    return (
        f"Cadangan ini memuat {done.files} berkas yang masa simpannya sudah lewat "
        f"({human_size(done.bytes)}); isinya dihapus lagi sesuai jadwal retensi dan dicatat di "
        "log audit."
    )
