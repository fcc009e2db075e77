"""merge the feature branches into one head

The features were built in parallel, each migration branching from 0001. This revision joins
them, so `alembic upgrade head` (singular) works as well as `heads`, and later migrations have one
parent.

Revision ID: 0011
Revises: 0002, 0004, 0005, 0006, 0010
Create Date: 2026-11-29
"""

from collections.abc import Sequence

revision: str = "0011"
down_revision: str | Sequence[str] | None = ("0002", "0004", "0005", "0006", "0010")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
