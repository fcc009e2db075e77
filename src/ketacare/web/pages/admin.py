from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Role
from ketacare.core.authz.policy import PERMISSIONS
from ketacare.core.errors import Conflict, Invalid
from ketacare.db.repositories import audit as audit_repo
from ketacare.db.repositories import user as user_repo
from ketacare.services.accounts import users as accounts
from ketacare.services.audit import authorize, record_event
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.forms import FormState, failed, parse, status_of, text_values
from ketacare.web.pages.common import render
from ketacare.web.schemas.account import UserCreate

router = APIRouter(include_in_schema=False)
PAGE = 100
USER_FIELDS = ("email", "full_name", "role", "password")
# Staff roles from the least to the most privileged: the form offers the least by default, so
# a hurried admin never hands out more access than meant.
STAFF_ROLES = sorted(
    (r for r in Role if r is not Role.PATIENT), key=lambda r: (len(PERMISSIONS[r]), r.value)
)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_trail(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    user_id: str | None = None,
    patient_id: str | None = None,
    entity_type: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    offset: int = 0,
) -> Response:
    authorize(
        auth.actor,
        Action.AUDIT_READ,
        None,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.AUDIT_EVENT,
    )
    flt = audit_repo.AuditFilter(
        organisation_id=auth.actor.organisation_id,
        user_id=_int_or_none(user_id),
        patient_id=_int_or_none(patient_id),
        entity_type=entity_type or None,
        action=action or None,
        outcome=outcome or None,
    )
    events = audit_repo.list_audit_events(db, flt, limit=PAGE, offset=max(offset, 0))
    # Reading the trail is itself audited: who looked at whose access history.
    record_event(
        db,
        ctx=auth.ctx,
        at=auth.at,
        action=AuditAction.READ,
        entity_type=AuditEntity.AUDIT_EVENT,
        entity_id=None,
        patient_id=flt.patient_id,
        detail=f"results={len(events)}",
    )
    base = {
        k: v
        for k, v in {
            "user_id": user_id,
            "patient_id": patient_id,
            "entity_type": entity_type,
            "action": action,
            "outcome": outcome,
        }.items()
        if v
    }
    return render(
        request,
        state,
        "admin/audit.html",
        auth,
        events=events,
        f=flt,
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
    users = user_repo.list_users(db, organisation_id=auth.actor.organisation_id)
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
    authorize(
        auth.actor,
        Action.USER_MANAGE,
        None,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.USER,
    )
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
        return _users_page(request, db, state, auth, status=status_of(exc), form=bad)
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
        bad = FormState("user", {}, {"form": exc.message})
        return _users_page(request, db, state, auth, status=409, form=bad)
    return _users_page(request, db, state, auth)
