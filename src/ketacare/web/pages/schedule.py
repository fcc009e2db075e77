"""The "Today" page: the organisation's booked treatment sessions for the day, by chair."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ketacare.services.session import schedule as schedule_service
from ketacare.web.deps import CurrentAuth, Db, State
from ketacare.web.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/schedule", response_class=HTMLResponse)
def schedule(
    request: Request, db: Db, state: State, auth: CurrentAuth, day: date | None = None
) -> Response:
    days = schedule_service.todays_schedule(db, day=day, at=auth.at, ctx=auth.ctx)
    shown = day or (days[0].day if days else auth.at.date())
    return render(
        request,
        state,
        "schedule.html",
        auth,
        days=days,
        day=day,
        previous_day=shown - timedelta(days=1),
        next_day=shown + timedelta(days=1),
    )
