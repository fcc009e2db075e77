"""administration record bound by the order: prescriber override and entered-in-error entries

An administration line beyond the signed order carries the prescriber who overrode it (who,
when, why); a correction is a new ``entered_in_error`` line pointing at the original, which is
kept.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("session_administration_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("override_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("override_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("override_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("override_codes", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("corrects_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_session_administration_events_override_by_users"),
            "users",
            ["override_by"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f(
                "fk_session_administration_events_corrects_id_session_administration_events"
            ),
            "session_administration_events",
            ["corrects_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("session_administration_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f(
                "fk_session_administration_events_corrects_id_session_administration_events"
            ),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_session_administration_events_override_by_users"), type_="foreignkey"
        )
        batch_op.drop_column("corrects_id")
        batch_op.drop_column("override_codes")
        batch_op.drop_column("override_reason")
        batch_op.drop_column("override_at")
        batch_op.drop_column("override_by")
