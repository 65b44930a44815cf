"""Per-day step and finished-request figures for the laporan kinerja

Revision ID: 0004
Revises: 0003
Reviewed: two new tables derived from ``case_steps`` and ``cases`` (no change to existing ones),
filled here from the history: about a minute at a million requests (one pass over the step
visits, one over the finished requests), seconds on an office's real database.
Create Date: 2026-11-26 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "step_day_stats",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("sop_snapshot_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("step_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "service", "sop_snapshot_id", "step_no", name=op.f("pk_step_day_stats")
        ),
    )
    op.create_table(
        "finish_day_stats",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("finished", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("day", "service", name=op.f("pk_finish_day_stats")),
    )
    from sipelayanan.services.step_stats import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("finish_day_stats")
    op.drop_table("step_day_stats")
