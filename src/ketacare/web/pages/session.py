"""Pages of the treatment session: the patient's bookings and the chair page for a tablet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from ketacare.core.authz import Action, Target, can
from ketacare.core.errors import DomainError, Forbidden, Invalid
from ketacare.core.session.model import GateFailure, Symptom
from ketacare.core.session.states import TRANSITIONS, SessionState
from ketacare.services import order_pk as pk_service
from ketacare.services import patients as patient_service
from ketacare.services import rems as rems_service
from ketacare.services import session as svc
from ketacare.services import session_booking as booking_service
from ketacare.services import session_records as records_service
from ketacare.services import session_vitals as vitals_service
from ketacare.services.session_gates import CHECKLIST_ITEMS, GateRefused
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.pages.common import errors_of, render, see_other
from ketacare.web.pk_chart import render_order_pk_svg
from ketacare.web.schemas.session import AdverseEventCreate, VitalsCreate

router = APIRouter(include_in_schema=False)

BUTTON_LABELS = {
    "checked_in": "Check in",
    "ready": "Ready to dose",
    "infusing": "Start / resume",
    "paused": "Pause",
    "recovering": "Stop: recovery",
    "discharged": "Discharge",
    "aborted": "Abort",
}
NEEDS_REASON = {"paused", "aborted"}
CHART_W, CHART_H, CHART_PAD = 640, 180, 24


def _form_time(form: FormData, name: str) -> datetime | None:
    """A datetime-local value plus the browser's offset (minutes, JS convention) -> aware UTC."""
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        naive = datetime.fromisoformat(raw)
        offset = int(str(form.get("tz_offset_min") or "0"))
    except ValueError:
        raise Invalid("form.bad_time", f"{name} is not a date and time", field=name) from None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return (naive + timedelta(minutes=offset)).replace(tzinfo=UTC)


def _int(form: FormData, name: str) -> int | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Invalid("form.not_a_number", f"{name} must be a whole number", field=name) from None


def _dec(form: FormData, name: str) -> Decimal | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise Invalid("form.not_a_number", f"{name} must be a number", field=name) from None


def _flag(form: FormData, name: str) -> bool:
    return str(form.get(name) or "") in ("on", "true", "1", "yes")


def vitals_chart(detail: svc.SessionDetail) -> dict[str, Any]:
    """Polylines for SBP, DBP and HR over the session, scaled into a fixed SVG box."""
    rows = [v for v in detail.vitals if v.systolic or v.diastolic or v.heart_rate]
    if len(rows) < 2:  # a line needs two points
        return {"lines": [], "w": CHART_W, "h": CHART_H}
    t0, t1 = rows[0].measured_at, rows[-1].measured_at
    span = max((t1 - t0).total_seconds(), 1.0)
    lo, hi = 30, 220  # display range in mmHg / beats per minute, not a clinical limit

    def xy(v: Any, value: int) -> str:
        x = CHART_PAD + (v.measured_at - t0).total_seconds() / span * (CHART_W - 2 * CHART_PAD)
        clamped = min(max(value, lo), hi)
        y = CHART_H - CHART_PAD - (clamped - lo) / (hi - lo) * (CHART_H - 2 * CHART_PAD)
        return f"{x:.0f},{y:.0f}"

    lines = []
    for name, attr, css in (
        ("SBP", "systolic", "sbp"),
        ("DBP", "diastolic", "dbp"),
        ("HR", "heart_rate", "hr"),
    ):
        points = " ".join(xy(v, getattr(v, attr)) for v in rows if getattr(v, attr))
        lines.append({"name": name, "points": points, "css": css})
    return {"lines": lines, "w": CHART_W, "h": CHART_H}


def pk_figure(detail: svc.SessionDetail, *, at: datetime) -> dict[str, Any]:
    """The predicted concentration curve of the session's order, marked at "now" once dosing
    began (display only; the prediction never doses). Empty when there is no order or the
    order cannot be predicted (the reason is shown instead)."""
    if detail.order is None:
        return {}
    try:
        prediction = pk_service.predict_order(detail.order)
    except Invalid as exc:
        return {"error": exc.message}
    start = detail.session.first_administration_at
    marker = None if start is None else (at - start).total_seconds() / 60
    svg = render_order_pk_svg(prediction, marker_min=marker)
    return {"svg": svg, "prediction": prediction, "marker_min": marker}


def _chair_page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    session_id: int,
    *,
    errors: dict[str, str] | None = None,
    failures: list[GateFailure] | None = None,
    status: int = 200,
) -> Response:
    detail = svc.get_session_detail(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    row = detail.session
    patient = patient_service.get_patient(db, patient_id=row.patient_id, at=auth.at, ctx=auth.ctx)
    target = Target(row.organisation_id, row.patient_id)
    current = SessionState(row.state)
    return render(
        request,
        state,
        "session/chair.html",
        auth,
        status=status,
        d=detail,
        s=row,
        patient=patient,
        errors=errors or {},
        failures=failures or [],
        moves=[
            {"to": m.value, "label": BUTTON_LABELS[m.value], "reason": m.value in NEEDS_REASON}
            for m in sorted(TRANSITIONS[current], key=lambda m: m is SessionState.ABORTED)
        ],
        open_alerts=[a for a in detail.alerts if a.acknowledged_at is None],
        can_run=bool(can(auth.actor, Action.SESSION_RUN, target)),
        can_sign=bool(can(auth.actor, Action.CLINICAL_SIGN, target)),
        symptoms=[s.value for s in Symptom],
        checklist_items=CHECKLIST_ITEMS,
        chart=vitals_chart(detail),
        pk=pk_figure(detail, at=auth.at),
        esketamine=row.drug == "esketamine_nasal",
        now=auth.at,
    )


async def _act(
    request: Request,
    db: Db,
    state: State,
    auth: CsrfAuth,
    session_id: int,
    work: Callable[[FormData], object],
) -> Response:
    """Run one form action; on a refused rule re-render the chair page with what is wrong."""
    form = await request.form()
    try:
        work(form)
    except GateRefused as exc:
        db.rollback()
        return _chair_page(request, db, state, auth, session_id, failures=exc.failures, status=409)
    except ValidationError as exc:
        db.rollback()
        return _chair_page(request, db, state, auth, session_id, errors=errors_of(exc), status=422)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        db.rollback()
        status = 409 if exc.kind == "conflict" else 422
        errors = {exc.field or "form": exc.message}
        return _chair_page(request, db, state, auth, session_id, errors=errors, status=status)
    return see_other(f"/sessions/{session_id}")


# --- the patient's sessions ------------------------------------------------------------------


def _sessions_page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    patient_id: int,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    header = patient_service.chart_header(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    sessions = booking_service.list_patient_sessions(
        db, patient_id=patient_id, at=auth.at, ctx=auth.ctx
    )
    target = Target(header.patient.organisation_id, header.patient.id)
    can_book = bool(can(auth.actor, Action.SCHEDULE_MANAGE, target))
    chairs, protocols, staff = (
        booking_service.booking_choices(db, ctx=auth.ctx) if can_book else ([], [], [])
    )
    return render(
        request,
        state,
        "session/list.html",
        auth,
        status=status,
        header=header,
        sessions=sessions,
        can_book=can_book,
        can_open=bool(can(auth.actor, Action.CLINICAL_READ, target)),
        chairs=chairs,
        protocols=protocols,
        staff=staff,
        errors=errors or {},
    )


@router.get("/patients/{patient_id}/sessions", response_class=HTMLResponse)
def patient_sessions(
    request: Request, patient_id: int, db: Db, state: State, auth: CurrentAuth
) -> Response:
    return _sessions_page(request, db, state, auth, patient_id)


@router.post("/patients/{patient_id}/sessions", response_class=HTMLResponse)
async def book(request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth) -> Response:
    form = await request.form()
    try:
        starts_at = _form_time(form, "starts_at")
        if starts_at is None:
            raise Invalid("session.starts_at_required", "choose a start time", field="starts_at")
        row = booking_service.book_session(
            db,
            patient_id=patient_id,
            protocol_id=str(form.get("protocol_id") or ""),
            chair_id=_int(form, "chair_id") or 0,
            starts_at=starts_at,
            staff_user_id=_int(form, "staff_user_id") or 0,
            order_id=_int(form, "order_id"),
            at=auth.at,
            ctx=auth.ctx,
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        db.rollback()
        errors = {exc.field or "form": exc.message}
        status = 409 if exc.kind == "conflict" else 422
        return _sessions_page(request, db, state, auth, patient_id, errors, status)
    return see_other(f"/patients/{patient_id}/sessions#session-{row.id}")


# --- the chair page --------------------------------------------------------------------------


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def chair(request: Request, session_id: int, db: Db, state: State, auth: CurrentAuth) -> Response:
    return _chair_page(request, db, state, auth, session_id)


@router.post("/sessions/{session_id}/transition", response_class=HTMLResponse)
async def move(request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth) -> Response:
    def work(form: FormData) -> object:
        to = str(form.get("to") or "")
        if to not in {s.value for s in SessionState}:
            raise Invalid("session.unknown_state", "unknown state", field="to")
        return svc.transition_session(
            db,
            session_id=session_id,
            to=SessionState(to),
            reason=str(form.get("reason") or "") or None,
            expected_version=_int(form, "version"),
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/vitals", response_class=HTMLResponse)
async def vitals(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        body = VitalsCreate.model_validate(
            {
                "measured_at": _form_time(form, "measured_at"),
                **{k: _int(form, k) for k in vitals_service.VITAL_FIELDS},
                "symptoms": form.getlist("symptoms"),
            }
        )
        return vitals_service.record_vitals(
            db,
            session_id=session_id,
            measured_at=body.measured_at,
            values=body.model_dump(exclude={"measured_at", "symptoms"}),
            symptoms=body.symptoms,
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/alerts/{alert_id}/ack", response_class=HTMLResponse)
async def ack(
    request: Request, session_id: int, alert_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        return vitals_service.acknowledge_alert(
            db,
            session_id=session_id,
            alert_id=alert_id,
            note=str(form.get("note") or "") or None,
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/bp-ack", response_class=HTMLResponse)
async def bp_ack(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        return vitals_service.acknowledge_predose_bp(
            db,
            session_id=session_id,
            note=str(form.get("note") or "") or None,
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/checks", response_class=HTMLResponse)
async def checks(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        pregnancy = str(form.get("pregnancy_status") or "")
        if pregnancy not in ("", "negative", "positive"):
            raise Invalid("form.pregnancy", "choose negative or positive", field="pregnancy_status")
        return records_service.record_checks(
            db,
            session_id=session_id,
            npo_confirmed=_flag(form, "npo_confirmed"),
            escort_arranged=_flag(form, "escort_arranged"),
            pregnancy_status=pregnancy or None,
            expected_version=_int(form, "version"),
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/checklist", response_class=HTMLResponse)
async def checklist(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        return records_service.record_discharge_checklist(
            db,
            session_id=session_id,
            items={k: _flag(form, k) for k in CHECKLIST_ITEMS},
            on_supplemental_oxygen=_flag(form, "on_supplemental_oxygen"),
            escort_confirmed=_flag(form, "escort_confirmed"),
            no_driving_acknowledged=_flag(form, "no_driving_acknowledged"),
            expected_version=_int(form, "version"),
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/administration", response_class=HTMLResponse)
async def administration(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        unit = str(form.get("amount_unit") or "") or None
        entry = records_service.AdministrationEntry(
            kind=str(form.get("kind") or ""),
            occurred_at=_form_time(form, "at"),
            rate_ml_per_h=_dec(form, "rate_ml_per_h"),
            amount=_dec(form, "amount"),
            amount_unit=unit if unit in ("mg", "mL") else None,
            lot_number=str(form.get("lot_number") or "").strip()[:60] or None,
            reason=str(form.get("reason") or "").strip()[:500] or None,
        )
        return records_service.record_administration(
            db,
            session_id=session_id,
            entry=entry,
            expected_version=_int(form, "version"),
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/observations", response_class=HTMLResponse)
async def observation(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        raw = str(form.get("answers") or "").strip()
        answers = [a.strip() for a in raw.split(",") if a.strip()] if raw else None
        return records_service.record_observation(
            db,
            session_id=session_id,
            instrument_id=str(form.get("instrument_id") or "") or None,
            answers=[int(a) if a.lstrip("-").isdigit() else a for a in answers or []] or None,
            text=str(form.get("text") or "") or None,
            observed_at=None,
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/adverse-events", response_class=HTMLResponse)
async def adverse_event(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        body = AdverseEventCreate.model_validate(
            {
                "category": str(form.get("category") or "").strip().lower().replace(" ", "_"),
                "severity": form.get("severity"),
                "serious": _flag(form, "serious"),
                "onset_at": _form_time(form, "onset_at") or auth.at,
                "actions_taken": str(form.get("actions_taken") or ""),
                "outcome": form.get("outcome"),
            }
        )
        return records_service.record_adverse_event(
            db,
            session_id=session_id,
            entry=records_service.AdverseEventEntry(**body.model_dump()),
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/rems-submit", response_class=HTMLResponse)
async def rems_submit(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(_form: FormData) -> object:
        return rems_service.submit_rems_form(db, session_id=session_id, at=auth.at, ctx=auth.ctx)

    return await _act(request, db, state, auth, session_id, work)
