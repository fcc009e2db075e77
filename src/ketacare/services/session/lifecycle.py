"""The treatment session at the chair: its detail, the state machine and the gate checks.

Every use case loads the session, checks the actor's permission on its patient, asks the core
(``ketacare.core.session``) and writes the change and its audit event in one transaction.
Booking is in ``services.session.booking``, vitals and alerts in ``services.session.vitals``,
the chair records in ``services.session.records``, the floor board in ``services.session.floor``;
gate evidence is gathered in ``services.session.gates`` and the REMS form in
``services.session.rems``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction
from ketacare.core.authz import Action, Actor
from ketacare.core.codes import SessionDrug
from ketacare.core.errors import NotFound
from ketacare.core.orders import OrderStatus
from ketacare.core.session.administration import (
    AdministrationTotals,
)
from ketacare.core.session.model import AdministrationKind, GateFailure
from ketacare.core.session.states import SessionState, transition
from ketacare.db.models import (
    AdministrationEvent,
    Order,
    SessionAdverseEvent,
    SessionAlert,
    SessionObservation,
    SessionTransition,
    SessionVitals,
    TreatmentSession,
)
from ketacare.db.repositories import session as repo
from ketacare.services._access import require_actor
from ketacare.services.assessments import records as assessment_service
from ketacare.services.audit import AuditContext
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.session._common import audit_session, cadence, check_version, load_session
from ketacare.services.session.binding import check_end, check_start_rate
from ketacare.services.session.facts import totals_of
from ketacare.services.session.gates import (
    GateRefused,
    discharge_failures,
    find_signed_order,
    order_of,
    ready_failures,
    start_failures,
)

S = SessionState

# Check-in and cancelling a booking are front-desk work; everything else is running a session.
SCHEDULING_MOVES = frozenset({(S.SCHEDULED, S.CHECKED_IN), (S.SCHEDULED, S.ABORTED)})


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionDetail:
    """Everything the chair page and the API show for one session."""

    session: TreatmentSession
    transitions: list[SessionTransition]
    vitals: list[SessionVitals]
    alerts: list[SessionAlert]
    administration: list[AdministrationEvent]
    totals: AdministrationTotals | None
    next_vitals_due: datetime | None
    vitals_overdue: bool
    observations: list[SessionObservation]
    adverse_events: list[SessionAdverseEvent]
    order: Order | None


def build_detail(db: Session, row: TreatmentSession, *, at: datetime) -> SessionDetail:
    """Assemble a session's detail (no authorisation or audit: callers do that)."""
    vitals = repo.list_vitals(db, session_id=row.id)
    events = repo.list_administration(db, session_id=row.id)
    order = order_of(db, row)
    due, overdue = cadence(row, vitals, at)
    return SessionDetail(
        session=row,
        transitions=repo.list_transitions(db, session_id=row.id),
        vitals=vitals,
        alerts=repo.list_alerts(db, session_id=row.id),
        administration=events,
        totals=totals_of(events, order, at=at),
        next_vitals_due=due,
        vitals_overdue=overdue,
        observations=repo.list_observations(db, session_id=row.id),
        adverse_events=repo.list_adverse_events(db, session_id=row.id),
        order=order,
    )


def get_session_detail(
    db: Session, *, session_id: int, at: datetime, ctx: AuditContext
) -> SessionDetail:
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_READ, audit_action=AuditAction.READ
    )
    audit_session(db, ctx, at, AuditAction.READ, row)
    return build_detail(db, row, at=at)


# --- transitions -----------------------------------------------------------------------------


def _transition_action(current: SessionState, to: SessionState) -> Action:
    return Action.SCHEDULE_MANAGE if (current, to) in SCHEDULING_MOVES else Action.SESSION_RUN


def _check_gates(
    db: Session,
    row: TreatmentSession,
    to: SessionState,
    *,
    actor: Actor,
    at: datetime,
    reason: str | None = None,
    confirm_less_than_ordered: bool = False,
) -> None:
    if to is S.RECOVERING:
        # "Stop" / "Dosing done": never before the first device, never short without a reason.
        check_end(db, row, at=at, confirmed=confirm_less_than_ordered, reason=reason)
    elif to is S.READY:
        failures = ready_failures(db, row, actor=actor, at=at)
        if failures:
            raise GateRefused("session.gate_refused", failures)
    elif to is S.INFUSING:
        failures = start_failures(db, row)
        if failures:
            raise GateRefused("session.gate_refused", failures)
    elif to is S.DISCHARGED:
        failures = discharge_failures(db, row, at=at)
        if failures:
            raise GateRefused("session.discharge_refused", failures)


def _admin_event(
    db: Session,
    row: TreatmentSession,
    kind: AdministrationKind,
    *,
    at: datetime,
    actor: Actor,
    rate: Decimal | None = None,
    reason: str | None = None,
) -> None:
    repo.add_row(
        db,
        AdministrationEvent(
            session_id=row.id,
            kind=kind,
            at=at,
            rate_ml_per_h=rate,
            reason=reason,
            recorded_by=actor.user_id,
            recorded_at=at,
        ),
    )


def _start(
    db: Session,
    row: TreatmentSession,
    *,
    at: datetime,
    actor: Actor,
    rate: Decimal | None,
    ctx: AuditContext,
) -> None:
    """The first administration line; the order becomes given."""
    iv = row.drug == SessionDrug.KETAMINE_IV
    order = order_of(db, row)
    if rate is not None and iv:
        check_start_rate(db, row, rate)
    start_rate = rate or (order.rate_ml_per_h if order and iv else None)
    _admin_event(
        db, row, AdministrationKind.START, at=at, actor=actor, rate=start_rate if iv else None
    )
    if iv:
        row.first_administration_at = at
    # An infusion gives the order as it starts; esketamine gives it with the first device
    # (session_administration), so aborting before any device leaves the order usable.
    if iv and order is not None and order.status == OrderStatus.SIGNED:
        order_service.mark_order_given(db, order_id=order.id, at=at, ctx=ctx)
    assessment_service.record_treatment_event(
        db, patient_id=row.patient_id, at=at, kind="ketamine_session", source_id=row.id
    )


def _side_effects(
    db: Session,
    row: TreatmentSession,
    current: SessionState,
    to: SessionState,
    *,
    at: datetime,
    actor: Actor,
    reason: str | None,
    rate: Decimal | None,
    ctx: AuditContext,
) -> None:
    """What a move means for the administration record (start, pause, resume, stop)."""
    if to is S.READY and row.order_id is None:
        order = find_signed_order(db, row)
        row.order_id = order.id if order else None
    if to is S.INFUSING and current is S.READY:
        _start(db, row, at=at, actor=actor, rate=rate, ctx=ctx)
    elif to is S.INFUSING:
        _admin_event(db, row, AdministrationKind.RESUME, at=at, actor=actor)
    elif to is S.PAUSED:
        _admin_event(db, row, AdministrationKind.PAUSE, at=at, actor=actor, reason=reason)
    elif to is S.RECOVERING:
        _admin_event(db, row, AdministrationKind.STOP, at=at, actor=actor, reason=reason)
        row.administration_ended_at = at
    if to in (S.DISCHARGED, S.ABORTED):
        row.ended_at = at


def transition_session(
    db: Session,
    *,
    session_id: int,
    to: SessionState,
    reason: str | None,
    expected_version: int | None,
    at: datetime,
    ctx: AuditContext,
    rate_ml_per_h: Decimal | None = None,
    confirm_less_than_ordered: bool = False,
) -> TreatmentSession:
    """Move the session through the state machine, after its gates; store the move.

    Ending administration (``recovering``) with less than the order given needs
    ``confirm_less_than_ordered`` and a reason; an esketamine session needs its first device.

    Raises:
        Conflict: ``session.illegal_transition``; ``session.version_conflict``;
            ``administration.less_than_ordered``; ``administration.no_device_given``.
        GateRefused: ``session.gate_refused`` / ``session.discharge_refused`` with failures.
    """
    actor = require_actor(ctx)
    row = repo.get_session(db, session_id)
    if row is None:
        raise NotFound("session.not_found", f"No treatment session with id {session_id}.")
    current = S(row.state)
    row = load_session(
        db,
        session_id,
        ctx=ctx,
        action=_transition_action(current, to),
        audit_action=AuditAction.UPDATE,
    )
    check_version(row, expected_version)
    move = transition(current, to, reason=reason, at=at, actor_id=str(actor.user_id))
    _check_gates(
        db,
        row,
        to,
        actor=actor,
        at=at,
        reason=move.reason,
        confirm_less_than_ordered=confirm_less_than_ordered,
    )
    _side_effects(
        db, row, current, to, at=at, actor=actor, reason=move.reason, rate=rate_ml_per_h, ctx=ctx
    )
    row.state = to
    row.updated_at = at
    db.flush()
    repo.add_row(
        db,
        SessionTransition(
            session_id=row.id,
            from_state=current,
            to_state=to,
            actor_id=actor.user_id,
            at=at,
            reason=move.reason,
        ),
    )
    audit_session(db, ctx, at, AuditAction.UPDATE, row, detail=f"{current.value}->{to.value}")
    return row


def discharge_readiness(
    db: Session, *, session_id: int, at: datetime, ctx: AuditContext
) -> list[GateFailure]:
    """What still stands between the patient and discharge (empty: may go)."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_READ, audit_action=AuditAction.READ
    )
    audit_session(db, ctx, at, AuditAction.READ, row, detail="discharge_check")
    return discharge_failures(db, row, at=at)


def ready_readiness(
    db: Session, *, session_id: int, at: datetime, ctx: AuditContext
) -> list[GateFailure]:
    """What the ready gates still refuse (empty: the session may become ready)."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_READ, audit_action=AuditAction.READ
    )
    audit_session(db, ctx, at, AuditAction.READ, row, detail="ready_check")
    return ready_failures(db, row, actor=require_actor(ctx), at=at)
