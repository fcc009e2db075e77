"""Who is acting and on which patient: the checks screening, consent and REMS share.

Private to the services package: each use-case module loads the patient, asks the policy and
raises the same domain errors, so the API and the pages answer alike whichever module runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Actor, Target
from ketacare.core.errors import Invalid, NotFound
from ketacare.db.models import Patient
from ketacare.db.repositories import patient as patient_repo
from ketacare.services.audit import AuditContext, authorize, record_event


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


@dataclass(frozen=True, slots=True)
class PatientAccess:
    """A signed-in actor allowed one action on one patient's record, for one use case.

    A refusal was audited when the access was granted (``authorize``); the use case writes
    its success event with :meth:`record` once the work is done, so the event can say what
    was read or written (an id, a count) in the same transaction as the change.
    """

    db: Session
    ctx: AuditContext
    at: datetime
    actor: Actor
    patient: Patient
    audit_action: AuditAction
    entity: AuditEntity

    def record(
        self,
        entity_id: int | None = None,
        *,
        detail: str | None = None,
        action: AuditAction | None = None,
        entity: AuditEntity | None = None,
    ) -> None:
        """Write the audit event of this access (by default its own action and entity)."""
        record_event(
            self.db,
            ctx=self.ctx,
            at=self.at,
            action=action or self.audit_action,
            entity_type=entity or self.entity,
            entity_id=entity_id,
            organisation_id=self.patient.organisation_id,
            patient_id=self.patient.id,
            detail=detail,
        )


def patient_access(
    db: Session,
    ctx: AuditContext,
    patient_id: int,
    *,
    at: datetime,
    audit_action: AuditAction,
    entity: AuditEntity,
    action: Action | None = None,
    entity_id: int | None = None,
) -> PatientAccess:
    """The signed-in actor and the patient, once the policy allows ``action`` on the record.

    Without ``action`` it is a read: a patient's own record, or a clinical read for staff.

    Raises:
        Invalid: ``auth.required`` when nobody is signed in.
        NotFound: ``patient.not_found``.
        AccessDenied: the policy refuses (the refusal is audited).
    """
    actor = require_actor(ctx)
    patient = authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=action or read_action(actor, patient_id),
        audit_action=audit_action,
        entity_type=entity,
        entity_id=entity_id,
    )
    return PatientAccess(db, ctx, at, actor, patient, audit_action, entity)
