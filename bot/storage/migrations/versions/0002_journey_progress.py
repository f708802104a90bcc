"""Journey progress: current node, steps done and the way back, per user and journey.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create journey_progress."""
    op.create_table(
        "journey_progress",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("journey", sa.String(16), nullable=False),
        sa.Column("journey_version", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(24), nullable=False),
        sa.Column("done", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_journey_progress"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_journey_progress_user_id_users"),
        sa.UniqueConstraint("user_id", "journey", name="uq_journey_progress_user"),
    )
    op.create_index("ix_journey_progress_user_id", "journey_progress", ["user_id"])


def downgrade() -> None:
    """Drop journey_progress."""
    op.drop_index("ix_journey_progress_user_id", "journey_progress")
    op.drop_table("journey_progress")
