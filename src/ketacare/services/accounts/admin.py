"""What an administrator asks of the accounts: the staff list, the audit trail, and the look-ups
the operator's ``ketacare init`` / ``ketacare users`` commands make before they change anything.

The admin pages and the CLI call these instead of the repositories, so a query and its access
check live in one place and the adapters stay thin.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.config import Settings
from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.errors import NotFound
from ketacare.db.models import AuditEvent, User
from ketacare.db.repositories import audit as audit_repo
from ketacare.db.repositories import organisation as org_repo
from ketacare.db.repositories import user as user_repo
from ketacare.services._access import require_actor
from ketacare.services.accounts.users import issue_api_token
from ketacare.services.audit import AuditContext, authorize, record_event

# The trail's filter as the page shows it back (``f.user_id`` ...); the repository's own shape.
AuditFilter = audit_repo.AuditFilter


def list_staff(db: Session, *, ctx: AuditContext) -> list[User]:
    """The accounts of the admin's own organisation."""
    actor = require_actor(ctx)
    authorize(
        actor, Action.USER_MANAGE, None, audit_action=AuditAction.READ, entity_type=AuditEntity.USER
    )
    return user_repo.list_users(db, organisation_id=actor.organisation_id)


def search_audit_trail(
    db: Session, *, flt: AuditFilter, limit: int, offset: int, at: datetime, ctx: AuditContext
) -> list[AuditEvent]:
    """One page of the organisation's audit events, newest first.

    Reading the trail is itself audited: who looked at whose access history.
    """
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.AUDIT_READ,
        None,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.AUDIT_EVENT,
    )
    events = audit_repo.list_audit_events(db, flt, limit=limit, offset=max(offset, 0))
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type=AuditEntity.AUDIT_EVENT,
        entity_id=None,
        patient_id=flt.patient_id,
        detail=f"results={len(events)}",
    )
    return events


def account_exists(db: Session, *, email: str) -> bool:
    """Whether an account with this e-mail exists (``ketacare init`` is safe to run again)."""
    return user_repo.get_user_by_email(db, email) is not None


def organisation_for_new_user(db: Session, *, organisation_id: int | None) -> int | None:
    """The organisation a CLI-created account joins: the one named, else the first.

    ``None`` when no organisation exists yet (``ketacare init`` has not run).

    Raises:
        NotFound: ``organisation.not_found`` for an id that does not exist.
    """
    orgs = org_repo.list_organisations(db)
    if not orgs:
        return None
    org_id = organisation_id or orgs[0].id
    if org_id not in {org.id for org in orgs}:
        raise NotFound(
            "organisation.not_found", f"No organisation with id {org_id}.", field="organisation_id"
        )
    return org_id


def issue_api_token_for(
    db: Session, *, email: str, settings: Settings, at: datetime, ctx: AuditContext, label: str
) -> str:
    """A new bearer token for the account with this e-mail (shown once; stored hashed).

    Raises:
        NotFound: ``account.not_found`` (field ``email``).
    """
    user = user_repo.get_user_by_email(db, email)
    if user is None:
        raise NotFound("account.not_found", f"no account {email}.", field="email")
    token, _ = issue_api_token(db, user=user, settings=settings, at=at, ctx=ctx, label=label)
    return token
