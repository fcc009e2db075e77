"""session: chairs, treatment sessions, transitions, vitals, alerts, administration record

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-29 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_chairs_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_chairs_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chairs")),
        sa.UniqueConstraint("location_id", "name", name=op.f("uq_chairs_location_id_name")),
    )
    with op.batch_alter_table("chairs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chairs_location_id"), ["location_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_chairs_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "rems_setting_certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("certification_number", sa.String(length=60), nullable=False),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_rems_setting_certifications_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rems_setting_certifications")),
        sa.UniqueConstraint("location_id", name=op.f("uq_rems_setting_certifications_location_id")),
    )
    op.create_table(
        "staff_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential", sa.String(length=40), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_credentials_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_credentials")),
    )
    with op.batch_alter_table("staff_credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_credentials_user_id"), ["user_id"], unique=False)

    op.create_table(
        "treatment_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.String(length=80), nullable=False),
        sa.Column("drug", sa.String(length=30), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("screening_decision_id", sa.Integer(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("npo_confirmed", sa.Boolean(), nullable=False),
        sa.Column("escort_arranged", sa.Boolean(), nullable=False),
        sa.Column("pregnancy_status", sa.String(length=20), nullable=True),
        sa.Column("pregnancy_recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pregnancy_override_by", sa.Integer(), nullable=True),
        sa.Column("bp_ack_by", sa.Integer(), nullable=True),
        sa.Column("bp_ack_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bp_ack_note", sa.String(length=500), nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("on_supplemental_oxygen", sa.Boolean(), nullable=False),
        sa.Column("escort_confirmed", sa.Boolean(), nullable=False),
        sa.Column("no_driving_acknowledged", sa.Boolean(), nullable=False),
        sa.Column("rems_answers", sa.JSON(), nullable=False),
        sa.Column("rems_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rems_submitted_by", sa.Integer(), nullable=True),
        sa.Column("first_administration_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("administration_ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bp_ack_by"], ["users.id"], name=op.f("fk_treatment_sessions_bp_ack_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["chairs.id"], name=op.f("fk_treatment_sessions_chair_id_chairs")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_treatment_sessions_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_treatment_sessions_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_treatment_sessions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_treatment_sessions_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["pregnancy_override_by"],
            ["users.id"],
            name=op.f("fk_treatment_sessions_pregnancy_override_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["rems_submitted_by"],
            ["users.id"],
            name=op.f("fk_treatment_sessions_rems_submitted_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"], ["users.id"], name=op.f("fk_treatment_sessions_staff_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_sessions")),
    )
    with op.batch_alter_table("treatment_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_treatment_sessions_chair_id"), ["chair_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_treatment_sessions_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_treatment_sessions_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_treatment_sessions_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_treatment_sessions_starts_at"), ["starts_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_treatment_sessions_state"), ["state"], unique=False)

    op.create_table(
        "session_administration_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rate_ml_per_h", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("amount", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("amount_unit", sa.String(length=10), nullable=True),
        sa.Column("lot_number", sa.String(length=60), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_session_administration_events_recorded_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_administration_events_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_administration_events")),
    )
    with op.batch_alter_table("session_administration_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_administration_events_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("instrument_id", sa.String(length=40), nullable=True),
        sa.Column("total", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=1000), nullable=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_session_observations_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_observations_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_observations")),
    )
    with op.batch_alter_table("session_observations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_observations_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_session_transitions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_transitions_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_transitions")),
    )
    with op.batch_alter_table("session_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_transitions_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_vitals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("systolic", sa.Integer(), nullable=True),
        sa.Column("diastolic", sa.Integer(), nullable=True),
        sa.Column("heart_rate", sa.Integer(), nullable=True),
        sa.Column("spo2", sa.Integer(), nullable=True),
        sa.Column("respiratory_rate", sa.Integer(), nullable=True),
        sa.Column("symptoms", sa.String(length=200), nullable=False),
        sa.Column("state_at_entry", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_session_vitals_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_session_vitals_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_vitals_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_vitals")),
    )
    with op.batch_alter_table("session_vitals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_vitals_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_session_vitals_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("vitals_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("parameter", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("recommended_action", sa.String(length=30), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("call_prescriber", sa.Boolean(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Integer(), nullable=True),
        sa.Column("ack_note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["acknowledged_by"], ["users.id"], name=op.f("fk_session_alerts_acknowledged_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_session_alerts_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_alerts_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["vitals_id"],
            ["session_vitals.id"],
            name=op.f("fk_session_alerts_vitals_id_session_vitals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_alerts")),
    )
    with op.batch_alter_table("session_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_alerts_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_session_alerts_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_adverse_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("onset_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actions_taken", sa.String(length=1000), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["session_alerts.id"],
            name=op.f("fk_session_adverse_events_alert_id_session_alerts"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_session_adverse_events_recorded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_adverse_events_session_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_adverse_events")),
    )
    with op.batch_alter_table("session_adverse_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_adverse_events_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("session_adverse_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_adverse_events_session_id"))

    op.drop_table("session_adverse_events")
    with op.batch_alter_table("session_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_alerts_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_alerts_patient_id"))

    op.drop_table("session_alerts")
    with op.batch_alter_table("session_vitals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_vitals_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_vitals_patient_id"))

    op.drop_table("session_vitals")
    with op.batch_alter_table("session_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_transitions_session_id"))

    op.drop_table("session_transitions")
    with op.batch_alter_table("session_observations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_observations_session_id"))

    op.drop_table("session_observations")
    with op.batch_alter_table("session_administration_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_administration_events_session_id"))

    op.drop_table("session_administration_events")
    with op.batch_alter_table("treatment_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_state"))
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_starts_at"))
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_patient_id"))
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_location_id"))
        batch_op.drop_index(batch_op.f("ix_treatment_sessions_chair_id"))

    op.drop_table("treatment_sessions")
    with op.batch_alter_table("staff_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_credentials_user_id"))

    op.drop_table("staff_credentials")
    op.drop_table("rems_setting_certifications")
    with op.batch_alter_table("chairs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chairs_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_chairs_location_id"))

    op.drop_table("chairs")
