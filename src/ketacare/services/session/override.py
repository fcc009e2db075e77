"""A prescriber's override at the chair, re-authenticated on the spot.

A nurse cannot chart a line beyond the signed order alone: a prescriber of the same clinic gives
their e-mail and password at the chair (or the signed-in prescriber re-enters their password),
with a written reason. A failed verification raises ``AccessDenied``: the adapter rolls back (no
line is written) and audits the refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Role
from ketacare.core.errors import Invalid
from ketacare.db.models import TreatmentSession, User
from ketacare.db.repositories import user as user_repo
from ketacare.services._access import require_actor
from ketacare.services.accounts.security import verify_password
from ketacare.services.audit import AccessDenied, AuditContext

REFUSED = (
    "Override refused: the prescriber's e-mail or password is wrong, or the account is not an "
    "active prescriber of this clinic. Nothing was charted."
)


@dataclass(frozen=True)
class Override:
    """Who overrides (``None``: the signed-in user), their password, and why."""

    reason: str
    password: str
    prescriber_email: str | None = None


def _candidate(db: Session, override: Override, ctx: AuditContext) -> User | None:
    email = (override.prescriber_email or "").strip()
    if email:
        return user_repo.get_user_by_email(db, email)
    return user_repo.get_user(db, require_actor(ctx).user_id)


def _eligible(user: User | None, row: TreatmentSession, at: datetime) -> bool:
    return (
        user is not None
        and user.is_active
        and user.organisation_id == row.organisation_id
        and user.role == Role.PRESCRIBER.value
        and (user.locked_until is None or user.locked_until <= at)
    )


def verify_override(
    db: Session,
    *,
    row: TreatmentSession,
    override: Override,
    hasher: PasswordHasher | None,
    at: datetime,
    ctx: AuditContext,
) -> User:
    """The prescriber who overrides, after checking their password.

    Raises:
        Invalid: ``administration.override_reason_required`` without a written reason.
        AccessDenied: wrong e-mail or password, or not an active prescriber of the clinic (403;
            the adapter audits it as a failure after rolling back).
    """
    if not override.reason.strip():
        raise Invalid(
            "administration.override_reason_required",
            "an override needs the prescriber's written reason",
            field="override_reason",
        )
    user = _candidate(db, override, ctx)
    verified = (
        hasher is not None
        and _eligible(user, row, at)
        and user is not None
        and verify_password(hasher, user.password_hash, override.password)
    )
    if not verified or user is None:
        raise AccessDenied(
            REFUSED,
            audit_action=AuditAction.EXECUTE,
            entity_type=AuditEntity.ADMINISTRATION_OVERRIDE,
            entity_id=str(row.id),
            patient_id=row.patient_id,
        )
    return user
