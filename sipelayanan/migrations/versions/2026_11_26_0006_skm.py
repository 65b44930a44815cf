"""Survei Kepuasan Masyarakat answers (issue 16)

Revision ID: 0006
Revises: 0005
Reviewed: one new table, no change to existing ones; instant on any size. The CSV column
mappings the admin saves live in ``office_settings`` (no table of their own).
Create Date: 2026-11-26 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sipelayanan.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sipelayanan.models.base.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "skm_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_key", sa.String(length=64), nullable=True),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(sa.Column(f"u{i}", sa.SmallInteger(), nullable=False) for i in range(1, 10)),
        sa.Column("umur", sa.Integer(), nullable=True),
        sa.Column("jenis_kelamin", sa.String(length=1), nullable=True),
        sa.Column("pendidikan", sa.SmallInteger(), nullable=True),
        sa.Column("pekerjaan", sa.SmallInteger(), nullable=True),
        sa.Column("saran", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("recorded_at", _UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skm_answers")),
        sa.UniqueConstraint("code_key", name=op.f("uq_skm_answers_code_key")),
    )
    op.create_index("ix_skm_answers_day_service", "skm_answers", ["day", "service"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_skm_answers_day_service", table_name="skm_answers")
    op.drop_table("skm_answers")
