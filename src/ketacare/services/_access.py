"""Who is acting and on which patient: the checks screening, consent and REMS share.

Private to the services package: each use-case module loads the patient, asks the policy and
raises the same domain errors, so the API and the pages answer alike whichever module runs.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Actor, Target
from ketacare.core.errors import Invalid, NotFound
from ketacare.db.models import Patient
from ketacare.db.repositories import patient as patient_repo
from ketacare.services.audit import AuditContext, authorize


def require_actor(ctx: AuditContext) -> Actor:
    if ctx.actor is None:
        raise Invalid("auth.required", "Sign in first.")
    return ctx.actor


def load_patient(db: Session, patient_id: int) -> Patient:
    patient = patient_repo.get_patient(db, patient_id)
    if patient is None:
        raise NotFound("patient.not_found", f"No patient with id {patient_id}.")
    return patient


def authorized_patient(
    db: Session,
    patient_id: int,
    *,
    actor: Actor,
    action: Action,
    audit_action: AuditAction,
    entity_type: AuditEntity,
    entity_id: int | None = None,
) -> Patient:
    """The patient, once the policy allows ``action`` on their record (else AccessDenied)."""
    patient = load_patient(db, patient_id)
    authorize(
        actor,
        action,
        Target(patient.organisation_id, patient.id),
        audit_action=audit_action,
        entity_type=entity_type,
        entity_id=entity_id,
    )
    return patient


def read_action(actor: Actor, patient_id: int) -> Action:
    """A patient reads their own record; staff read clinical records."""
    return Action.OWN_RECORD_READ if actor.patient_id == patient_id else Action.CLINICAL_READ
