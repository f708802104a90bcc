"""The buttons of the last message a person got, so a typed answer can be read as a press.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """users.choices: [[label, data], …] of the last message with buttons, or NULL."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("choices", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop the column again."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("choices")
