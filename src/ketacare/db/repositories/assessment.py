from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.core.outcomes.model import AlertStatus
from ketacare.db.models import Assessment, SafetyAlert, TreatmentEvent, User


def get_assessment(db: Session, assessment_id: int) -> Assessment | None:
    return db.get(Assessment, assessment_id)


def add_assessment(db: Session, assessment: Assessment) -> Assessment:
    db.add(assessment)
    db.flush()
    return assessment


def get_successor(db: Session, *, assessment_id: int) -> Assessment | None:
    return db.scalar(select(Assessment).where(Assessment.supersedes_id == assessment_id))


def list_assessments(
    db: Session, *, patient_id: int, instrument_id: str | None = None
) -> list[Assessment]:
    """Oldest first, so a series reads like a timeline."""
    stmt = select(Assessment).where(Assessment.patient_id == patient_id)
    if instrument_id is not None:
        stmt = stmt.where(Assessment.instrument_id == instrument_id)
    stmt = stmt.order_by(Assessment.administered_at, Assessment.id)
    return list(db.scalars(stmt))


def superseded_ids(db: Session, *, patient_id: int) -> set[int]:
    stmt = select(Assessment.supersedes_id).where(
        Assessment.patient_id == patient_id, Assessment.supersedes_id.is_not(None)
    )
    return {i for i in db.scalars(stmt) if i is not None}


def add_alert(db: Session, alert: SafetyAlert) -> SafetyAlert:
    db.add(alert)
    db.flush()
    return alert


def get_alert(db: Session, alert_id: int) -> SafetyAlert | None:
    return db.get(SafetyAlert, alert_id)


def get_alert_for_update(db: Session, alert_id: int) -> SafetyAlert | None:
    """Lock the row on PostgreSQL so two prescribers cannot both close the same alert."""
    return db.scalar(select(SafetyAlert).where(SafetyAlert.id == alert_id).with_for_update())


def list_alerts(
    db: Session, *, organisation_id: int, status: AlertStatus | None
) -> list[SafetyAlert]:
    """Newest first: the latest alert is the most urgent to see."""
    stmt = select(SafetyAlert).where(SafetyAlert.organisation_id == organisation_id)
    if status is not None:
        stmt = stmt.where(SafetyAlert.status == status)
    return list(db.scalars(stmt.order_by(SafetyAlert.raised_at.desc(), SafetyAlert.id.desc())))


def list_patient_alerts(
    db: Session, *, patient_id: int, status: AlertStatus | None = None
) -> list[SafetyAlert]:
    stmt = select(SafetyAlert).where(SafetyAlert.patient_id == patient_id)
    if status is not None:
        stmt = stmt.where(SafetyAlert.status == status)
    return list(db.scalars(stmt.order_by(SafetyAlert.raised_at.desc(), SafetyAlert.id.desc())))


def list_assessment_alerts(db: Session, *, assessment_id: int) -> list[SafetyAlert]:
    stmt = select(SafetyAlert).where(SafetyAlert.assessment_id == assessment_id)
    return list(db.scalars(stmt.order_by(SafetyAlert.id)))


def get_treatment_event(
    db: Session, *, patient_id: int, kind: str, source_id: int
) -> TreatmentEvent | None:
    stmt = select(TreatmentEvent).where(
        TreatmentEvent.patient_id == patient_id,
        TreatmentEvent.kind == kind,
        TreatmentEvent.source_id == source_id,
    )
    return db.scalar(stmt)


def add_treatment_event(db: Session, event: TreatmentEvent) -> TreatmentEvent:
    db.add(event)
    db.flush()
    return event


def list_treatment_events(db: Session, *, patient_id: int) -> list[TreatmentEvent]:
    stmt = (
        select(TreatmentEvent)
        .where(TreatmentEvent.patient_id == patient_id)
        .order_by(TreatmentEvent.at, TreatmentEvent.id)
    )
    return list(db.scalars(stmt))


def first_treatment_at(db: Session, *, patient_id: int) -> datetime | None:
    # The earliest row, not MIN(at): an aggregate would bypass the UTC column type on SQLite.
    stmt = (
        select(TreatmentEvent)
        .where(TreatmentEvent.patient_id == patient_id)
        .order_by(TreatmentEvent.at, TreatmentEvent.id)
        .limit(1)
    )
    first = db.scalar(stmt)
    return None if first is None else first.at


def get_users(db: Session, user_ids: set[int]) -> list[User]:
    """The users who recorded assessments (for "by <name>" on a chart)."""
    if not user_ids:
        return []
    return list(db.scalars(select(User).where(User.id.in_(user_ids))))
