"""measurement-based care: assessments, safety alerts, treatment events

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.String(length=40), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("administered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timepoint", sa.String(length=30), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=True),
        sa.Column("severity", sa.String(length=40), nullable=True),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("engine_version", sa.String(length=20), nullable=False),
        sa.Column("catalogue_version", sa.String(length=20), nullable=False),
        sa.Column("instrument_version", sa.String(length=20), nullable=False),
        sa.Column("loinc_panel", sa.String(length=20), nullable=True),
        sa.Column("loinc_total", sa.String(length=20), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_assessments_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_assessments_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_assessments_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["assessments.id"],
            name=op.f("fk_assessments_supersedes_id_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_assessments_supersedes_id")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessments_patient_instrument", ["patient_id", "instrument_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessments_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assessments_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_session_id"), ["session_id"], unique=False)

    op.create_table(
        "safety_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_safety_alerts_assessment_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_safety_alerts_closed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_safety_alerts_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_safety_alerts_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_alerts")),
    )
    with op.batch_alter_table("safety_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_safety_alerts_org_status", ["organisation_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safety_alerts_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_safety_alerts_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "treatment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_treatment_events_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_events")),
        sa.UniqueConstraint(
            "patient_id",
            "kind",
            "source_id",
            name=op.f("uq_treatment_events_patient_id_kind_source_id"),
        ),
    )
    with op.batch_alter_table("treatment_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_treatment_events_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("treatment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_events_patient_id"))
    op.drop_table("treatment_events")
    with op.batch_alter_table("safety_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_alerts_patient_id"))
        batch_op.drop_index(batch_op.f("ix_safety_alerts_assessment_id"))
        batch_op.drop_index("ix_safety_alerts_org_status")
    op.drop_table("safety_alerts")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_session_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_patient_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_organisation_id"))
        batch_op.drop_index("ix_assessments_patient_instrument")
    op.drop_table("assessments")
