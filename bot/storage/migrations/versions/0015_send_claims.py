"""Several instances on one database: claimed outbox rows name their owner, and the shared
Telegram budget has its tables.

`outbox.claimed_by` is the instance (and its life) that took the row, `claimed_at` when:
a row still `sending` long after its claim belongs to an instance that died, and another
settles it (bot/core/outbox.py). `send_budget` holds one row per bot-wide budget (the next
free slot, on the database's clock) and `chat_budget` one per private chat (GCRA's
theoretical arrival time); only PostgreSQL uses them (bot/storage/budget.py), SQLite's
single process paces in memory.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Claim columns on the outbox; the two budget tables."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "send_budget",
        sa.Column("name", sa.String(16), primary_key=True),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute("INSERT INTO send_budget (name, next_at) VALUES ('bot', CURRENT_TIMESTAMP)")
    op.create_table(
        "chat_budget",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("chat_budget")
    op.drop_table("send_budget")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
