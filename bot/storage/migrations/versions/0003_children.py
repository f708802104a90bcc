"""Whether the user has children under 18 (journeys can branch on it).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add users.has_children (unknown until asked)."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("has_children", sa.Boolean(), nullable=True))


def downgrade() -> None:
    """Remove users.has_children."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("has_children")
