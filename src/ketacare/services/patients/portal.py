"""``/me``: a signed-in patient's own page: pending links, recent scores, who accessed the record.

Interface: ``portal_overview``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Role, Target
from ketacare.core.errors import NotFound
from ketacare.db.models import AuditEvent, Patient, PatientLink
from ketacare.db.repositories import audit as audit_repo
from ketacare.db.repositories import organisation as organisation_repo
from ketacare.db.repositories import patient_link as repo
from ketacare.services._access import authorized_patient, require_actor
from ketacare.services.assessments import records as assessments
from ketacare.services.audit import AuditContext, authorize, record_event

PORTAL_RECENT_SCORES = 10
PORTAL_ACCESS_EVENTS = 50


@dataclass(frozen=True, slots=True)
class ScoreLine:
    instrument: str
    administered_at: datetime
    total: object
    band: str | None
    valid: bool


@dataclass(frozen=True, slots=True)
class AccessLine:
    at: datetime
    role: str | None
    who: str
    action: str
    entity_type: str
    outcome: str


@dataclass(frozen=True, slots=True)
class Portal:
    patient: Patient
    clinic_name: str
    pending: list[PatientLink]
    scores: list[ScoreLine]
    accesses: list[AccessLine]


_ACTION_WORDS = {"C": "created", "R": "viewed", "U": "updated", "D": "deleted", "E": "ran"}


def _access_lines(db: Session, events: list[AuditEvent], *, own_user_id: int) -> list[AccessLine]:
    users = repo.get_users(db, {e.user_id for e in events if e.user_id is not None})
    out = []
    for event in events:
        user = users.get(event.user_id) if event.user_id is not None else None
        if event.user_id == own_user_id:
            who = "You"
        elif event.role == Role.PATIENT.value:
            # A link submission without an account acts under the issuer's id: it is the
            # link's event, not the clinician's.
            who = "Questionnaire link"
        elif user is not None:
            who = user.full_name
        else:
            who = "System"
        out.append(
            AccessLine(
                at=event.recorded_at,
                role=event.role,
                who=who,
                action=_ACTION_WORDS.get(event.action, event.action),
                entity_type=event.entity_type,
                outcome="refused" if event.outcome != "0" else "ok",
            )
        )
    return out


def portal_overview(db: Session, *, at: datetime, ctx: AuditContext) -> Portal:
    """A signed-in patient's own page: pending links, recent scores, who accessed the record.

    Raises:
        AccessDenied: the actor is not a patient (staff use the chart).
    """
    actor = require_actor(ctx)
    # Staff roles lack OWN_RECORD_READ: refused (403, audited); staff read the chart instead.
    authorize(
        actor,
        Action.OWN_RECORD_READ,
        Target(actor.organisation_id, actor.patient_id),
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.PORTAL,
    )
    if actor.patient_id is None:
        raise NotFound("portal.no_record", "This account is not linked to a patient record.")
    patient = authorized_patient(
        db,
        actor.patient_id,
        actor=actor,
        action=Action.OWN_RECORD_READ,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.PORTAL,
    )
    # Read the access report before this visit's own audit entries are written.
    events = audit_repo.list_audit_events(
        db,
        audit_repo.AuditFilter(organisation_id=patient.organisation_id, patient_id=patient.id),
        limit=PORTAL_ACCESS_EVENTS,
        offset=0,
    )
    views = assessments.list_assessments(
        db, patient_id=patient.id, instrument_id=None, at=at, ctx=ctx
    )
    current = [v.assessment for v in views if not v.superseded][-PORTAL_RECENT_SCORES:]
    scores = [
        ScoreLine(
            instrument=assessments.find_instrument(a.instrument_id).short_name,
            administered_at=a.administered_at,
            total=a.result.get("total"),
            band=a.severity,
            valid=a.valid,
        )
        for a in reversed(current)
    ]
    pending = repo.list_open_patient_links(db, patient_id=patient.id, at=at)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type=AuditEntity.PORTAL,
        entity_id=None,
        organisation_id=patient.organisation_id,
        patient_id=patient.id,
        detail=f"links={len(pending)};access_report={len(events)}",
    )
    organisation = organisation_repo.get_organisation(db, patient.organisation_id)
    return Portal(
        patient=patient,
        clinic_name=organisation.name if organisation else "",
        pending=pending,
        scores=scores,
        accesses=_access_lines(db, events, own_user_id=actor.user_id),
    )
