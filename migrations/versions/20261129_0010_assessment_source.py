"""assessment source (staff, patient link, portal); outbox mail to a patient's own address

Merges the assessments (0003) and patient-link (0009) heads. It also alters the notification
outbox, so it depends on 0008 as well (without merging that head).

Revision ID: 0010
Revises: 0003, 0008, 0009
Create Date: 2026-11-29 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = ("0003", "0008", "0009")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        # Every row written before this revision was entered by staff.
        batch_op.add_column(
            sa.Column("source", sa.String(length=20), server_default="staff", nullable=False)
        )
        batch_op.add_column(sa.Column("patient_link_id", sa.Integer(), nullable=True))
        batch_op.alter_column("recorded_by", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            batch_op.f("ix_assessments_patient_link_id"), ["patient_link_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_assessments_patient_link_id_patient_links"),
            "patient_links",
            ["patient_link_id"],
            ["id"],
        )
    with op.batch_alter_table("notification_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient_email", sa.String(length=254), nullable=True))
        batch_op.alter_column("recipient_user_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Rows addressed to a patient's own e-mail, and patient entries without an account, cannot
    # be expressed in the older schema: remove them before downgrading.
    with op.batch_alter_table("notification_jobs", schema=None) as batch_op:
        batch_op.alter_column("recipient_user_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("recipient_email")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_assessments_patient_link_id_patient_links"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_assessments_patient_link_id"))
        batch_op.alter_column("recorded_by", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("patient_link_id")
        batch_op.drop_column("source")
