"""Complaint details as Perpres 76/2013 and SP4N-LAPOR! manage them (issue 16)

Revision ID: 0005
Revises: 0004
Reviewed: placeholder reserved for this change; no schema change yet.
Create Date: 2026-11-26 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
