"""What the national complaint system (Perpres 76/2013, SP4N-LAPOR!) records of a complaint
beside its SOP steps: how it came in, its LAPOR! tracking number, its classification, the service
it concerns, whether the pelapor asked to stay anonymous, and the escalation summary the
Pejabat Pengelola Pengaduan reads first.

One row per complaint (``cases.id``); a complaint recorded before this table existed has none
and reads as the SOP's own channel (WhatsApp), a ``pengaduan``, not confidential.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ComplaintDetail(Base):
    __tablename__ = "complaint_details"
    __table_args__ = (Index("ix_complaint_details_lapor_number", "lapor_number"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    channel: Mapped[str] = mapped_column(String(16))  # services.complaints.CHANNELS
    lapor_number: Mapped[str | None] = mapped_column(String(40))  # SP4N-LAPOR! tracking no.
    classification: Mapped[str] = mapped_column(String(16))  # services.complaints.CLASSES
    concerns: Mapped[str | None] = mapped_column(String(16))  # the service complained about
    rahasia: Mapped[bool] = mapped_column(Boolean, default=False)  # identity kept confidential
    ringkasan: Mapped[str | None] = mapped_column(Text)  # escalation reason / summary
