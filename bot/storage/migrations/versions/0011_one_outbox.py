"""One outbound queue: reminders and broadcast deliveries go through the outbox too.

Each outbox row gets a lane (its priority), the person it is for, a not-before and an
expiry time, what it reports back to (source and source_id) and why it failed. A question
handed over from a crisis answer is marked urgent: its notices go first. Rows the
old senders left mid-send are marked interrupted: they may have arrived.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """New outbox columns; old in-flight rows settled."""
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("state", type_=sa.String(12), existing_type=sa.String(8),
                           existing_nullable=False)
        batch.add_column(sa.Column("lane", sa.SmallInteger(), nullable=False,
                                   server_default="2"))
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("source", sa.String(12), nullable=True))
        batch.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("error", sa.String(40), nullable=True))
        batch.create_foreign_key("fk_outbox_user_id_users", "users", ["user_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index("ix_outbox_due", ["state", "lane", "id"])
        batch.create_index("ix_outbox_source", ["source", "source_id"])
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("urgent", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    # 'interrupted' has 11 letters: SQLite ignored VARCHAR(10), PostgreSQL refuses it.
    for table in ("reminders", "deliveries"):
        with op.batch_alter_table(table) as batch:
            batch.alter_column("state", type_=sa.String(12), existing_type=sa.String(10),
                               existing_nullable=False)
    op.execute("UPDATE reminders SET state = 'interrupted' WHERE state = 'sending'")
    op.execute("UPDATE deliveries SET state = 'interrupted' WHERE state = 'sending'")


def downgrade() -> None:
    """Drop the columns again (reminders.state and deliveries.state stay wide enough for
    the 'interrupted' rows)."""
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("urgent")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_source")
        batch.drop_index("ix_outbox_due")
        batch.drop_constraint("fk_outbox_user_id_users", type_="foreignkey")
        for column in ("error", "source_id", "source", "expires_at", "not_before", "user_id",
                       "lane"):
            batch.drop_column(column)
