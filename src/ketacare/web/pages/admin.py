from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Role
from ketacare.core.authz.policy import PERMISSIONS
from ketacare.core.errors import Conflict, Invalid
from ketacare.services.accounts import admin as admin_service
from ketacare.services.accounts import users as accounts
from ketacare.services.audit import authorize
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.errors import status_for
from ketacare.web.forms import FormState, failed, parse, text_values
from ketacare.web.pages.common import render
from ketacare.web.schemas.account import AuditSearch, UserCreate

router = APIRouter(include_in_schema=False)
PAGE = 100
USER_FIELDS = ("email", "full_name", "role", "password")
AUDIT_FIELDS = ("user_id", "patient_id", "entity_type", "action", "outcome")
# Staff roles from the least to the most privileged: the form offers the least by default, so
# a hurried admin never hands out more access than meant.
STAFF_ROLES = sorted(
    (r for r in Role if r is not Role.PATIENT), key=lambda r: (len(PERMISSIONS[r]), r.value)
)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_trail(
    request: Request, db: Db, state: State, auth: CurrentAuth, offset: int = 0
) -> Response:
    values = text_values(request.query_params, AUDIT_FIELDS)
    form = FormState("audit", values)
    try:
        search = parse(AuditSearch, values)
    except ValidationError as exc:
        # A filter the trail cannot take shows every event, with the message beside the input.
        search, form = AuditSearch(), failed("audit", values, exc, fields=AUDIT_FIELDS)
    flt = admin_service.AuditFilter(
        organisation_id=auth.actor.organisation_id, **search.model_dump()
    )
    events = admin_service.search_audit_trail(
        db, flt=flt, limit=PAGE, offset=offset, at=auth.at, ctx=auth.ctx
    )
    base = {k: v for k, v in values.items() if v}
    return render(
        request,
        state,
        "admin/audit.html",
        auth,
        status=422 if form.errors else 200,
        events=events,
        f=flt,
        form=form,
        limit=PAGE,
        offset=offset,
        next_qs=urlencode({**base, "offset": offset + PAGE}),
        prev_qs=urlencode({**base, "offset": max(offset - PAGE, 0)}),
    )


def _users_page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    *,
    status: int = 200,
    form: FormState | None = None,
    created: bool = False,
) -> Response:
    users = admin_service.list_staff(db, ctx=auth.ctx)
    return render(
        request,
        state,
        "admin/users.html",
        auth,
        status=status,
        users=users,
        roles=[(r.value, r.value) for r in STAFF_ROLES],
        form=form or FormState("user"),
        created=created,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, db: Db, state: State, auth: CurrentAuth) -> Response:
    return _users_page(request, db, state, auth)


@router.post("/admin/users", response_class=HTMLResponse)
async def create_user(request: Request, db: Db, state: State, auth: CsrfAuth) -> Response:
    authorize(
        auth.actor,
        Action.USER_MANAGE,
        None,
        audit_action=AuditAction.CREATE,
        entity_type=AuditEntity.USER,
    )
    form = await request.form()
    values = text_values(form, USER_FIELDS)
    values["password"] = str(form.get("password") or "")  # a password is taken as typed
    try:
        body = parse(UserCreate, values)
        if body.role is Role.PATIENT:
            raise Invalid("account.staff_role", "Choose a staff role.", field="role")
        accounts.create_user(
            db,
            hasher=state.hasher,
            organisation_id=auth.actor.organisation_id,
            email=str(body.email),
            full_name=body.full_name,
            role=body.role,
            password=body.password,
            at=auth.at,
            ctx=auth.ctx,
        )
    except (ValidationError, Invalid, Conflict) as exc:
        db.rollback()
        # The password is never sent back to the browser, even to the one who typed it.
        shown = {**values, "password": ""}
        bad = failed("user", shown, exc, fields=USER_FIELDS)
        return _users_page(request, db, state, auth, status=status_for(exc), form=bad)
    return _users_page(request, db, state, auth, created=True)


@router.post("/admin/users/{user_id}/active", response_class=HTMLResponse)
async def set_active(
    request: Request, user_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    active = str(form.get("active", "")) == "yes"
    try:
        accounts.set_user_active(db, user_id=user_id, active=active, at=auth.at, ctx=auth.ctx)
    except Conflict as exc:
        db.rollback()
        bad = failed("user", {}, exc, fields=())
        return _users_page(request, db, state, auth, status=status_for(exc), form=bad)
    return _users_page(request, db, state, auth)
