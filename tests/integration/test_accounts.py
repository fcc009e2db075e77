from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.core.authz import Role
from ketacare.core.errors import Conflict, Invalid
from ketacare.db.models import AuditEvent
from ketacare.services.accounts import users as accounts
from ketacare.services.audit import AuditContext
from tests.factories.world import NOW, PASSWORD, World, fast_settings

SETTINGS = fast_settings()


def login(db: Session, hasher, email: str, password: str, minutes: int = 0):
    return accounts.authenticate(
        db,
        hasher=hasher,
        settings=SETTINGS,
        email=email,
        password=password,
        at=NOW + timedelta(minutes=minutes),
        client_address="10.1.1.1",
    )


def test_password_is_stored_as_argon2id(world: World) -> None:
    assert world.user("nurse").password_hash.startswith("$argon2id$")
    assert PASSWORD not in world.user("nurse").password_hash


def test_login_success_and_failure_are_audited(db: Session, hasher, world: World) -> None:
    assert login(db, hasher, "NURSE@a.test", PASSWORD).ok  # e-mail is case-insensitive
    failed = login(db, hasher, "nurse@a.test", "wrong-password!")
    assert not failed.ok
    assert failed.reason == "bad_credentials"
    unknown = login(db, hasher, "nobody@a.test", "whatever-password")
    assert unknown.reason == "bad_credentials"
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Login")))
    outcomes = [(e.user_id, e.outcome, e.client_address) for e in events]
    nurse_id = world.user("nurse").id
    assert (nurse_id, "0", "10.1.1.1") in outcomes
    assert (nurse_id, "4", "10.1.1.1") in outcomes
    assert (None, "4", "10.1.1.1") in outcomes


def test_lockout_after_repeated_failures_then_expiry(db: Session, hasher, world: World) -> None:
    for _ in range(SETTINGS.login_max_failures):
        assert not login(db, hasher, "nurse@a.test", "wrong-password!").ok
    # Even the right password is refused while locked.
    assert login(db, hasher, "nurse@a.test", PASSWORD).reason == "locked"
    later = SETTINGS.lockout_minutes + 1
    assert login(db, hasher, "nurse@a.test", PASSWORD, minutes=later).ok


def test_failures_outside_window_do_not_accumulate(db: Session, hasher, world: World) -> None:
    window = SETTINGS.login_failure_window_minutes
    for i in range(SETTINGS.login_max_failures - 1):
        login(db, hasher, "nurse@a.test", "wrong-password!", minutes=i)
    # The next failure comes after the window: the count restarts, no lock.
    login(db, hasher, "nurse@a.test", "wrong-password!", minutes=window + 10)
    assert login(db, hasher, "nurse@a.test", PASSWORD, minutes=window + 11).ok


def test_login_session_idle_expiry(db: Session, world: World) -> None:
    token, _ = accounts.start_login_session(
        db, user=world.user("nurse"), at=NOW, client_address=None
    )
    idle = SETTINGS.session_idle_minutes
    assert (
        accounts.resolve_login_session(
            db, token=token, settings=SETTINGS, at=NOW + timedelta(minutes=idle - 1)
        )
        is not None
    )
    # Activity moved the idle clock forward.
    assert (
        accounts.resolve_login_session(
            db, token=token, settings=SETTINGS, at=NOW + timedelta(minutes=2 * idle - 2)
        )
        is not None
    )
    assert (
        accounts.resolve_login_session(
            db, token=token, settings=SETTINGS, at=NOW + timedelta(minutes=4 * idle)
        )
        is None
    )


def test_api_token_is_hashed_expires_and_revokes(db: Session, world: World) -> None:
    user = world.user("prescriber")
    ctx = AuditContext(actor=accounts.actor_for(user))
    token, row = accounts.issue_api_token(db, user=user, settings=SETTINGS, at=NOW, ctx=ctx)
    assert row.token_hash != token
    assert accounts.resolve_api_token(db, token=token, at=NOW) == user
    assert accounts.resolve_api_token(db, token=token, at=row.expires_at) is None
    accounts.revoke_api_token(db, token=token, at=NOW, ctx=ctx)
    assert accounts.resolve_api_token(db, token=token, at=NOW) is None


def test_password_change_rules_and_sign_out_elsewhere(db: Session, hasher, world: World) -> None:
    user = world.user("nurse")
    ctx = AuditContext(actor=accounts.actor_for(user))
    token, _ = accounts.start_login_session(db, user=user, at=NOW, client_address=None)
    with pytest.raises(Invalid) as wrong:
        accounts.change_password(
            db,
            hasher=hasher,
            user=user,
            current_password="nope",
            new_password="a-much-better-password",
            at=NOW,
            ctx=ctx,
        )
    assert wrong.value.field == "current_password"
    with pytest.raises(Invalid) as short:
        accounts.change_password(
            db,
            hasher=hasher,
            user=user,
            current_password=PASSWORD,
            new_password="short",
            at=NOW,
            ctx=ctx,
        )
    assert short.value.field == "new_password"
    accounts.change_password(
        db,
        hasher=hasher,
        user=user,
        current_password=PASSWORD,
        new_password="a-much-better-password",
        at=NOW,
        ctx=ctx,
    )
    assert login(db, hasher, "nurse@a.test", "a-much-better-password").ok
    assert accounts.resolve_login_session(db, token=token, settings=SETTINGS, at=NOW) is None


def test_duplicate_email_and_patient_role_rules(db: Session, hasher, world: World) -> None:
    system = AuditContext(actor=None)
    with pytest.raises(Conflict) as dup:
        accounts.create_user(
            db,
            hasher=hasher,
            organisation_id=world.org.id,
            email="Nurse@A.test",
            full_name="x",
            role=Role.NURSE,
            password=PASSWORD,
            at=NOW,
            ctx=system,
        )
    assert dup.value.field == "email"
    with pytest.raises(Invalid) as patient:
        accounts.create_user(
            db,
            hasher=hasher,
            organisation_id=world.org.id,
            email="p2@a.test",
            full_name="x",
            role=Role.PATIENT,
            password=PASSWORD,
            at=NOW,
            ctx=system,
        )
    assert patient.value.field == "role"
