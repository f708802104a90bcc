"""An index on users.municipality_code, for the audience of a coordinator's broadcast.

A coordinator reaches the newcomers living where their organisation has groups: with the
index, the audience query looks those few up instead of reading every user, whatever the
other filters (bench/audience.py; the numbers are in docs/benchmarks.md).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Index where people live."""
    op.create_index("ix_users_municipality_code", "users", ["municipality_code"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_users_municipality_code", "users")
