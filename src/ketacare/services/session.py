"""The treatment session at the chair: booking, state machine, vitals and alerts, records.

Every use case loads the session, checks the actor's permission on its patient, asks the core
(``ketacare.core.session``) and writes the change and its audit event in one transaction.
Gate evidence is gathered in ``services.session_gates``; the REMS form in ``services.rems``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction
from ketacare.core.authz import Action, Actor, Target
from ketacare.core.dosing.library import list_protocols
from ketacare.core.dosing.protocol import Protocol, propose_induction_dates
from ketacare.core.dosing.rules import DeviceRule, InfusionRule
from ketacare.core.errors import Conflict, Invalid, NotFound, RuleViolation
from ketacare.core.session.administration import AdministrationTotals, DeviceUse, add_device
from ketacare.core.session.cadence import next_vitals_due, vitals_overdue
from ketacare.core.session.model import GateFailure, SessionDrug, Symptom, VitalsReading
from ketacare.core.session.rems import rems_form_due_at, rems_form_overdue
from ketacare.core.session.scheduling import Booking, find_booking_conflicts
from ketacare.core.session.states import SessionState, transition
from ketacare.core.session.vitals import VitalAlert, evaluate_vitals
from ketacare.db.models import (
    AdministrationEvent,
    Chair,
    Order,
    RemsSettingCertification,
    SessionAdverseEvent,
    SessionAlert,
    SessionObservation,
    SessionTransition,
    SessionVitals,
    StaffCredential,
    TreatmentSession,
    User,
)
from ketacare.db.repositories import organisation as org_repo
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import session as repo
from ketacare.db.repositories import user as user_repo
from ketacare.services import assessments as assessment_service
from ketacare.services import orders as order_service
from ketacare.services import screening as screening_service
from ketacare.services.audit import AuditContext, authorize, record_event
from ketacare.services.protocols import custom_protocols, protocol_for
from ketacare.services.session_gates import (
    ACLS,
    CHECKLIST_ITEMS,
    RATING_INSTRUMENTS,
    GateRefused,
    actor_of,
    alert_failures,
    baseline_of,
    check_version,
    discharge_failures,
    find_signed_order,
    load_session,
    order_of,
    reading_of,
    readings_of,
    ready_failures,
    session_drug,
    totals_of,
    unacknowledged,
)

S = SessionState
ENTITY = "TreatmentSession"
# Booking windows that no longer hold a chair: a discharged patient has left, an aborted
# session never (or no longer) happens.
NOT_HOLDING_A_CHAIR = (S.ABORTED.value, S.DISCHARGED.value)
ACTIVE_STATES = (S.CHECKED_IN, S.READY, S.INFUSING, S.PAUSED, S.RECOVERING)
VITALS_STATES = frozenset(ACTIVE_STATES)
# Check-in and cancelling a booking are front-desk work; everything else is running a session.
SCHEDULING_MOVES = frozenset({(S.SCHEDULED, S.CHECKED_IN), (S.SCHEDULED, S.ABORTED)})


def _audit(
    db: Session,
    ctx: AuditContext,
    at: datetime,
    action: AuditAction,
    row: TreatmentSession,
    detail: str | None = None,
    entity_type: str = ENTITY,
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


# --- booking ---------------------------------------------------------------------------------


def _administration_minutes(protocol_rule: object, order: Order | None) -> int:
    """Planned administration time: the order's duration, else the protocol's default."""
    if isinstance(protocol_rule, DeviceRule):
        return 0  # devices are minutes apart; observation from the first device dominates
    if order is not None and order.duration_min:
        return int(order.duration_min)
    if isinstance(protocol_rule, InfusionRule) and protocol_rule.default_duration_min:
        return protocol_rule.default_duration_min
    raise Invalid(
        "session.duration_unknown",
        "this protocol has no default duration; book with a signed order that sets one",
        field="order_id",
    )


def _check_booking_refs(
    db: Session, actor: Actor, *, chair_id: int, staff_user_id: int, patient_id: int
) -> Chair:
    chair = repo.get_chair(db, chair_id, lock=True)
    if chair is None or chair.organisation_id != actor.organisation_id or not chair.active:
        raise Invalid("session.chair_unknown", f"No chair with id {chair_id}.", field="chair_id")
    staff = user_repo.get_user(db, staff_user_id)
    if staff is None or staff.organisation_id != actor.organisation_id or not staff.is_active:
        raise Invalid(
            "session.staff_unknown", f"No staff member with id {staff_user_id}.", field="staff"
        )
    if staff.role not in ("nurse", "prescriber"):
        raise Invalid(
            "session.staff_role",
            "the session's staff member must be a nurse or prescriber",
            field="staff_user_id",
        )
    if patient_repo.get_patient(db, patient_id) is None:
        raise NotFound("patient.not_found", f"No patient with id {patient_id}.")
    return chair


def _raise_conflicts(db: Session, candidate: Booking) -> None:
    existing = repo.list_overlapping_sessions(
        db,
        chair_id=int(candidate.chair_id),
        patient_id=int(candidate.patient_id),
        start=candidate.start,
        end=candidate.end,
        exclude_states=NOT_HOLDING_A_CHAIR,
    )
    others = [
        Booking(str(s.id), str(s.chair_id), str(s.patient_id), s.starts_at, s.ends_at)
        for s in existing
    ]
    conflicts = find_booking_conflicts(candidate, others)
    if conflicts:
        first = conflicts[0]
        raise Conflict(
            f"session.double_booked_{first.kind.value}",
            f"the {first.kind.value} is already booked then (session {first.booking_id})",
            field="chair_id" if first.kind.value == "chair" else "starts_at",
        )


def book_session(
    db: Session,
    *,
    patient_id: int,
    protocol_id: str,
    chair_id: int,
    starts_at: datetime,
    staff_user_id: int,
    order_id: int | None,
    at: datetime,
    ctx: AuditContext,
) -> TreatmentSession:
    """Book a chair for a patient; the chair time comes from the protocol (409 if double-booked).

    Raises:
        Conflict: ``session.double_booked_chair`` / ``session.double_booked_patient``.
        Invalid: unknown chair, staff, protocol or an order for another patient or protocol.
    """
    actor = actor_of(ctx)
    patient = patient_repo.get_patient(db, patient_id)
    target = Target(patient.organisation_id if patient else actor.organisation_id, patient_id)
    authorize(
        actor, Action.SCHEDULE_MANAGE, target, audit_action=AuditAction.CREATE, entity_type=ENTITY
    )
    chair = _check_booking_refs(
        db, actor, chair_id=chair_id, staff_user_id=staff_user_id, patient_id=patient_id
    )
    protocol = protocol_for(db, organisation_id=actor.organisation_id, protocol_id=protocol_id)
    row = TreatmentSession(
        organisation_id=actor.organisation_id,
        location_id=chair.location_id,
        patient_id=patient_id,
        chair_id=chair.id,
        staff_user_id=staff_user_id,
        protocol_id=protocol.id,
        drug=session_drug(protocol).value,
        order_id=order_id,
        starts_at=starts_at,
        ends_at=starts_at,
        state=S.SCHEDULED.value,
        checklist={},
        rems_answers={},
        created_by=actor.user_id,
        created_at=at,
        updated_at=at,
    )
    order = _booking_order(db, row)
    minutes = protocol.chair_time_min(_administration_minutes(protocol.dose_rule, order))
    row.ends_at = starts_at + _minutes(minutes)
    _raise_conflicts(db, Booking("new", str(chair.id), str(patient_id), starts_at, row.ends_at))
    repo.add_row(db, row)
    repo.add_row(
        db,
        SessionTransition(
            session_id=row.id, from_state=None, to_state=row.state, actor_id=actor.user_id, at=at
        ),
    )
    _audit(db, ctx, at, AuditAction.CREATE, row, detail=f"chair={chair.id}")
    return row


def _minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def _booking_order(db: Session, row: TreatmentSession) -> Order | None:
    if row.order_id is None:
        return None
    order = order_of(db, row)
    if order is None or order.patient_id != row.patient_id:
        raise Invalid(
            "session.order_unknown", f"No order {row.order_id} for this patient.", field="order_id"
        )
    if order.protocol_id != row.protocol_id:
        raise Invalid(
            "session.order_protocol_mismatch",
            "the order is for a different protocol",
            field="order_id",
        )
    return order


def proposed_dates(
    db: Session,
    *,
    patient_id: int,
    protocol_id: str,
    start: date,
    template_id: str | None,
    ctx: AuditContext,
) -> list[date]:
    """Induction dates from the protocol's schedule template (suggestions to book)."""
    actor = actor_of(ctx)
    patient = patient_repo.get_patient(db, patient_id)
    if patient is None:
        raise NotFound("patient.not_found", f"No patient with id {patient_id}.")
    authorize(
        actor,
        Action.SCHEDULE_MANAGE,
        Target(patient.organisation_id, patient.id),
        audit_action=AuditAction.READ,
        entity_type=ENTITY,
    )
    protocol = protocol_for(db, organisation_id=actor.organisation_id, protocol_id=protocol_id)
    return propose_induction_dates(protocol, start, template_id=template_id)


def list_patient_sessions(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> list[TreatmentSession]:
    actor = actor_of(ctx)
    patient = patient_repo.get_patient(db, patient_id)
    if patient is None:
        raise NotFound("patient.not_found", f"No patient with id {patient_id}.")
    authorize(
        actor,
        Action.PATIENT_READ,
        Target(patient.organisation_id, patient.id),
        audit_action=AuditAction.READ,
        entity_type=ENTITY,
    )
    rows = repo.list_patient_sessions(db, patient_id=patient_id)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type="TreatmentSessionList",
        entity_id=None,
        patient_id=patient_id,
        detail=f"results={len(rows)}",
    )
    return rows


def list_chairs(db: Session, *, ctx: AuditContext) -> list[Chair]:
    actor = actor_of(ctx)
    authorize(
        actor, Action.SCHEDULE_MANAGE, None, audit_action=AuditAction.READ, entity_type="Chair"
    )
    return repo.list_chairs(db, organisation_id=actor.organisation_id)


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


def _cadence(
    row: TreatmentSession, vitals: Sequence[SessionVitals], at: datetime
) -> tuple[datetime | None, bool]:
    state = S(row.state)
    last = max((v.measured_at for v in vitals), default=None)
    anchor = last or row.first_administration_at
    if anchor is None:
        return None, False
    return next_vitals_due(state, anchor), vitals_overdue(state, anchor, at=at)


def build_detail(db: Session, row: TreatmentSession, *, at: datetime) -> SessionDetail:
    """Assemble a session's detail (no authorisation or audit: callers do that)."""
    vitals = repo.list_vitals(db, session_id=row.id)
    events = repo.list_administration(db, session_id=row.id)
    order = order_of(db, row)
    due, overdue = _cadence(row, vitals, at)
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
    _audit(db, ctx, at, AuditAction.READ, row)
    return build_detail(db, row, at=at)


# --- transitions -----------------------------------------------------------------------------


def _transition_action(current: SessionState, to: SessionState) -> Action:
    return Action.SCHEDULE_MANAGE if (current, to) in SCHEDULING_MOVES else Action.SESSION_RUN


def _check_gates(
    db: Session, row: TreatmentSession, to: SessionState, *, actor: Actor, at: datetime
) -> None:
    if to is S.READY:
        failures = ready_failures(db, row, actor=actor, at=at)
        if failures:
            raise GateRefused("session.gate_refused", failures)
    elif to is S.INFUSING:
        failures = alert_failures(db, row)
        if failures:
            raise GateRefused("session.gate_refused", failures)
    elif to is S.DISCHARGED:
        failures = discharge_failures(db, row, at=at)
        if failures:
            raise GateRefused("session.discharge_refused", failures)


def _admin_event(
    db: Session,
    row: TreatmentSession,
    kind: str,
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
    iv = row.drug == SessionDrug.KETAMINE_IV.value
    if to is S.READY and row.order_id is None:
        order = find_signed_order(db, row)
        row.order_id = order.id if order else None
    if to is S.INFUSING and current is S.READY:
        order = order_of(db, row)
        start_rate = rate or (order.rate_ml_per_h if order and iv else None)
        _admin_event(db, row, "start", at=at, actor=actor, rate=start_rate if iv else None)
        if iv:
            row.first_administration_at = at
        if order is not None and order.status == "signed":
            order_service.mark_order_given(db, order_id=order.id, at=at, ctx=ctx)
        assessment_service.record_treatment_event(
            db, patient_id=row.patient_id, at=at, kind="ketamine_session", source_id=row.id
        )
    elif to is S.INFUSING:
        _admin_event(db, row, "resume", at=at, actor=actor)
    elif to is S.PAUSED:
        if not reason:
            raise Invalid("session.pause_reason_required", "pausing needs a reason", field="reason")
        _admin_event(db, row, "pause", at=at, actor=actor, reason=reason)
    elif to is S.RECOVERING:
        _admin_event(db, row, "stop", at=at, actor=actor, reason=reason)
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
) -> TreatmentSession:
    """Move the session through the state machine, after its gates; store the move.

    Raises:
        Conflict: ``session.illegal_transition``; ``session.version_conflict``.
        GateRefused: ``session.gate_refused`` / ``session.discharge_refused`` with failures.
    """
    actor = actor_of(ctx)
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
    _check_gates(db, row, to, actor=actor, at=at)
    _side_effects(
        db, row, current, to, at=at, actor=actor, reason=move.reason, rate=rate_ml_per_h, ctx=ctx
    )
    row.state = to.value
    row.updated_at = at
    db.flush()
    repo.add_row(
        db,
        SessionTransition(
            session_id=row.id,
            from_state=current.value,
            to_state=to.value,
            actor_id=actor.user_id,
            at=at,
            reason=move.reason,
        ),
    )
    _audit(db, ctx, at, AuditAction.UPDATE, row, detail=f"{current.value}->{to.value}")
    return row


# --- vitals and alerts -----------------------------------------------------------------------


@dataclass(frozen=True)
class VitalsResult:
    vitals: SessionVitals
    alerts: list[SessionAlert]


VITAL_FIELDS = ("systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate")


def _alert_row(
    row: TreatmentSession, alert: VitalAlert, *, vitals_id: int | None, at: datetime
) -> SessionAlert:
    return SessionAlert(
        session_id=row.id,
        patient_id=row.patient_id,
        vitals_id=vitals_id,
        kind="vitals",
        code=alert.code,
        tier=alert.tier.value,
        parameter=alert.parameter,
        value=str(alert.value),
        message=alert.message,
        recommended_action=alert.recommended_action.value,
        source=alert.source,
        call_prescriber=alert.call_prescriber,
        raised_at=at,
    )


def record_vitals(
    db: Session,
    *,
    session_id: int,
    measured_at: datetime | None,
    values: Mapping[str, int | None],
    symptoms: Sequence[Symptom] = (),
    at: datetime,
    ctx: AuditContext,
) -> VitalsResult:
    """Save one set of vitals and the alerts the core raises for it (with history, baseline)."""
    actor = actor_of(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.CREATE
    )
    if S(row.state) not in VITALS_STATES:
        raise Conflict(
            "session.vitals_not_open",
            f"vitals cannot be charted while the session is {row.state}",
            field="state",
        )
    when = measured_at or at
    if when > at:
        raise Invalid("vitals.in_future", "measured_at is in the future", field="measured_at")
    present = {k: v for k, v in values.items() if k in VITAL_FIELDS and v is not None}
    if not present and not symptoms:
        raise Invalid("vitals.empty", "enter at least one vital sign", field="systolic")
    vitals = SessionVitals(
        session_id=row.id,
        patient_id=row.patient_id,
        measured_at=when,
        symptoms=",".join(sorted(s.value for s in symptoms)),
        state_at_entry=row.state,
        recorded_by=actor.user_id,
        recorded_at=at,
        **present,
    )
    reading = reading_of(vitals)  # validates values (negative, SpO2 > 100) before saving
    history = readings_of(repo.list_vitals(db, session_id=row.id))
    repo.add_row(db, vitals)
    found = evaluate_vitals(reading, history=history, baseline=_baseline_for(row, history, reading))
    alerts = [repo.add_row(db, _alert_row(row, a, vitals_id=vitals.id, at=at)) for a in found]
    _audit(
        db,
        ctx,
        at,
        AuditAction.CREATE,
        row,
        detail=f"alerts={len(alerts)}",
        entity_type="SessionVitals",
        entity_id=vitals.id,
    )
    return VitalsResult(vitals=vitals, alerts=alerts)


def _baseline_for(
    row: TreatmentSession, history: Sequence[VitalsReading], reading: VitalsReading
) -> VitalsReading | None:
    """Rise-from-baseline applies only after dosing began, against the pre-dose baseline."""
    start = row.first_administration_at
    if start is None or reading.at < start:
        return None
    return baseline_of(row, history)


def acknowledge_alert(
    db: Session,
    *,
    session_id: int,
    alert_id: int,
    note: str | None,
    at: datetime,
    ctx: AuditContext,
) -> SessionAlert:
    """Acknowledge an alert; one that calls for the prescriber needs a prescriber (ALERT_CLOSE)."""
    actor = actor_of(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.UPDATE
    )
    alert = repo.get_alert(db, alert_id)
    if alert is None or alert.session_id != row.id:
        raise NotFound("session.alert_not_found", f"No alert {alert_id} in this session.")
    if alert.call_prescriber:
        authorize(
            actor,
            Action.ALERT_CLOSE,
            Target(row.organisation_id, row.patient_id),
            audit_action=AuditAction.UPDATE,
            entity_type="SessionAlert",
            entity_id=alert.id,
        )
    if alert.acknowledged_at is not None:
        raise Conflict("session.alert_already_acknowledged", "this alert is already acknowledged")
    alert.acknowledged_at = at
    alert.acknowledged_by = actor.user_id
    alert.ack_note = (note or "").strip()[:500] or None
    db.flush()
    _audit(
        db,
        ctx,
        at,
        AuditAction.UPDATE,
        row,
        detail="acknowledged",
        entity_type="SessionAlert",
        entity_id=alert.id,
    )
    return alert


def acknowledge_predose_bp(
    db: Session, *, session_id: int, note: str | None, at: datetime, ctx: AuditContext
) -> TreatmentSession:
    """A prescriber's risk-benefit acknowledgement of a raised pre-dose BP (rule 21)."""
    actor = actor_of(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_SIGN, audit_action=AuditAction.UPDATE
    )
    if S(row.state) not in (S.CHECKED_IN, S.READY):
        raise Conflict("session.bp_ack_not_open", "acknowledge the pre-dose BP before dosing")
    row.bp_ack_by = actor.user_id
    row.bp_ack_at = at
    row.bp_ack_note = (note or "").strip()[:500] or None
    row.updated_at = at
    db.flush()
    _audit(db, ctx, at, AuditAction.UPDATE, row, detail="predose_bp_acknowledged")
    return row


# --- checks and checklists -------------------------------------------------------------------


def _editable(row: TreatmentSession, expected_version: int | None) -> None:
    check_version(row, expected_version)
    if S(row.state) in (S.DISCHARGED, S.ABORTED):
        raise Conflict("session.closed", f"the session is {row.state}", field="state")


def record_checks(
    db: Session,
    *,
    session_id: int,
    npo_confirmed: bool | None,
    escort_arranged: bool | None,
    pregnancy_status: str | None,
    expected_version: int | None,
    at: datetime,
    ctx: AuditContext,
) -> TreatmentSession:
    """Pre-dose confirmations: fasting (NPO), escort or transport, pregnancy status on the day."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.UPDATE
    )
    _editable(row, expected_version)
    if npo_confirmed is not None:
        row.npo_confirmed = npo_confirmed
    if escort_arranged is not None:
        row.escort_arranged = escort_arranged
    if pregnancy_status is not None:
        row.pregnancy_status = pregnancy_status
        row.pregnancy_recorded_at = at
    row.updated_at = at
    db.flush()
    _audit(db, ctx, at, AuditAction.UPDATE, row, detail="predose_checks")
    return row


def record_discharge_checklist(
    db: Session,
    *,
    session_id: int,
    items: dict[str, bool],
    on_supplemental_oxygen: bool | None,
    escort_confirmed: bool | None,
    no_driving_acknowledged: bool | None,
    expected_version: int | None,
    at: datetime,
    ctx: AuditContext,
) -> TreatmentSession:
    """The rule-32 checklist and the going-home confirmations, merged into what is recorded."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.UPDATE
    )
    _editable(row, expected_version)
    unknown = set(items) - set(CHECKLIST_ITEMS)
    if unknown:
        name = sorted(unknown)[0]
        raise Invalid("session.checklist_unknown", f"unknown checklist item {name}", field=name)
    row.checklist = {**row.checklist, **items}
    for name, value in (
        ("on_supplemental_oxygen", on_supplemental_oxygen),
        ("escort_confirmed", escort_confirmed),
        ("no_driving_acknowledged", no_driving_acknowledged),
    ):
        if value is not None:
            setattr(row, name, value)
    row.updated_at = at
    db.flush()
    _audit(db, ctx, at, AuditAction.UPDATE, row, detail="discharge_checklist")
    return row


def discharge_readiness(
    db: Session, *, session_id: int, at: datetime, ctx: AuditContext
) -> list[GateFailure]:
    """What still stands between the patient and discharge (empty: may go)."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_READ, audit_action=AuditAction.READ
    )
    _audit(db, ctx, at, AuditAction.READ, row, detail="discharge_check")
    return discharge_failures(db, row, at=at)


def ready_readiness(
    db: Session, *, session_id: int, at: datetime, ctx: AuditContext
) -> list[GateFailure]:
    """What the ready gates still refuse (empty: the session may become ready)."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_READ, audit_action=AuditAction.READ
    )
    _audit(db, ctx, at, AuditAction.READ, row, detail="ready_check")
    return ready_failures(db, row, actor=actor_of(ctx), at=at)


# --- administration record -------------------------------------------------------------------

MOVES = {"start": S.INFUSING, "resume": S.INFUSING, "pause": S.PAUSED, "stop": S.RECOVERING}
RECORD_KINDS = ("rate_change", "bolus", "device")


@dataclass(frozen=True)
class AdministrationEntry:
    kind: str
    occurred_at: datetime | None = None
    rate_ml_per_h: Decimal | None = None
    amount: Decimal | None = None
    amount_unit: str | None = None
    lot_number: str | None = None
    reason: str | None = None


def record_administration(
    db: Session,
    *,
    session_id: int,
    entry: AdministrationEntry,
    expected_version: int | None,
    at: datetime,
    ctx: AuditContext,
) -> TreatmentSession:
    """Chart one administration line. Start/pause/resume/stop move the state machine too.

    Raises:
        RuleViolation: ``administration.device_interval_too_short`` (core, 5 min) and others.
        Conflict: the session is not infusing for a rate change, bolus or device.
    """
    if entry.kind in MOVES:
        return transition_session(
            db,
            session_id=session_id,
            to=MOVES[entry.kind],
            reason=entry.reason,
            expected_version=expected_version,
            at=at,
            ctx=ctx,
            rate_ml_per_h=entry.rate_ml_per_h,
        )
    if entry.kind not in RECORD_KINDS:
        raise Invalid("administration.unknown_kind", f"unknown kind {entry.kind}", field="kind")
    actor = actor_of(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.CREATE
    )
    check_version(row, expected_version)
    if S(row.state) is not S.INFUSING:
        raise Conflict(
            "administration.not_infusing",
            f"{entry.kind.replace('_', ' ')} needs the session to be infusing (it is {row.state})",
            field="state",
        )
    when = entry.occurred_at or at
    if when > at:
        raise Invalid("administration.in_future", "the time is in the future", field="at")
    _check_entry(db, row, entry, when)
    repo.add_row(
        db,
        AdministrationEvent(
            session_id=row.id,
            kind=entry.kind,
            at=when,
            rate_ml_per_h=entry.rate_ml_per_h,
            amount=entry.amount,
            amount_unit=entry.amount_unit,
            lot_number=entry.lot_number,
            reason=entry.reason,
            recorded_by=actor.user_id,
            recorded_at=at,
        ),
    )
    if entry.kind == "device" and (
        row.first_administration_at is None or when < row.first_administration_at
    ):
        row.first_administration_at = when
    row.updated_at = at
    db.flush()
    _audit(db, ctx, at, AuditAction.CREATE, row, detail=f"administration={entry.kind}")
    return row


def _check_entry(
    db: Session, row: TreatmentSession, entry: AdministrationEntry, when: datetime
) -> None:
    esketamine = row.drug == SessionDrug.ESKETAMINE_NASAL.value
    if entry.kind == "device":
        if not esketamine:
            raise Invalid("administration.device_iv", "devices are for esketamine", field="kind")
        devices = [
            DeviceUse(e.at, e.lot_number)
            for e in repo.list_administration(db, session_id=row.id)
            if e.kind == "device"
        ]
        add_device(devices, DeviceUse(when, entry.lot_number))
        return
    if esketamine:
        raise Invalid(
            "administration.not_for_devices", f"{entry.kind} is for infusions", field="kind"
        )
    if entry.kind == "rate_change" and (entry.rate_ml_per_h is None or entry.rate_ml_per_h < 0):
        raise Invalid(
            "administration.rate_required", "give the new rate in mL/h", field="rate_ml_per_h"
        )
    if entry.kind == "bolus" and (entry.amount is None or entry.amount <= 0):
        raise RuleViolation(
            "administration.bolus_not_positive", "a bolus must be positive", field="amount"
        )


# --- ratings, symptoms and adverse events ----------------------------------------------------

# Which instruments the chair records, and when in the pathway the rating belongs.
RATING_TIMEPOINT = "post-session"


def record_observation(
    db: Session,
    *,
    session_id: int,
    instrument_id: str | None,
    answers: Sequence[object] | None,
    text: str | None,
    observed_at: datetime | None,
    at: datetime,
    ctx: AuditContext,
) -> SessionObservation:
    """A rating scored by the assessments feature (CADSS, MOAA/S, Aldrete, PADSS) or a note."""
    actor = actor_of(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.CREATE
    )
    when = observed_at or at
    if when > at:
        raise Invalid("observation.in_future", "the time is in the future", field="observed_at")
    obs = SessionObservation(
        session_id=row.id,
        kind="symptom",
        text=(text or "").strip()[:1000] or None,
        observed_at=when,
        recorded_by=actor.user_id,
        recorded_at=at,
    )
    if instrument_id is not None:
        if instrument_id not in RATING_INSTRUMENTS:
            raise Invalid(
                "observation.instrument",
                f"the chair records {', '.join(RATING_INSTRUMENTS)}",
                field="instrument_id",
            )
        assessment = assessment_service.record_assessment(
            db,
            patient_id=row.patient_id,
            instrument_id=instrument_id,
            answers=list(answers or []),
            context={"setting": "session"},
            administered_at=when,
            timepoint=RATING_TIMEPOINT,
            session_id=row.id,
            at=at,
            ctx=ctx,
        )
        obs.kind, obs.instrument_id, obs.assessment_id = "rating", instrument_id, assessment.id
        obs.total = None if assessment.total is None else Decimal(str(assessment.total))
    elif obs.text is None:
        raise Invalid("observation.empty", "give a rating or a note", field="text")
    repo.add_row(db, obs)
    _audit(
        db,
        ctx,
        at,
        AuditAction.CREATE,
        row,
        detail=f"observation={obs.kind}",
        entity_type="SessionObservation",
        entity_id=obs.id,
    )
    return obs


@dataclass(frozen=True)
class AdverseEventEntry:
    category: str
    severity: str
    serious: bool
    onset_at: datetime
    actions_taken: str
    outcome: str


def record_adverse_event(
    db: Session, *, session_id: int, entry: AdverseEventEntry, at: datetime, ctx: AuditContext
) -> SessionAdverseEvent:
    """Record an adverse event; a serious one raises a prescriber alert shown on the floor."""
    actor = actor_of(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.CREATE
    )
    if entry.onset_at > at:
        raise Invalid("adverse_event.in_future", "onset is in the future", field="onset_at")
    alert = None
    if entry.serious:
        alert = repo.add_row(
            db,
            SessionAlert(
                session_id=row.id,
                patient_id=row.patient_id,
                kind="adverse_event",
                code=f"adverse_event.{entry.category}",
                tier="emergency",
                parameter="adverse_event",
                value=entry.severity,
                message=f"serious adverse event ({entry.category.replace('_', ' ')}, "
                f"{entry.severity}): prescriber review now",
                recommended_action="call_prescriber",
                source="reported at the chair",
                call_prescriber=True,
                raised_at=at,
            ),
        )
    event = repo.add_row(
        db,
        SessionAdverseEvent(
            session_id=row.id,
            category=entry.category,
            severity=entry.severity,
            serious=entry.serious,
            onset_at=entry.onset_at,
            actions_taken=entry.actions_taken,
            outcome=entry.outcome,
            alert_id=alert.id if alert else None,
            recorded_by=actor.user_id,
            recorded_at=at,
        ),
    )
    _audit(
        db,
        ctx,
        at,
        AuditAction.CREATE,
        row,
        detail=f"serious={entry.serious}",
        entity_type="SessionAdverseEvent",
        entity_id=event.id,
    )
    return event


# --- the floor board -------------------------------------------------------------------------


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


def _floor_chair(db: Session, row: TreatmentSession, *, at: datetime) -> FloorChair:
    vitals = repo.list_vitals(db, session_id=row.id)
    transitions = repo.list_transitions(db, session_id=row.id)
    checked_in = next(
        (t.at for t in transitions if t.to_state == S.CHECKED_IN.value), row.starts_at
    )
    patient = patient_repo.get_patient(db, row.patient_id)
    chair = repo.get_chair(db, row.chair_id)
    due, overdue = _cadence(row, vitals, at)
    return FloorChair(
        session=row,
        patient_name=f"{patient.family_name}, {patient.given_name}" if patient else "?",
        chair_name=chair.name if chair else "?",
        since=checked_in,
        last_vitals=vitals[-1] if vitals else None,
        open_alerts=unacknowledged(repo.list_alerts(db, session_id=row.id)),
        next_vitals_due=due,
        vitals_overdue=overdue,
    )


def floor_board(db: Session, *, at: datetime, ctx: AuditContext) -> FloorBoard:
    """Every active chair of the organisation, with REMS forms still to submit."""
    actor = actor_of(ctx)
    authorize(
        actor, Action.CLINICAL_READ, None, audit_action=AuditAction.READ, entity_type="FloorBoard"
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
        entity_type="FloorBoard",
        entity_id=None,
        detail=f"sessions={ids}",
    )
    return FloorBoard(chairs=chairs, rems_warnings=warnings, at=at)


def rems_warnings(db: Session, *, organisation_id: int, at: datetime) -> list[RemsWarning]:
    out = []
    for row in repo.list_unsubmitted_rems(
        db,
        organisation_id=organisation_id,
        drug=SessionDrug.ESKETAMINE_NASAL.value,
        state=S.DISCHARGED.value,
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


# --- set-up: chairs, credentials, demo -------------------------------------------------------


def record_staff_credential(
    db: Session,
    *,
    user_id: int,
    credential: str,
    expires_on: date,
    at: datetime,
    ctx: AuditContext,
) -> StaffCredential:
    """Record a staff credential (ACLS) with its expiry; clinic admins do this."""
    actor = actor_of(ctx)
    authorize(
        actor,
        Action.CONFIG_MANAGE,
        None,
        audit_action=AuditAction.CREATE,
        entity_type="StaffCredential",
    )
    user = user_repo.get_user(db, user_id)
    if user is None or user.organisation_id != actor.organisation_id:
        raise Invalid("credential.user_unknown", f"No staff member {user_id}.", field="user_id")
    row = repo.add_row(
        db,
        StaffCredential(
            user_id=user_id, credential=credential, expires_on=expires_on, recorded_at=at
        ),
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type="StaffCredential",
        entity_id=row.id,
    )
    return row


DEMO_CHAIRS = ("Chair 1", "Chair 2", "Chair 3", "Chair 4")
# Demo credentials only: a fictional ACLS card valid for two years from loading.
DEMO_ACLS_VALID = timedelta(days=730)


def ensure_demo_chairs(db: Session, *, organisation_id: int, at: datetime) -> list[Chair]:
    """Chairs for every location of an organisation, a REMS setting certification and ACLS
    cards for its nurses and prescribers (idempotent; the demo loader calls it)."""
    chairs: list[Chair] = []
    for location in org_repo.list_locations(db, organisation_id=organisation_id):
        for name in DEMO_CHAIRS:
            chair = repo.get_chair_by_name(db, location_id=location.id, name=name)
            chairs.append(
                chair
                or repo.add_row(
                    db,
                    Chair(
                        organisation_id=organisation_id,
                        location_id=location.id,
                        name=name,
                        active=True,
                    ),
                )
            )
        if repo.get_rems_certification(db, location_id=location.id) is None:
            repo.add_row(
                db,
                RemsSettingCertification(
                    location_id=location.id,
                    certification_number=f"DEMO-{location.id:05d}",
                    certified_at=at,
                ),
            )
    staff = [
        u
        for u in user_repo.list_users(db, organisation_id=organisation_id)
        if u.role in ("nurse", "prescriber")
    ]
    held = {c.user_id for c in repo.list_credentials(db, user_ids=[u.id for u in staff])}
    for user in staff:
        if user.id not in held:
            repo.add_row(
                db,
                StaffCredential(
                    user_id=user.id,
                    credential=ACLS,
                    expires_on=(at + DEMO_ACLS_VALID).date(),
                    recorded_at=at,
                ),
            )
    return chairs


# Fictional demo screening answers that the eligibility core finds eligible for IV depression
# treatment; used only to prepare a demo session, never as defaults for a real patient.
DEMO_SCREENING_INPUT: dict[str, object] = {
    "protocol": "iv-ketamine-depression",
    "indication": "depression",
    "pregnant": False,
    "breastfeeding": False,
    "conditions": [],
    "bp_systolic": 120,
    "bp_diastolic": 80,
    "episode_duration_months": 14,
    "episode_severity": "moderate",
    "antidepressant_trials": [
        {
            "drug": drug,
            "improvement_percent": 10,
            "weeks": 8,
            "adequate_dose": True,
            "current_episode": True,
            "adherent": True,
        }
        for drug in ("sertraline", "venlafaxine")
    ],
    "dast10_total": 0,
    "auditc_total": 1,
}


def prepare_demo_session(
    db: Session,
    *,
    patient_id: int,
    nurse_ctx: AuditContext,
    prescriber_ctx: AuditContext,
    starts_at: datetime,
    at: datetime,
) -> TreatmentSession:
    """A demo IV-depression session whose patient passes the paperwork gates.

    Signs a screening and an order, records consent and books the first free demo chair; the
    chair-side checks (vitals, NPO, escort) are left for the nurse to do in the demo.
    """
    nurse = actor_of(nurse_ctx)
    ensure_demo_chairs(db, organisation_id=nurse.organisation_id, at=at)
    screening = screening_service.evaluate_screening(
        db, patient_id=patient_id, inputs=DEMO_SCREENING_INPUT, at=at, ctx=nurse_ctx
    )
    screening_service.sign_screening(
        db, screening_id=screening.id, overrides={}, at=at, ctx=prescriber_ctx
    )
    patient = patient_repo.get_patient(db, patient_id)
    document = screening_service.current_consent_document(db, at=at, ctx=nurse_ctx)
    screening_service.sign_consent(
        db,
        patient_id=patient_id,
        document_version=document.version,
        typed_name=f"{patient.given_name} {patient.family_name}" if patient else "",
        agreed=True,
        witness_user_id=None,
        at=at,
        ctx=nurse_ctx,
    )
    order = order_service.create_order(
        db,
        patient_id=patient_id,
        # Demo pump set-up: 10 mg/mL stock diluted to 50 mL (a demo choice, not a default).
        inputs=order_service.DoseInputs(
            protocol_id="iv-ketamine-depression",
            concentration_mg_per_ml=Decimal(10),
            final_volume_ml=Decimal(50),
        ),
        override_reason=None,
        at=at,
        ctx=prescriber_ctx,
    )
    order_service.sign_order(db, order_id=order.id, at=at, ctx=prescriber_ctx)
    for chair in repo.list_chairs(db, organisation_id=nurse.organisation_id):
        try:
            with db.begin_nested():
                return book_session(
                    db,
                    patient_id=patient_id,
                    protocol_id="iv-ketamine-depression",
                    chair_id=chair.id,
                    starts_at=starts_at,
                    staff_user_id=nurse.user_id,
                    order_id=order.id,
                    at=at,
                    ctx=nurse_ctx,
                )
        except Conflict:
            continue
    raise Conflict("session.no_free_chair", "no demo chair is free at that time")


def booking_choices(
    db: Session, *, ctx: AuditContext
) -> tuple[list[Chair], list[Protocol], list[User]]:
    """Chairs, protocols and session staff (nurses, prescribers) to book with."""
    actor = actor_of(ctx)
    authorize(
        actor, Action.SCHEDULE_MANAGE, None, audit_action=AuditAction.READ, entity_type="Chair"
    )
    staff = [
        u
        for u in user_repo.list_users(db, organisation_id=actor.organisation_id)
        if u.is_active and u.role in ("nurse", "prescriber")
    ]
    protocols = list_protocols(custom_protocols(db, organisation_id=actor.organisation_id))
    return repo.list_chairs(db, organisation_id=actor.organisation_id), protocols, staff
