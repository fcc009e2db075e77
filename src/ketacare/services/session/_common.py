"""What every treatment-session use case shares: loading a session with its permission check,
the optimistic version check, the audit entry and the vitals cadence.

The session's use cases are split by what they do: ``session`` (detail, state machine),
``session_booking``, ``session_vitals``, ``session_records``, ``session_floor``,
``session_demo``; gate evidence lives in ``session_gates`` and the conversions to the core's
value objects in ``session_facts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Target
from ketacare.core.errors import Conflict, NotFound
from ketacare.core.session.cadence import next_vitals_due, vitals_overdue
from ketacare.core.session.states import SessionState
from ketacare.db.models import (
    SessionVitals,
    TreatmentSession,
)
from ketacare.db.repositories import session as repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext, authorize, record_event

S = SessionState

ENTITY = AuditEntity.TREATMENT_SESSION
ACTIVE_STATES = (S.CHECKED_IN, S.READY, S.INFUSING, S.PAUSED, S.RECOVERING)
VITALS_STATES = frozenset(ACTIVE_STATES)


def load_session(
    db: Session,
    session_id: int,
    *,
    ctx: AuditContext,
    action: Action,
    audit_action: AuditAction,
) -> TreatmentSession:
    """Load a session and check the actor may do ``action`` on its patient (403 audited)."""
    row = repo.get_session(db, session_id)
    if row is None:
        raise NotFound("session.not_found", f"No treatment session with id {session_id}.")
    authorize(
        require_actor(ctx),
        action,
        Target(row.organisation_id, row.patient_id),
        audit_action=audit_action,
        entity_type=AuditEntity.TREATMENT_SESSION,
        entity_id=row.id,
    )
    return row


def check_version(row: TreatmentSession, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise Conflict(
            "session.version_conflict",
            f"The session changed since you loaded it (version {row.version}, you had "
            f"{expected}). Reload and try again.",
            field="version",
        )


def audit_session(
    db: Session,
    ctx: AuditContext,
    at: datetime,
    action: AuditAction,
    row: TreatmentSession,
    detail: str | None = None,
    entity_type: AuditEntity = ENTITY,
    entity_id: int | None = None,
) -> None:
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id if entity_id is not None else row.id,
        patient_id=row.patient_id,
        detail=detail,
    )


def cadence(
    row: TreatmentSession, vitals: Sequence[SessionVitals], at: datetime
) -> tuple[datetime | None, bool]:
    """When the next vitals are due and whether they are overdue (``None``: no cadence)."""
    state = S(row.state)
    last = max((v.measured_at for v in vitals), default=None)
    anchor = last or row.first_administration_at
    if anchor is None:
        return None, False
    return next_vitals_due(state, anchor), vitals_overdue(state, anchor, at=at)
