"""Organisations and locations, and the first-run bootstrap."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Role
from ketacare.db.models import Location, Organisation, User
from ketacare.db.repositories import organisation as org_repo
from ketacare.db.repositories import user as user_repo
from ketacare.services.accounts import users as accounts
from ketacare.services.audit import AuditContext, record_event


def zone_named(name: str | None) -> tzinfo:
    """A location's IANA zone; an unknown or empty name falls back to UTC (never an error
    on a page that only shows times)."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def display_zone(db: Session, *, organisation_id: int, location_id: int | None = None) -> tzinfo:
    """The zone pages show times in: the given location's, else the organisation's first
    location's (where its clinic is), else UTC."""
    if location_id is not None:
        location = org_repo.get_location(db, location_id)
        if location is not None and location.organisation_id == organisation_id:
            return zone_named(location.timezone)
    locations = org_repo.list_locations(db, organisation_id=organisation_id)
    return zone_named(locations[0].timezone) if locations else UTC


def create_organisation(
    db: Session, *, name: str, location_name: str, at: datetime, ctx: AuditContext
) -> tuple[Organisation, Location]:
    org = org_repo.add_organisation(db, Organisation(name=name, created_at=at))
    location = org_repo.add_location(db, Location(organisation_id=org.id, name=location_name))
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type=AuditEntity.ORGANISATION,
        entity_id=org.id,
        organisation_id=org.id,
    )
    return org, location


def bootstrap(
    db: Session,
    *,
    hasher: PasswordHasher,
    admin_email: str,
    admin_password: str | None,
    organisation_name: str,
    at: datetime,
) -> tuple[User, bool]:
    """Create the first organisation and admin; idempotent (returns the existing admin).

    Returns:
        The admin account and whether it was created now.
    """
    existing = user_repo.get_user_by_email(db, admin_email)
    if existing is not None:
        return existing, False
    ctx = AuditContext(actor=None, client_address="cli")
    orgs = org_repo.list_organisations(db)
    if orgs:
        org = orgs[0]
    else:
        org, _ = create_organisation(
            db, name=organisation_name, location_name="Main clinic", at=at, ctx=ctx
        )
    if admin_password is None:
        from ketacare.core.errors import Invalid

        raise Invalid(
            "init.password_required", "A password is needed for the first admin.", field="password"
        )
    admin = accounts.create_user(
        db,
        hasher=hasher,
        organisation_id=org.id,
        email=admin_email,
        full_name="Clinic administrator",
        role=Role.ADMIN,
        password=admin_password,
        at=at,
        ctx=ctx,
    )
    return admin, True
