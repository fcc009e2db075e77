"""The prescriber's floor board: every active chair and the REMS forms still to submit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.codes import SessionDrug
from ketacare.core.session.model import GateFailure
from ketacare.core.session.rems import rems_form_due_at, rems_form_overdue
from ketacare.core.session.states import SessionState
from ketacare.db.models import (
    SessionAlert,
    SessionVitals,
    TreatmentSession,
)
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import session as repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext, authorize, record_event
from ketacare.services.session._common import ACTIVE_STATES, cadence
from ketacare.services.session.gates import unacknowledged
from ketacare.services.session.vitals import pending_bp_acknowledgement

S = SessionState


@dataclass(frozen=True)
class FloorChair:
    session: TreatmentSession
    patient_name: str
    chair_name: str
    since: datetime
    last_vitals: SessionVitals | None
    open_alerts: list[SessionAlert]
    next_vitals_due: datetime | None
    vitals_overdue: bool
    # A raised pre-dose BP the ready gate refuses until a prescriber acknowledges it.
    bp_ack_needed: GateFailure | None = None


@dataclass(frozen=True)
class RemsWarning:
    session: TreatmentSession
    patient_name: str
    due_at: datetime
    overdue: bool


@dataclass(frozen=True)
class FloorBoard:
    chairs: list[FloorChair]
    rems_warnings: list[RemsWarning]
    at: datetime

    @property
    def waiting_for_prescriber(self) -> list[FloorChair]:
        """Chairs where only a prescriber can unblock dosing (a raised pre-dose BP)."""
        return [c for c in self.chairs if c.bp_ack_needed is not None]


def _floor_chair(db: Session, row: TreatmentSession, *, at: datetime) -> FloorChair:
    vitals = repo.list_vitals(db, session_id=row.id)
    transitions = repo.list_transitions(db, session_id=row.id)
    checked_in = next((t.at for t in transitions if t.to_state == S.CHECKED_IN), row.starts_at)
    patient = patient_repo.get_patient(db, row.patient_id)
    chair = repo.get_chair(db, row.chair_id)
    due, overdue = cadence(row, vitals, at)
    return FloorChair(
        session=row,
        patient_name=f"{patient.family_name}, {patient.given_name}" if patient else "?",
        chair_name=chair.name if chair else "?",
        since=checked_in,
        last_vitals=vitals[-1] if vitals else None,
        open_alerts=unacknowledged(repo.list_alerts(db, session_id=row.id)),
        next_vitals_due=due,
        vitals_overdue=overdue,
        bp_ack_needed=pending_bp_acknowledgement(row, vitals, at=at),
    )


def floor_board(db: Session, *, at: datetime, ctx: AuditContext) -> FloorBoard:
    """Every active chair of the organisation, with REMS forms still to submit."""
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.CLINICAL_READ,
        None,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.FLOOR_BOARD,
    )
    rows = repo.list_sessions_in_states(
        db, organisation_id=actor.organisation_id, states=[s.value for s in ACTIVE_STATES]
    )
    chairs = [_floor_chair(db, r, at=at) for r in rows]
    warnings = rems_warnings(db, organisation_id=actor.organisation_id, at=at)
    # One event per board view (it polls): ids only, never names.
    ids = ",".join(str(r.id) for r in rows)[:900]
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type=AuditEntity.FLOOR_BOARD,
        entity_id=None,
        detail=f"sessions={ids}",
    )
    return FloorBoard(chairs=chairs, rems_warnings=warnings, at=at)


def rems_warnings(db: Session, *, organisation_id: int, at: datetime) -> list[RemsWarning]:
    out = []
    for row in repo.list_unsubmitted_rems(
        db,
        organisation_id=organisation_id,
        drug=SessionDrug.ESKETAMINE_NASAL,
        state=S.DISCHARGED,
    ):
        ended = row.ended_at or row.updated_at
        patient = patient_repo.get_patient(db, row.patient_id)
        out.append(
            RemsWarning(
                session=row,
                patient_name=f"{patient.family_name}, {patient.given_name}" if patient else "?",
                due_at=rems_form_due_at(ended),
                overdue=rems_form_overdue(session_ended_at=ended, submitted_at=None, at=at),
            )
        )
    return out
