"""The treatment session at the chair: chairs, bookings, state log, vitals, alerts, records.

Order and screening-decision ids are plain integers without foreign keys: those tables are
created by sibling migrations and a session must not depend on their creation order.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.core.codes import SessionDrug
from ketacare.core.session.administration import AmountUnit
from ketacare.core.session.model import AdministrationKind, ObservationKind, SessionAlertKind
from ketacare.core.session.states import SessionState
from ketacare.core.session.vitals import AlertTier, RecommendedAction
from ketacare.db.base import Base
from ketacare.db.types import StrEnumType, UTCDateTime


class Chair(Base):
    """A treatment chair at a location; a chair holds one session at a time."""

    __tablename__ = "chairs"
    __table_args__ = (UniqueConstraint("location_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StaffCredential(Base):
    """A dated staff credential (ACLS); the ready gate checks its expiry."""

    __tablename__ = "staff_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    credential: Mapped[str] = mapped_column(String(40))
    expires_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RemsSettingCertification(Base):
    """A location's Spravato REMS healthcare-setting certification."""

    __tablename__ = "rems_setting_certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), unique=True)
    certification_number: Mapped[str] = mapped_column(String(60))
    certified_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TreatmentSession(Base):
    """One booked treatment session and everything charted at the chair."""

    __tablename__ = "treatment_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("chairs.id"), index=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    protocol_id: Mapped[str] = mapped_column(String(80))
    drug: Mapped[SessionDrug] = mapped_column(StrEnumType(SessionDrug, 30))
    order_id: Mapped[int | None] = mapped_column(Integer)
    screening_decision_id: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[SessionState] = mapped_column(StrEnumType(SessionState, 20), index=True)
    # Pre-dose checks confirmed by the nurse.
    npo_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    escort_arranged: Mapped[bool] = mapped_column(Boolean, default=False)
    # Esketamine label instructions confirmed before dosing, by id (core.session.predose).
    predose_instructions: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    pregnancy_status: Mapped[str | None] = mapped_column(String(20))
    pregnancy_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pregnancy_override_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    bp_ack_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    bp_ack_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    bp_ack_note: Mapped[str | None] = mapped_column(String(500))
    # Discharge checklist (rule 32) and going-home confirmations.
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    on_supplemental_oxygen: Mapped[bool] = mapped_column(Boolean, default=False)
    escort_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    no_driving_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    # Facts for the REMS form that only staff can answer (concomitant medicines and so on).
    rems_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rems_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rems_submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    first_administration_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    administration_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Optimistic concurrency: two tablets at one chair get a 409, never a lost write.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API


class SessionTransition(Base):
    """One applied state change; append-only."""

    __tablename__ = "session_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    from_state: Mapped[SessionState | None] = mapped_column(StrEnumType(SessionState, 20))
    to_state: Mapped[SessionState] = mapped_column(StrEnumType(SessionState, 20))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(String(500))


class SessionVitals(Base):
    """One set of vital signs; any parameter may be missing."""

    __tablename__ = "session_vitals"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime())
    systolic: Mapped[int | None] = mapped_column(Integer)
    diastolic: Mapped[int | None] = mapped_column(Integer)
    heart_rate: Mapped[int | None] = mapped_column(Integer)
    spo2: Mapped[int | None] = mapped_column(Integer)
    respiratory_rate: Mapped[int | None] = mapped_column(Integer)
    symptoms: Mapped[str] = mapped_column(String(200), default="")
    state_at_entry: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SessionAlert(Base):
    """An alert raised at the chair (vital signs, serious adverse event); must be acknowledged."""

    __tablename__ = "session_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    vitals_id: Mapped[int | None] = mapped_column(ForeignKey("session_vitals.id"))
    kind: Mapped[SessionAlertKind] = mapped_column(StrEnumType(SessionAlertKind, 20))
    code: Mapped[str] = mapped_column(String(80))
    tier: Mapped[AlertTier] = mapped_column(StrEnumType(AlertTier, 20))
    parameter: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(500))
    recommended_action: Mapped[RecommendedAction] = mapped_column(
        StrEnumType(RecommendedAction, 30)
    )
    source: Mapped[str] = mapped_column(Text)
    call_prescriber: Mapped[bool] = mapped_column(Boolean, default=False)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ack_note: Mapped[str | None] = mapped_column(String(500))


class AdministrationEvent(Base):
    """One line of the administration record: start, rate change, pause, resume, stop, device."""

    __tablename__ = "session_administration_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    kind: Mapped[AdministrationKind] = mapped_column(StrEnumType(AdministrationKind, 20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    rate_ml_per_h: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    amount_unit: Mapped[AmountUnit | None] = mapped_column(StrEnumType(AmountUnit, 10))
    lot_number: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A line beyond the signed order: the prescriber who re-authenticated at the chair, when,
    # why, and the order limits it went beyond (comma-separated codes).
    override_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    override_reason: Mapped[str | None] = mapped_column(String(500))
    override_codes: Mapped[str | None] = mapped_column(String(200))
    # An ``entered_in_error`` line points at the line it strikes out; the original is kept.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("session_administration_events.id"))


class SessionObservation(Base):
    """A rating (CADSS, MOAA/S, Aldrete, PADSS) or a free symptom observation."""

    __tablename__ = "session_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    kind: Mapped[ObservationKind] = mapped_column(StrEnumType(ObservationKind, 20))
    instrument_id: Mapped[str | None] = mapped_column(String(40))
    total: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    assessment_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(String(1000))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SessionAdverseEvent(Base):
    """An adverse event during the session; serious ones raise an alert for the prescriber."""

    __tablename__ = "session_adverse_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20))
    serious: Mapped[bool] = mapped_column(Boolean, default=False)
    onset_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actions_taken: Mapped[str] = mapped_column(String(1000), default="")
    outcome: Mapped[str] = mapped_column(String(40))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("session_alerts.id"))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SessionNoteSignature(Base):
    """A prescriber's signature of a session's note; append-only, one per session.

    The unique session id and the database triggers (migration 0013) make a second signature or
    an edit impossible even outside the application; ``content_sha256`` is the digest of the note
    as it was shown when signed, so a later change to the chart is detectable.
    """

    __tablename__ = "session_note_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), unique=True)
    signed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content_sha256: Mapped[str] = mapped_column(String(64))
