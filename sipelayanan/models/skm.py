"""Survei Kepuasan Masyarakat answers (PermenPANRB 14/2017): one row per respondent.

Anonymous by construction: no name, NIK or number, no link to ``cases`` and no clerk. The
tracking code an answer came with is kept only as ``code_key`` (a one-way hash, unique: one
answer per code); reports, exports and log lines never show it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime


class SkmAnswer(Base):
    __tablename__ = "skm_answers"
    __table_args__ = (Index("ix_skm_answers_day_service", "day", "service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    service: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)  # the day answered (WIB)
    u1: Mapped[int] = mapped_column(SmallInteger)
    u2: Mapped[int] = mapped_column(SmallInteger)
    u3: Mapped[int] = mapped_column(SmallInteger)
    u4: Mapped[int] = mapped_column(SmallInteger)
    u5: Mapped[int] = mapped_column(SmallInteger)
    u6: Mapped[int] = mapped_column(SmallInteger)
    u7: Mapped[int] = mapped_column(SmallInteger)
    u8: Mapped[int] = mapped_column(SmallInteger)
    u9: Mapped[int] = mapped_column(SmallInteger)
    umur: Mapped[int | None] = mapped_column(Integer)
    jenis_kelamin: Mapped[str | None] = mapped_column(String(1))  # L / P
    pendidikan: Mapped[int | None] = mapped_column(SmallInteger)  # skm.PENDIDIKAN code
    pekerjaan: Mapped[int | None] = mapped_column(SmallInteger)  # skm.PEKERJAAN code
    saran: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8))  # wa, kertas, impor
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
