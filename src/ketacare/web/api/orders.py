"""Protocols, dose previews, medication orders and their predicted concentration curves."""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request

from ketacare.services.orders import dose as dose_calculation
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.orders import pk as pk_service
from ketacare.services.orders import protocols as protocol_service
from ketacare.services.orders.pk import OrderPK
from ketacare.web import idempotency
from ketacare.web.deps import ApiAuth, Db
from ketacare.web.schemas.common import PathId
from ketacare.web.schemas.errors import API_ERRORS
from ketacare.web.schemas.order import (
    DoseCalculationCreate,
    OrderCancel,
    OrderCreate,
    OrderRead,
    OrderSign,
    ProtocolRead,
)

router = APIRouter(prefix="/api/v1", tags=["orders"], responses=API_ERRORS)


@router.get("/protocols", response_model=list[ProtocolRead])
def list_protocols(db: Db, auth: ApiAuth) -> list[ProtocolRead]:
    """Built-in protocols plus the caller's organisation's custom ones."""
    found = protocol_service.list_protocols_for(db, ctx=auth.ctx)
    return [ProtocolRead(**p.summary(), custom=protocol_service.is_custom(p)) for p in found]


@router.post("/protocols", status_code=201)
def add_protocol(body: dict[str, Any], db: Db, auth: ApiAuth) -> dict[str, Any]:
    """Add a custom protocol (admin): a full protocol definition, validated by the core."""
    protocol = protocol_service.add_custom_protocol(db, definition=body, at=auth.at, ctx=auth.ctx)
    return protocol.to_dict()


@router.post("/dose-calculations")
def preview_dose(body: DoseCalculationCreate, db: Db, auth: ApiAuth) -> dict[str, Any]:
    """Calculate a dose as `ketacare dose --json` does; nothing is stored."""
    today = body.today or auth.at.date()
    result = dose_calculation.preview_dose(
        db, inputs=body.to_inputs(), facts=body.to_facts(today), today=today, ctx=auth.ctx
    )
    return result.as_dict()


@router.post("/patients/{patient_id}/orders", status_code=201, response_model=OrderRead)
def create_order(
    patient_id: PathId, body: OrderCreate, request: Request, db: Db, auth: ApiAuth
) -> Any:
    """Create a draft order from the chart's latest dated weight. Idempotency-Key supported."""
    replayed = idempotency.replay(request, db, auth, body)
    if replayed is not None:
        return replayed
    order = order_service.create_order(
        db,
        patient_id=patient_id,
        inputs=body.to_inputs(),
        override_reason=body.override_reason,
        at=auth.at,
        ctx=auth.ctx,
    )
    result = OrderRead.model_validate(order)
    return idempotency.respond(request, db, auth, body, 201, result)


@router.get("/patients/{patient_id}/orders", response_model=list[OrderRead])
def list_orders(patient_id: PathId, db: Db, auth: ApiAuth) -> list[OrderRead]:
    found = order_service.list_patient_orders(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    return [OrderRead.model_validate(o) for o in found]


@router.get("/orders/{order_id}", response_model=OrderRead)
def read_order(order_id: PathId, db: Db, auth: ApiAuth) -> OrderRead:
    order = order_service.read_order(db, order_id=order_id, at=auth.at, ctx=auth.ctx)
    return OrderRead.model_validate(order)


@router.post("/orders/{order_id}/sign", response_model=OrderRead)
def sign_order(order_id: PathId, body: OrderSign, db: Db, auth: ApiAuth) -> OrderRead:
    """Sign a draft (prescriber). A soft-limit breach needs an override reason."""
    order = order_service.sign_order(
        db,
        order_id=order_id,
        override_reason=body.override_reason,
        expected_version=body.version,
        at=auth.at,
        ctx=auth.ctx,
    )
    return OrderRead.model_validate(order)


@router.post("/orders/{order_id}/cancel", response_model=OrderRead)
def cancel_order(order_id: PathId, body: OrderCancel, db: Db, auth: ApiAuth) -> OrderRead:
    order = order_service.cancel_order(
        db,
        order_id=order_id,
        reason=body.reason,
        expected_version=body.version,
        at=auth.at,
        ctx=auth.ctx,
    )
    return OrderRead.model_validate(order)


@router.get("/orders/{order_id}/pk")
def order_pk(order_id: PathId, db: Db, auth: ApiAuth) -> dict[str, Any]:
    """Predicted plasma concentrations: a median curve per model, the population 5-95 % band
    of the main model (or the first model that reports variability) and the display bands."""
    _, prediction = pk_service.order_concentrations(db, order_id=order_id, at=auth.at, ctx=auth.ctx)
    return pk_document(prediction)


def _upper(value: float) -> float | None:
    return None if math.isinf(value) else value


def pk_document(pk: OrderPK) -> dict[str, Any]:
    """JSON form of a prediction (ng/mL, minutes)."""
    population = pk.population
    return {
        "order_id": pk.order_id,
        "analyte": pk.analyte,
        "unit": "ng/mL",
        "weight_kg": pk.weight_kg,
        "times_min": list(pk.times_min),
        "main_model": pk.main_model,
        "models": [
            {
                "model": m.model_id,
                "name": m.name,
                "approximate": m.approximate,
                "median_ng_per_ml": list(m.concentrations),
                "cmax_ng_per_ml": m.cmax_ng_per_ml,
                "tmax_min": m.tmax_min,
                "warnings": list(m.warnings),
                "source": m.source,
            }
            for m in pk.models
        ],
        "population": None
        if population is None
        else {
            "model": population.model_id,
            "subjects": population.subjects,
            "seed": population.seed,
            "p5": list(population.p5),
            "p50": list(population.p50),
            "p95": list(population.p95),
            "cmax_ng_per_ml": dict(population.cmax_ng_per_ml),
            "note": population.note,
        },
        "bands": [
            {"lower": b.lower, "upper": _upper(b.upper), "label": b.label, "source": b.source}
            for b in pk.bands
        ],
        "notes": list(pk.notes),
    }
