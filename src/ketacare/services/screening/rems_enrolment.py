"""Spravato REMS patient enrolment: putting the patient's enrolment on file and reading it.

The per-session REMS monitoring form is another use case (``ketacare.services.session.rems``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.errors import Conflict, Invalid
from ketacare.db.models import RemsEnrolment
from ketacare.db.repositories import screening as repo
from ketacare.services._access import patient_access
from ketacare.services.audit import AuditContext


def _check_enrolment(
    db: Session, *, patient_id: int, enrolment_id: str, enrolled_on: date, at: datetime
) -> None:
    if not enrolment_id.strip():
        raise Invalid("rems.id_required", "Give the REMS enrolment id.", field="enrolment_id")
    if enrolled_on > at.date():
        raise Invalid("rems.in_future", "The enrolment date is in the future.", field="enrolled_on")
    if repo.get_rems_enrolment(db, patient_id=patient_id) is not None:
        raise Conflict(
            "rems.already_enrolled",
            "A REMS enrolment is already on file for this patient.",
            field="enrolment_id",
        )


def record_rems_enrolment(
    db: Session,
    *,
    patient_id: int,
    enrolment_id: str,
    enrolled_on: date,
    at: datetime,
    ctx: AuditContext,
) -> RemsEnrolment:
    """Put the patient's Spravato REMS enrolment on file (once per patient)."""
    access = patient_access(
        db,
        ctx,
        patient_id,
        at=at,
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.CREATE,
        entity=AuditEntity.REMS_ENROLMENT,
    )
    actor, patient = access.actor, access.patient
    _check_enrolment(
        db, patient_id=patient.id, enrolment_id=enrolment_id, enrolled_on=enrolled_on, at=at
    )
    row = repo.add_rems_enrolment(
        db,
        RemsEnrolment(
            organisation_id=patient.organisation_id,
            patient_id=patient.id,
            enrolment_id=enrolment_id.strip(),
            enrolled_on=enrolled_on,
            recorded_by=actor.user_id,
            recorded_at=at,
        ),
    )
    access.record(row.id)
    return row


def get_rems_enrolment(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> RemsEnrolment | None:
    access = patient_access(
        db, ctx, patient_id, at=at, audit_action=AuditAction.READ, entity=AuditEntity.REMS_ENROLMENT
    )
    row = repo.get_rems_enrolment(db, patient_id=patient_id)
    access.record(None if row is None else row.id)
    return row


def is_enrolled(db: Session, *, patient_id: int) -> bool:
    """Whether a REMS enrolment is on file. Not audited: for callers that audit themselves."""
    return repo.get_rems_enrolment(db, patient_id=patient_id) is not None
