"""SKM answers in the database: recording one answer (the one function all three input ways
call), the figures of a period (per office and per service), the admin's CSV column mappings
and the "rencana tindak lanjut" — office settings.

Services never commit; call them in ``db.write()`` / ``db.read()`` units. The audit entry of a
recorded answer names its row id and how it came in, never the tracking code (which would join
the answer to a name through the request)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..calendar import WIB
from ..errors import DomainError, InputError, PermissionDenied
from ..models import Case, CaseStatus, FinishDayStat, SkmAnswer, User
from ..services.context import Actor, resolve_now
from . import (
    JENIS_KELAMIN,
    PEKERJAAN,
    PENDIDIKAN,
    UMUR_KELOMPOK,
    UNSUR,
    Answer,
    Index,
    clean_saran,
    index_from_sums,
    krejcie_morgan,
    umur_kelompok,
)

#: Who may record survey answers (paper forms, pasted WhatsApp answers, CSV imports).
SKM_ROLES = ("admin", "operator_online")
SOURCES = {"wa": "WhatsApp (halaman status)", "kertas": "formulir kertas", "impor": "impor CSV"}

MAPPINGS_SETTING = "skm_pemetaan"
FOLLOW_UP_SETTING = "skm_tindak_lanjut"
#: The fields of the default CSV, in order (issue 16: a contract).
CSV_FIELDS = (
    "tanggal",
    "layanan",
    "kode",
    "u1",
    "u2",
    "u3",
    "u4",
    "u5",
    "u6",
    "u7",
    "u8",
    "u9",
    "umur",
    "jenis_kelamin",
    "pendidikan",
    "pekerjaan",
    "saran",
)
REQUIRED_FIELDS = ("tanggal", "layanan", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")


def surveyed_services() -> dict[str, str]:
    """Service code -> name of the services a survey asks about: those that produce a
    document (a complaint is not a service request)."""
    from ..sop import services

    return {code: s.name for code, s in services().items() if not s.is_complaint}


def code_key(code: str) -> str:
    """The one-way key kept for a tracking code (one answer per code)."""
    return hashlib.sha256(f"sipelayanan-skm:{code}".encode("ascii")).hexdigest()


def require_skm_role(session: Session, actor: Actor | None) -> None:
    if actor is None:
        raise PermissionDenied("Masuk sebagai admin atau Operator Pelayanan Online dahulu.")
    user = session.get(User, actor.user_id)
    if user is None or not user.active or not (user.role_keys & set(SKM_ROLES)):
        raise PermissionDenied(
            "Jawaban survei hanya dicatat oleh admin atau Operator Pelayanan Online."
        )


def today_wib(now: datetime | None = None) -> date:
    return resolve_now(now).astimezone(WIB).date()


@dataclass(frozen=True)
class Recorded:
    id: int
    service: str
    day: date


def _check(session: Session, answer: Answer, now: datetime | None) -> tuple[str, date, str | None]:
    """The service, day and code key to store; raises InputError/DomainError (Indonesian)."""
    known = surveyed_services()
    if len(answer.nilai) != 9 or any(v not in (1, 2, 3, 4) for v in answer.nilai):
        raise InputError("Isi kesembilan unsur dengan 1, 2, 3 atau 4.", "nilai")
    if answer.umur is not None and not 10 <= answer.umur <= 99:
        raise InputError("Umur harus 10–99 tahun, atau kosongkan.", "umur")
    if answer.jenis_kelamin not in (None, *JENIS_KELAMIN):
        raise InputError("Jenis kelamin harus L atau P, atau kosongkan.", "jenis_kelamin")
    if answer.pendidikan not in (None, *PENDIDIKAN):
        raise InputError("Pendidikan tidak dikenal.", "pendidikan")
    if answer.pekerjaan not in (None, *PEKERJAAN):
        raise InputError("Pekerjaan tidak dikenal.", "pekerjaan")
    today = today_wib(now)
    day = answer.day or today
    if day > today:
        raise InputError(f"Tanggal survei {day:%d-%m-%Y} belum terjadi.", "tanggal")
    if day < date(2000, 1, 1):
        raise InputError(f"Tanggal survei {day:%d-%m-%Y} terlalu lama.", "tanggal")
    service = (answer.service or "").strip().upper() or None
    if service is not None and service not in known:
        raise InputError(
            f"Layanan '{answer.service}' tidak dikenal untuk survei; pilihan: {', '.join(known)}.",
            "layanan",
        )
    key = None
    if answer.code:
        from ..identity import ValidationError, format_tracking_code, normalize_tracking_code

        try:
            code = normalize_tracking_code(answer.code)
        except ValidationError as exc:
            raise InputError(str(exc), "kode") from None
        row = session.execute(
            select(Case.service, Case.status).where(Case.code == code)
        ).one_or_none()
        if row is None:
            raise InputError(
                f"Kode {format_tracking_code(code)} tidak terdaftar; periksa kembali kodenya "
                "atau kosongkan.",
                "kode",
            )
        if row.service not in known:
            raise InputError(
                f"Kode {format_tracking_code(code)} adalah pengaduan; survei kepuasan untuk "
                "permohonan layanan.",
                "kode",
            )
        if row.status != CaseStatus.SELESAI:
            raise DomainError(
                f"Permohonan {format_tracking_code(code)} belum selesai; survei diisi setelah "
                "permohonan selesai."
            )
        if service is not None and service != row.service:
            raise InputError(
                f"Kode {format_tracking_code(code)} adalah permohonan {row.service}, bukan "
                f"{service}.",
                "layanan",
            )
        service = row.service
        key = code_key(code)
        taken = session.execute(
            select(SkmAnswer.day).where(SkmAnswer.code_key == key)
        ).scalar_one_or_none()
        if taken is not None:
            raise DomainError(
                f"Jawaban survei untuk kode {format_tracking_code(code)} sudah tercatat "
                f"({taken:%d-%m-%Y}); satu kode satu jawaban."
            )
    if service is None:
        raise InputError("Pilih layanan yang dinilai (atau isi kode pelacakan).", "layanan")
    return service, day, key


def record_answer(
    session: Session,
    actor: Actor | None,
    answer: Answer,
    *,
    source: str,
    now: datetime | None = None,
) -> Recorded:
    """Record one respondent's answer; the same checks for every input way."""
    from ..services import audit

    require_skm_role(session, actor)
    row = store_answer(session, answer, source=source, now=now)
    audit.record(session, actor, "skm.answer", "skm", row.id, {"source": source}, now=now)
    return Recorded(row.id, row.service, row.day)


def store_answer(
    session: Session, answer: Answer, *, source: str, now: datetime | None = None
) -> SkmAnswer:
    """Check and insert one answer; the caller has checked the role and writes the audit
    entry (one per answer, or one per imported file)."""
    if source not in SOURCES:
        raise ValueError(source)
    service, day, key = _check(session, answer, now)
    row = SkmAnswer(
        code_key=key,
        service=service,
        day=day,
        umur=answer.umur,
        jenis_kelamin=answer.jenis_kelamin,
        pendidikan=answer.pendidikan,
        pekerjaan=answer.pekerjaan,
        saran=clean_saran(answer.saran),
        source=source,
        recorded_at=resolve_now(now),
    )
    for i, v in enumerate(answer.nilai, start=1):
        setattr(row, f"u{i}", v)
    session.add(row)
    session.flush()
    return row


def stored_answers(session: Session, date_from: date, date_to: date) -> list[tuple[Any, ...]]:
    """(service, day, u1..u9, umur, jenis_kelamin, pendidikan, pekerjaan, saran, source) of the
    period, in recording order — no code, no key (for tests and the xlsx export)."""
    cols = [getattr(SkmAnswer, f"u{i}") for i in range(1, 10)]
    q = (
        select(
            SkmAnswer.service,
            SkmAnswer.day,
            *cols,
            SkmAnswer.umur,
            SkmAnswer.jenis_kelamin,
            SkmAnswer.pendidikan,
            SkmAnswer.pekerjaan,
            SkmAnswer.saran,
            SkmAnswer.source,
        )
        .where(SkmAnswer.day >= date_from, SkmAnswer.day <= date_to)
        .order_by(SkmAnswer.id)
    )
    return [tuple(r) for r in session.execute(q)]


# --------------------------------------------------------------------------- figures


@dataclass
class Figures:
    """The survey of one period, for the office or one service."""

    index: Index
    populasi: int  # requests finished (served) in the period
    sampel_minimum: int

    @property
    def responden(self) -> int:
        return self.index.responden

    @property
    def tercapai(self) -> bool:
        return self.index.responden >= self.sampel_minimum

    def as_json(self) -> dict[str, Any]:
        idx = self.index
        return {
            "ikm": float(idx.ikm) if idx.ikm is not None else None,
            "mutu": idx.mutu.code if idx.mutu is not None else None,
            "kinerja": idx.mutu.kinerja if idx.mutu is not None else None,
            "responden": idx.responden,
            "populasi": self.populasi,
            "sampel_minimum": self.sampel_minimum,
            "sampel_tercapai": self.tercapai,
            # the nine element averages in order (three decimals); null without respondents
            "nrr": [float(v) for v in idx.nrr_rounded()] if idx.responden else [None] * 9,
        }


@dataclass
class Survey:
    date_from: date
    date_to: date
    office: Figures
    per_layanan: dict[str, Figures]
    umur: list[tuple[str, int]]
    jenis_kelamin: list[tuple[str, int]]
    pendidikan: list[tuple[str, int]]
    pekerjaan: list[tuple[str, int]]
    sumber: list[tuple[str, int]]
    saran: list[tuple[str, date, str]]  # (service, day, text), no code
    distribusi: list[list[int]] = field(default_factory=list)  # per element: count of 1,2,3,4

    def as_json(self) -> dict[str, Any]:
        out = self.office.as_json()
        out = {
            "periode": {"dari": self.date_from.isoformat(), "sampai": self.date_to.isoformat()},
            **out,
            "per_layanan": {code: f.as_json() for code, f in self.per_layanan.items()},
        }
        return out


def _served(session: Session, date_from: date, date_to: date) -> dict[str, int]:
    q = (
        select(FinishDayStat.service, func.sum(FinishDayStat.finished))
        .where(FinishDayStat.day >= date_from, FinishDayStat.day <= date_to)
        .group_by(FinishDayStat.service)
    )
    return {s: int(n or 0) for s, n in session.execute(q)}


def survey(session: Session, date_from: date, date_to: date, service: str | None = None) -> Survey:
    """The period's figures: IKM, NRR, respondents, population and minimum sample, for the
    office (or one service) and per service; the respondent profile; the suggestions."""
    known = surveyed_services()
    ucols = [getattr(SkmAnswer, f"u{i}") for i in range(1, 10)]
    where = [SkmAnswer.day >= date_from, SkmAnswer.day <= date_to]
    if service is not None:
        where.append(SkmAnswer.service == service)
    sums_q = (
        select(SkmAnswer.service, func.count(), *(func.sum(c) for c in ucols))
        .where(*where)
        .group_by(SkmAnswer.service)
    )
    per: dict[str, tuple[int, list[int]]] = {}
    for row in session.execute(sums_q):
        per[row[0]] = (int(row[1]), [int(v) for v in row[2:]])
    served = _served(session, date_from, date_to)
    services = [service] if service is not None else list(known)
    per_layanan: dict[str, Figures] = {}
    total_n, total_sums, total_pop = 0, [0] * 9, 0
    for code in services:
        n, sums = per.get(code, (0, [0] * 9))
        pop = served.get(code, 0)
        per_layanan[code] = Figures(index_from_sums(n, sums), pop, krejcie_morgan(pop))
        total_n += n
        total_sums = [a + b for a, b in zip(total_sums, sums, strict=True)]
        total_pop += pop
    office = Figures(index_from_sums(total_n, total_sums), total_pop, krejcie_morgan(total_pop))

    def counted(column: Any) -> Counter[Any]:
        q = select(column, func.count()).where(*where).group_by(column)
        return Counter({k: int(n) for k, n in session.execute(q)})

    umur_rows = counted(SkmAnswer.umur)
    umur = Counter[str]()
    for value, n in umur_rows.items():
        umur[umur_kelompok(value)] += n
    umur_list = [(label, umur.get(label, 0)) for label, _lo, _hi in UMUR_KELOMPOK]
    if umur.get("tidak diisi"):
        umur_list.append(("tidak diisi", umur["tidak diisi"]))

    def labelled(counts: Counter[Any], table: dict[Any, str]) -> list[tuple[str, int]]:
        out = [(label, counts.get(key, 0)) for key, label in table.items()]
        if counts.get(None):
            out.append(("tidak diisi", counts[None]))
        return out

    distribusi: list[list[int]] = []
    for col in ucols:
        c = counted(col)
        distribusi.append([c.get(v, 0) for v in (1, 2, 3, 4)])
    saran_q = (
        select(SkmAnswer.service, SkmAnswer.day, SkmAnswer.saran)
        .where(*where, SkmAnswer.saran.is_not(None))
        .order_by(SkmAnswer.day, SkmAnswer.id)
    )
    return Survey(
        date_from=date_from,
        date_to=date_to,
        office=office,
        per_layanan=per_layanan,
        umur=umur_list,
        jenis_kelamin=labelled(counted(SkmAnswer.jenis_kelamin), JENIS_KELAMIN),
        pendidikan=labelled(counted(SkmAnswer.pendidikan), PENDIDIKAN),
        pekerjaan=labelled(counted(SkmAnswer.pekerjaan), PEKERJAAN),
        sumber=[(label, counted(SkmAnswer.source).get(k, 0)) for k, label in SOURCES.items()],
        saran=[(s, d, t) for s, d, t in session.execute(saran_q) if t],
        distribusi=distribusi,
    )


def unsur_names() -> list[str]:
    return [u.name for u in UNSUR]


def last_full_quarter(today: date) -> tuple[date, date]:
    """The last quarter that has ended by ``today``."""
    from . import period_dates

    q = (today.month - 1) // 3 + 1
    year = today.year
    q -= 1
    if q == 0:
        q, year = 4, year - 1
    return period_dates("triwulan", year, q)


# --------------------------------------------------------------------------- settings


def _require_admin(session: Session, actor: Actor | None) -> None:
    from ..services.users import require_admin

    if actor is None:
        raise PermissionDenied("Hanya admin yang dapat mengubah pengaturan survei.")
    require_admin(session, actor)


def get_mappings(session: Session) -> dict[str, dict[str, str]]:
    from ..services.office import get_setting

    data = get_setting(session, MAPPINGS_SETTING, {}) or {}
    return {str(k): dict(v) for k, v in data.items() if isinstance(v, dict)}


def save_mapping(
    session: Session,
    actor: Actor | None,
    name: str,
    columns: dict[str, str],
    *,
    now: datetime | None = None,
) -> None:
    """Store (or replace) the mapping ``name``: field (``tanggal``, ``u1`` …) -> the CSV
    column's heading. Fields not named keep the default heading."""
    from ..services.office import set_setting

    _require_admin(session, actor)
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise InputError("Nama pemetaan wajib diisi (paling panjang 60 huruf).", "nama")
    unknown = sorted(set(columns) - set(CSV_FIELDS))
    if unknown:
        raise InputError(
            f"Kolom {', '.join(unknown)} tidak dikenal; pilihan: {', '.join(CSV_FIELDS)}.",
            "pemetaan",
        )
    clean = {k: v.strip() for k, v in columns.items() if v.strip()}
    headings = list(clean.values())
    double = sorted({h for h in headings if headings.count(h) > 1})
    if double:
        raise InputError(
            f"Judul kolom '{double[0]}' dipakai untuk lebih dari satu isian.", "pemetaan"
        )
    mappings = get_mappings(session)
    mappings[name] = clean
    set_setting(session, MAPPINGS_SETTING, mappings, actor=actor, now=now)


def delete_mapping(
    session: Session, actor: Actor | None, name: str, *, now: datetime | None = None
) -> None:
    from ..services.office import set_setting

    _require_admin(session, actor)
    mappings = get_mappings(session)
    if name not in mappings:
        raise InputError(f"Pemetaan '{name}' tidak ada.", "nama")
    del mappings[name]
    set_setting(session, MAPPINGS_SETTING, mappings, actor=actor, now=now)


def period_key(date_from: date, date_to: date) -> str:
    return f"{date_from.isoformat()}_{date_to.isoformat()}"


def get_follow_up(session: Session, date_from: date, date_to: date) -> list[str]:
    """The admin's "rencana tindak lanjut" for the period: one line per planned action."""
    from ..services.office import get_setting

    data = get_setting(session, FOLLOW_UP_SETTING, {}) or {}
    value = data.get(period_key(date_from, date_to), [])
    return [str(x) for x in value] if isinstance(value, list) else []


def save_follow_up(
    session: Session,
    actor: Actor | None,
    date_from: date,
    date_to: date,
    lines: Sequence[str],
    *,
    now: datetime | None = None,
) -> None:
    from ..services.office import get_setting, set_setting

    _require_admin(session, actor)
    clean = [" ".join(x.split())[:400] for x in lines if x.strip()][:20]
    data = dict(get_setting(session, FOLLOW_UP_SETTING, {}) or {})
    data[period_key(date_from, date_to)] = clean
    set_setting(session, FOLLOW_UP_SETTING, data, actor=actor, now=now)


def quarter_of(day: date) -> tuple[date, date]:
    from . import period_dates

    return period_dates("triwulan", day.year, (day.month - 1) // 3 + 1)


def days_between(date_from: date, date_to: date) -> int:
    return (date_to - date_from).days + 1


def ikm_text(value: Decimal | None) -> str:
    from ..reports.text import angka

    return "-" if value is None else angka(float(value), 2)
