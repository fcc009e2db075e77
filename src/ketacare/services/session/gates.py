"""Gathering the facts the session rules look at: ready gates and discharge.

The rules themselves live in ``ketacare.core.session``; this module only loads rows, converts
them to the core's value objects and asks the core. Evidence owned by other features
(screening, consent, REMS enrolment, safety alerts, orders) comes from their services.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ketacare.core.authz import Actor
from ketacare.core.codes import Drug, SessionDrug
from ketacare.core.dosing.protocol import (
    Protocol,
    Setting,
)
from ketacare.core.eligibility.model import Decision
from ketacare.core.errors import Conflict, NotFound
from ketacare.core.orders import OrderStatus
from ketacare.core.session.config import (
    ESKETAMINE_MIN_OBSERVATION,
    DischargeConfig,
    SessionConfig,
)
from ketacare.core.session.discharge import DischargeChecklist, DischargeInputs, check_discharge
from ketacare.core.session.gates import (
    BpAcknowledgement,
    ConsentEvidence,
    EligibilityEvidence,
    PregnancyEvidence,
    PregnancyStatus,
    ReadyGateInputs,
    SignedOrder,
    StaffOnSite,
    check_ready_gates,
    predose_bp_hold,
)
from ketacare.core.session.model import GateFailure
from ketacare.core.session.scheduling import OrderUse, blocking_order_use
from ketacare.core.session.states import SessionState
from ketacare.db.models import (
    Order,
    SessionAlert,
    TreatmentSession,
)
from ketacare.db.repositories import session as repo
from ketacare.services.assessments import records as assessment_service
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.orders.protocols import protocol_for
from ketacare.services.screening import eligibility as screening_service
from ketacare.services.session.facts import baseline_of, predose_readings, readings_of

ACLS = "acls"
# Who counts as "on site" besides the assigned staff member and the person at the tablet:
# staff signed in on a clinic device and seen within this window. An operational choice for
# the staffing gate (docs/clinical/session.md#rule-30 names no window), not a clinical number.
ON_SITE_WINDOW = timedelta(hours=1)
RATING_INSTRUMENTS = ("cadss", "moaas", "aldrete", "padss")
DISCHARGE_SCORE_INSTRUMENTS = ("aldrete", "padss")
CHECKLIST_ITEMS = tuple(DischargeChecklist.__dataclass_fields__)


class GateRefused(Conflict):
    """A gate (ready, infusing, discharge) refused; ``failures`` name each missing thing."""

    def __init__(self, code: str, failures: Sequence[GateFailure]) -> None:
        text = "; ".join(f.message for f in failures)
        # The API error body carries every failure, so the tablet shows what is missing.
        listed = [{"code": f.code, "message": f.message} for f in failures]
        super().__init__(code, f"refused: {text}", field="state", extra={"failures": listed})
        self.failures = list(failures)


def protocol_of(db: Session, row: TreatmentSession) -> Protocol:
    return protocol_for(db, organisation_id=row.organisation_id, protocol_id=row.protocol_id)


# --- evidence from other features ----------------------------------------------------------------


def order_of(db: Session, row: TreatmentSession) -> Order | None:
    if row.order_id is None:
        return None
    try:
        return order_service.get_order(db, order_id=row.order_id)
    except NotFound:
        return None


def find_signed_order(db: Session, row: TreatmentSession) -> Order | None:
    """The session's order, or the patient's latest signed order for the session's protocol.

    The fallback skips an order another session already holds (one order, one session).
    """
    if row.order_id is not None:
        return order_of(db, row)
    matching = [
        o
        for o in order_service.signed_orders_for(db, patient_id=row.patient_id)
        if o.protocol_id == row.protocol_id
    ]
    uses = repo.list_sessions_for_orders(db, order_ids=[o.id for o in matching])
    free = [o for o in matching if _blocking_use(o, uses, session_id=row.id) is None]
    return max(free, key=lambda o: (o.signed_at or o.created_at, o.id), default=None)


def _blocking_use(
    order: Order, sessions: Sequence[TreatmentSession], *, session_id: int | None
) -> OrderUse | None:
    uses = [
        OrderUse(str(s.id), SessionState(s.state), s.first_administration_at is not None)
        for s in sessions
        if s.order_id == order.id and s.id != session_id
    ]
    return blocking_order_use(uses)


def refuse_used_order(db: Session, *, order_id: int) -> None:
    """Refuse to book an order another session holds (given, in progress, booked).

    Raises:
        Conflict: ``booking.order_already_used`` (409), naming the session that holds it.
    """
    order = repo.lock_order(db, order_id)
    if order is None:
        return  # the caller reports an unknown order
    held = _blocking_use(
        order, repo.list_sessions_for_orders(db, order_ids=[order_id]), session_id=None
    )
    if held is None:
        return
    raise Conflict(
        "booking.order_already_used",
        f"order {order_id} is already used by session {held.session_id} "
        f"({held.state.value.replace('_', ' ')}); one order is given in one session: "
        "ask the prescriber for a new order",
        field="order_id",
    )


def _signed_order(order: Order | None) -> SignedOrder | None:
    if order is None:
        return None
    signed = order.status == OrderStatus.SIGNED and order.signed_at is not None
    return SignedOrder(
        order_id=str(order.id),
        drug=SessionDrug.for_drug(order.drug),
        signed_at=order.signed_at if signed else None,
        signed_by=str(order.signed_by) if signed and order.signed_by else None,
    )


@dataclass(frozen=True)
class _Screening:
    eligibility: EligibilityEvidence | None
    consent: ConsentEvidence | None
    rems_enrolled: bool
    pregnancy_required: bool
    pregnancy: PregnancyEvidence | None


def _screening(db: Session, row: TreatmentSession, *, at: datetime) -> _Screening:
    ev = screening_service.readiness_evidence(
        db, patient_id=row.patient_id, protocol_id=row.protocol_id, at=at
    )
    eligibility = None
    if ev.decision_id is not None:
        # The screening service answers "signed" and "stale" as flags; the core compares dates,
        # so a stale decision is presented as one whose validity ended now.
        eligibility = EligibilityEvidence(
            decision_id=str(ev.decision_id),
            eligible=ev.decision == Decision.ELIGIBLE,
            signed_at=at if ev.decision_signed else None,
            valid_until=at if ev.decision_stale else None,
        )
    consent = (
        ConsentEvidence(consent_id=str(ev.consent_version), signed_at=at)
        if ev.consent_valid
        else None
    )
    pregnancy = _pregnancy(row, ev.pregnancy_status, at=at)
    return _Screening(
        eligibility, consent, bool(ev.rems_enrolled), bool(ev.pregnancy_status_required), pregnancy
    )


def _pregnancy(
    row: TreatmentSession, screened: object, *, at: datetime
) -> PregnancyEvidence | None:
    """The session's own record wins (a test on the day); else the screening's status."""
    if row.pregnancy_status and row.pregnancy_recorded_at is not None:
        return PregnancyEvidence(
            status=PregnancyStatus(row.pregnancy_status),
            recorded_at=row.pregnancy_recorded_at,
            override_by=str(row.pregnancy_override_by) if row.pregnancy_override_by else None,
        )
    value = getattr(screened, "value", screened)
    if value in (PregnancyStatus.NEGATIVE.value, PregnancyStatus.POSITIVE.value):
        return PregnancyEvidence(status=PregnancyStatus(str(value)), recorded_at=at)
    return None


def _staff_on_site(
    db: Session, row: TreatmentSession, *, actor: Actor, at: datetime
) -> tuple[StaffOnSite, ...]:
    recent = repo.list_recently_signed_in(
        db, organisation_id=row.organisation_id, since=at - ON_SITE_WINDOW
    )
    ids = {row.staff_user_id, actor.user_id} | {u.id for u in recent}
    users = repo.list_users(db, user_ids=ids)
    expiry: dict[int, date] = {}
    for cred in repo.list_credentials(db, user_ids=ids):
        if cred.credential == ACLS and cred.expires_on > expiry.get(cred.user_id, date.min):
            expiry[cred.user_id] = cred.expires_on
    return tuple(
        StaffOnSite(str(u.id), frozenset({u.role}), expiry.get(u.id))
        for u in users
        if u.is_active and u.organisation_id == row.organisation_id
    )


def ready_inputs(
    db: Session, row: TreatmentSession, *, actor: Actor, at: datetime
) -> ReadyGateInputs:
    protocol = protocol_of(db, row)
    screening = _screening(db, row, at=at)
    readings = readings_of(repo.list_vitals(db, session_id=row.id))
    alerts = assessment_service.open_safety_alerts(db, patient_id=row.patient_id)
    ack = (
        BpAcknowledgement(str(row.bp_ack_by), row.bp_ack_at)
        if row.bp_ack_by is not None and row.bp_ack_at is not None
        else None
    )
    return ReadyGateInputs(
        drug=SessionDrug(row.drug),
        eligibility=screening.eligibility,
        consent=screening.consent,
        order=_signed_order(find_signed_order(db, row)),
        predose_vitals=predose_readings(row, readings),
        bp_acknowledgement=ack,
        open_safety_alert_ids=tuple(str(a.id) for a in alerts),
        npo_confirmed=row.npo_confirmed,
        predose_instructions=frozenset(k for k, v in row.predose_instructions.items() if v),
        escort_arranged=row.escort_arranged,
        childbearing_potential=screening.pregnancy_required,
        pregnancy=screening.pregnancy,
        staff_on_site=_staff_on_site(db, row, actor=actor, at=at),
        inpatient_setting=protocol.setting is Setting.INPATIENT,
        rems_patient_enrolled=screening.rems_enrolled,
        rems_setting_certified=repo.get_rems_certification(db, location_id=row.location_id)
        is not None,
    )


def ready_failures(
    db: Session, row: TreatmentSession, *, actor: Actor, at: datetime
) -> list[GateFailure]:
    return check_ready_gates(ready_inputs(db, row, actor=actor, at=at), at=at)


def unacknowledged(alerts: Sequence[SessionAlert]) -> list[SessionAlert]:
    return [a for a in alerts if a.acknowledged_at is None]


def alert_failures(db: Session, row: TreatmentSession) -> list[GateFailure]:
    open_alerts = unacknowledged(repo.list_alerts(db, session_id=row.id))
    if not open_alerts:
        return []
    return [
        GateFailure(
            "session.gate.alert_unacknowledged",
            f"{len(open_alerts)} session alert(s) must be acknowledged first",
        )
    ]


def start_failures(db: Session, row: TreatmentSession) -> list[GateFailure]:
    """What stops the move to ``infusing``: the pre-dose BP hold, then open session alerts.

    The hold is checked again here, on the latest reading of any age, because a reading taken
    after the session became ready (or one older than the ready gate's window) may be the one
    that holds it. It applies until the first dose is given; resuming a paused infusion is a
    clinical decision the alert tiers already cover.
    """
    failures: list[GateFailure] = []
    if row.first_administration_at is None:
        hold = predose_bp_hold(readings_of(repo.list_vitals(db, session_id=row.id)))
        failures += [] if hold is None else [hold]
    return failures + alert_failures(db, row)


def session_config(protocol: Protocol) -> SessionConfig:
    """Session rules with the protocol's own minimum observation (never below the label)."""
    minimum = timedelta(minutes=protocol.observation.minimum_min)
    if protocol.drug is Drug.ESKETAMINE:
        discharge = DischargeConfig(
            esketamine_min_observation=max(minimum, ESKETAMINE_MIN_OBSERVATION)
        )
    else:
        discharge = DischargeConfig(iv_min_observation_after_end=minimum)
    return SessionConfig(discharge=discharge)


def discharge_score(db: Session, row: TreatmentSession) -> int | None:
    scores = [
        o
        for o in repo.list_observations(db, session_id=row.id)
        if o.instrument_id in DISCHARGE_SCORE_INSTRUMENTS and o.total is not None
    ]
    last = max(scores, key=lambda o: (o.observed_at, o.id), default=None)
    return None if last is None or last.total is None else int(last.total)


def discharge_inputs(db: Session, row: TreatmentSession) -> DischargeInputs:
    readings = readings_of(repo.list_vitals(db, session_id=row.id))
    checklist = DischargeChecklist(**{k: bool(row.checklist.get(k)) for k in CHECKLIST_ITEMS})
    return DischargeInputs(
        drug=SessionDrug(row.drug),
        first_administration_at=row.first_administration_at,
        administration_ended_at=row.administration_ended_at,
        readings=tuple(readings),
        baseline=baseline_of(row, readings),
        checklist=checklist,
        discharge_score=discharge_score(db, row),
        on_supplemental_oxygen=row.on_supplemental_oxygen,
        escort_confirmed=row.escort_confirmed,
        no_driving_acknowledged=row.no_driving_acknowledged,
    )


def discharge_failures(db: Session, row: TreatmentSession, *, at: datetime) -> list[GateFailure]:
    config = session_config(protocol_of(db, row))
    failures = check_discharge(discharge_inputs(db, row), at=at, config=config)
    return failures + alert_failures(db, row)
