"""The coordinators' web dashboard: one-time login links, sessions, failed logins, and
the per-day counts of how typed questions were met (its insights page).

Only hashes of login links and session cookies are stored; a failed login is counted
under a hash of where it came from, for a short window.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Four new tables."""
    op.create_table(
        "dashboard_logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="CASCADE", name="fk_dashboard_logins_user_id_users"),
            nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dashboard_logins"),
        sa.UniqueConstraint("token_hash", name="uq_dashboard_logins_token_hash"),
    )
    op.create_index("ix_dashboard_logins_user_id", "dashboard_logins", ["user_id"])
    op.create_table(
        "dashboard_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="CASCADE", name="fk_dashboard_sessions_user_id_users"),
            nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dashboard_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_dashboard_sessions_token_hash"),
    )
    op.create_index("ix_dashboard_sessions_user_id", "dashboard_sessions", ["user_id"])
    op.create_index("ix_dashboard_sessions_expires_at", "dashboard_sessions", ["expires_at"])
    op.create_table(
        "dashboard_attempts",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_dashboard_attempts"),
    )
    op.create_table(
        "faq_outcomes",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("decision", sa.String(12), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "language", "decision", name="pk_faq_outcomes"),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("faq_outcomes")
    op.drop_table("dashboard_attempts")
    op.drop_table("dashboard_sessions")
    op.drop_table("dashboard_logins")
