"""Derived figures kept beside the history they summarise, so a period report reads a few rows
per day instead of every step visit. Written in the same transaction as the history row they
count (``services/step_stats.py``), rebuilt from ``case_steps`` by migration 0004."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class StepDayStat(Base):
    """The step visits (completed or sent back) of one WIB day, per service, SOP version and
    step: how many, how many completed, and the completed visits' working minutes as float64
    values (``array("d")``, little-endian, in the order they were written; the reports sort)."""

    __tablename__ = "step_day_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service: Mapped[str] = mapped_column(String(16), primary_key=True)
    sop_snapshot_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    step_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    visits: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[bytes] = mapped_column(LargeBinary)


class FinishDayStat(Base):
    """The requests finished (status selesai) on one WIB day, per service: how many, how many
    by their due time, and each one's staff working minutes over its whole life as float64
    values (as in :class:`StepDayStat`). A finished request never changes again."""

    __tablename__ = "finish_day_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service: Mapped[str] = mapped_column(String(16), primary_key=True)
    finished: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[bytes] = mapped_column(LargeBinary)
