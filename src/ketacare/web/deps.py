"""Typed dependencies: the unit of work, the signed-in actor, CSRF, and role requirements.

One request is one unit of work: ``get_db`` opens a transaction, the route calls services that
only flush, and the transaction commits after the route returns and before the response is
sent (``scope="function"``), so a failed commit becomes an error response, never a false
success. On any error everything is rolled back; a refused access is then audited in a fresh
transaction, because a rolled-back audit event would be no audit at all.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ketacare.core.authz import Actor
from ketacare.core.plausibility import DEFAULT_WINDOWS, Windows
from ketacare.db.models import LoginSession, User
from ketacare.services.accounts import organisations
from ketacare.services.accounts import users as accounts
from ketacare.services.audit import AccessDenied, AuditContext, record_denial
from ketacare.web.state import AppState

SESSION_COOKIE = "ketacare_session"
PRE_CSRF_COOKIE = "ketacare_csrf"


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.ketacare
    return state


State = Annotated[AppState, Depends(app_state)]


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_db(request: Request, state: State) -> Iterator[Session]:
    db = state.session_factory()
    try:
        yield db
        db.commit()
    except AccessDenied as denied:
        db.rollback()
        _audit_denial(request, state, denied)
        raise
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


def _audit_denial(request: Request, state: State, denied: AccessDenied) -> None:
    auth: Auth | None = getattr(request.state, "auth", None)
    with state.session_factory() as db, db.begin():
        record_denial(
            db,
            ctx=AuditContext(
                actor=auth.actor if auth else None, client_address=client_address(request)
            ),
            at=state.clock.now(),
            denied=denied,
        )


Db = Annotated[Session, Depends(get_db, scope="function")]


@dataclass(frozen=True, slots=True)
class Auth:
    user: User
    actor: Actor
    login: LoginSession | None  # None for bearer-token (API) clients
    at: datetime
    client_address: str | None
    # The zone pages show times in (the organisation's location);
    # see services.accounts.organisations.
    zone: tzinfo = UTC
    windows: Windows = DEFAULT_WINDOWS  # the deployment's plausibility windows (Settings)

    @property
    def ctx(self) -> AuditContext:
        return AuditContext(actor=self.actor, client_address=self.client_address)


class NotAuthenticated(Exception):  # noqa: N818 - mapped to 401 / login redirect
    pass


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def resolve_auth(request: Request, db: Db, state: State) -> Auth | None:
    at = state.clock.now()
    address = client_address(request)
    windows = state.settings.plausibility_windows()
    token = _bearer(request)
    if token is not None:
        user = accounts.resolve_api_token(db, token=token, at=at)
        if user is None:
            return None
        return Auth(user, accounts.actor_for(user), None, at, address, _zone(db, user), windows)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    found = accounts.resolve_login_session(db, token=cookie, settings=state.settings, at=at)
    if found is None:
        return None
    login, user = found
    return Auth(user, accounts.actor_for(user), login, at, address, _zone(db, user), windows)


def _zone(db: Session, user: User) -> tzinfo:
    return organisations.display_zone(db, organisation_id=user.organisation_id)


def require_auth(request: Request, auth: Annotated[Auth | None, Depends(resolve_auth)]) -> Auth:
    if auth is None:
        raise NotAuthenticated
    request.state.auth = auth
    return auth


CurrentAuth = Annotated[Auth, Depends(require_auth)]
MaybeAuth = Annotated[Auth | None, Depends(resolve_auth)]


class CsrfFailed(Exception):  # noqa: N818 - mapped to 403
    pass


async def csrf_protect(request: Request, auth: CurrentAuth) -> Auth:
    """Every state-changing form must carry the login session's CSRF token.

    Bearer-token API clients are exempt: a browser cannot be tricked into sending an
    Authorization header, which is what CSRF relies on.
    """
    if auth.login is None:
        return auth
    form = await request.form()
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token", "")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, auth.login.csrf_token):
        raise CsrfFailed
    return auth


CsrfAuth = Annotated[Auth, Depends(csrf_protect)]


def api_auth(request: Request, auth: CurrentAuth) -> Auth:
    """API auth: a browser (cookie) calling a state-changing API must send X-CSRF-Token."""
    if auth.login is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("x-csrf-token", "")
        if not hmac.compare_digest(sent, auth.login.csrf_token):
            raise CsrfFailed
    return auth


ApiAuth = Annotated[Auth, Depends(api_auth)]
