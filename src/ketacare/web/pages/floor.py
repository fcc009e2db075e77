"""The prescriber's floor view: every active chair on one wall screen, refreshed by polling."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ketacare.services.session import floor as floor_service
from ketacare.web.deps import CurrentAuth, Db, State
from ketacare.web.pages.common import render

router = APIRouter(include_in_schema=False)

# How often the wall screen asks for a fresh board (a display choice, not a clinical one).
POLL_SECONDS = 5


@router.get("/floor", response_class=HTMLResponse)
def floor(request: Request, db: Db, state: State, auth: CurrentAuth) -> Response:
    board = floor_service.floor_board(db, at=auth.at, ctx=auth.ctx)
    return render(request, state, "floor.html", auth, board=board, poll_seconds=POLL_SECONDS)


@router.get("/floor/partial", response_class=HTMLResponse)
def floor_partial(request: Request, db: Db, state: State, auth: CurrentAuth) -> Response:
    """The board alone, for the page's polling script to swap in."""
    board = floor_service.floor_board(db, at=auth.at, ctx=auth.ctx)
    return render(request, state, "session/_board.html", auth, board=board)
