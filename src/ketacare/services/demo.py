"""A small demo clinic: one account per role, a few patients with weights.

Demo data is fictional. The printed passwords are for a local demo only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from ketacare.core.authz import Role
from ketacare.core.codes import MeasurementKind
from ketacare.db.models import User
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import user as user_repo
from ketacare.services.accounts import users as accounts
from ketacare.services.accounts.organisations import create_organisation
from ketacare.services.audit import AuditContext
from ketacare.services.patients import registry as patients
from ketacare.services.session.demo import ensure_demo_chairs, prepare_demo_session

DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - printed for the local demo
DEMO_DOMAIN = "demo.ketacare.test"
# Which demo patients arrive today with their paperwork done, and for which protocol.
DEMO_SESSIONS = (("DEMO0002", "iv-ketamine-depression"), ("DEMO0003", "esketamine-nasal"))

DEMO_PATIENTS = (
    ("Avery", "Quinn", date(1984, 3, 14), "female", Decimal("68.4"), Decimal("165")),
    ("Jordan", "Blake", date(1979, 11, 2), "male", Decimal("91.0"), Decimal("182")),
    ("Sam", "Rivera", date(1992, 7, 23), "female", Decimal("57.2"), Decimal("158")),
    ("Casey", "Morgan", date(1968, 1, 30), "male", Decimal("104.5"), Decimal("176")),
    ("Riley", "Chen", date(2000, 5, 9), "intersex", Decimal("72.0"), Decimal("170")),
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    role: str
    password: str


def _prepare_sessions(db: Session, *, users: dict[str, User], at: datetime) -> None:
    """Two sessions booked for today whose paperwork is done: one IV, one esketamine.

    A nurse can then run each from check-in to discharge in the browser.
    """
    nurse = AuditContext(actor=accounts.actor_for(users["nurse"]), client_address="demo")
    prescriber = AuditContext(actor=accounts.actor_for(users["prescriber"]), client_address="demo")
    organisation_id = users["nurse"].organisation_id
    ensure_demo_chairs(db, organisation_id=organisation_id, at=at)
    by_mrn = {
        p.mrn: p
        for p in patient_repo.search_patients(
            db, organisation_id=organisation_id, text="DEMO", birth_date=None, limit=10, offset=0
        )
    }
    for mrn, protocol_id in DEMO_SESSIONS:
        prepare_demo_session(
            db,
            patient_id=by_mrn[mrn].id,
            nurse_ctx=nurse,
            prescriber_ctx=prescriber,
            starts_at=at + timedelta(minutes=15),
            at=at,
            protocol_id=protocol_id,
        )


def demo_loaded(db: Session) -> bool:
    return user_repo.get_user_by_email(db, f"admin@{DEMO_DOMAIN}") is not None


def load_demo(db: Session, *, hasher: PasswordHasher, at: datetime) -> list[DemoLogin]:
    """Load the demo clinic unless it is there already; return the logins."""
    logins = [
        DemoLogin(f"{role.value}@{DEMO_DOMAIN}", role.value, DEMO_PASSWORD)
        for role in Role
        if role is not Role.PATIENT
    ]
    if demo_loaded(db):
        return [*logins, DemoLogin(f"patient@{DEMO_DOMAIN}", "patient", DEMO_PASSWORD)]
    system = AuditContext(actor=None, client_address="demo")
    org, location = create_organisation(
        db, name="Demo Ketamine Clinic", location_name="Demo infusion suite", at=at, ctx=system
    )
    users = {}
    for login in logins:
        users[login.role] = accounts.create_user(
            db,
            hasher=hasher,
            organisation_id=org.id,
            email=login.email,
            full_name=f"Demo {login.role.title()}",
            role=Role(login.role),
            password=DEMO_PASSWORD,
            at=at,
            ctx=system,
        )
    frontdesk = AuditContext(actor=accounts.actor_for(users["frontdesk"]), client_address="demo")
    nurse = AuditContext(actor=accounts.actor_for(users["nurse"]), client_address="demo")
    first_patient = None
    for index, (given, family, dob, sex, weight, height) in enumerate(DEMO_PATIENTS, start=1):
        patient = patients.register_patient(
            db,
            fields={
                "given_name": given,
                "family_name": family,
                "date_of_birth": dob,
                "sex_at_birth": sex,
                "mrn": f"DEMO{index:04d}",
                "location_id": location.id,
                "phone": f"555-010{index}",
            },
            at=at,
            ctx=frontdesk,
        )
        first_patient = first_patient or patient
        measured = at - timedelta(days=index)
        for kind, value in ((MeasurementKind.WEIGHT, weight), (MeasurementKind.HEIGHT, height)):
            patients.record_measurement(
                db,
                patient_id=patient.id,
                kind=kind,
                value=value,
                measured_at=measured,
                at=at,
                ctx=nurse,
            )
    assert first_patient is not None  # noqa: S101 - DEMO_PATIENTS is not empty
    _prepare_sessions(db, users=users, at=at)
    accounts.create_user(
        db,
        hasher=hasher,
        organisation_id=org.id,
        email=f"patient@{DEMO_DOMAIN}",
        full_name="Avery Quinn",
        role=Role.PATIENT,
        password=DEMO_PASSWORD,
        at=at,
        ctx=system,
        patient_id=first_patient.id,
    )
    return [*logins, DemoLogin(f"patient@{DEMO_DOMAIN}", "patient", DEMO_PASSWORD)]
