"""WhatsApp notice outbox and the pemohon's consent to notices

Revision ID: 0003
Revises: 0002
Reviewed: two new tables, no change to existing ones (the audit's sealed request state covers
the columns of ``cases`` only, so consent lives in its own table). Instant on any size.
Create Date: 2026-11-26 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sipelayanan.models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sipelayanan.models.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("to_wa", sa.String(length=20), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _UTC(timezone=True), nullable=False),
        sa.Column("next_attempt_at", _UTC(timezone=True), nullable=True),
        sa.Column("sending_at", _UTC(timezone=True), nullable=True),
        sa.Column("sent_at", _UTC(timezone=True), nullable=True),
        sa.Column("status_at", _UTC(timezone=True), nullable=True),
        sa.Column("wamid", sa.String(length=128), nullable=True),
        sa.Column("via_api", sa.Boolean(), nullable=False),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_notices_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index("ix_notices_case_id", "notices", ["case_id"], unique=False)
    op.create_index("ix_notices_sent_at", "notices", ["sent_at"], unique=False)
    op.create_index(
        "ix_notices_state_next_attempt_at", "notices", ["state", "next_attempt_at"], unique=False
    )
    op.create_index("ix_notices_wamid", "notices", ["wamid"], unique=False)
    op.create_table(
        "notice_consents",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", _UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_notice_consents_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_notice_consents")),
    )


def downgrade() -> None:
    op.drop_table("notice_consents")
    op.drop_index("ix_notices_wamid", table_name="notices")
    op.drop_index("ix_notices_state_next_attempt_at", table_name="notices")
    op.drop_index("ix_notices_sent_at", table_name="notices")
    op.drop_index("ix_notices_case_id", table_name="notices")
    op.drop_table("notices")
