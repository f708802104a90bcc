"""Questions handed to a person; newcomers' consent to share them with their group.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create questions; add memberships.share_questions and outbox.ref."""
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("route", sa.String(length=12), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("helper_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("followups", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"],
                                name=op.f("fk_questions_group_id_groups"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["helper_id"], ["users.id"],
                                name=op.f("fk_questions_helper_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_questions_organisation_id_organisations"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_questions_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index(op.f("ix_questions_status"), "questions", ["status"], unique=False)
    op.create_index(op.f("ix_questions_user_id"), "questions", ["user_id"], unique=False)
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("share_questions", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("ref", sa.String(length=24), nullable=True))


def downgrade() -> None:
    """Drop questions and the two columns."""
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("ref")
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("share_questions")
    op.drop_table("questions")
