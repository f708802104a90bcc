"""Volunteer work and language buddies: opportunities with their texts per language, the
newcomer's volunteer profile, and matches from tentative to followed up.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _users(column: str, table: str, ondelete: str) -> sa.ForeignKey:
    """A foreign key to users with the naming convention's name."""
    return sa.ForeignKey("users.id", ondelete=ondelete, name=f"fk_{table}_{column}_users")


def upgrade() -> None:
    """Four volunteering tables."""
    op.create_table(
        "volunteer_opportunities",
        sa.Column("id", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("organisation", sa.String(120), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("parts_of_day", sa.JSON(), nullable=False),
        sa.Column("hours_per_week", sa.SmallInteger(), nullable=True),
        sa.Column("municipality", sa.String(8), nullable=True),
        sa.Column("address", sa.String(120), nullable=True),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("dutch_level", sa.String(4), nullable=False),
        sa.Column("open_to_asylum_seekers", sa.Boolean(), nullable=False),
        sa.Column("contact_name", sa.String(80), nullable=True),
        sa.Column("contact_phone", sa.String(20), nullable=True),
        sa.Column("contact_email", sa.String(120), nullable=True),
        sa.Column("contact_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("places", sa.SmallInteger(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("last_checked", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(),
                  _users("updated_by", "volunteer_opportunities", "SET NULL"), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_volunteer_opportunities"),
    )
    op.create_index("ix_volunteer_opportunities_municipality", "volunteer_opportunities",
                    ["municipality"])
    op.create_index("ix_volunteer_opportunities_last_checked", "volunteer_opportunities",
                    ["last_checked"])
    op.create_table(
        "volunteer_texts",
        sa.Column("opportunity_id", sa.String(30), sa.ForeignKey(
            "volunteer_opportunities.id", ondelete="CASCADE",
            name="fk_volunteer_texts_opportunity_id_volunteer_opportunities"), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.String(120), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("opportunity_id", "language", name="pk_volunteer_texts"),
    )
    op.create_table(
        "volunteer_profiles",
        sa.Column("user_id", sa.Integer(), _users("user_id", "volunteer_profiles", "CASCADE"),
                  nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("municipality", sa.String(8), nullable=True),
        sa.Column("dutch_level", sa.String(4), nullable=True),
        sa.Column("tell_group", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_volunteer_profiles"),
    )
    op.create_table(
        "volunteer_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.String(30), sa.ForeignKey(
            "volunteer_opportunities.id", ondelete="CASCADE",
            name="fk_volunteer_matches_opportunity_id_volunteer_opportunities"),
            nullable=False),
        sa.Column("user_id", sa.Integer(), _users("user_id", "volunteer_matches", "CASCADE"),
                  nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(),
                  _users("answered_by", "volunteer_matches", "SET NULL"), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("newcomer_outcome", sa.String(8), nullable=True),
        sa.Column("organisation_outcome", sa.String(8), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_volunteer_matches"),
        sa.UniqueConstraint("opportunity_id", "user_id", name="uq_volunteer_matches_pair"),
    )
    for column in ("opportunity_id", "user_id", "status"):
        op.create_index(f"ix_volunteer_matches_{column}", "volunteer_matches", [column])


def downgrade() -> None:
    """Drop them again."""
    for table in ("volunteer_matches", "volunteer_profiles", "volunteer_texts",
                  "volunteer_opportunities"):
        op.drop_table(table)
