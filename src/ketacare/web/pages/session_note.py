"""The session note page: read-only and printable, with the prescriber's sign form and a PDF."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ketacare.core.authz import Action, Target, can
from ketacare.core.errors import DomainError, Forbidden
from ketacare.services.session import note as note_service
from ketacare.services.session import note_pdf as pdf_service
from ketacare.services.session import note_sign as sign_service
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.errors import status_for
from ketacare.web.forms import domain_message
from ketacare.web.pages.common import render, see_other
from ketacare.web.pages.session_view import amount

router = APIRouter(include_in_schema=False)


def note_page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    session_id: int,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    note = note_service.get_session_note(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    # The note's organisation is the reader's (load_session refused anyone else).
    target = Target(auth.actor.organisation_id, note.patient_id)
    return render(
        request,
        state,
        "session/note.html",
        auth,
        status=status,
        n=note,
        errors=errors or {},
        can_sign=bool(can(auth.actor, Action.CLINICAL_SIGN, target)),
        amount=amount,
        now=auth.at,
    )


@router.get("/sessions/{session_id}/note", response_class=HTMLResponse)
def note(request: Request, session_id: int, db: Db, state: State, auth: CurrentAuth) -> Response:
    return note_page(request, db, state, auth, session_id)


@router.post("/sessions/{session_id}/note/sign", response_class=HTMLResponse)
def sign(request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth) -> Response:
    try:
        sign_service.sign_session_note(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        db.rollback()
        errors = domain_message(exc)
        return note_page(
            request, db, state, auth, session_id, errors=errors, status=status_for(exc)
        )
    return see_other(f"/sessions/{session_id}/note")


@router.get("/sessions/{session_id}/note.pdf")
def note_pdf(session_id: int, db: Db, auth: CurrentAuth) -> Response:
    pdf = pdf_service.session_note_pdf(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="session-note-{session_id}.pdf"'},
    )
