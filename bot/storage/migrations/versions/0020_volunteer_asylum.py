"""A newcomer's volunteer profile says whether they still wait for an asylum decision: the
situation question has no such answer, and then only places open to asylum seekers (whose
organisation has a UWV vrijwilligersverklaring) may be offered.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """One nullable column: None means not asked (or skipped)."""
    with op.batch_alter_table("volunteer_profiles") as batch:
        batch.add_column(sa.Column("asylum_seeker", sa.Boolean(), nullable=True))


def downgrade() -> None:
    """Drop it again."""
    with op.batch_alter_table("volunteer_profiles") as batch:
        batch.drop_column("asylum_seeker")
