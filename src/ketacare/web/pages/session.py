"""Pages of the treatment session: the chair page for a tablet and its state moves.

The chair's charting forms are in ``pages.session_forms``, the patient's bookings in
``pages.session_bookings``; both routers are included here, so the app registers one router.
What the page shows (wording, amounts, figures) is put together in ``pages.session_view``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ketacare.services.session import lifecycle as svc
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.forms import parse, text_values
from ketacare.web.pages import session_bookings, session_forms
from ketacare.web.pages.session_view import act, chair_page
from ketacare.web.schemas.session import TransitionCreate

router = APIRouter(include_in_schema=False)


@router.get("/sessions/{session_id}", response_class=HTMLResponse)
def chair(request: Request, session_id: int, db: Db, state: State, auth: CurrentAuth) -> Response:
    return chair_page(request, db, state, auth, session_id)


@router.post("/sessions/{session_id}/transition", response_class=HTMLResponse)
async def move(request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth) -> Response:
    def work(form: FormData) -> object:
        typed = text_values(form, ("to", "reason", "version", "confirm_less_than_ordered"))
        body = parse(TransitionCreate, typed, flags=("confirm_less_than_ordered",))
        return svc.transition_session(
            db,
            session_id=session_id,
            to=body.to,
            reason=body.reason or None,
            expected_version=body.version,
            at=auth.at,
            ctx=auth.ctx,
            confirm_less_than_ordered=body.confirm_less_than_ordered,
        )

    return await act(request, db, state, auth, session_id, work)


router.include_router(session_forms.router)
router.include_router(session_bookings.router)
