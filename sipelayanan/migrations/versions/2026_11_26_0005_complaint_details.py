"""Complaint details as Perpres 76/2013 and SP4N-LAPOR! manage them (issue 16)

Revision ID: 0005
Revises: 0004
Reviewed: one new table keyed by ``cases.id`` (no change to existing ones); complaints recorded
before it have no row and read as WhatsApp / pengaduan / not confidential, so nothing is filled.
Create Date: 2026-11-26 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaint_details",
        sa.Column("case_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("lapor_number", sa.String(length=40), nullable=True),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("concerns", sa.String(length=16), nullable=True),
        sa.Column("rahasia", sa.Boolean(), nullable=False),
        sa.Column("ringkasan", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_complaint_details_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_complaint_details")),
    )
    op.create_index(
        "ix_complaint_details_lapor_number", "complaint_details", ["lapor_number"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_complaint_details_lapor_number", table_name="complaint_details")
    op.drop_table("complaint_details")
