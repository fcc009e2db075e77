"""merge the dose-safety branches into one head

The administration binding (0012) and the session note (0013) were built in parallel from 0011.
This revision joins them so `alembic upgrade head` has one target.

Revision ID: 0016
Revises: 0012, 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

revision: str = "0016"
down_revision: str | Sequence[str] | None = ("0012", "0013")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
