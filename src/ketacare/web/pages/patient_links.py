"""Public questionnaire pages under ``/p/<token>``: no sign-in, the token is the credential.

CSRF: the form carries HMAC(secret key, token), so a forged POST needs both the patient's
token and the server's key. Pages show the clinic's name and the forms only, never the
patient's name; an unknown link (404) and a used-up one (410) say nothing about the patient.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ketacare.core.errors import Invalid
from ketacare.core.outcomes.model import LinkStatus
from ketacare.services.assessments import link_submission as service
from ketacare.web.deps import Db, State, client_address
from ketacare.web.errors import status_for
from ketacare.web.forms import domain_message
from ketacare.web.pages.common import render

router = APIRouter(include_in_schema=False)


def link_csrf(secret_key: str, token: str) -> str:
    return hmac.new(
        secret_key.encode(), f"patient-link-csrf:{token}".encode(), hashlib.sha256
    ).hexdigest()


def _unavailable(request: Request, state: State, exc: service.LinkUnavailable) -> Response:
    return render(
        request,
        state,
        "patient_links/unavailable.html",
        None,
        status=410 if exc.gone else 404,
        message=exc.message,
    )


def _form(
    request: Request,
    db: Db,
    state: State,
    token: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    at = state.clock.now()
    try:
        form, link_status = service.open_patient_link(
            db, token=token, at=at, client_address=client_address(request)
        )
    except service.LinkUnavailable as exc:
        return _unavailable(request, state, exc)
    if link_status is LinkStatus.COMPLETED:
        return _done(request, state, already=True, crisis=False)
    return render(
        request,
        state,
        "patient_links/form.html",
        None,
        status=status,
        form=form,
        token=token,
        csrf=link_csrf(state.settings.secret_key or "", token),
        choices=service.answer_choices,
        field_name=service.field_name,
        values=values or {},
        errors=errors or {},
    )


def _done(request: Request, state: State, *, already: bool, crisis: bool) -> Response:
    return render(
        request,
        state,
        "patient_links/done.html",
        None,
        already=already,
        crisis=service.crisis_notice_text(state.settings.patient_crisis_notice) if crisis else None,
    )


@router.get("/p/{token}", response_class=HTMLResponse)
def questionnaire_page(request: Request, token: str, db: Db, state: State) -> Response:
    return _form(request, db, state, token)


@router.post("/p/{token}", response_class=HTMLResponse)
async def submit_questionnaire(request: Request, token: str, db: Db, state: State) -> Response:
    form = await request.form()
    sent = form.get("csrf_token", "")
    expected = link_csrf(state.settings.secret_key or "", token)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        return render(
            request,
            state,
            "patient_links/unavailable.html",
            None,
            status=403,
            message="This form expired or came from another site. Open your link again.",
        )
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        done = service.submit_patient_link(
            db,
            token=token,
            answers=values,
            at=state.clock.now(),
            client_address=client_address(request),
        )
    except service.LinkUnavailable as exc:
        db.rollback()
        return _unavailable(request, state, exc)
    except Invalid as exc:
        db.rollback()
        return _form(
            request,
            db,
            state,
            token,
            values=values,
            errors=domain_message(exc),
            status=status_for(exc),
        )
    return _done(request, state, already=done.already_received, crisis=done.crisis_notice)
