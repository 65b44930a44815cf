"""Buku register / agenda: gapless numbers per service per year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime


class RegisterCounter(Base):
    __tablename__ = "register_counters"

    service: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class RegisterEntry(Base):
    __tablename__ = "register_entries"
    __table_args__ = (
        UniqueConstraint("service", "year", "number"),
        Index("ix_register_entries_assigned_at", "assigned_at"),  # the register of a period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    service: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    assigned_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
