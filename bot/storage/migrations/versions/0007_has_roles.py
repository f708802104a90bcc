"""users.has_roles: whether a person is in a group or coordinates one (a fast path).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the flag and set it for everyone who already has a membership or coordinates."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("has_roles", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.execute("UPDATE users SET has_roles = TRUE WHERE id IN "
               "(SELECT user_id FROM memberships UNION SELECT user_id FROM coordinators)")


def downgrade() -> None:
    """Drop the flag."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("has_roles")
