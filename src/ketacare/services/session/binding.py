"""The signed order, the protocol's hard ceilings and the record so far, as the core's values.

The rules that bind the chairside record to the order live in
``ketacare.core.session.administration_limits``; this module only gathers their inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ketacare.core.codes import Drug, MeasurementKind, SessionDrug
from ketacare.core.dosing.ceilings import session_ceilings as dose_ceilings
from ketacare.core.dosing.rules import InfusionRule
from ketacare.core.errors import Conflict
from ketacare.core.session.administration import total_administered
from ketacare.core.session.administration_limits import (
    GivenSoFar,
    HardCeilings,
    OrderedDose,
    Shortfall,
    check_end_of_dosing,
    check_rate_change,
    ordered_devices,
)
from ketacare.core.session.model import AdministrationKind
from ketacare.db.models import AdministrationEvent, Order, TreatmentSession
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import session as repo
from ketacare.services.orders.protocols import protocol_for
from ketacare.services.session.facts import (
    administration_record,
    effective_events,
    infusate_concentration,
)
from ketacare.services.session.gates import order_of


def is_esketamine(row: TreatmentSession) -> bool:
    return row.drug == SessionDrug.ESKETAMINE_NASAL


def signed_order(db: Session, row: TreatmentSession) -> Order:
    """The order the session was started on (the record is bound by it)."""
    order = order_of(db, row)
    if order is None:
        raise Conflict(
            "administration.no_order",
            "this session has no signed order to chart against",
            field="order_id",
        )
    return order


def ordered_dose(order: Order) -> OrderedDose:
    """The signed order as the core reads it."""
    esketamine = Drug(order.drug) is Drug.ESKETAMINE
    bolus = (order.calculation or {}).get("bolus_mg")
    return OrderedDose(
        dose_mg=order.dose_mg,
        duration=timedelta(minutes=order.duration_min or 0),
        concentration_mg_per_ml=infusate_concentration(order),
        rate_ml_per_h=order.rate_ml_per_h,
        bolus_mg=None if bolus is None else Decimal(str(bolus)),
        devices=ordered_devices(order.dose_mg) if esketamine else None,
    )


def session_ceilings(db: Session, row: TreatmentSession, order: Order) -> HardCeilings:
    """The protocol's hard limits for this patient, in mg and mg/h (core ``session_ceilings``).

    Per-kg ceilings are taken on the lighter of the order's dosing weight and the actual weight
    it was calculated from, as the dose calculator does, so neither per-kg figure can be
    exceeded at the chair. Esketamine has only its per-session total (84 mg, Spravato PI §2).
    """
    rule = protocol_for(
        db, organisation_id=row.organisation_id, protocol_id=order.protocol_id
    ).dose_rule
    if isinstance(rule, InfusionRule) and order.weight_used_kg is None:
        return HardCeilings()
    weights = [order.weight_used_kg] if order.weight_used_kg is not None else []
    if order.weight_measurement_id is not None:
        measured = patient_repo.get_measurement(db, measurement_id=order.weight_measurement_id)
        if measured is not None and measured.kind == MeasurementKind.WEIGHT:
            weights.append(measured.value)
    limits = dose_ceilings(rule, min(weights) if weights else None)
    return HardCeilings(
        max_rate_mg_per_h=limits.max_rate_mg_per_h,
        max_total_mg=limits.max_total_mg,
        max_bolus_mg=limits.max_bolus_mg,
    )


def given_so_far(
    events: Sequence[AdministrationEvent], order: Order, *, at: datetime
) -> GivenSoFar:
    """What the record (without lines entered in error) adds up to at ``at``."""
    counted = effective_events(events)
    totals = total_administered(
        administration_record(counted, infusate_concentration(order)), at=at
    )
    rates = [
        e.rate_ml_per_h for e in sorted(counted, key=lambda e: (e.at, e.id)) if e.kind.sets_rate
    ]
    return GivenSoFar(
        total_mg=totals.total_mg,
        running_time=totals.running_time,
        current_rate_ml_per_h=rates[-1] if rates else None,
        devices=sum(1 for e in counted if e.kind == AdministrationKind.DEVICE),
    )


def check_end(
    db: Session,
    row: TreatmentSession,
    *,
    at: datetime,
    confirmed: bool,
    reason: str | None,
) -> Shortfall | None:
    """May administration end now? (Raises ``administration.less_than_ordered`` and so on.)"""
    order = signed_order(db, row)
    given = given_so_far(repo.list_administration(db, session_id=row.id), order, at=at)
    return check_end_of_dosing(
        ordered_dose(order),
        given,
        esketamine=is_esketamine(row),
        confirmed=confirmed,
        reason=reason,
    )


def check_start_rate(db: Session, row: TreatmentSession, rate_ml_per_h: Decimal) -> None:
    """A start rate other than the order's is checked like a rate change, with no override."""
    order = signed_order(db, row)
    check_rate_change(
        ordered_dose(order),
        GivenSoFar(total_mg=Decimal(0), running_time=timedelta(0)),
        session_ceilings(db, row, order),
        rate_ml_per_h=rate_ml_per_h,
        overridden=False,
    )
