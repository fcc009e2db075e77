"""Vitals at the chair, the alerts the core raises for them and their acknowledgement.

Alert tiers and thresholds live in ``ketacare.core.session.vitals``; a reading after dosing
began is also compared with the pre-dose baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Target
from ketacare.core.codes import SessionDrug
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.plausibility import DEFAULT_WINDOWS, Windows, check_event_time, check_vitals
from ketacare.core.session.gates import (
    BpAcknowledgement,
    ReadyGateInputs,
    check_ready_gates,
    predose_bp_hold,
)
from ketacare.core.session.model import (
    GateFailure,
    SessionAlertKind,
    Symptom,
    VitalsReading,
)
from ketacare.core.session.states import SessionState
from ketacare.core.session.vitals import VitalAlert, evaluate_vitals
from ketacare.db.models import (
    SessionAlert,
    SessionVitals,
    TreatmentSession,
)
from ketacare.db.repositories import session as repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext, authorize
from ketacare.services.session._common import VITALS_STATES, audit_session, load_session
from ketacare.services.session.facts import (
    baseline_of,
    predose_readings,
    reading_of,
    readings_of,
)

S = SessionState


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
        kind=SessionAlertKind.VITALS,
        code=alert.code,
        tier=alert.tier,
        parameter=alert.parameter,
        value=str(alert.value),
        message=alert.message,
        recommended_action=alert.recommended_action,
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
    windows: Windows = DEFAULT_WINDOWS,
) -> VitalsResult:
    """Save one set of vitals and the alerts the core raises for it (with history, baseline).

    Implausible values (diastolic not below systolic, out of range) and times outside the
    charting window are refused by ``ketacare.core.plausibility`` before anything is saved.
    """
    actor = require_actor(ctx)
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
    check_event_time(when, at=at, window=windows.charted, field="measured_at")
    present = {k: v for k, v in values.items() if k in VITAL_FIELDS and v is not None}
    check_vitals(present)
    if not present and not symptoms:
        raise Invalid("vitals.empty", "enter at least one vital sign", field="systolic")
    vitals = SessionVitals(
        session_id=row.id,
        patient_id=row.patient_id,
        measured_at=when,
        symptoms=",".join(sorted({s.value for s in symptoms})),
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
    audit_session(
        db,
        ctx,
        at,
        AuditAction.CREATE,
        row,
        detail=f"alerts={len(alerts)}",
        entity_type=AuditEntity.SESSION_VITALS,
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
    actor = require_actor(ctx)
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
            entity_type=AuditEntity.SESSION_ALERT,
            entity_id=alert.id,
        )
    if alert.acknowledged_at is not None:
        raise Conflict("session.alert_already_acknowledged", "this alert is already acknowledged")
    alert.acknowledged_at = at
    alert.acknowledged_by = actor.user_id
    alert.ack_note = (note or "").strip()[:500] or None
    db.flush()
    audit_session(
        db,
        ctx,
        at,
        AuditAction.UPDATE,
        row,
        detail="acknowledged",
        entity_type=AuditEntity.SESSION_ALERT,
        entity_id=alert.id,
    )
    return alert


def acknowledge_predose_bp(
    db: Session, *, session_id: int, note: str | None, at: datetime, ctx: AuditContext
) -> TreatmentSession:
    """A prescriber's risk-benefit acknowledgement of a raised pre-dose BP (rule 21)."""
    actor = require_actor(ctx)
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
    audit_session(db, ctx, at, AuditAction.UPDATE, row, detail="predose_bp_acknowledged")
    return row


BP_ACK_CODE = "session.gate.predose_bp_unacknowledged"


def pending_bp_acknowledgement(
    row: TreatmentSession, vitals: Sequence[SessionVitals], *, at: datetime
) -> GateFailure | None:
    """The raised pre-dose BP still waiting for a prescriber's acknowledgement (rule 21).

    Asks the core's ready gate itself, so the chair page and the floor view flag exactly what
    the gate would refuse (same threshold, same 30-minute window, an acknowledgement only counts
    after the reading). ``None`` once dosing began, or when nothing waits. No audit: the caller
    reads the session and audits that.
    """
    if S(row.state) not in (S.CHECKED_IN, S.READY) or row.first_administration_at is not None:
        return None
    ack = (
        BpAcknowledgement(str(row.bp_ack_by), row.bp_ack_at)
        if row.bp_ack_by is not None and row.bp_ack_at is not None
        else None
    )
    inputs = ReadyGateInputs(
        drug=SessionDrug(row.drug),
        eligibility=None,
        consent=None,
        order=None,
        predose_vitals=predose_readings(row, readings_of(vitals)),
        bp_acknowledgement=ack,
    )
    return next((f for f in check_ready_gates(inputs, at=at) if f.code == BP_ACK_CODE), None)


def pending_bp_hold(row: TreatmentSession, vitals: Sequence[SessionVitals]) -> GateFailure | None:
    """The pre-dose BP hold the start would meet, for the chair page (same core rule).

    ``None`` once dosing began or once the session is past the start. No audit: the caller reads
    the session and audits that.
    """
    if S(row.state) not in (S.CHECKED_IN, S.READY) or row.first_administration_at is not None:
        return None
    return predose_bp_hold(predose_readings(row, readings_of(vitals)))
