"""A request (permohonan) or complaint (pengaduan) and everything recorded while it moves
through its SOP: step history, checklist, berkas, SIAK document numbers, hand-over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..case_status import CaseStatus as CaseStatus  # re-exported; readable without the ORM
from .base import Base, UtcDateTime


class SopSnapshot(Base):
    """The SOP definition a case started under, frozen, so editing a file never rewrites history."""

    __tablename__ = "sop_snapshots"
    __table_args__ = (UniqueConstraint("service", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(64))
    definition: Mapped[str] = mapped_column(Text)  # canonical JSON of ServiceDef.to_dict()
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_inbox", "status", "current_role", "due_at", "id"),
        Index("ix_cases_service_received", "service", "received_at"),
        Index("ix_cases_nik", "nik"),
        Index("ix_cases_no_kk", "no_kk"),
        Index("ix_cases_wa", "wa"),
        # name prefix search: covers the newest-first sort of the matches; on PostgreSQL the
        # pattern opclass lets LIKE 'X%' use it whatever the database's collation
        Index(
            "ix_cases_name_key",
            "name_key",
            "received_at",
            "id",
            postgresql_ops={"name_key": "text_pattern_ops"},
        ),
        Index("ix_cases_received_at", "received_at"),
        Index("ix_cases_finished_at", "finished_at"),
        Index("ix_cases_status_finished_at", "status", "finished_at"),  # rekap, kinerja
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    service: Mapped[str] = mapped_column(String(16))
    sop_snapshot_id: Mapped[int] = mapped_column(ForeignKey("sop_snapshots.id"))
    sop_version: Mapped[str] = mapped_column(String(32))
    pemohon_nama: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # upper-cased, for prefix search
    nik: Mapped[str | None] = mapped_column(String(16))
    no_kk: Mapped[str | None] = mapped_column(String(16))
    wa: Mapped[str] = mapped_column(String(20))  # E.164
    kecamatan: Mapped[str | None] = mapped_column(String(8))  # "18.08.01"
    conditions: Mapped[str] = mapped_column(String(200), default="")  # comma-separated keys
    uraian: Mapped[str | None] = mapped_column(Text)  # complaint description / request note
    status: Mapped[str] = mapped_column(String(20))
    current_step: Mapped[int] = mapped_column(Integer)
    current_role: Mapped[str | None] = mapped_column(String(32))  # None once finished/cancelled
    step_started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    returned_count: Mapped[int] = mapped_column(Integer, default=0)
    missing_items: Mapped[str | None] = mapped_column(Text)  # JSON list while waiting for pemohon
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # complaints: "sederhana" (closed at step 3) or "eskalasi"
    closed_path: Mapped[str | None] = mapped_column(String(16))
    solusi: Mapped[str | None] = mapped_column(Text)  # complaints: the solution given
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    history: Mapped[list[CaseStep]] = relationship(
        back_populates="case", order_by="CaseStep.id", cascade="all, delete-orphan"
    )
    checklist: Mapped[list[ChecklistItem]] = relationship(
        back_populates="case", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="case", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    documents: Mapped[list[CaseDocument]] = relationship(
        back_populates="case", order_by="CaseDocument.id", cascade="all, delete-orphan"
    )


class CaseStep(Base):
    """Append-only history: one row per action taken at a step."""

    __tablename__ = "case_steps"
    __table_args__ = (
        Index("ix_case_steps_case_id", "case_id"),
        Index("ix_case_steps_action_ended_at", "action", "ended_at"),  # rekap, kinerja
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    step_no: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(24))
    to_step: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime] = mapped_column(UtcDateTime)
    working_minutes: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="history")


class ChecklistItem(Base):
    __tablename__ = "checklist_items"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    item_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    present: Mapped[bool] = mapped_column(Boolean, default=False)

    case: Mapped[Case] = relationship(back_populates="checklist")


class Attachment(Base):
    """A berkas file, stored in the database so every PC sees it and backups hold it."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="attachments")


class CaseDocument(Base):
    """A document number produced by SIAK (No. KK, No. akta, ...)."""

    __tablename__ = "case_documents"
    __table_args__ = (Index("ix_case_documents_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="documents")


class Delivery(Base):
    """Hand-over to the pemohon (or someone authorised) or shipment through PT POS."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    method: Mapped[str] = mapped_column(String(16))  # "diambil" / "pos"
    recipient: Mapped[str | None] = mapped_column(String(200))
    resi: Mapped[str | None] = mapped_column(String(64))
    delivered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
