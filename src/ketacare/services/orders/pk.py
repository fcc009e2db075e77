"""Predicted plasma concentrations for a medication order (display only; never used to dose).

Which models apply to the order's drug and route, and which one gives the population band, is
a clinical choice made in the core (``core.dosing.pk.models_for``,
docs/clinical/pk.md#gaps-and-recommendations); this module turns
the stored order into a regimen, runs the core simulator and audits the read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.codes import Drug, Route
from ketacare.core.dosing.pk import (
    DEFAULT_BANDS,
    Band,
    Covariates,
    Dose,
    ModelSelection,
    PKModel,
    Regimen,
    get_model,
    models_for,
    simulate,
    simulate_population,
)
from ketacare.core.errors import Invalid
from ketacare.db.models import Order
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext, record_event
from ketacare.services.orders.lifecycle import load_order

# Display settings, not clinical numbers: how long after the last input the curve runs, its
# resolution, and the size and seed of the virtual population (a fixed seed keeps the band the
# same every time the order is opened).
PK_FOLLOW_UP_MIN = 240
PK_STEP_MIN = 2
PK_POPULATION_SIZE = 500
PK_SEED = 20261129


@dataclass(frozen=True, slots=True)
class ModelCurve:
    """One model's typical-patient (median) curve for the order."""

    model_id: str
    name: str
    approximate: bool
    concentrations: tuple[float, ...]
    cmax_ng_per_ml: float
    tmax_min: float
    warnings: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class PopulationBand:
    """5th/50th/95th percentile curves over virtual patients of one model."""

    model_id: str
    subjects: int
    seed: int
    p5: tuple[float, ...]
    p50: tuple[float, ...]
    p95: tuple[float, ...]
    cmax_ng_per_ml: Mapping[str, float]
    note: str | None


@dataclass(frozen=True, slots=True)
class OrderPK:
    """Predicted plasma concentration of the parent drug for an order."""

    order_id: int
    analyte: str
    weight_kg: float
    times_min: tuple[float, ...]
    main_model: str
    models: tuple[ModelCurve, ...]
    population: PopulationBand | None
    bands: tuple[Band, ...]
    notes: tuple[str, ...]


def order_regimen(order: Order) -> Regimen:
    """The order as a PK regimen: one infusion (or bolus), or nasal devices at their spacing."""
    dose = float(order.dose_mg)
    if order.route == Route.INTRANASAL:
        devices = int(order.calculation.get("devices") or 1)
        gap = float(order.calculation.get("minutes_between_devices") or 0)
        return Regimen(tuple(Dose.nasal(dose / devices, at_min=k * gap) for k in range(devices)))
    bolus = order.calculation.get("bolus_mg")
    if order.duration_min > 0 and bolus:
        # A loading bolus at the start, then the infusion (the bolus is not in dose_mg).
        return Regimen((Dose.bolus(float(bolus)), Dose.infusion(dose, float(order.duration_min))))
    if order.duration_min > 0:
        return Regimen.single(Dose.infusion(dose, float(order.duration_min)))
    return Regimen.single(Dose.bolus(dose))


def predict_order(order: Order) -> OrderPK:
    """Predicted concentrations for ``order`` (no database, no audit: callers audit).

    Raises:
        Invalid: no PK model for the drug and route, or no weight recorded on the order.
    """
    selection = models_for(order.drug, order.route)
    weight = order.inputs.get("weight_kg")
    if weight is None:
        raise Invalid("pk.weight_required", "the order has no recorded weight", field="weight_kg")
    weight_kg = float(weight)
    regimen = order_regimen(order)
    end = regimen.last_end_min + PK_FOLLOW_UP_MIN
    times = tuple(float(t) for t in range(0, int(end) + 1, PK_STEP_MIN))
    age = order.inputs.get("age_years")
    covariates = Covariates(age_years=float(age)) if age is not None else Covariates()
    models = [get_model(model_id) for model_id in selection.model_ids]
    curves = tuple(_model_curve(m, weight_kg, regimen, times, covariates) for m in models)
    population = _population(selection, weight_kg, regimen, times, covariates)
    notes = [f"Main model: {models[0].name}. Predictions are illustrative, not targets."]
    if order.drug != Drug.KETAMINE:
        notes.append(
            "Display bands are racemic-ketamine literature ranges "
            "(docs/clinical/pk.md#concentration-thresholds)."
        )
    return OrderPK(
        order_id=order.id,
        analyte=models[0].analytes[0],
        weight_kg=weight_kg,
        times_min=times,
        main_model=models[0].id,
        models=curves,
        population=population,
        bands=DEFAULT_BANDS,
        notes=tuple(notes),
    )


def _model_curve(
    model: PKModel, weight_kg: float, regimen: Regimen, times: tuple[float, ...], cov: Covariates
) -> ModelCurve:
    result = simulate(model, weight_kg, regimen, times, covariates=cov)
    metrics = result.metrics[result.analyte]
    return ModelCurve(
        model_id=model.id,
        name=model.name,
        approximate=model.approximate,
        concentrations=tuple(float(c) for c in result.concentrations[result.analyte]),
        cmax_ng_per_ml=metrics.cmax_ng_per_ml,
        tmax_min=metrics.tmax_min,
        warnings=result.warnings,
        source=model.source,
    )


def _population(
    selection: ModelSelection,
    weight_kg: float,
    regimen: Regimen,
    times: tuple[float, ...],
    cov: Covariates,
) -> PopulationBand | None:
    """Percentiles of the model the core chose for the band; ``note`` says so when that is not
    the main model (Domino reports no variability, and inventing one is not allowed)."""
    if selection.population is None:
        return None
    chosen = get_model(selection.population)
    note = None if selection.population == selection.main else selection.population_reason
    result = simulate_population(
        chosen, weight_kg, regimen, times, n=PK_POPULATION_SIZE, seed=PK_SEED, covariates=cov
    )
    bands = result.concentrations[result.analyte]
    return PopulationBand(
        model_id=chosen.id,
        subjects=result.subjects,
        seed=result.seed,
        p5=tuple(float(c) for c in bands["p5"]),
        p50=tuple(float(c) for c in bands["p50"]),
        p95=tuple(float(c) for c in bands["p95"]),
        cmax_ng_per_ml=result.metric_percentiles(result.analyte)["cmax_ng_per_ml"],
        note=note,
    )


def order_concentrations(
    db: Session, *, order_id: int, at: datetime, ctx: AuditContext
) -> tuple[Order, OrderPK]:
    """The order and its predicted concentration curves (clinical readers); audited."""
    order = load_order(
        db,
        order_id=order_id,
        actor=require_actor(ctx),
        action=Action.CLINICAL_READ,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.ORDER_PK,
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type=AuditEntity.ORDER_PK,
        entity_id=order.id,
        patient_id=order.patient_id,
        detail=None,
    )
    return order, predict_order(order)
