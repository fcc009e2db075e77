"""Safety alerts from scored assessments: raise, list, close, and the clinic's alert board.

Which answers raise an alert is a core rule (``core.outcomes.safety_alerts``); this module
stores the alerts in the caller's transaction, next to the assessment that triggered them, and
audits every read and write. It sits below ``services.assessments.records`` (recording an assessment
raises its alerts here), so it does not import that module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Target
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.instruments import Instrument, ScoreResult
from ketacare.core.outcomes import safety_alerts
from ketacare.core.outcomes.model import AlertStatus
from ketacare.db.models import Assessment, Patient, SafetyAlert
from ketacare.db.repositories import assessment as repo
from ketacare.services._access import load_patient, require_actor
from ketacare.services.audit import AuditContext, authorize, record_event
from ketacare.services.notify.notifications import enqueue_safety_alert

MAX_NOTE_LENGTH = 4000


@dataclass(frozen=True, slots=True)
class AlertRow:
    alert: SafetyAlert
    patient: Patient


def raise_alerts(
    db: Session,
    *,
    row: Assessment,
    instrument: Instrument,
    result: ScoreResult,
    ctx: AuditContext,
    at: datetime,
) -> list[SafetyAlert]:
    """Store and audit the alerts the core raises for a just-stored assessment."""
    by_item = {item.id: value for item, value in zip(instrument.items, row.answers, strict=False)}
    specs = safety_alerts(instrument.id, by_item, result.severity, result.flags)
    alerts = []
    for spec in specs:
        alert = repo.add_alert(
            db,
            SafetyAlert(
                organisation_id=row.organisation_id,
                patient_id=row.patient_id,
                assessment_id=row.id,
                code=spec.code,
                severity=spec.severity,
                message=spec.message,
                source=spec.source,
                raised_at=at,
                status=AlertStatus.OPEN,
            ),
        )
        record_event(
            db,
            ctx=ctx,
            at=at,
            action=AuditAction.CREATE,
            entity_type=AuditEntity.SAFETY_ALERT,
            entity_id=alert.id,
            organisation_id=row.organisation_id,
            patient_id=row.patient_id,
            detail=f"code={spec.code}",
        )
        enqueue_safety_alert(db, organisation_id=row.organisation_id, alert_id=alert.id, at=at)
        alerts.append(alert)
    return alerts


def alerts_of_assessment(db: Session, *, assessment_id: int) -> list[SafetyAlert]:
    """Alerts raised by one assessment (no audit; the caller has audited its read)."""
    return repo.list_assessment_alerts(db, assessment_id=assessment_id)


def open_safety_alerts(db: Session, *, patient_id: int) -> list[SafetyAlert]:
    """The patient's open safety alerts, newest first. Not audited: the caller audits."""
    return repo.list_patient_alerts(db, patient_id=patient_id, status=AlertStatus.OPEN)


def list_alerts(
    db: Session, *, status: AlertStatus | None, at: datetime, ctx: AuditContext
) -> list[SafetyAlert]:
    """The actor's organisation's safety alerts (clinical staff); one audit entry per patient."""
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.CLINICAL_READ,
        Target(actor.organisation_id),
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.SAFETY_ALERT,
    )
    alerts = repo.list_alerts(
        db,
        organisation_id=actor.organisation_id,
        status=status,
    )
    for patient_id in sorted({a.patient_id for a in alerts}):
        count = sum(1 for a in alerts if a.patient_id == patient_id)
        record_event(
            db,
            ctx=ctx,
            at=at,
            action=AuditAction.READ,
            entity_type=AuditEntity.SAFETY_ALERT,
            entity_id=None,
            patient_id=patient_id,
            detail=f"alerts={count}",
        )
    return alerts


def _clean_note(action_note: str) -> str:
    note = action_note.strip()
    if not note:
        raise Invalid(
            "alert.note_required",
            "Write the action taken before closing the alert.",
            field="action_note",
        )
    if len(note) > MAX_NOTE_LENGTH:
        msg = f"The note is longer than {MAX_NOTE_LENGTH} characters."
        raise Invalid("alert.note_too_long", msg, field="action_note")
    return note


def close_alert(
    db: Session, *, alert_id: int, action_note: str, at: datetime, ctx: AuditContext
) -> SafetyAlert:
    """Close an open alert with the prescriber's written note of the action taken.

    Raises:
        NotFound: no such alert.
        AccessDenied: the actor is not a prescriber of the alert's organisation.
        Invalid: ``alert.note_required`` naming ``action_note`` when the note is blank.
        Conflict: the alert is already closed.
    """
    actor = require_actor(ctx)
    alert = repo.get_alert_for_update(db, alert_id)
    if alert is None:
        raise NotFound("alert.not_found", f"No safety alert with id {alert_id}.")
    authorize(
        actor,
        Action.ALERT_CLOSE,
        Target(alert.organisation_id, alert.patient_id),
        audit_action=AuditAction.UPDATE,
        entity_type=AuditEntity.SAFETY_ALERT,
        entity_id=alert.id,
    )
    note = _clean_note(action_note)
    if alert.status != AlertStatus.OPEN:
        raise Conflict("alert.already_closed", "This alert is already closed.", field="status")
    alert.status = AlertStatus.CLOSED
    alert.closed_by = actor.user_id
    alert.closed_at = at
    alert.action_note = note
    db.flush()
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.UPDATE,
        entity_type=AuditEntity.SAFETY_ALERT,
        entity_id=alert.id,
        organisation_id=alert.organisation_id,
        patient_id=alert.patient_id,
        detail=f"closed;code={alert.code}",
    )
    return alert


def alert_board(db: Session, *, at: datetime, ctx: AuditContext) -> list[AlertRow]:
    """Open alerts of the actor's organisation with their patients (audited per patient)."""
    alerts = list_alerts(db, status=AlertStatus.OPEN, at=at, ctx=ctx)
    return [AlertRow(alert=a, patient=load_patient(db, a.patient_id)) for a in alerts]
