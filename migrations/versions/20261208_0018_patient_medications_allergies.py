"""patient medication and allergy lists

The medication class is a short string checked by the application (the interaction rules read
it); stopping a medicine sets its stop date, rows are never deleted.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The classes as of this revision (no ORM or core imports in migrations).
MEDICATION_CLASSES = (
    "maoi",
    "psychostimulant",
    "benzodiazepine",
    "z_drug_hypnotic",
    "opioid",
    "lamotrigine",
    "other",
)


def _owner_columns(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f(f"fk_{table}_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f(f"fk_{table}_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f(f"fk_{table}_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _indexes(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{table}_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f(f"ix_{table}_patient_id"), ["patient_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "patient_medications",
        *_owner_columns("patient_medications"),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "medication_class",
            sa.Enum(*MEDICATION_CLASSES, name="medicationclass", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("dose", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("stop_date", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_by", sa.Integer(), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["stopped_by"], ["users.id"], name=op.f("fk_patient_medications_stopped_by_users")
        ),
    )
    _indexes("patient_medications")
    op.create_table(
        "patient_allergies",
        *_owner_columns("patient_allergies"),
        sa.Column("substance", sa.String(length=200), nullable=False),
        sa.Column("reaction", sa.String(length=400), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    _indexes("patient_allergies")


def downgrade() -> None:
    for table in ("patient_allergies", "patient_medications"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_patient_id"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_organisation_id"))
        op.drop_table(table)
