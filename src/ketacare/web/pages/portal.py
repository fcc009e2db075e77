"""``/me``: a signed-in patient's own page (pending links, recent scores, access report)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ketacare.services.patients import portal as service
from ketacare.web.deps import CurrentAuth, Db, State
from ketacare.web.pages.common import render

router = APIRouter(include_in_schema=False)


@router.get("/me", response_class=HTMLResponse)
def my_page(request: Request, db: Db, state: State, auth: CurrentAuth) -> Response:
    portal = service.portal_overview(db, at=auth.at, ctx=auth.ctx)
    return render(request, state, "portal.html", auth, portal=portal)
