"""The prescriber dashboard: the organisation's open safety alerts, closed with a written note."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ketacare.core.authz import Action, can
from ketacare.core.errors import Conflict, Invalid
from ketacare.services.assessments import safety_alerts as alert_service
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.errors import status_for
from ketacare.web.forms import FormState, failed
from ketacare.web.pages.common import render, see_other

router = APIRouter(include_in_schema=False)


def _board(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    *,
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    rows = alert_service.alert_board(db, at=auth.at, ctx=auth.ctx)
    return render(
        request,
        state,
        "dashboard.html",
        auth,
        status=status,
        rows=rows,
        form=form or FormState(),
        can_close=bool(can(auth.actor, Action.ALERT_CLOSE)),
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, db: Db, state: State, auth: CurrentAuth) -> Response:
    return _board(request, db, state, auth)


@router.post("/alerts/{alert_id}/close", response_class=HTMLResponse)
async def close_alert(
    request: Request, alert_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    note = str(form.get("action_note", ""))
    try:
        alert_service.close_alert(db, alert_id=alert_id, action_note=note, at=auth.at, ctx=auth.ctx)
    except (Invalid, Conflict) as exc:
        db.rollback()
        bad = failed(f"close-{alert_id}", {"action_note": note}, exc, fields=("action_note",))
        return _board(request, db, state, auth, form=bad, status=status_for(exc))
    return see_other("/dashboard")
