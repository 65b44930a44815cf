"""indexes for a million requests

Revision ID: 0002
Revises: 0001
Reviewed: indexes only, no data change. Measured with benchmarks/ on 1,000,000 generated
requests (see docs/performance.md): NIK search also matches No. KK (ix_cases_no_kk); name prefix
search reads only the index, newest first (ix_cases_name_key on name_key, received_at, id; on
PostgreSQL with text_pattern_ops so LIKE 'X%' is indexed under any collation); the rekap and the
laporan kinerja find finished requests and step records of a period (ix_cases_status_finished_at,
ix_case_steps_action_ended_at); the register of a period (ix_register_entries_assigned_at).
Building them on an existing database of a million requests takes about a minute.
Create Date: 2026-11-24 00:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_no_kk", "cases", ["no_kk"], unique=False)
    op.drop_index("ix_cases_name_key", table_name="cases")
    op.create_index(
        "ix_cases_name_key",
        "cases",
        ["name_key", "received_at", "id"],
        unique=False,
        postgresql_ops={"name_key": "text_pattern_ops"},
    )
    op.create_index(
        "ix_cases_status_finished_at", "cases", ["status", "finished_at"], unique=False
    )
    op.create_index(
        "ix_case_steps_action_ended_at", "case_steps", ["action", "ended_at"], unique=False
    )
    op.create_index(
        "ix_register_entries_assigned_at", "register_entries", ["assigned_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_register_entries_assigned_at", table_name="register_entries")
    op.drop_index("ix_case_steps_action_ended_at", table_name="case_steps")
    op.drop_index("ix_cases_status_finished_at", table_name="cases")
    op.drop_index("ix_cases_name_key", table_name="cases")
    op.create_index("ix_cases_name_key", "cases", ["name_key"], unique=False)
    op.drop_index("ix_cases_no_kk", table_name="cases")
