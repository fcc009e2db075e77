"""Medication orders: calculate from a protocol and the chart's dated weight, sign, cancel, give.

Every dose number comes from ``ketacare.core.dosing.calculate_dose``; this module only gathers
its inputs from the chart (latest dated weight and height, sex at birth, age), stores the result
whole, and enforces who may do what. A hard limit or a stale weight raises before anything is
written; a soft-limit breach needs the prescriber's reason.

Interface other features call (no audit: the caller audits its own read):
``get_order(db, *, order_id)`` and ``signed_orders_for(db, *, patient_id)``.
Predicted concentrations for an order live in ``services.orders.pk``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Actor, Target
from ketacare.core.dosing.order import DoseCalculation
from ketacare.core.dosing.protocol import Protocol
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.orders import OrderStatus, transition
from ketacare.db.models import Order, OrderStatusChange, Patient
from ketacare.db.repositories import order as order_repo
from ketacare.services._access import authorized_patient, patient_access, require_actor
from ketacare.services.audit import AuditContext, authorize, record_event
from ketacare.services.orders.dose import (
    DoseInputs,
    PatientFacts,
    calculate,
    chart_facts,
    other_session_doses,
    recalculate_for_signing,
)
from ketacare.services.orders.protocols import protocol_for

MAX_REASON_LENGTH = 2000


def preview_order(
    db: Session, *, patient_id: int, inputs: DoseInputs, at: datetime, ctx: AuditContext
) -> DoseCalculation:
    """What ``create_order`` would calculate for this patient now; nothing stored.

    It reads the chart's weight and height, so the read is audited.
    """
    access = patient_access(
        db,
        ctx,
        patient_id,
        at=at,
        action=Action.CLINICAL_READ,
        audit_action=AuditAction.READ,
        entity=AuditEntity.ORDER,
    )
    patient = access.patient
    protocol = protocol_for(
        db, organisation_id=patient.organisation_id, protocol_id=inputs.protocol_id
    )
    facts = chart_facts(db, patient=patient, today=at.date())
    access.record(
        facts.weight_measurement_id, entity=AuditEntity.BODY_MEASUREMENT, detail="dose preview"
    )
    others = other_session_doses(
        db, patient_id=patient.id, drug=protocol.drug.value, around=at.date()
    )
    return calculate(protocol, inputs, facts, at.date(), others)


def _clean_reason(reason: str | None, *, field: str) -> str | None:
    text = (reason or "").strip()
    if len(text) > MAX_REASON_LENGTH:
        raise Invalid(
            "order.reason_too_long", f"{field} is over {MAX_REASON_LENGTH} characters", field=field
        )
    return text or None


def _require_override_reason(calculation: DoseCalculation | bool, reason: str | None) -> None:
    needed = calculation if isinstance(calculation, bool) else calculation.requires_override
    if needed and not reason:
        raise Invalid(
            "order.override_reason_required",
            "a soft dose limit is exceeded: give the prescriber's reason for overriding it",
            field="override_reason",
        )


def _load_patient(
    db: Session, patient_id: int, *, actor: Actor, action: Action, audit_action: AuditAction
) -> Patient:
    return authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=action,
        audit_action=audit_action,
        entity_type=AuditEntity.ORDER,
    )


def create_order(
    db: Session,
    *,
    patient_id: int,
    inputs: DoseInputs,
    override_reason: str | None,
    at: datetime,
    ctx: AuditContext,
) -> Order:
    """Calculate and store a draft order (prescriber only).

    Raises:
        AccessDenied: the actor may not prescribe for this patient.
        Invalid: bad inputs (naming the field), or ``override_reason`` missing on a soft breach.
        RuleViolation: a hard limit or a weight older than the CONFIG limit; nothing is stored.
    """
    actor = require_actor(ctx)
    patient = _load_patient(
        db, patient_id, actor=actor, action=Action.CLINICAL_SIGN, audit_action=AuditAction.CREATE
    )
    protocol = protocol_for(
        db, organisation_id=patient.organisation_id, protocol_id=inputs.protocol_id
    )
    today = at.date()
    facts = chart_facts(db, patient=patient, today=today)
    others = other_session_doses(db, patient_id=patient.id, drug=protocol.drug.value, around=today)
    result = calculate(protocol, inputs, facts, today, others)
    reason = _clean_reason(override_reason, field="override_reason")
    _require_override_reason(result, reason)
    order = _new_order(patient, protocol, inputs, facts, result, today)
    order.override_reason = reason if result.requires_override else None
    order.created_by, order.created_at, order.updated_at = actor.user_id, at, at
    order_repo.add_order(db, order)
    _log_status(db, order, None, OrderStatus.DRAFT, reason=None, by=actor, at=at)
    _audit(db, order, AuditAction.CREATE, ctx=ctx, at=at, detail=f"protocol={protocol.id}")
    return order


def _new_order(
    patient: Patient,
    protocol: Protocol,
    inputs: DoseInputs,
    facts: PatientFacts,
    result: DoseCalculation,
    today: date,
) -> Order:
    pump = result.pump
    return Order(
        organisation_id=patient.organisation_id,
        patient_id=patient.id,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        drug=result.drug,
        route=result.route,
        status=OrderStatus.DRAFT,
        inputs={**inputs.as_json(), **facts.as_json(), "today": today.isoformat()},
        calculation=result.as_dict(),
        dose_mg=result.dose.value,
        weight_basis=result.weight_basis.value if result.weight_basis else None,
        weight_used_kg=result.weight_used.value if result.weight_used else None,
        weight_measured_on=result.weight_measured_on,
        weight_measurement_id=facts.weight_measurement_id if result.weight_used else None,
        concentration_mg_per_ml=pump.concentration.value if pump else None,
        final_volume_ml=pump.volume_to_infuse.value if pump else None,
        rate_ml_per_h=pump.rate.value if pump else None,
        duration_min=int(result.duration.value),
        warnings=[f.as_dict() for f in result.findings],
        requires_override=result.requires_override,
        version=1,
    )


def _log_status(
    db: Session,
    order: Order,
    old: OrderStatus | None,
    new: OrderStatus,
    *,
    reason: str | None,
    by: Actor,
    at: datetime,
) -> None:
    order_repo.add_status_change(
        db,
        OrderStatusChange(
            order_id=order.id,
            from_status=old,
            to_status=new,
            reason=reason,
            changed_by=by.user_id,
            changed_at=at,
        ),
    )


def _audit(
    db: Session,
    order: Order,
    action: AuditAction,
    *,
    ctx: AuditContext,
    at: datetime,
    detail: str | None = None,
) -> None:
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=action,
        entity_type=AuditEntity.ORDER,
        entity_id=order.id,
        patient_id=order.patient_id,
        detail=detail,
    )


def get_order(db: Session, *, order_id: int) -> Order:
    """The order with ``order_id`` (no authorisation, no audit: the caller does both).

    Raises:
        NotFound: ``order.not_found``.
    """
    order = order_repo.get_order(db, order_id)
    if order is None:
        raise NotFound("order.not_found", f"No order with id {order_id}.")
    return order


def signed_orders_for(db: Session, *, patient_id: int) -> list[Order]:
    """The patient's signed (not yet given, not cancelled) orders, newest first. No audit."""
    return order_repo.list_orders(db, patient_id=patient_id, status=OrderStatus.SIGNED)


def load_order(
    db: Session,
    *,
    order_id: int,
    actor: Actor,
    action: Action,
    audit_action: AuditAction,
    entity_type: AuditEntity = AuditEntity.ORDER,
) -> Order:
    """Fetch an order and authorise ``action`` on its patient (refusals are audited by the edge)."""
    order = get_order(db, order_id=order_id)
    authorize(
        actor,
        action,
        Target(order.organisation_id, order.patient_id),
        audit_action=audit_action,
        entity_type=entity_type,
        entity_id=order.id,
    )
    return order


def read_order(db: Session, *, order_id: int, at: datetime, ctx: AuditContext) -> Order:
    """One order for viewing (prescribers, nurses, admins of the organisation); audited."""
    order = load_order(
        db,
        order_id=order_id,
        actor=require_actor(ctx),
        action=Action.CLINICAL_READ,
        audit_action=AuditAction.READ,
    )
    _audit(db, order, AuditAction.READ, ctx=ctx, at=at)
    return order


def list_patient_orders(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> list[Order]:
    """All of a patient's orders, newest first; audited as one read."""
    access = patient_access(
        db,
        ctx,
        patient_id,
        at=at,
        action=Action.CLINICAL_READ,
        audit_action=AuditAction.READ,
        entity=AuditEntity.ORDER,
    )
    orders = order_repo.list_orders(db, patient_id=patient_id)
    access.record(detail=f"results={len(orders)}")
    return orders


def order_history(db: Session, *, order: Order) -> list[OrderStatusChange]:
    """Status changes of an order the caller has already loaded and audited."""
    return order_repo.list_status_changes(db, order_id=order.id)


def _check_version(order: Order, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != order.version:
        raise Conflict(
            "order.version_conflict",
            f"The order changed since you loaded it (version {order.version}, you had "
            f"{expected_version}). Reload it and try again.",
            field="version",
        )


def sign_order(
    db: Session,
    *,
    order_id: int,
    override_reason: str | None = None,
    expected_version: int | None = None,
    at: datetime,
    ctx: AuditContext,
) -> Order:
    """Sign a draft (prescriber only), re-checking it against today's date and the protocol.

    The calculation is run again with the stored inputs so a weight that has gone stale since
    the draft, or a protocol changed since, blocks the signature instead of slipping through.

    Raises:
        AccessDenied: not a prescriber of the organisation.
        Conflict: not a draft, stale version, or the recalculation differs.
        Invalid: a soft limit is exceeded and no reason is stored or given.
        RuleViolation: the weight is now too old (or any hard limit).
    """
    actor = require_actor(ctx)
    order = load_order(
        db,
        order_id=order_id,
        actor=actor,
        action=Action.CLINICAL_SIGN,
        audit_action=AuditAction.UPDATE,
    )
    _check_version(order, expected_version)
    transition(order.status, OrderStatus.SIGNED)  # refuse early, before the recalculation
    reason = _clean_reason(override_reason, field="override_reason") or order.override_reason
    _require_override_reason(order.requires_override, reason)
    _recheck(db, order, today=at.date(), reason=reason)
    order.override_reason = reason if order.requires_override else None
    order.signed_by, order.signed_at = actor.user_id, at
    return _move(db, order, OrderStatus.SIGNED, reason=None, by=actor, ctx=ctx, at=at)


def _move(
    db: Session,
    order: Order,
    to: OrderStatus,
    *,
    reason: str | None,
    by: Actor,
    ctx: AuditContext,
    at: datetime,
) -> Order:
    """Apply one transition of the core's order state machine, log it and audit it."""
    old = transition(order.status, to)
    order.status, order.updated_at = to, at
    db.flush()
    _log_status(db, order, old, to, reason=reason, by=by, at=at)
    _audit(db, order, AuditAction.UPDATE, ctx=ctx, at=at, detail=f"status={to.value}")
    return order


def _recheck(db: Session, order: Order, *, today: date, reason: str | None) -> None:
    again = recalculate_for_signing(db, order=order, today=today)
    _require_override_reason(again, reason)
    order.calculation, order.requires_override = again.as_dict(), again.requires_override
    order.warnings = [f.as_dict() for f in again.findings]


def cancel_order(
    db: Session,
    *,
    order_id: int,
    reason: str,
    expected_version: int | None = None,
    at: datetime,
    ctx: AuditContext,
) -> Order:
    """Cancel a draft or signed order with a reason (prescriber only)."""
    actor = require_actor(ctx)
    order = load_order(
        db,
        order_id=order_id,
        actor=actor,
        action=Action.CLINICAL_SIGN,
        audit_action=AuditAction.UPDATE,
    )
    text = _clean_reason(reason, field="reason")
    if text is None:
        raise Invalid("order.reason_required", "give a reason for cancelling", field="reason")
    _check_version(order, expected_version)
    return _move(db, order, OrderStatus.CANCELLED, reason=text, by=actor, ctx=ctx, at=at)


def mark_order_given(db: Session, *, order_id: int, at: datetime, ctx: AuditContext) -> Order:
    """Mark a signed order as given (the treatment-session feature calls this)."""
    actor = require_actor(ctx)
    order = load_order(
        db,
        order_id=order_id,
        actor=actor,
        action=Action.SESSION_RUN,
        audit_action=AuditAction.UPDATE,
    )
    return _move(db, order, OrderStatus.GIVEN, reason=None, by=actor, ctx=ctx, at=at)
