"""The patient's treatment sessions: the list of bookings and booking a new one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ketacare.core.authz import Action, Target, can
from ketacare.core.errors import DomainError, Forbidden, Invalid
from ketacare.services.patients import registry as patient_service
from ketacare.services.session import booking as booking_service
from ketacare.services.session.booking import BookingRequest
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.errors import status_for
from ketacare.web.forms import FormState, failed, parse, text_values
from ketacare.web.pages.common import render, see_other
from ketacare.web.pages.session_view import form_time
from ketacare.web.schemas.session import SessionCreate

router = APIRouter(include_in_schema=False)
BOOKING_FIELDS = ("protocol_id", "chair_id", "starts_at", "staff_user_id", "order_id")


def _sessions_page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    patient_id: int,
    form: FormState | None = None,
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
        protocol_choices=[(p.id, p.name) for p in protocols],
        chair_choices=[(c.id, c.name) for c in chairs],
        staff_choices=[(u.id, f"{u.full_name} ({u.role})") for u in staff],
        form=form or FormState("booking"),
    )


@router.get("/patients/{patient_id}/sessions", response_class=HTMLResponse)
def patient_sessions(
    request: Request, patient_id: int, db: Db, state: State, auth: CurrentAuth
) -> Response:
    return _sessions_page(request, db, state, auth, patient_id)


@router.post("/patients/{patient_id}/sessions", response_class=HTMLResponse)
async def book(request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth) -> Response:
    form = await request.form()
    values = text_values(form, BOOKING_FIELDS)
    try:
        starts_at = form_time(form, "starts_at")
        if starts_at is None:
            raise Invalid("session.starts_at_required", "Choose a start time.", field="starts_at")
        body = parse(SessionCreate, {**values, "starts_at": starts_at})
        row = booking_service.book_session(
            db,
            BookingRequest(
                patient_id=patient_id,
                protocol_id=body.protocol_id,
                chair_id=body.chair_id or 0,
                starts_at=body.starts_at,
                staff_user_id=body.staff_user_id or 0,
                order_id=body.order_id,
            ),
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, Forbidden):
            raise
        db.rollback()
        bad = failed("booking", values, exc, fields=BOOKING_FIELDS)
        return _sessions_page(request, db, state, auth, patient_id, bad, status_for(exc))
    return see_other(f"/patients/{patient_id}/sessions#session-{row.id}")
