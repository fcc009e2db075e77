"""esketamine pre-dose instructions confirmed at the chair

The Spravato label's three pre-dose instructions (no food 2 h, no liquids 30 min, nasal
corticosteroid or decongestant at least 1 h before) are confirmed per session, keyed by the
instruction ids of ketacare.core.session.predose. One JSON column, like the discharge
checklist, so a label change adds an id rather than a column. Existing sessions start empty.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("treatment_sessions") as batch:
        batch.add_column(
            sa.Column("predose_instructions", sa.JSON(), nullable=False, server_default="{}")
        )


def downgrade() -> None:
    with op.batch_alter_table("treatment_sessions") as batch:
        batch.drop_column("predose_instructions")
