"""The WhatsApp notice outbox: one row per notice the SOP calls for, written in the same
transaction as the step, and the pemohon's consent to notices sent by the office's WhatsApp
Business Platform (Cloud API) number.

A row never disappears: its ``state`` says where it is (see
:class:`sipelayanan.services.outbox.State`), and ``error`` says why it was not sent.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        Index("ix_notices_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_notices_case_id", "case_id"),
        Index("ix_notices_wamid", "wamid"),
        Index("ix_notices_sent_at", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # a message template key
    to_wa: Mapped[str] = mapped_column(String(20))  # E.164, as recorded at the step
    params: Mapped[str] = mapped_column(Text)  # JSON list: the template's body parameters
    text: Mapped[str] = mapped_column(Text)  # the click-to-chat text (office template)
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sending_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    wamid: Mapped[str | None] = mapped_column(String(128))  # messages[0].id from the API
    via_api: Mapped[bool] = mapped_column(Boolean, default=False)  # sent by the Cloud API
    error_code: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)  # Indonesian, for the admin


class NoticeConsent(Base):
    """Whether the pemohon agreed at intake to WhatsApp notices from the office's number."""

    __tablename__ = "notice_consents"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
