"""Dose calculation for an order: the chart's facts and the prescriber's inputs to the core.

Every number comes from ``ketacare.core.dosing.calculate_dose``; this module gathers its inputs
(the latest dated weight and height, sex at birth, age, and the patient's other booked or given
sessions of the same drug for the mg per day and per 7 days limits) and runs it, for orders and
for previews that store nothing.

``DoseInputs`` (what the prescriber chooses) and ``PatientFacts`` (what is known of the patient)
are the one definition of a dose question for every adapter: the API's and the pages' schemas
convert into them, ``ketacare dose`` builds them from its options, and all of them are answered
by ``calculate`` (``calculate_typed_in`` for the CLI, which has no database).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.codes import MeasurementKind, SexAtBirth
from ketacare.core.dosing.calculator import calculate_dose
from ketacare.core.dosing.config import DEFAULT_CONFIG, DosingConfig
from ketacare.core.dosing.library import get_protocol
from ketacare.core.dosing.limit_checks import WEEK_DAYS
from ketacare.core.dosing.limits import PriorDose
from ketacare.core.dosing.order import DoseCalculation, DoseRequest
from ketacare.core.dosing.protocol import Protocol
from ketacare.core.errors import Conflict
from ketacare.core.patients.body_weight import DEVINE_SEXES, BodyMeasurements, WeightBasis
from ketacare.core.session.states import SessionState
from ketacare.core.time import age_in_years
from ketacare.db.models import BodyMeasurement, Order, Patient
from ketacare.db.repositories import order as order_repo
from ketacare.db.repositories import patient as patient_repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext, authorize
from ketacare.services.orders.protocols import protocol_for

# What other sessions change (mg per day and per 7 days) may differ between draft and signature;
# it is re-assessed, not compared: the dose itself must not have changed.
_REASSESSED = frozenset({"warnings", "requires_override", "limits", "override_reasons_required"})


@dataclass(frozen=True, slots=True)
class DoseInputs:
    """What the prescriber chooses; unset values fall back to the protocol's defaults."""

    protocol_id: str
    weight_basis: WeightBasis | None = None
    dose_mg_per_kg: Decimal | None = None
    rate_mg_per_kg_per_h: Decimal | None = None
    duration_min: int | None = None
    concentration_mg_per_ml: Decimal | None = None
    final_volume_ml: Decimal | None = None
    dose_mg: Decimal | None = None
    first_dose: bool = False
    bolus_mg_per_kg: Decimal | None = None
    bolus_mg: Decimal | None = None

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form; decimals as strings so nothing is lost."""
        return {k: _json_value(v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DoseInputs:
        def dec(key: str) -> Decimal | None:
            value = data.get(key)
            return None if value is None else Decimal(str(value))

        basis = data.get("weight_basis")
        return cls(
            protocol_id=str(data["protocol_id"]),
            weight_basis=WeightBasis(basis) if basis else None,
            dose_mg_per_kg=dec("dose_mg_per_kg"),
            rate_mg_per_kg_per_h=dec("rate_mg_per_kg_per_h"),
            duration_min=data.get("duration_min"),
            concentration_mg_per_ml=dec("concentration_mg_per_ml"),
            final_volume_ml=dec("final_volume_ml"),
            dose_mg=dec("dose_mg"),
            first_dose=bool(data.get("first_dose", False)),
            bolus_mg_per_kg=dec("bolus_mg_per_kg"),
            bolus_mg=dec("bolus_mg"),
        )


@dataclass(frozen=True, slots=True)
class PatientFacts:
    """What the chart tells the calculator about the patient on the order date."""

    body: BodyMeasurements | None
    age_years: int | None
    weight_measurement_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        body = self.body
        return {
            "weight_kg": _json_value(body.weight_kg) if body else None,
            "weight_measured_on": body.weight_measured_on.isoformat() if body else None,
            "height_cm": _json_value(body.height_cm) if body else None,
            "sex_at_birth": _json_value(body.sex_at_birth) if body else None,
            "age_years": self.age_years,
        }

    @classmethod
    def typed_in(
        cls,
        *,
        weight_kg: Decimal,
        weight_measured_on: date,
        height_cm: Decimal | None = None,
        sex_at_birth: SexAtBirth | None = None,
        age_years: int | None = None,
    ) -> PatientFacts:
        """Facts typed in for a preview (``ketacare dose``, ``POST /dose-calculations``)."""
        body = BodyMeasurements(
            weight_kg=weight_kg,
            weight_measured_on=weight_measured_on,
            height_cm=height_cm,
            sex_at_birth=sex_at_birth,
        )
        return cls(body=body, age_years=age_years)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PatientFacts:
        if data.get("weight_kg") is None:
            return cls(body=None, age_years=data.get("age_years"))
        height, sex = data.get("height_cm"), data.get("sex_at_birth")
        body = BodyMeasurements(
            weight_kg=Decimal(str(data["weight_kg"])),
            weight_measured_on=date.fromisoformat(str(data["weight_measured_on"])),
            height_cm=None if height is None else Decimal(str(height)),
            sex_at_birth=None if sex is None else SexAtBirth(sex),
        )
        return cls(body=body, age_years=data.get("age_years"))


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, StrEnum):
        return value.value
    return value


def calculate(
    protocol: Protocol,
    inputs: DoseInputs,
    facts: PatientFacts,
    today: date,
    others: tuple[PriorDose, ...] = (),
    config: DosingConfig = DEFAULT_CONFIG,
) -> DoseCalculation:
    """Run the core calculator (raises ``Invalid``/``RuleViolation`` exactly as the core does).

    ``others`` are the patient's other sessions of the drug (``other_session_doses``).
    """
    return calculate_dose(
        DoseRequest(
            protocol=protocol,
            today=today,
            body=facts.body,
            weight_basis=inputs.weight_basis,
            dose_mg_per_kg=inputs.dose_mg_per_kg,
            rate_mg_per_kg_per_h=inputs.rate_mg_per_kg_per_h,
            duration_min=inputs.duration_min,
            concentration_mg_per_ml=inputs.concentration_mg_per_ml,
            final_volume_ml=inputs.final_volume_ml,
            dose_mg=inputs.dose_mg,
            first_dose=inputs.first_dose,
            age_years=facts.age_years,
            bolus_mg_per_kg=inputs.bolus_mg_per_kg,
            bolus_mg=inputs.bolus_mg,
            other_sessions=others,
        ),
        config,
    )


def calculate_typed_in(
    inputs: DoseInputs,
    facts: PatientFacts,
    *,
    today: date,
    others: tuple[PriorDose, ...] = (),
    config: DosingConfig = DEFAULT_CONFIG,
) -> DoseCalculation:
    """``ketacare dose``: a built-in protocol, everything typed in; no database, nothing stored.

    Raises:
        Invalid: ``protocol.unknown``; else ``Invalid``/``RuleViolation`` as ``calculate``.
    """
    return calculate(get_protocol(inputs.protocol_id), inputs, facts, today, others, config)


def other_session_doses(
    db: Session,
    *,
    patient_id: int,
    drug: str,
    around: date,
    exclude_order_id: int | None = None,
) -> tuple[PriorDose, ...]:
    """The patient's booked or given sessions of ``drug`` within 6 days either side of ``around``.

    Every 7-day window that contains ``around`` lies inside that span. Each session counts its
    order's session total (infusion or devices plus any bolus). Sessions aborted before any
    administration are left out; ``exclude_order_id`` leaves out the order being re-checked.
    """
    span = timedelta(days=WEEK_DAYS - 1)
    start = datetime.combine(around - span, time.min, tzinfo=UTC)
    end = datetime.combine(around + span + timedelta(days=1), time.min, tzinfo=UTC)
    rows = order_repo.list_session_orders(
        db,
        patient_id=patient_id,
        drug=drug,
        start=start,
        end=end,
        skip_states=[SessionState.ABORTED],
        exclude_order_id=exclude_order_id,
    )
    return tuple(PriorDose(starts_at.date(), session_mg(order)) for starts_at, order in rows)


def session_mg(order: Order) -> Decimal:
    """The mg one session of ``order`` gives: the infusion or devices plus any bolus."""
    bolus = (order.calculation or {}).get("bolus_mg")
    return order.dose_mg + (Decimal(str(bolus)) if bolus else Decimal(0))


def preview_dose(
    db: Session, *, inputs: DoseInputs, facts: PatientFacts, today: date, ctx: AuditContext
) -> DoseCalculation:
    """A dose calculation for typed-in inputs, as ``ketacare dose`` gives it; nothing stored.

    No patient data is involved (the caller types the weight), so nothing is audited.
    """
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.CLINICAL_READ,
        None,
        audit_action=AuditAction.EXECUTE,
        entity_type=AuditEntity.DOSE,
    )
    protocol = protocol_for(
        db, organisation_id=actor.organisation_id, protocol_id=inputs.protocol_id
    )
    return calculate(protocol, inputs, facts, today)


def chart_facts(db: Session, *, patient: Patient, today: date) -> PatientFacts:
    """The patient's latest dated weight and height, sex at birth and age (no authorisation)."""
    weight = patient_repo.latest_measurement(db, patient_id=patient.id, kind=MeasurementKind.WEIGHT)
    height = patient_repo.latest_measurement(db, patient_id=patient.id, kind=MeasurementKind.HEIGHT)
    age = age_in_years(patient.date_of_birth, today=today)
    if weight is None:
        return PatientFacts(body=None, age_years=age)
    # Only the sexes the Devine formula is defined on are snapshotted; any other value is stored
    # as unknown, and the core refuses the ideal/adjusted bases naming the field.
    recorded = SexAtBirth(patient.sex_at_birth)
    sex = recorded if recorded in DEVINE_SEXES else None
    body = BodyMeasurements(
        weight_kg=weight.value,
        weight_measured_on=weight.measured_at.date(),
        height_cm=_height(height),
        sex_at_birth=sex,
    )
    return PatientFacts(body=body, age_years=age, weight_measurement_id=weight.id)


def _height(row: BodyMeasurement | None) -> Decimal | None:
    return None if row is None else row.value


def recalculate_for_signing(db: Session, *, order: Order, today: date) -> DoseCalculation:
    """The order's calculation run again with its stored inputs, today's date and sessions.

    A weight gone stale or a hard limit now reached (e.g. a session booked since the draft)
    raises as the core does; a changed dose means the protocol changed since the draft.

    Raises:
        Conflict: ``order.calculation_changed``.
    """
    protocol = protocol_for(
        db, organisation_id=order.organisation_id, protocol_id=order.protocol_id
    )
    others = other_session_doses(
        db, patient_id=order.patient_id, drug=order.drug, around=today, exclude_order_id=order.id
    )
    inputs, facts = DoseInputs.from_json(order.inputs), PatientFacts.from_json(order.inputs)
    again = calculate(protocol, inputs, facts, today, others)
    fresh = again.as_dict()
    if any(fresh.get(k) != v for k, v in order.calculation.items() if k not in _REASSESSED):
        raise Conflict(
            "order.calculation_changed",
            "the protocol changed since this draft was calculated; cancel it and order again",
            field="protocol",
        )
    return again
