"""Measurement-based care: scored assessments, safety alerts and treatment events.

Assessments are append-only: a correction is a NEW row whose ``supersedes_id`` names the row it
replaces, so the score a clinician acted on is never recomputed or edited in place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.core.codes import Timepoint
from ketacare.core.outcomes.model import AlertStatus, AssessmentSource
from ketacare.core.outcomes.safety import AlertSeverity
from ketacare.db.base import Base
from ketacare.db.types import StrEnumType, UTCDateTime


class Assessment(Base):
    """One administration of one rating instrument, with the engine's full result."""

    __tablename__ = "assessments"
    # One direct successor per record: two concurrent corrections of the same form collide.
    __table_args__ = (
        UniqueConstraint("supersedes_id"),
        Index("ix_assessments_patient_instrument", "patient_id", "instrument_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    instrument_id: Mapped[str] = mapped_column(String(40))
    answers: Mapped[list[Any]] = mapped_column(JSON)
    context: Mapped[dict[str, str]] = mapped_column(JSON)
    administered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timepoint: Mapped[Timepoint] = mapped_column(StrEnumType(Timepoint, 30))
    # Plain integer, no foreign key: treatment sessions are built by another feature.
    session_id: Mapped[int | None] = mapped_column(Integer, index=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    total: Mapped[float | None] = mapped_column(Float)
    severity: Mapped[str | None] = mapped_column(String(40))
    valid: Mapped[bool] = mapped_column(Boolean)
    flags: Mapped[list[str]] = mapped_column(JSON)
    engine_version: Mapped[str] = mapped_column(String(20))
    catalogue_version: Mapped[str] = mapped_column(String(20))
    instrument_version: Mapped[str] = mapped_column(String(20))
    loinc_panel: Mapped[str | None] = mapped_column(String(20))
    loinc_total: Mapped[str | None] = mapped_column(String(20))
    # Who entered it: a staff member, or the patient's own portal account; NULL when the patient
    # answered a questionnaire link without having an account (``source`` says which).
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # "staff", "patient_link" or "portal": a chart must never suggest a nurse entered a
    # patient's own answers. Rows older than this column were all staff entries.
    source: Mapped[AssessmentSource] = mapped_column(
        StrEnumType(AssessmentSource, 20), server_default=AssessmentSource.STAFF.value
    )
    patient_link_id: Mapped[int | None] = mapped_column(ForeignKey("patient_links.id"), index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))


class SafetyAlert(Base):
    """A safety alert raised by a scored form; closed only by a prescriber with a written note."""

    __tablename__ = "safety_alerts"
    __table_args__ = (Index("ix_safety_alerts_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))
    severity: Mapped[AlertSeverity] = mapped_column(StrEnumType(AlertSeverity, 20))
    message: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[AlertStatus] = mapped_column(StrEnumType(AlertStatus, 10))
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    action_note: Mapped[str | None] = mapped_column(Text)


class TreatmentEvent(Base):
    """A dated treatment (e.g. a ketamine session) that anchors the outcomes time axis.

    Written by the sessions feature through ``services.assessments.records.record_treatment_event``;
    ``source_id`` is that feature's row id, so a repeated write updates rather than duplicates.
    """

    __tablename__ = "treatment_events"
    __table_args__ = (UniqueConstraint("patient_id", "kind", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[int | None] = mapped_column(Integer)
