"""Accounts: users, logins with lockout, browser login sessions and API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from ketacare.config import Settings
from ketacare.core.audit import AuditAction, AuditEntity, AuditOutcome
from ketacare.core.authz import Action, Actor, Role
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.plausibility import check_name, check_text
from ketacare.db.models import ApiToken, LoginSession, User
from ketacare.db.repositories import user as user_repo
from ketacare.services.accounts.security import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from ketacare.services.audit import AuditContext, authorize, record_event

# A hash of a random password, verified against when the e-mail is unknown, so that a failed
# login takes the same time whether or not the account exists (no account enumeration).
_DUMMY_PASSWORD = "not-a-real-password-for-timing-only"  # noqa: S105


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        patient_id=user.patient_id,
    )


def check_password_rules(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            "account.password_too_short",
            f"Password must be at least {MIN_PASSWORD_LENGTH} characters.",
            field=field,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Invalid(
            "account.password_too_long",
            f"Password must be at most {MAX_PASSWORD_LENGTH} characters.",
            field=field,
        )


def create_user(
    db: Session,
    *,
    hasher: PasswordHasher,
    organisation_id: int,
    email: str,
    full_name: str,
    role: Role,
    password: str,
    at: datetime,
    ctx: AuditContext,
    patient_id: int | None = None,
) -> User:
    if ctx.actor is not None:
        authorize(
            ctx.actor,
            Action.USER_MANAGE,
            None,
            audit_action=AuditAction.CREATE,
            entity_type=AuditEntity.USER,
        )
    check_password_rules(password)
    # The same text rules as the API and the pages: no control characters, a visible name.
    check_text(email, field="email")
    check_name(full_name, field="full_name")
    if user_repo.get_user_by_email(db, email) is not None:
        raise Conflict("account.email_taken", "An account with this e-mail exists.", field="email")
    if role is Role.PATIENT and patient_id is None:
        raise Invalid("account.patient_required", "Patient accounts need a patient.", field="role")
    user = user_repo.add_user(
        db,
        User(
            organisation_id=organisation_id,
            email=email.lower(),
            full_name=full_name,
            role=str(role),
            password_hash=hash_password(hasher, password),
            is_active=True,
            patient_id=patient_id,
            failed_logins=0,
            password_changed_at=at,
            created_at=at,
        ),
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type=AuditEntity.USER,
        entity_id=user.id,
        organisation_id=organisation_id,
        detail=f"role={role}",
    )
    return user


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User | None
    reason: str  # "ok", "bad_credentials", "locked", "inactive"

    @property
    def ok(self) -> bool:
        return self.user is not None and self.reason == "ok"


def authenticate(
    db: Session,
    *,
    hasher: PasswordHasher,
    settings: Settings,
    email: str,
    password: str,
    at: datetime,
    client_address: str | None,
) -> LoginResult:
    """Check credentials, apply lockout, and audit the attempt (success or failure).

    The caller commits whatever the result: a failed attempt must be recorded.
    """
    ctx = AuditContext(actor=None, client_address=client_address)
    user = user_repo.get_user_by_email(db, email)
    if user is None:
        verify_password(hasher, hash_password(hasher, _DUMMY_PASSWORD), password)
        _audit_login(
            db,
            ctx=ctx,
            at=at,
            user=None,
            outcome=AuditOutcome.MINOR_FAILURE,
            detail="unknown account",
        )
        return LoginResult(None, "bad_credentials")
    if user.locked_until is not None and user.locked_until > at:
        _audit_login(
            db, ctx=ctx, at=at, user=user, outcome=AuditOutcome.MINOR_FAILURE, detail="locked"
        )
        return LoginResult(None, "locked")
    if not verify_password(hasher, user.password_hash, password) or not user.is_active:
        _register_failure(user, settings=settings, at=at)
        reason = "inactive" if user.is_active is False else "bad_credentials"
        _audit_login(
            db,
            ctx=ctx,
            at=at,
            user=user,
            outcome=AuditOutcome.MINOR_FAILURE,
            detail=reason if user.locked_until is None else "bad_credentials; locked",
        )
        return LoginResult(None, reason)
    user.failed_logins = 0
    user.first_failed_at = None
    user.locked_until = None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(hasher, password)
    _audit_login(db, ctx=ctx, at=at, user=user, outcome=AuditOutcome.SUCCESS, detail="login")
    return LoginResult(user, "ok")


def _register_failure(user: User, *, settings: Settings, at: datetime) -> None:
    window = timedelta(minutes=settings.login_failure_window_minutes)
    if user.first_failed_at is None or at - user.first_failed_at > window:
        user.first_failed_at = at
        user.failed_logins = 0
    user.failed_logins += 1
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = at + timedelta(minutes=settings.lockout_minutes)
        user.failed_logins = 0
        user.first_failed_at = None


def _audit_login(
    db: Session,
    *,
    ctx: AuditContext,
    at: datetime,
    user: User | None,
    outcome: AuditOutcome,
    detail: str,
) -> None:
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.EXECUTE,
        entity_type=AuditEntity.LOGIN,
        entity_id=user.id if user else None,
        outcome=outcome,
        organisation_id=user.organisation_id if user else None,
        user_id=user.id if user else None,
        role=user.role if user else None,
        detail=detail,
    )


def start_login_session(
    db: Session, *, user: User, at: datetime, client_address: str | None
) -> tuple[str, LoginSession]:
    token = new_token()
    login = user_repo.add_login_session(
        db,
        LoginSession(
            token_hash=token_digest(token),
            user_id=user.id,
            csrf_token=new_token(),
            created_at=at,
            last_seen_at=at,
            client_address=client_address,
        ),
    )
    return token, login


def resolve_login_session(
    db: Session, *, token: str, settings: Settings, at: datetime
) -> tuple[LoginSession, User] | None:
    """The live session for a cookie token, touched; None if unknown, ended or expired."""
    login = user_repo.get_login_session(db, token_digest(token))
    if login is None or login.ended_at is not None:
        return None
    idle = timedelta(minutes=settings.session_idle_minutes)
    absolute = timedelta(hours=settings.session_absolute_hours)
    if at - login.last_seen_at > idle or at - login.created_at > absolute:
        login.ended_at = at
        return None
    user = user_repo.get_user(db, login.user_id)
    if user is None or not user.is_active:
        return None
    login.last_seen_at = at
    return login, user


def end_login_session(db: Session, *, token: str, at: datetime, ctx: AuditContext) -> None:
    login = user_repo.get_login_session(db, token_digest(token))
    if login is None or login.ended_at is not None:
        return
    login.ended_at = at
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.EXECUTE,
        entity_type=AuditEntity.LOGOUT,
        entity_id=login.user_id,
    )


def issue_api_token(
    db: Session, *, user: User, settings: Settings, at: datetime, ctx: AuditContext, label: str = ""
) -> tuple[str, ApiToken]:
    token = new_token()
    row = user_repo.add_api_token(
        db,
        ApiToken(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=at,
            expires_at=at + timedelta(days=settings.api_token_days),
            label=label,
        ),
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type=AuditEntity.API_TOKEN,
        entity_id=row.id,
        organisation_id=user.organisation_id,
        user_id=user.id,
        role=user.role,
    )
    return token, row


def resolve_api_token(db: Session, *, token: str, at: datetime) -> User | None:
    row = user_repo.get_api_token(db, token_digest(token))
    if row is None or row.revoked_at is not None or row.expires_at <= at:
        return None
    user = user_repo.get_user(db, row.user_id)
    if user is None or not user.is_active:
        return None
    return user


def revoke_api_token(db: Session, *, token: str, at: datetime, ctx: AuditContext) -> None:
    row = user_repo.get_api_token(db, token_digest(token))
    if row is None:
        raise NotFound("account.token_not_found", "No such token.")
    if row.revoked_at is None:
        row.revoked_at = at
        record_event(
            db,
            ctx=ctx,
            at=at,
            action=AuditAction.UPDATE,
            entity_type=AuditEntity.API_TOKEN,
            entity_id=row.id,
            detail="revoked",
        )


def change_password(
    db: Session,
    *,
    hasher: PasswordHasher,
    user: User,
    current_password: str,
    new_password: str,
    at: datetime,
    ctx: AuditContext,
) -> None:
    if not verify_password(hasher, user.password_hash, current_password):
        raise Invalid(
            "account.wrong_password", "Current password is not correct.", field="current_password"
        )
    check_password_rules(new_password, field="new_password")
    if current_password == new_password:
        raise Invalid(
            "account.password_unchanged",
            "New password must differ from the current.",
            field="new_password",
        )
    user.password_hash = hash_password(hasher, new_password)
    user.password_changed_at = at
    # Every other signed-in browser of this account is signed out.
    user_repo.end_login_sessions(db, user_id=user.id, at=at)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.UPDATE,
        entity_type=AuditEntity.USER,
        entity_id=user.id,
        detail="password changed",
    )


def set_user_active(
    db: Session, *, user_id: int, active: bool, at: datetime, ctx: AuditContext
) -> User:
    """Deactivate (or reactivate) a staff account of the admin's own organisation.

    Deactivating ends every signed-in browser and revokes every API token at once: a
    departing employee's access stops now, not when their session would have expired.
    """
    if ctx.actor is None:
        raise Invalid("auth.required", "Sign in first.")
    user = user_repo.get_user(db, user_id)
    if user is None or user.organisation_id != ctx.actor.organisation_id:
        raise NotFound("account.not_found", f"No account with id {user_id}.")
    authorize(
        ctx.actor,
        Action.USER_MANAGE,
        None,
        audit_action=AuditAction.UPDATE,
        entity_type=AuditEntity.USER,
        entity_id=user.id,
    )
    if user.id == ctx.actor.user_id and not active:
        raise Conflict(
            "account.self_deactivation", "You cannot deactivate your own account.", field="user_id"
        )
    user.is_active = active
    if not active:
        user_repo.end_login_sessions(db, user_id=user.id, at=at)
        user_repo.revoke_api_tokens(db, user_id=user.id, at=at)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.UPDATE,
        entity_type=AuditEntity.USER,
        entity_id=user.id,
        detail="activated" if active else "deactivated",
    )
    return user
