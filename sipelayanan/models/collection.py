"""Documents told ready and waiting for the resident (the "Siap diambil" list).

A request whose SOP ends with a notify step finishes when the resident is told; who collected
the document (or the PT POS resi) is recorded afterwards. Until then the request has a row
here, so the list is read from a table the size of the waiting pile, not from every finished
request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime


class AwaitingCollection(Base):
    __tablename__ = "awaiting_collection"
    __table_args__ = (Index("ix_awaiting_collection_ready_at", "ready_at"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    service: Mapped[str] = mapped_column(String(16))
    ready_at: Mapped[datetime] = mapped_column(UtcDateTime)
