"""Order pages: the dose calculator form on the chart, and the order with its predicted curve."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ketacare.core.authz import Action, Target, can
from ketacare.core.dosing.order import DoseCalculation
from ketacare.core.errors import Conflict, DomainError, Invalid, RuleViolation
from ketacare.core.orders import OrderStatus
from ketacare.core.patients.body_weight import WeightBasis
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.orders import pk as pk_service
from ketacare.services.orders import protocols as protocol_service
from ketacare.services.patients import medications as medication_service
from ketacare.services.patients import registry as patient_service
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.errors import status_for
from ketacare.web.forms import FormState, failed, parse, text_values
from ketacare.web.pages.common import render, see_other
from ketacare.web.pk_chart import render_order_pk_svg
from ketacare.web.schemas.order import OrderCancel, OrderCreate, OrderSign

router = APIRouter(include_in_schema=False)

FORM_FIELDS = (
    "protocol",
    "weight_basis",
    "dose_mg_per_kg",
    "rate_mg_per_kg_per_h",
    "duration_min",
    "concentration_mg_per_ml",
    "final_volume_ml",
    "dose_mg",
    "bolus_mg_per_kg",
    "override_reason",
)


def _general(exc: ValidationError | DomainError) -> FormState:
    """A refusal of the whole order (sign, cancel) in plain words above it."""
    return failed("order", {}, exc, fields=())


def _orders_page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    patient_id: int,
    *,
    values: dict[str, Any] | None = None,
    result: DoseCalculation | None = None,
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    orders = order_service.list_patient_orders(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    header = patient_service.chart_header(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    target = Target(header.patient.organisation_id, header.patient.id)
    form = form or FormState("order", values or {})
    needs_reason = bool(result and result.requires_override) or "override_reason" in form.errors
    return render(
        request,
        state,
        "orders/list.html",
        auth,
        status=status,
        header=header,
        orders=orders,
        protocols=protocol_service.list_protocols_for(db, ctx=auth.ctx),
        bases=[b.value for b in WeightBasis],
        values=form.values,
        result=result.as_dict() if result else None,
        form=form,
        needs_reason=needs_reason,
        can_order=bool(can(auth.actor, Action.CLINICAL_SIGN, target)),
    )


@router.get("/patients/{patient_id}/orders", response_class=HTMLResponse)
def orders_page(
    request: Request, patient_id: int, db: Db, state: State, auth: CurrentAuth
) -> Response:
    return _orders_page(request, db, state, auth, patient_id)


@router.post("/patients/{patient_id}/orders", response_class=HTMLResponse)
async def submit_order(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    """ "Calculate" shows the result on the form; "Save draft order" stores it."""
    form = await request.form()
    values = text_values(form, (*FORM_FIELDS, "first_dose"))
    save = form.get("intent") == "save"
    result = None
    try:
        body = parse(OrderCreate, values, flags=("first_dose",))
        inputs = body.to_inputs()
        result = order_service.preview_order(
            db, patient_id=patient_id, inputs=inputs, at=auth.at, ctx=auth.ctx
        )
        if save:
            order = order_service.create_order(
                db,
                patient_id=patient_id,
                inputs=inputs,
                override_reason=body.override_reason,
                at=auth.at,
                ctx=auth.ctx,
            )
            return see_other(f"/orders/{order.id}")
    except (ValidationError, Invalid, RuleViolation) as exc:
        db.rollback()
        bad = failed("order", values, exc, fields=(*FORM_FIELDS, "first_dose"))
        return _orders_page(
            request, db, state, auth, patient_id, result=result, form=bad, status=status_for(exc)
        )
    return _orders_page(request, db, state, auth, patient_id, values=values, result=result)


def _order_page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    order_id: int,
    *,
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    order = order_service.read_order(db, order_id=order_id, at=auth.at, ctx=auth.ctx)
    patient = patient_service.get_patient(db, patient_id=order.patient_id, at=auth.at, ctx=auth.ctx)
    chart, chart_error, prediction = None, None, None
    try:
        prediction = pk_service.predict_order(order)
        chart = render_order_pk_svg(prediction)
    except Invalid as exc:
        chart_error = exc.message
    target = Target(order.organisation_id, order.patient_id)
    return render(
        request,
        state,
        "orders/detail.html",
        auth,
        status=status,
        order=order,
        patient=patient,
        history=order_service.order_history(db, order=order),
        medicines=medication_service.medicines_panel(
            db,
            patient_id=order.patient_id,
            protocol_id=order.protocol_id,
            at=auth.at,
            ctx=auth.ctx,
        ),
        chart=chart,
        chart_error=chart_error,
        prediction=prediction,
        form=form or FormState("order"),
        can_sign=bool(can(auth.actor, Action.CLINICAL_SIGN, target)),
        OrderStatus=OrderStatus,
    )


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_page(
    request: Request, order_id: int, db: Db, state: State, auth: CurrentAuth
) -> Response:
    return _order_page(request, db, state, auth, order_id)


@router.post("/orders/{order_id}/sign", response_class=HTMLResponse)
async def sign_order(
    request: Request, order_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    try:
        body = parse(OrderSign, text_values(form, ("override_reason", "version")))
        order_service.sign_order(
            db,
            order_id=order_id,
            override_reason=body.override_reason,
            expected_version=body.version,
            at=auth.at,
            ctx=auth.ctx,
        )
    except (ValidationError, Invalid, RuleViolation, Conflict) as exc:
        db.rollback()
        return _order_page(
            request, db, state, auth, order_id, form=_general(exc), status=status_for(exc)
        )
    return see_other(f"/orders/{order_id}")


@router.post("/orders/{order_id}/cancel", response_class=HTMLResponse)
async def cancel_order(
    request: Request, order_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    try:
        body = parse(OrderCancel, text_values(form, ("reason", "version")))
        order_service.cancel_order(
            db,
            order_id=order_id,
            reason=body.reason,
            expected_version=body.version,
            at=auth.at,
            ctx=auth.ctx,
        )
    except (ValidationError, Invalid, Conflict) as exc:
        db.rollback()
        return _order_page(
            request, db, state, auth, order_id, form=_general(exc), status=status_for(exc)
        )
    return see_other(f"/orders/{order_id}")
