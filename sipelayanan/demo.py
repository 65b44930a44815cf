"""Demo data for a newcomer: one user per role and a few hundred realistic requests of every
service spread over past weeks, at every step, driven through the real service functions."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .calendar import WIB, WorkCalendar
from .db import Database
from .errors import DomainError, PermissionDenied
from .models import Case, User
from .services import cases as svc
from .services.context import Actor
from .services.office import get_profile, save_profile, work_calendar
from .services.users import create_user, needs_first_admin, require_admin
from .sop import services
from .sop.checklist import nik_conditions

DEMO_PASSWORD = "rahasia123"

DEMO_USERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("admin", "Administrator Sistem", ("admin",)),
    ("online", "Rina Oktaviani", ("operator_online",)),
    ("operator", "Budi Santoso", ("operator",)),
    ("kasi", "Hendra Saputra, S.Kom.", ("kasi",)),
    ("kabid", "Dra. Sri Wahyuni", ("kabid",)),
    ("kadis", "Drs. Paryanto", ("kadis",)),
    ("penyerahan", "Agus Pranoto", ("petugas_penyerahan",)),
    ("aduan", "Dewi Lestari", ("petugas_aduan",)),
    ("pejabat", "M. Ridwan, S.H.", ("pejabat_aduan",)),
    ("tim", "Yusuf Hidayat", ("tim_aduan",)),
]

#: The demo user who acts for each role (the first one listed with it).
DEMO_USER_FOR_ROLE: dict[str, str] = {}
for _username, _full, _roles in DEMO_USERS:
    for _role in _roles:
        DEMO_USER_FOR_ROLE.setdefault(_role, _username)

_FIRST = [
    "Ahmad",
    "Siti",
    "Muhammad",
    "Nur",
    "Dedi",
    "Rini",
    "Joko",
    "Wati",
    "Agus",
    "Lina",
    "Rudi",
    "Yanti",
    "Hendra",
    "Sri",
    "Bambang",
    "Ani",
    "Eko",
    "Fitri",
    "Imam",
    "Ratna",
    "Suparman",
    "Marlina",
    "Wayan",
    "Putu",
    "Komang",
    "Rahmat",
    "Dian",
    "Heri",
    "Indah",
]
_LAST = [
    "Saputra",
    "Sari",
    "Hidayat",
    "Wijaya",
    "Lestari",
    "Pratama",
    "Susanti",
    "Gunawan",
    "Kurniawan",
    "Rahayu",
    "Setiawan",
    "Handayani",
    "Nugroho",
    "Fitriani",
    "Siregar",
    "Simanjuntak",
    "Harahap",
    "Sembiring",
    "Purba",
    "Hasibuan",
]
_KEC = [f"18.08.{i:02d}" for i in range(1, 16)]
_PREFIX = ["0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0878", "0896"]


@dataclass(frozen=True)
class DemoSummary:
    cases: int
    users_created: int


def _nik(rng: random.Random, female: bool, born: datetime) -> str:
    day = born.day + (40 if female else 0)
    return (
        f"1808{rng.randint(1, 15):02d}{day:02d}{born.month:02d}{born.year % 100:02d}"
        f"{rng.randint(1, 9999):04d}"
    )


def _kk(rng: random.Random, issued: datetime) -> str:
    return (
        f"1808{rng.randint(1, 15):02d}{issued.day:02d}{issued.month:02d}"
        f"{issued.year % 100:02d}{rng.randint(1, 9999):04d}"
    )


def _wa(rng: random.Random) -> str:
    return rng.choice(_PREFIX) + "".join(str(rng.randint(0, 9)) for _ in range(8))


def _minutes(rng: random.Random, standard: int) -> float:
    # mostly near the SOP's mutu baku, sometimes well over it
    return max(1.0, rng.lognormvariate(0, 0.5) * standard * (2.5 if rng.random() < 0.1 else 1))


def _random_time(rng: random.Random, cal: WorkCalendar, start: datetime, end: datetime) -> datetime:
    span = (end - start).total_seconds()
    t = start + timedelta(seconds=rng.random() * span)
    if rng.random() < 0.85:  # most messages arrive during office hours
        t = cal.next_opening(t)
    return t


def ensure_demo_users(db: Database, actor: Actor | None = None) -> tuple[dict[str, Actor], int]:
    """Create the demo staff that are missing. ``actor`` is the admin who asked; without one
    this works only on an office with no admin yet (the demo admin is created first and then
    creates the others)."""
    actors: dict[str, Actor] = {}
    created = 0
    with db.write() as session:
        for username, full_name, roles in DEMO_USERS:
            user = session.execute(select(User).where(User.username == username)).scalar()
            fresh = user is None
            if user is None:
                info = create_user(
                    session,
                    username=username,
                    full_name=full_name,
                    password=DEMO_PASSWORD,
                    roles=roles,
                    actor=actor,
                )
                actors[username] = Actor(info.id, username)
                created += 1
            else:
                actors[username] = Actor(user.id, username)
            if actor is None and fresh and "admin" in roles:
                actor = actors[username]  # the admin this call just set up creates the rest
    return actors, created


def load_demo(
    db: Database,
    *,
    count: int = 300,
    seed: int = 2022,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
    actor: Actor | None = None,
    tambah: bool = False,
) -> DemoSummary:
    """Demo staff and ``count`` sample requests. On an office that already has an admin this
    needs that admin (``actor``); on one that already holds requests it adds more only when
    asked (``tambah``), so a second run never silently doubles the data."""
    with db.read() as session:
        if actor is None and not needs_first_admin(session):
            raise PermissionDenied(
                "Basis data ini sudah memiliki admin: data demo hanya dapat dimuat oleh admin "
                "yang masuk (--user ADMIN)."
            )
        if actor is not None:
            require_admin(session, actor)
        existing = int(session.execute(select(func.count(Case.id))).scalar_one())
    if existing and not tambah:
        raise DomainError(
            f"Basis data ini sudah berisi {existing} permohonan; data demo tidak dimuat. "
            "Gunakan --tambah bila memang ingin menambah permohonan contoh."
        )
    rng = random.Random(seed)
    actors, created = ensure_demo_users(db, actor)
    by_role = {role: actors[username] for role, username in DEMO_USER_FOR_ROLE.items()}
    with db.write() as session:
        _demo_numbers(session, actor or by_role.get("admin"))
    with db.read() as session:
        cal = work_calendar(session)
    end = (now or datetime.now(UTC)).astimezone(WIB)
    start = end - timedelta(weeks=6)
    codes = list(services())
    weights = [services()[c].demo_weight for c in codes]  # the SOP files' demo_weight
    times = sorted(_random_time(rng, cal, start, end) for _ in range(count))
    made = 0
    open_from = int(len(times) * 0.8)  # the newest fifth is still being worked on
    open_seen: dict[str, int] = {}
    for index, received in enumerate(times):
        if received >= end:
            continue
        service = rng.choices(codes, weights)[0]
        last = services()[service].last_step
        if index >= open_from:
            # spread the open ones over every step, so every inbox has work
            n = open_seen.get(service, 0)
            open_seen[service] = n + 1
            stop_at = 1 + n % last
            wait = n % (2 * last) == 0  # each service's first open request waits for berkas
        else:
            stop_at, wait = last + 1, False
        with db.write() as session:
            _one_case(session, rng, cal, service, received, end, by_role, stop_at, wait)
        made += 1
        if progress is not None:
            progress(made, len(times))
    return DemoSummary(made, created)


#: A number for services whose SOP prints none (the complaint line: the source names "nomor
#: pelayanan pengaduan" without printing it), so that a demo office can print their receipts.
DEMO_WA_NUMBER = "0811-7961-900"


def _demo_numbers(session: Session, actor: Actor | None) -> None:
    """Give every service without a WhatsApp number (in the SOP file or the profile) the demo
    number; an office's own numbers are left alone."""
    profile = get_profile(session)
    unset = [code for code in services() if not profile.wa_number(code)]
    if unset:
        numbers = dict(profile.wa_numbers, **dict.fromkeys(unset, DEMO_WA_NUMBER))
        save_profile(session, replace(profile, wa_numbers=numbers), actor=actor)


def _left_uncollected(code: str, age: timedelta) -> bool:
    """Whether a demo resident has not collected their document yet: many of the last two
    weeks', a few older. Drawn from the code, so the demo's main random sequence (which request
    stops where) stays the same."""
    return random.Random(code).random() < (0.4 if age < timedelta(days=14) else 0.03)


def _one_case(
    session: object,
    rng: random.Random,
    cal: WorkCalendar,
    service: str,
    received: datetime,
    end: datetime,
    by_role: dict[str, Actor],
    stop_at: int,
    wait_pemohon: bool = False,
) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    sdef = services()[service]
    female = rng.random() < 0.5
    born = datetime(rng.randint(1950, 2020), rng.randint(1, 12), rng.randint(1, 28))
    if any(c.nik_age_from is not None for c in sdef.conditions):
        # a service decided by the NIK holder's age (a child's KIA): children of every age
        born = datetime(
            rng.randint(end.year - 16, end.year - 1), rng.randint(1, 12), rng.randint(1, 28)
        )
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    conditions = sorted(nik_conditions(sdef, born.date(), end.date())[0])
    present = {r.key for r in sdef.requirements}
    for group in {r.alternative_group for r in sdef.requirements if r.alternative_group}:
        members = [r.key for r in sdef.requirements if r.alternative_group == group]
        keep = rng.choice(members)
        present -= set(members) - {keep}
    data = svc.IntakeData(
        service=service,
        nama=name,
        nik=_nik(rng, female, born) if (sdef.requires_nik or rng.random() < 0.5) else None,
        no_kk=_kk(rng, born + timedelta(days=365 * 20)) if rng.random() < 0.7 else None,
        wa=_wa(rng),
        kecamatan=rng.choice(_KEC),
        conditions=conditions,
        present=present,
        uraian="Data pada KK tidak sesuai dengan KTP-el setelah perubahan alamat."
        if sdef.is_complaint
        else None,
    )
    first_role = sdef.intake_step.role
    ref = svc.intake(session, by_role[first_role], data, now=received)
    t = received
    open_case = stop_at <= sdef.last_step
    returned_pemohon = False
    while True:
        case = svc.load_case(session, ref.code)
        if case.status != "proses" or case.current_step >= stop_at:
            step = sdef.step(case.current_step)
            if wait_pemohon and case.status == "proses" and step.allows("return_pemohon"):
                missing = rng.choice(sdef.requirements)
                svc.return_to_pemohon(
                    session,
                    by_role[step.role],
                    ref.code,
                    missing=[missing.key],
                    note="Mohon kirim ulang.",
                    now=max(t, received),
                )
            return
        step = sdef.step(case.current_step)
        actor = by_role[step.role]
        t = cal.add_working_minutes(cal.next_opening(t), _minutes(rng, step.minutes))
        if t >= end:
            if open_case:
                return
            t = end - timedelta(seconds=1)  # finished just now
        if step.allows("return_pemohon") and not returned_pemohon and rng.random() < 0.08:
            missing = rng.choice(sdef.requirements)
            svc.return_to_pemohon(
                session,
                actor,
                ref.code,
                missing=[missing.key],
                note="Foto berkas buram, mohon kirim ulang.",
                now=t,
            )
            returned_pemohon = True
            t = cal.add_working_minutes(t, rng.uniform(30, 900))
            if t >= end or (open_case and rng.random() < 0.5):
                return  # still waiting for the pemohon
            svc.resubmit(session, actor, ref.code, now=t)
            continue
        targets = step.back_targets()
        if targets and rng.random() < 0.07:
            svc.return_to_step(
                session,
                actor,
                ref.code,
                to_step=targets[0],
                reason="Ejaan nama tidak sesuai berkas, mohon diperbaiki.",
                now=t,
            )
            continue
        if step.allows("close") and rng.random() < 0.6:
            svc.close_simple(
                session,
                actor,
                ref.code,
                solusi="Data sudah dicek di SIAK dan diperbaiki; mohon cetak ulang.",
                now=t,
            )
            return
        kwargs: dict[str, Any] = {}
        if "nomor_dokumen" in step.records:
            kwargs["nomor_dokumen"] = f"1808-{rng.randint(10**9, 10**10 - 1)}"
        if "penyerahan" in step.records:
            if sdef.hand_over_default == "pos" or rng.random() < 0.3:
                kwargs["resi"] = f"P{rng.randint(10**11, 10**12 - 1)}"
            else:
                kwargs["penerima"] = name
            if step.notifies and _left_uncollected(ref.code, end - t):
                kwargs.pop("penerima", None)  # told it is ready, not collected: "Siap diambil"
                kwargs.pop("resi", None)
        if "solusi" in step.records:
            kwargs["solusi"] = "Tim menyarankan perbaikan data melalui SIAK; pelapor diberi tahu."
        if rng.random() < 0.01 and step is not sdef.intake_step:  # cancelled after intake
            svc.cancel(
                session,
                by_role.get("kasi", actor),
                ref.code,
                reason="Pemohon membatalkan permohonan.",
                now=t,
            )
            return
        svc.advance(session, actor, ref.code, now=t, **kwargs)
