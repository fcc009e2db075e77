"""Typed, keyword-only factories: a clinic with one account per role, and an outsider clinic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.config import Settings
from ketacare.core.authz import Role
from ketacare.core.codes import MeasurementKind
from ketacare.db.models import Organisation, Patient, User
from ketacare.services.accounts import users as accounts
from ketacare.services.accounts.organisations import create_organisation
from ketacare.services.audit import AuditContext
from ketacare.services.patients import registry as patients

PASSWORD = "correct-horse-battery"
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
SYSTEM = AuditContext(actor=None, client_address="test")
STAFF_ROLES = (Role.ADMIN, Role.PRESCRIBER, Role.NURSE, Role.FRONTDESK, Role.RESEARCHER)


def make_patient(
    db: Session,
    *,
    by: User,
    given_name: str = "Avery",
    family_name: str = "Quinn",
    date_of_birth: date = date(1984, 3, 14),
    sex_at_birth: str = "female",
    mrn: str | None = None,
    weight_kg: Decimal | None = Decimal("70.0"),
    weighed_by: User | None = None,
    at: datetime = NOW,
) -> Patient:
    ctx = AuditContext(actor=accounts.actor_for(by), client_address="test")
    weigh_ctx = AuditContext(actor=accounts.actor_for(weighed_by or by), client_address="test")
    fields: dict[str, object] = {
        "given_name": given_name,
        "family_name": family_name,
        "date_of_birth": date_of_birth,
        "sex_at_birth": sex_at_birth,
    }
    if mrn:
        fields["mrn"] = mrn
    patient = patients.register_patient(db, fields=fields, at=at, ctx=ctx)
    if weight_kg is not None:
        patients.record_measurement(
            db,
            patient_id=patient.id,
            kind=MeasurementKind.WEIGHT,
            value=weight_kg,
            measured_at=at,
            at=at,
            ctx=weigh_ctx,
        )
    return patient


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    users: dict[str, User] = field(default_factory=dict)
    patient: Patient | None = None
    other_patient: Patient | None = None

    def user(self, persona: str) -> User:
        return self.users[persona]


@dataclass(frozen=True)
class WorldKeys:
    """The primary keys of a world committed once, to load it again into a test's session."""

    org: int
    other_org: int
    users: tuple[tuple[str, int], ...]
    patient: int
    other_patient: int
    tokens: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, world: World, *, tokens: dict[str, str] | None = None) -> WorldKeys:
        assert world.patient is not None
        assert world.other_patient is not None
        return cls(
            org=world.org.id,
            other_org=world.other_org.id,
            users=tuple((persona, user.id) for persona, user in world.users.items()),
            patient=world.patient.id,
            other_patient=world.other_patient.id,
            tokens=tuple((tokens or {}).items()),
        )

    def load(self, db: Session) -> World:
        """The same world as fresh objects of ``db`` (three queries, whatever the world's size)."""
        orgs = _by_id(db, Organisation, (self.org, self.other_org))
        users = _by_id(db, User, tuple(user_id for _, user_id in self.users))
        patients = _by_id(db, Patient, (self.patient, self.other_patient))
        return World(
            org=orgs[self.org],
            other_org=orgs[self.other_org],
            users={persona: users[user_id] for persona, user_id in self.users},
            patient=patients[self.patient],
            other_patient=patients[self.other_patient],
        )


_Row = TypeVar("_Row", Organisation, User, Patient)


def _by_id(db: Session, model: type[_Row], ids: tuple[int, ...]) -> dict[int, _Row]:
    return {row.id: row for row in db.scalars(select(model).where(model.id.in_(ids)))}


def ctx_for(user: User) -> AuditContext:
    """The audit context of a signed-in user, as a service call takes it."""
    return AuditContext(actor=accounts.actor_for(user), client_address="test")


def ctx(world: World, persona: str) -> AuditContext:
    """The audit context of one of the world's personas."""
    return ctx_for(world.user(persona))


def pid(world: World) -> int:
    """The id of the world's patient (org A), which every world has."""
    assert world.patient is not None
    return world.patient.id


def make_world(db: Session, *, hasher: PasswordHasher, tag: str = "") -> World:
    """Org A with every staff role, a patient and that patient's account; org B's prescriber."""
    org, _ = create_organisation(db, name=f"Clinic A{tag}", location_name="A", at=NOW, ctx=SYSTEM)
    other, _ = create_organisation(db, name=f"Clinic B{tag}", location_name="B", at=NOW, ctx=SYSTEM)
    world = World(org=org, other_org=other)
    for role in STAFF_ROLES:
        world.users[role.value] = accounts.create_user(
            db,
            hasher=hasher,
            organisation_id=org.id,
            email=f"{role.value}{tag}@a.test",
            full_name=f"{role.value} A",
            role=role,
            password=PASSWORD,
            at=NOW,
            ctx=SYSTEM,
        )
    world.users["outsider"] = accounts.create_user(
        db,
        hasher=hasher,
        organisation_id=other.id,
        email=f"outsider{tag}@b.test",
        full_name="Outsider B",
        role=Role.PRESCRIBER,
        password=PASSWORD,
        at=NOW,
        ctx=SYSTEM,
    )
    world.patient = make_patient(
        db, by=world.users["frontdesk"], mrn="A0001", weighed_by=world.users["nurse"]
    )
    world.other_patient = make_patient(
        db, by=world.users["outsider"], given_name="Other", family_name="Person", mrn="B0001"
    )
    world.users["patient"] = accounts.create_user(
        db,
        hasher=hasher,
        organisation_id=org.id,
        email=f"patient{tag}@a.test",
        full_name="Avery Quinn",
        role=Role.PATIENT,
        password=PASSWORD,
        at=NOW,
        ctx=SYSTEM,
        patient_id=world.patient.id,
    )
    return world


def issue_tokens(db: Session, world: World, *, at: datetime = NOW) -> dict[str, str]:
    """A bearer token per persona, issued at ``at``."""
    settings, ctx = fast_settings(), AuditContext(actor=None)
    return {
        persona: accounts.issue_api_token(db, user=user, settings=settings, at=at, ctx=ctx)[0]
        for persona, user in world.users.items()
    }


def fast_settings(**overrides: object) -> Settings:
    """Settings for tests: cheap argon2 parameters so hundreds of logins stay fast."""
    values: dict[str, object] = {
        "secret_key": "x" * 40,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 64,
        "argon2_parallelism": 1,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
