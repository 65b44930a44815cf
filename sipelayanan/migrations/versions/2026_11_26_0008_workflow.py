"""Workflow details: collection after the notify step, queue numbers (issue 12)

Revision ID: 0008
Revises: 0007
Reviewed: one new table, ``awaiting_collection`` (no change to existing ones): the requests told
their document is ready and not yet collected. Earlier SOP snapshots recorded the hand-over at the
notify step itself, so nothing waits yet and nothing is filled here. Instant on any size.
Create Date: 2026-11-26 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sipelayanan.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_UTC = sipelayanan.models.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "awaiting_collection",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("ready_at", _UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_awaiting_collection_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_awaiting_collection")),
    )
    op.create_index(
        "ix_awaiting_collection_ready_at", "awaiting_collection", ["ready_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_awaiting_collection_ready_at", table_name="awaiting_collection")
    op.drop_table("awaiting_collection")
