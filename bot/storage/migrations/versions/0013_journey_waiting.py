"""The steps a person said "Not yet" to, so a journey's overview can show them as waiting.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """journey_progress.waiting: node ids, [] for everyone so far."""
    with op.batch_alter_table("journey_progress") as batch:
        batch.add_column(sa.Column("waiting", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    """Drop the column again."""
    with op.batch_alter_table("journey_progress") as batch:
        batch.drop_column("waiting")
