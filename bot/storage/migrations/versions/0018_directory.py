"""The help directory (a sociale kaart): entries, the municipalities they serve, their texts
per language; and the theme of a question handed to a person.

`directory_entries` holds one organisation, initiative or gemeente office with its one
service and location (HSDS-shaped; bot/core/directory/hsds.py exports it as HSDS 3.0);
`directory_areas` the CBS codes it serves (or `national`), indexed for "near me";
`directory_texts` its name and description per language. `questions.theme` keeps the
directory theme the matcher guessed for an unanswered question.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Three directory tables and the question's theme."""
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.String(30), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("website", sa.String(300), nullable=True),
        sa.Column("email", sa.String(120), nullable=True),
        sa.Column("address", sa.String(120), nullable=True),
        sa.Column("postcode", sa.String(8), nullable=True),
        sa.Column("city", sa.String(80), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("opening_hours", sa.String(300), nullable=True),
        sa.Column("appointment_only", sa.Boolean(), nullable=False),
        sa.Column("temporarily_closed", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("last_checked", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey(
            "users.id", ondelete="SET NULL", name="fk_directory_entries_updated_by_users"),
            nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_directory_entries"),
    )
    op.create_index("ix_directory_entries_last_checked", "directory_entries", ["last_checked"])
    op.create_table(
        "directory_areas",
        sa.Column("entry_id", sa.String(30), sa.ForeignKey(
            "directory_entries.id", ondelete="CASCADE",
            name="fk_directory_areas_entry_id_directory_entries"), nullable=False),
        sa.Column("municipality", sa.String(8), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "municipality", name="pk_directory_areas"),
    )
    op.create_index("ix_directory_areas_municipality", "directory_areas", ["municipality"])
    op.create_table(
        "directory_texts",
        sa.Column("entry_id", sa.String(30), sa.ForeignKey(
            "directory_entries.id", ondelete="CASCADE",
            name="fk_directory_texts_entry_id_directory_entries"), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("name", sa.String(120), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("entry_id", "language", name="pk_directory_texts"),
    )
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("theme", sa.String(20), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("theme")
    op.drop_table("directory_texts")
    op.drop_index("ix_directory_areas_municipality", "directory_areas")
    op.drop_table("directory_areas")
    op.drop_index("ix_directory_entries_last_checked", "directory_entries")
    op.drop_table("directory_entries")
