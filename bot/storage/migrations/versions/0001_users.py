"""Users with language, consent, conversation state and profile.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the users table."""
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("locale", sa.String(8)),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("privacy_version", sa.Integer()),
        sa.Column("privacy_accepted_at", sa.DateTime(timezone=True)),
        sa.Column("declared_role", sa.String(16)),
        sa.Column("situation", sa.String(16)),
        sa.Column("municipality_code", sa.String(8)),
        sa.Column("arrival_month", sa.String(7)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("onboarded_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("telegram_id", name="uq_users_telegram_id"),
    )


def downgrade() -> None:
    """Drop the users table."""
    op.drop_table("users")
