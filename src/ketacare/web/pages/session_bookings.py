"""The patient's treatment sessions: the list of bookings and booking a new one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ketacare.core.authz import Action, Target, can
from ketacare.core.errors import DomainError, Forbidden, Invalid
from ketacare.services import patients as patient_service
from ketacare.services import session_booking as booking_service
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.pages.common import render, see_other
from ketacare.web.pages.session_view import form_int, form_time

router = APIRouter(include_in_schema=False)


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
        starts_at = form_time(form, "starts_at")
        if starts_at is None:
            raise Invalid("session.starts_at_required", "choose a start time", field="starts_at")
        row = booking_service.book_session(
            db,
            patient_id=patient_id,
            protocol_id=str(form.get("protocol_id") or ""),
            chair_id=form_int(form, "chair_id") or 0,
            starts_at=starts_at,
            staff_user_id=form_int(form, "staff_user_id") or 0,
            order_id=form_int(form, "order_id"),
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        db.rollback()
        errors = {exc.field or "form": exc.message}
        status = 409 if exc.kind == "conflict" else 422
        return _sessions_page(request, db, state, auth, patient_id, errors, status)
    return see_other(f"/patients/{patient_id}/sessions#session-{row.id}")
