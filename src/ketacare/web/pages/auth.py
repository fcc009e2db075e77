from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ketacare.core.errors import Invalid
from ketacare.services.accounts import users as accounts
from ketacare.web.deps import (
    PRE_CSRF_COOKIE,
    SESSION_COOKIE,
    CsrfAuth,
    CurrentAuth,
    Db,
    MaybeAuth,
    State,
    client_address,
)
from ketacare.web.errors import status_for
from ketacare.web.pages.common import render, safe_next, see_other

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, state: State, auth: CurrentAuth) -> Response:
    if auth.actor.role == "patient":
        return see_other("/me")
    return render(request, state, "home.html", auth)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, state: State, auth: MaybeAuth, next: str = "/") -> Response:  # noqa: A002
    if auth is not None:
        return see_other(safe_next(next))
    token = secrets.token_urlsafe(32)
    response = render(request, state, "login.html", None, csrf_token=token, next=safe_next(next))
    _set_cookie(response, PRE_CSRF_COOKIE, token, state.settings.cookie_secure, max_age=3600)
    return response


def _set_cookie(response: Response, name: str, value: str, secure: bool, max_age: int) -> None:
    response.set_cookie(
        name, value, httponly=True, samesite="lax", secure=secure, max_age=max_age, path="/"
    )


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, db: Db, state: State) -> Response:
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    next_url = safe_next(form.get("next"))
    cookie = request.cookies.get(PRE_CSRF_COOKIE, "")
    sent = str(form.get("csrf_token", ""))
    if not cookie or not hmac.compare_digest(cookie, sent):
        return _login_again(
            request, state, email, next_url, 403, "The sign-in form expired. Please try again."
        )
    at = state.clock.now()
    address = client_address(request)
    result = accounts.authenticate(
        db,
        hasher=state.hasher,
        settings=state.settings,
        email=email,
        password=password,
        at=at,
        client_address=address,
    )
    if not result.ok or result.user is None:
        db.commit()  # the failed attempt and any lockout must persist
        message = (
            "Too many failed sign-ins: the account is locked for a while."
            if result.reason == "locked"
            else "E-mail or password is not correct."
        )
        return _login_again(request, state, email, next_url, 401, message)
    token, _ = accounts.start_login_session(db, user=result.user, at=at, client_address=address)
    response = see_other(next_url)
    _set_cookie(
        response,
        SESSION_COOKIE,
        token,
        state.settings.cookie_secure,
        max_age=state.settings.session_absolute_hours * 3600,
    )
    response.delete_cookie(PRE_CSRF_COOKIE, path="/")
    return response


def _login_again(
    request: Request, state: State, email: str, next_url: str, status: int, message: str
) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        state,
        "login.html",
        None,
        status=status,
        csrf_token=token,
        next=next_url,
        email=email,
        error=message,
    )
    _set_cookie(response, PRE_CSRF_COOKIE, token, state.settings.cookie_secure, max_age=3600)
    return response


@router.post("/logout")
def logout(request: Request, db: Db, auth: CsrfAuth) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    accounts.end_login_session(db, token=cookie, at=auth.at, ctx=auth.ctx)
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, state: State, auth: CurrentAuth) -> Response:
    return render(request, state, "account/password.html", auth)


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(request: Request, db: Db, state: State, auth: CsrfAuth) -> Response:
    form = await request.form()
    try:
        accounts.change_password(
            db,
            hasher=state.hasher,
            user=auth.user,
            current_password=str(form.get("current_password", "")),
            new_password=str(form.get("new_password", "")),
            at=auth.at,
            ctx=auth.ctx,
        )
    except Invalid as exc:
        return render(
            request,
            state,
            "account/password.html",
            auth,
            status=status_for(exc),
            errors={exc.field or "password": exc.message},
        )
    # This browser stays signed in with a fresh session; the others were ended.
    token, login = accounts.start_login_session(
        db, user=auth.user, at=auth.at, client_address=auth.client_address
    )
    fresh = type(auth)(auth.user, auth.actor, login, auth.at, auth.client_address)
    response = render(request, state, "account/password.html", fresh, done=True)
    _set_cookie(
        response,
        SESSION_COOKIE,
        token,
        state.settings.cookie_secure,
        max_age=state.settings.session_absolute_hours * 3600,
    )
    return response
