"""Read-side queries for the registers and reports.

Every bulk query selects only the columns a report prints (plain tuples, no ORM objects), so a
register of tens of thousands of rows costs one round trip and little memory. Periods are whole
WIB days, ``date_from`` and ``date_to`` both included.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from ..calendar import WIB
from ..errors import InputError
from ..identity import kecamatan_way_kanan
from ..models import (
    Case,
    CaseDocument,
    CaseStatus,
    CaseStep,
    Delivery,
    RegisterEntry,
    SopSnapshot,
    User,
)
from ..services import step_stats
from ..services.cases import Action, _definition_from_json
from ..services.context import resolve_now
from ..services.queue import QUEUE_KIND
from ..services.register import format_number
from ..sop import ServiceDef, services
from ..sop.catalog import complaint_codes

#: Longest period a report accepts (a few years of registers is still a sensible print).
MAX_PERIOD_DAYS = 366 * 5 + 1
EARLIEST = date(2000, 1, 1)

#: Step-history actions that are staff working time at a step (waiting for the pemohon is not).
STAFF_ACTIONS = (
    Action.SELESAI,
    Action.TUTUP,
    Action.KEMBALI,
    Action.KEMBALI_PEMOHON,
    Action.BATAL,
)
#: Actions that complete a step (a visit that went on, or closed the complaint).
DONE_ACTIONS = (Action.SELESAI, Action.TUTUP)


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.date_from, time(0), WIB)

    @property
    def end(self) -> datetime:
        """Exclusive end: midnight WIB after ``date_to``."""
        return datetime.combine(self.date_to + timedelta(days=1), time(0), WIB)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def each_day(self) -> list[date]:
        return [self.date_from + timedelta(days=i) for i in range(self.days)]


def check_period(date_from: object, date_to: object) -> Period:
    """Validate a report period; raise :class:`InputError` with a clear message."""
    if not isinstance(date_from, date) or isinstance(date_from, datetime):
        raise InputError("Tanggal awal periode wajib diisi.", "date_from")
    if not isinstance(date_to, date) or isinstance(date_to, datetime):
        raise InputError("Tanggal akhir periode wajib diisi.", "date_to")
    if date_from > date_to:
        raise InputError(
            f"Tanggal awal ({date_from:%d-%m-%Y}) sesudah tanggal akhir ({date_to:%d-%m-%Y}); "
            "tukar atau perbaiki periodenya.",
            "date_from",
        )
    if date_from < EARLIEST:
        raise InputError("Tanggal awal periode terlalu lama (sebelum tahun 2000).", "date_from")
    if (date_to - date_from).days + 1 > MAX_PERIOD_DAYS:
        raise InputError(
            "Periode laporan paling panjang 5 tahun; pilih periode yang lebih pendek.", "date_to"
        )
    return Period(date_from, date_to)


def check_service(service: str | None) -> str | None:
    if service is None or not service.strip():
        return None
    code = service.strip().upper()
    if code not in services():
        raise InputError(
            f"Layanan '{service}' tidak dikenal. Pilihan: {', '.join(services())}.", "service"
        )
    return code


def _in(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def _user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.full_name).where(User.id.in_(wanted)))
    return {int(r[0]): str(r[1]) for r in rows}


def snapshot_definitions(session: Session, ids: Iterable[int]) -> dict[int, ServiceDef]:
    """The SOP definitions the given snapshots hold (cases started under them)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(SopSnapshot.id, SopSnapshot.definition).where(SopSnapshot.id.in_(wanted))
    )
    return {int(r[0]): _definition_from_json(r[1]) for r in rows}


def kecamatan_label(code: str | None) -> str:
    if not code:
        return "-"
    return dict(kecamatan_way_kanan()).get(code, code)


# --------------------------------------------------------------------------- register


@dataclass(frozen=True)
class RegisterRow:
    service: str
    number: str  # "00012/KK/2026"
    number_int: int
    year: int
    assigned_at: datetime
    code: str
    pemohon_nama: str
    kecamatan: str | None
    nomor_dokumen: str | None
    officer: str
    status: str
    delivery_method: str | None  # "diambil" / "pos"
    delivered_at: datetime | None
    resi: str | None
    recipient: str | None


def register_counts(session: Session, period: Period, service: str | None) -> dict[str, int]:
    """Entries assigned in the period per service, in the order the register prints them (the
    SOP's order of services, then any other code by name)."""
    stmt = (
        select(RegisterEntry.service, func.count())
        .where(_in(RegisterEntry.assigned_at, period))
        .group_by(RegisterEntry.service)
    )
    if service:
        stmt = stmt.where(RegisterEntry.service == service)
    order = {code: i for i, code in enumerate(services())}
    found = {str(r[0]): int(r[1]) for r in session.execute(stmt)}
    return {svc: found[svc] for svc in sorted(found, key=lambda c: (order.get(c, 99), c))}


def iter_register_rows(
    session: Session, period: Period, service: str, *, chunk: int = 2000
) -> Iterator[RegisterRow]:
    """One service's register entries assigned in the period, by year and number, streamed
    from the database ``chunk`` rows at a time (a year's register at a million requests is
    ~100,000 rows: they are printed or written as they come, never held all at once)."""
    # the latest SIAK number of each row's case, looked up by index per row (a GROUP BY over
    # every document ever recorded costs seconds at a million requests)
    latest_doc = (
        select(CaseDocument.number)
        .where(CaseDocument.case_id == Case.id, CaseDocument.kind != QUEUE_KIND)
        .order_by(CaseDocument.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    stmt = (
        select(
            RegisterEntry.service,
            RegisterEntry.year,
            RegisterEntry.number,
            RegisterEntry.assigned_at,
            Case.code,
            Case.pemohon_nama,
            Case.kecamatan,
            latest_doc,
            User.full_name,
            Case.status,
            Delivery.method,
            Delivery.delivered_at,
            Delivery.resi,
            Delivery.recipient,
        )
        .join(Case, Case.id == RegisterEntry.case_id)
        .join(User, User.id == RegisterEntry.assigned_by)
        .outerjoin(Delivery, Delivery.case_id == Case.id)
        .where(_in(RegisterEntry.assigned_at, period), RegisterEntry.service == service)
        .order_by(RegisterEntry.year, RegisterEntry.number)
        .execution_options(yield_per=chunk)
    )
    for r in session.execute(stmt):
        yield RegisterRow(
            service=r[0],
            number=format_number(r[0], r[1], r[2]),
            number_int=int(r[2]),
            year=int(r[1]),
            assigned_at=r[3],
            code=r[4],
            pemohon_nama=r[5],
            kecamatan=r[6],
            nomor_dokumen=r[7],
            officer=r[8],
            status=r[9],
            delivery_method=r[10],
            delivered_at=r[11],
            resi=r[12],
            recipient=r[13],
        )


def register_rows(session: Session, period: Period, service: str | None) -> list[RegisterRow]:
    """Register entries assigned in the period, by service then number (as a list: for short
    periods and tests; the documents stream :func:`iter_register_rows`)."""
    return [
        row
        for svc in register_counts(session, period, service)
        for row in iter_register_rows(session, period, svc)
    ]


# --------------------------------------------------------------------------- rekap


@dataclass
class RekapCounts:
    diterima: int = 0
    selesai: int = 0
    tepat_waktu: int = 0
    dikembalikan: int = 0
    dibatalkan: int = 0
    dalam_proses: int = 0  # open at the end of the period
    lewat_batas: int = 0  # of those, past their due time by then (not on time either)

    @property
    def tepat_share(self) -> tuple[int, int]:
        """(on time, out of): finished on time against every request that finished in the
        period or was still open past its due time at its end — an overdue request is late
        whether or not it has finished yet."""
        return self.tepat_waktu, self.selesai + self.lewat_batas


@dataclass
class RekapData:
    period: Period
    services: tuple[str, ...]
    per_service: dict[str, RekapCounts]
    # per bucket (a day, or the first day of a month for long periods): (diterima, selesai, batal)
    buckets: list[tuple[date, int, int, int]]
    monthly: bool
    # kecamatan code (or "" for not recorded) -> service -> received
    per_kecamatan: dict[str, dict[str, int]]
    kecamatan: list[tuple[str, str]]

    @property
    def total(self) -> RekapCounts:
        out = RekapCounts()
        for c in self.per_service.values():
            for name in out.__dataclass_fields__:
                setattr(out, name, getattr(out, name) + getattr(c, name))
        return out


def _wib_date(value: datetime) -> date:
    return value.astimezone(WIB).date()


def rekap_data(
    session: Session, period: Period, service: str | None, *, now: datetime | None = None
) -> RekapData:
    """Counts per service, per day (or month) and per kecamatan of Way Kanan.

    - diterima: requests received in the period;
    - selesai: finished in the period (documents issued / complaints answered), of which
      tepat_waktu finished by their due time (1 working day, waiting for the pemohon excluded);
    - dikembalikan: requests returned to the pemohon for missing berkas in the period;
    - dibatalkan: cancelled in the period;
    - dalam_proses: received before the end of the period and not finished by then, of which
      lewat_batas were past their due time at the end of the period (or ``now``, for a period
      not over yet) — unless the request was waiting for the pemohon since before it was due
      (the clock stops while the pemohon completes the berkas).
    """
    cutoff = min(period.end, resolve_now(now))
    codes = (service,) if service else tuple(services())
    svc_filter = Case.service.in_(codes)
    # the period's requests are counted as they stream past (a year at a million requests is
    # ~100,000 of each), never held as a list
    conn = session.connection()  # Core rows: no ORM row loading for each request
    received = conn.execute(
        select(Case.service, Case.kecamatan, Case.received_at)
        .where(
            svc_filter,
            _in(Case.received_at, period),
        )
        .execution_options(yield_per=5000)
    )
    ended = conn.execute(
        select(Case.service, Case.status, Case.finished_at, Case.due_at)
        .where(
            svc_filter,
            Case.status.in_((CaseStatus.SELESAI, CaseStatus.BATAL)),
            _in(Case.finished_at, period),
        )
        .execution_options(yield_per=5000)
    )
    returned = session.execute(
        select(Case.service, func.count(distinct(CaseStep.case_id)))
        .join(Case, Case.id == CaseStep.case_id)
        .where(
            svc_filter,
            CaseStep.action == Action.KEMBALI_PEMOHON,
            _in(CaseStep.ended_at, period),
        )
        .group_by(Case.service)
    ).all()
    # Open at the end of the period: received before it and not finished by then, counted as
    # (still open now) + (finished after the period), both found on ix_cases_status_finished_at
    # where the range is small for recent periods (one OR over every request received before
    # the end costs seconds at a million requests). finished_at is set exactly when the status
    # becomes selesai or batal. The service test is written so no planner drives these two by
    # the service index (that would visit every request of the service ever received).
    any_service = Case.service.concat("").in_(codes)
    still_open = (
        select(Case.service, func.count(Case.id))
        .where(
            any_service,
            Case.status.in_(CaseStatus.OPEN),
            Case.finished_at.is_(None),
            Case.received_at < period.end,
        )
        .group_by(Case.service)
    )
    finished_after = (
        select(Case.service, func.count(Case.id))
        .where(
            any_service,
            Case.status.in_((CaseStatus.SELESAI, CaseStatus.BATAL)),
            Case.finished_at >= period.end,
            Case.received_at < period.end,
        )
        .group_by(Case.service)
    )
    open_at_end = [*session.execute(still_open), *session.execute(finished_after)]
    overdue = and_(
        Case.due_at < cutoff, or_(Case.paused_at.is_(None), Case.due_at < Case.paused_at)
    )
    late_at_end = [
        *session.execute(still_open.where(overdue)),
        *session.execute(finished_after.where(overdue)),
    ]

    per_service = {code: RekapCounts() for code in codes}
    monthly = period.days > 62
    bucket_days: list[date] = []
    if monthly:
        d = period.date_from.replace(day=1)
        while d <= period.date_to:
            bucket_days.append(d)
            d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        bucket_days = period.each_day()
    index = {d: i for i, d in enumerate(bucket_days)}

    def bucket(value: datetime) -> int:
        d = _wib_date(value)
        return index[d.replace(day=1) if monthly else d]

    b_recv = [0] * len(bucket_days)
    b_done = [0] * len(bucket_days)
    b_cancel = [0] * len(bucket_days)
    kec_names = kecamatan_way_kanan()
    per_kec: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(codes, 0))
    for svc, kec, at in received:
        per_service[svc].diterima += 1
        b_recv[bucket(at)] += 1
        per_kec[kec or ""][svc] += 1
    for svc, status, finished, due in ended:
        if finished is None:  # excluded by the query; keeps the types honest
            continue
        if status == CaseStatus.SELESAI:
            per_service[svc].selesai += 1
            if finished <= due:
                per_service[svc].tepat_waktu += 1
            b_done[bucket(finished)] += 1
        else:
            per_service[svc].dibatalkan += 1
            b_cancel[bucket(finished)] += 1
    for svc, n in returned:
        per_service[svc].dikembalikan = int(n)
    for svc, n in open_at_end:
        per_service[svc].dalam_proses += int(n)
    for svc, n in late_at_end:
        per_service[svc].lewat_batas += int(n)
    known = {k for k, _ in kec_names}
    kec_rows = list(kec_names) + [
        (k, k) for k in sorted(per_kec) if k and k not in known
    ]  # a code outside the table still shows up rather than vanishing
    kec_rows.append(("", "Tidak tercatat"))
    return RekapData(
        period=period,
        services=codes,
        per_service=per_service,
        buckets=[(d, b_recv[i], b_done[i], b_cancel[i]) for i, d in enumerate(bucket_days)],
        monthly=monthly,
        per_kecamatan={k: dict(per_kec.get(k, dict.fromkeys(codes, 0))) for k, _ in kec_rows},
        kecamatan=kec_rows,
    )


# --------------------------------------------------------------------------- kinerja


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..100) of a non-empty sequence."""
    data = sorted(values)
    if len(data) == 1:
        return float(data[0])
    pos = (len(data) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return float(data[lo] + (data[hi] - data[lo]) * (pos - lo))


def _percentile_ranks(n: int, q: float) -> tuple[int, int]:
    """The two 0-based ranks :func:`percentile` interpolates between for ``n`` values."""
    pos = (n - 1) * q / 100.0
    lo = int(pos)
    return lo, min(lo + 1, n - 1)


#: The values at some ranks of a sorted sequence: the whole sorted list, or rank -> value.
_Ranks = Mapping[int, float] | Sequence[float]


def _percentile_of(n: int, at: _Ranks, q: float) -> float:
    """:func:`percentile` from the values at its two ranks only (``at``: rank -> value)."""
    if n == 1:
        return float(at[0])
    pos = (n - 1) * q / 100.0
    lo, hi = _percentile_ranks(n, q)
    return float(at[lo] + (at[hi] - at[lo]) * (pos - lo))


def _median_of(n: int, at: _Ranks) -> float:
    """``statistics.median`` from the values at the middle rank(s) only."""
    if n % 2 == 1:
        return at[n // 2]
    i = n // 2
    return (at[i - 1] + at[i]) / 2


@dataclass
class ServicePerformance:
    service: str
    selesai: int = 0
    tepat_waktu: int = 0
    median_minutes: float | None = None  # working minutes received -> finished
    p90_minutes: float | None = None
    standard_minutes: int = 0  # the SOP's total mutu baku


@dataclass
class StepPerformance:
    service: str
    step_no: int
    activity: str
    actor_label: str
    standard_minutes: int
    completed: int = 0  # step visits completed in the period
    returned: int = 0  # visits that ended by sending the request back
    over_standard: int = 0  # completed visits that took longer than the mutu baku
    median_minutes: float | None = None
    p90_minutes: float | None = None
    standard_varies: bool = False  # cases under different SOP versions had other minutes

    @property
    def over_share(self) -> float:
        return self.over_standard / self.completed if self.completed else 0.0


@dataclass
class KinerjaData:
    period: Period
    services: tuple[str, ...]
    per_service: dict[str, ServicePerformance]
    steps: list[StepPerformance]
    worst: list[StepPerformance] = field(default_factory=list)


#: Step-history actions counted as visits of a step in the kinerja (a cancellation is not).
VISIT_ACTIONS = tuple(a for a in STAFF_ACTIONS if a != Action.BATAL)


def _standard_of(
    snaps: dict[int, ServiceDef],
    current: Mapping[str, ServiceDef],
    svc: str,
    snap_id: int,
    step_no: int,
) -> int:
    """The mutu baku of a step under the SOP version its request ran under; a step its own
    version lacks falls back to today's minutes (else 0)."""
    for sdef in (snaps.get(snap_id), current.get(svc)):
        if sdef is not None:
            try:
                return sdef.step(step_no).minutes
            except KeyError:
                pass
    return 0


#: Per (service, SOP snapshot, step): visits completed, all visits, completed over the standard.
_StepGroups = list[tuple[str, int, int, int, int, int]]
#: Per (service, step): the completed visits' minutes at (at least) the ranks the figures read.
_StepRanks = dict[tuple[str, int], "_Ranks"]


def _step_figures(
    session: Session,
    period: Period,
    codes: Sequence[str],
    snaps: dict[int, ServiceDef],
    current: Mapping[str, ServiceDef],
) -> tuple[_StepGroups, _StepRanks]:
    """From the per-day figures (``step_day_stats``, a few hundred rows a month): the counts
    per group, and per step the completed visits' minutes, sorted (a year at a million requests
    is ~900,000 C doubles, 7 MB, sorted in C). Over-standard visits are counted per SOP version
    on its sorted values; the figures are those of every visit, exactly as before."""
    counts: dict[tuple[str, int, int], list[int]] = {}
    values: dict[tuple[str, int, int], array[float]] = {}
    for svc, snap_id, step_no, visits, done, blob in step_stats.stats_rows(
        session, period.date_from, period.date_to, codes
    ):
        key = (svc, snap_id, step_no)
        tally = counts.get(key)
        if tally is None:
            tally = counts[key] = [0, 0]
            values[key] = array("d")
        tally[0] += visits
        tally[1] += done
        step_stats.unpack_into(values[key], blob)
    groups: _StepGroups = []
    pooled: dict[tuple[str, int], array[float]] = {}
    for key in sorted(counts):
        svc, snap_id, step_no = key
        visits, done = counts[key]
        ordered = sorted(values.pop(key))
        standard = _standard_of(snaps, current, svc, snap_id, step_no)
        over = len(ordered) - bisect_right(ordered, standard)
        groups.append((svc, snap_id, step_no, done, visits, over))
        pooled.setdefault((svc, step_no), array("d")).extend(ordered)
    at_rank: _StepRanks = {}
    for step_key in list(pooled):
        minutes_of = pooled.pop(step_key)  # sorted runs, merged by the sort
        if minutes_of:
            at_rank[step_key] = _at_figure_ranks(sorted(minutes_of))
    return groups, at_rank


def _at_figure_ranks(data: Sequence[float]) -> dict[int, float]:
    """The values of sorted ``data`` at the ranks the median and the 90th percentile read."""
    n = len(data)
    ranks = {(n - 1) // 2, n // 2, *_percentile_ranks(n, 90)}
    return {i: data[i] for i in ranks}


def kinerja_data(
    session: Session, period: Period, service: str | None, *, worst: int = 10, min_visits: int = 3
) -> KinerjaData:
    """Per service the share finished within one working day; per SOP step the median and
    90th-percentile working minutes of the visits completed in the period, against the mutu
    baku of the SOP version each request ran under. ``worst`` lists the steps most often over
    their standard among those completed at least ``min_visits`` times.

    Read from the per-day figures kept beside the history (``step_day_stats`` and
    ``finish_day_stats``, see ``services/step_stats.py``): a year is a few thousand small rows
    whatever the office's size, never the period's visits (~900,000 at a million requests),
    whose minutes arrive packed as C doubles and are sorted in C. The figures are those of
    :func:`statistics.median` and :func:`percentile` over every value.
    """
    codes = (service,) if service else tuple(services())
    current = services()
    snaps = {
        int(r[0]): _definition_from_json(r[1])
        for r in session.execute(
            select(SopSnapshot.id, SopSnapshot.definition).where(SopSnapshot.service.in_(codes))
        )
    }

    # per service: the finished requests, each with its staff working minutes
    per_service: dict[str, ServicePerformance] = {
        code: ServicePerformance(code, standard_minutes=current[code].total_minutes)
        for code in codes
    }
    finished: dict[str, array[float]] = {}
    for svc, n, on_time, blob in step_stats.finish_rows(
        session, period.date_from, period.date_to, codes
    ):
        done = per_service[svc]
        done.selesai += n
        done.tepat_waktu += on_time
        step_stats.unpack_into(finished.setdefault(svc, array("d")), blob)
    for svc, minutes in finished.items():
        if minutes:
            ordered = sorted(minutes)
            per_service[svc].median_minutes = _median_of(len(ordered), ordered)
            per_service[svc].p90_minutes = _percentile_of(len(ordered), ordered, 90)

    # per step: visits completed or sent back in the period, by SOP version
    groups, at_rank = _step_figures(session, period, codes, snaps, current)

    steps: dict[tuple[str, int], StepPerformance] = {}
    for code in codes:
        for s in current[code].steps:
            steps[(code, s.no)] = StepPerformance(code, s.no, s.activity, s.actor_label, s.minutes)
    for svc, snap_id, step_no, done_n, visits_n, over_n in groups:
        key = (svc, int(step_no))
        perf = steps.get(key)
        sdef = snaps.get(int(snap_id))
        std: int | None = None
        if sdef is not None:
            try:
                std = sdef.step(int(step_no)).minutes
            except KeyError:
                std = None
        if perf is None:  # a step only an older SOP version had
            label = sdef.step(int(step_no)) if sdef is not None and std is not None else None
            perf = StepPerformance(
                svc,
                int(step_no),
                label.activity if label else f"Langkah {step_no}",
                label.actor_label if label else "-",
                std or 0,
            )
            steps[key] = perf
        if std is None:
            std = perf.standard_minutes
        if std != perf.standard_minutes:
            perf.standard_varies = True
        perf.completed += int(done_n or 0)
        perf.returned += int(visits_n) - int(done_n or 0)
        perf.over_standard += int(over_n or 0)

    for key, ranks in at_rank.items():
        perf = steps[key]
        if not perf.completed:
            continue
        perf.median_minutes = _median_of(perf.completed, ranks)
        perf.p90_minutes = _percentile_of(perf.completed, ranks, 90)

    order = {code: i for i, code in enumerate(codes)}
    step_list = sorted(steps.values(), key=lambda s: (order.get(s.service, 99), s.step_no))
    # A step seen once or twice says little; rank those only when nothing else is there.
    candidates = [s for s in step_list if s.completed >= min_visits and s.over_standard]
    if not candidates:
        candidates = [s for s in step_list if s.completed and s.over_standard]
    ranked = sorted(
        candidates,
        key=lambda s: (-s.over_share, -s.over_standard, order.get(s.service, 99), s.step_no),
    )
    return KinerjaData(period, codes, per_service, step_list, ranked[:worst])


# --------------------------------------------------------------------------- pengaduan


@dataclass(frozen=True)
class PengaduanRow:
    code: str
    register_number: str | None
    received_at: datetime
    pelapor: str
    kecamatan: str | None
    uraian: str | None
    status: str
    current_step: int
    closed_path: str | None  # "sederhana" / "eskalasi" / None while open
    solusi: str | None
    finished_at: datetime | None
    due_at: datetime
    working_minutes: float  # staff working time so far (waiting for the pelapor excluded)
    handled_by: str | None  # who took the last action


def pengaduan_rows(session: Session, period: Period) -> list[PengaduanRow]:
    """Every complaint received in the period, oldest first."""
    staff_minutes = func.sum(
        case((CaseStep.action.in_(STAFF_ACTIONS), CaseStep.working_minutes), else_=0.0)
    )
    stats = (
        select(
            CaseStep.case_id,
            staff_minutes.label("minutes"),
            func.max(CaseStep.id).label("last_step_id"),
        )
        .where(  # only the period's complaints, not every step record ever written
            CaseStep.case_id.in_(
                select(Case.id).where(
                    Case.service.in_(complaint_codes()), _in(Case.received_at, period)
                )
            )
        )
        .group_by(CaseStep.case_id)
        .subquery()
    )
    last = aliased(CaseStep)
    stmt = (
        select(
            Case.code,
            RegisterEntry.service,
            RegisterEntry.year,
            RegisterEntry.number,
            Case.received_at,
            Case.pemohon_nama,
            Case.kecamatan,
            Case.uraian,
            Case.status,
            Case.current_step,
            Case.closed_path,
            Case.solusi,
            Case.finished_at,
            Case.due_at,
            stats.c.minutes,
            last.user_id,
        )
        .outerjoin(RegisterEntry, RegisterEntry.case_id == Case.id)
        .outerjoin(stats, stats.c.case_id == Case.id)
        .outerjoin(last, last.id == stats.c.last_step_id)
        .where(
            Case.service.in_(complaint_codes()),
            _in(Case.received_at, period),
        )
        .order_by(Case.received_at, Case.id)
    )
    raw = session.execute(stmt).all()
    names = _user_names(session, (r[15] for r in raw))
    return [
        PengaduanRow(
            code=r[0],
            register_number=format_number(r[1], r[2], r[3]) if r[1] is not None else None,
            received_at=r[4],
            pelapor=r[5],
            kecamatan=r[6],
            uraian=r[7],
            status=r[8],
            current_step=int(r[9]),
            closed_path=r[10],
            solusi=r[11],
            finished_at=r[12],
            due_at=r[13],
            working_minutes=float(r[14] or 0.0),
            handled_by=names.get(r[15]) if r[15] is not None else None,
        )
        for r in raw
    ]
