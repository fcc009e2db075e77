from __future__ import annotations

from fastapi import APIRouter, Request

from ketacare.core.errors import Unauthorized
from ketacare.services.accounts import users as accounts
from ketacare.services.audit import AuditContext
from ketacare.web.deps import ApiAuth, Db, State, client_address
from ketacare.web.schemas.auth import TokenRead, TokenRequest
from ketacare.web.schemas.errors import API_ERRORS

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=API_ERRORS)


@router.post("/token", response_model=TokenRead)
def issue_token(body: TokenRequest, request: Request, db: Db, state: State) -> TokenRead:
    """Exchange e-mail and password for a bearer token (stored hashed; revocable)."""
    at = state.clock.now()
    address = client_address(request)
    result = accounts.authenticate(
        db,
        hasher=state.hasher,
        settings=state.settings,
        email=body.email,
        password=body.password,
        at=at,
        client_address=address,
    )
    if not result.ok or result.user is None:
        # The failed attempt (and any lockout) must be stored, so commit before refusing.
        db.commit()
        raise Unauthorized("auth.failed", _login_message(result.reason))
    token, row = accounts.issue_api_token(
        db,
        user=result.user,
        settings=state.settings,
        at=at,
        ctx=AuditContext(actor=accounts.actor_for(result.user), client_address=address),
        label="api",
    )
    return TokenRead(access_token=token, expires_at=row.expires_at.isoformat())


def _login_message(reason: str) -> str:
    if reason == "locked":
        return "Too many failed sign-ins: the account is locked for a while. Try again later."
    return "E-mail or password is not correct."


@router.post("/revoke", status_code=204)
def revoke_token(request: Request, db: Db, auth: ApiAuth, state: State) -> None:
    """Revoke the bearer token used for this request."""
    header = request.headers.get("authorization", "")
    token = header.partition(" ")[2].strip()
    accounts.revoke_api_token(db, token=token, at=state.clock.now(), ctx=auth.ctx)
