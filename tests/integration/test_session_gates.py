"""Each ready gate fails alone, through the real services of every feature it reads.

A patient is built as the clinic would: a signed screening, a signed consent, a signed order
(and, for esketamine, a REMS enrolment), chairs in a REMS-certified setting and staff with a
current ACLS card. Each test then leaves out (or undoes) exactly one thing and checks that the
ready move is refused naming that thing alone, and that nothing of the move is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.core.authz import Role
from ketacare.core.codes import SessionDrug
from ketacare.core.eligibility.consent import load_default_consent
from ketacare.core.session.predose import instructions_for
from ketacare.core.session.states import SessionState
from ketacare.db.models import Chair, SessionTransition, TreatmentSession
from ketacare.services.accounts import users as accounts
from ketacare.services.assessments import records as assessment_service
from ketacare.services.assessments.records import AssessmentEntry
from ketacare.services.audit import AuditContext
from ketacare.services.orders import dose as dose_calculation
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.screening import consent as consent_service
from ketacare.services.screening import eligibility as screening_service
from ketacare.services.screening import rems_enrolment as rems_enrolment_service
from ketacare.services.session import booking as booking_service
from ketacare.services.session import demo as demo_service
from ketacare.services.session import lifecycle as svc
from ketacare.services.session import records as records_service
from ketacare.services.session import vitals as vitals_service
from ketacare.services.session.booking import BookingRequest
from ketacare.services.session.gates import GateRefused
from tests.factories.screening import eligible_screening_input
from tests.factories.world import NOW, PASSWORD, SYSTEM, World, ctx, ctx_for, pid

S = SessionState
IV = "iv-ketamine-depression"
ESKETAMINE = "esketamine-nasal"
CHECK_IN = NOW + timedelta(minutes=30)
READY_AT = CHECK_IN + timedelta(minutes=5)
NORMAL_VITALS = {
    "systolic": 122,
    "diastolic": 78,
    "heart_rate": 72,
    "spo2": 98,
    "respiratory_rate": 14,
}


@dataclass
class Plan:
    """What is on file before the session; each test switches one thing off."""

    protocol: str = IV
    screening: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    sign_screening: bool = True
    consent: bool = True
    sign_order: bool = True
    rems_enrolment: bool = True


def _screen(db: Session, world: World, plan: Plan) -> None:
    row = screening_service.evaluate_screening(
        db,
        patient_id=pid(world),
        inputs=eligible_screening_input(protocol=plan.protocol, **plan.screening),
        at=NOW,
        ctx=ctx(world, "nurse"),
    )
    if plan.sign_screening:
        screening_service.sign_screening(
            db, screening_id=row.id, overrides=plan.overrides, at=NOW, ctx=ctx(world, "prescriber")
        )


def _consent(db: Session, world: World) -> None:
    document = consent_service.current_consent_document(db, at=NOW, ctx=ctx(world, "nurse"))
    consent_service.sign_consent(
        db,
        patient_id=pid(world),
        document_version=document.version,
        typed_name="Avery Quinn",
        agreed=True,
        witness_user_id=None,
        at=NOW,
        ctx=ctx(world, "nurse"),
    )


def _order(db: Session, world: World, plan: Plan) -> int:
    # 10 mg/mL diluted to 50 mL: the test's pump set-up, as the demo uses.
    iv = plan.protocol == IV
    order = order_service.create_order(
        db,
        patient_id=pid(world),
        inputs=dose_calculation.DoseInputs(
            protocol_id=plan.protocol,
            concentration_mg_per_ml=Decimal(10) if iv else None,
            final_volume_ml=Decimal(50) if iv else None,
        ),
        override_reason=None,
        at=NOW,
        ctx=ctx(world, "prescriber"),
    )
    if plan.sign_order:
        order_service.sign_order(db, order_id=order.id, at=NOW, ctx=ctx(world, "prescriber"))
    return order.id


def book(
    db: Session, world: World, plan: Plan | None = None, *, staff: Any = None
) -> TreatmentSession:
    """Everything on file for ``plan`` and a chair booked at CHECK_IN."""
    plan = plan or Plan()
    demo_service.ensure_demo_chairs(db, organisation_id=world.org.id, at=NOW)
    _screen(db, world, plan)
    if plan.consent:
        _consent(db, world)
    if plan.rems_enrolment and plan.protocol == ESKETAMINE:
        rems_enrolment_service.record_rems_enrolment(
            db,
            patient_id=pid(world),
            enrolment_id="REMS-0001",
            enrolled_on=date(2026, 11, 20),
            at=NOW,
            ctx=ctx(world, "nurse"),
        )
    order_id = _order(db, world, plan)
    chair = db.scalars(select(Chair).where(Chair.organisation_id == world.org.id)).first()
    assert chair is not None
    return booking_service.book_session(
        db,
        BookingRequest(
            patient_id=pid(world),
            protocol_id=plan.protocol,
            chair_id=chair.id,
            starts_at=CHECK_IN,
            staff_user_id=(staff or world.user("nurse")).id,
            order_id=order_id,
        ),
        at=NOW,
        ctx=ctx(world, "nurse"),
    )


def chair_checks(
    db: Session,
    row: TreatmentSession,
    by: AuditContext,
    *,
    npo: bool = True,
    escort: bool = True,
    unconfirmed: frozenset[str] = frozenset(),
    vitals_at: datetime = CHECK_IN + timedelta(minutes=2),
    **vitals: int,
) -> None:
    """Check in, confirm fasting and escort (and for esketamine the label's pre-dose
    instructions), take pre-dose vitals (as the nurse does)."""
    svc.transition_session(
        db,
        session_id=row.id,
        to=S.CHECKED_IN,
        reason=None,
        expected_version=None,
        at=CHECK_IN,
        ctx=by,
    )
    records_service.record_checks(
        db,
        session_id=row.id,
        npo_confirmed=npo,
        escort_arranged=escort,
        pregnancy_status=None,
        expected_version=None,
        at=CHECK_IN,
        ctx=by,
        predose_instructions={
            c.instruction: c.instruction not in unconfirmed
            for c in instructions_for(SessionDrug(row.drug))
        }
        or None,
    )
    vitals_service.record_vitals(
        db,
        session_id=row.id,
        measured_at=vitals_at,
        values={**NORMAL_VITALS, **vitals},
        at=vitals_at,
        ctx=by,
    )


def refused(
    db: Session, row: TreatmentSession, by: AuditContext, at: datetime = READY_AT
) -> set[str]:
    """Try the ready move; return the failure codes (and check nothing of the move was kept)."""
    before = db.scalars(
        select(SessionTransition).where(SessionTransition.session_id == row.id)
    ).all()
    with pytest.raises(GateRefused) as caught:
        svc.transition_session(
            db, session_id=row.id, to=S.READY, reason=None, expected_version=None, at=at, ctx=by
        )
    assert caught.value.code == "session.gate_refused"
    assert caught.value.extra["failures"] == [
        {"code": f.code, "message": f.message} for f in caught.value.failures
    ]
    assert row.state == S.CHECKED_IN.value
    after = db.scalars(
        select(SessionTransition).where(SessionTransition.session_id == row.id)
    ).all()
    assert len(after) == len(before)
    return {f.code for f in caught.value.failures}


def becomes_ready(db: Session, row: TreatmentSession, by: AuditContext) -> None:
    svc.transition_session(
        db, session_id=row.id, to=S.READY, reason=None, expected_version=None, at=READY_AT, ctx=by
    )
    assert row.state == S.READY.value


# --- the baseline: everything on file passes ---------------------------------------------------


def test_an_iv_patient_with_everything_on_file_becomes_ready(db: Session, world: World) -> None:
    row = book(db, world)
    nurse = ctx(world, "nurse")
    chair_checks(db, row, nurse)
    assert svc.ready_readiness(db, session_id=row.id, at=READY_AT, ctx=nurse) == []
    becomes_ready(db, row, nurse)


def test_an_esketamine_patient_with_everything_on_file_becomes_ready(
    db: Session, world: World
) -> None:
    row = book(db, world, Plan(protocol=ESKETAMINE))
    # Spravato needs a prescriber on site: the prescriber runs this session.
    prescriber = ctx(world, "prescriber")
    chair_checks(db, row, prescriber)
    becomes_ready(db, row, prescriber)


# --- each gate alone ---------------------------------------------------------------------------


def test_unsigned_screening_alone(db: Session, world: World) -> None:
    row = book(db, world, Plan(sign_screening=False))
    chair_checks(db, row, ctx(world, "nurse"))
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.eligibility_unsigned"}


def test_stale_screening_alone(db: Session, world: World) -> None:
    row = book(db, world)
    # New clinical data after the signature: the signed decision no longer holds.
    screening_service.evaluate_screening(
        db,
        patient_id=pid(world),
        inputs=eligible_screening_input(protocol=IV, conditions=["psychosis_history"]),
        at=NOW,
        ctx=ctx(world, "nurse"),
    )
    chair_checks(db, row, ctx(world, "nurse"))
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.eligibility_stale"}


def test_no_consent_alone(db: Session, world: World) -> None:
    row = book(db, world, Plan(consent=False))
    chair_checks(db, row, ctx(world, "nurse"))
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.consent_missing"}


def test_new_consent_wording_requires_reconsent_alone(db: Session, world: World) -> None:
    row = book(db, world)
    text = load_default_consent().text.replace(
        "ketacare-consent-version: 1", "ketacare-consent-version: 2"
    )
    consent_service.create_consent_document(db, text=text, at=NOW, ctx=ctx(world, "admin"))
    chair_checks(db, row, ctx(world, "nurse"))
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.consent_missing"}
    # Signing the new wording clears the gate.
    _consent(db, world)
    becomes_ready(db, row, ctx(world, "nurse"))


def test_open_safety_alert_alone(db: Session, world: World) -> None:
    row = book(db, world)
    assessment_service.record_assessment(
        db,
        AssessmentEntry(
            patient_id=pid(world),
            instrument_id="phq9",
            # item 9 (thoughts of self-harm) = 1
            answers=[1, 1, 1, 1, 0, 0, 0, 0, 1],
            context=None,
            administered_at=NOW,
            timepoint="pre-session",
            session_id=None,
        ),
        at=NOW,
        ctx=ctx(world, "nurse"),
    )
    chair_checks(db, row, ctx(world, "nurse"))
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.open_safety_alert"}


def test_no_signed_order_alone(db: Session, world: World) -> None:
    row = book(db, world, Plan(sign_order=False))  # booked with the order still a draft
    chair_checks(db, row, ctx(world, "nurse"))
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.order_unsigned"}


def test_predose_vitals_older_than_30_minutes_alone(db: Session, world: World) -> None:
    row = book(db, world)
    chair_checks(db, row, ctx(world, "nurse"), vitals_at=CHECK_IN)
    late = CHECK_IN + timedelta(minutes=31)
    assert refused(db, row, ctx(world, "nurse"), at=late) == {
        "session.gate.predose_bp_missing",
        "session.gate.predose_hr_missing",
        "session.gate.predose_spo2_missing",
        "session.gate.predose_rr_missing",
    }
    # Within the 30 minutes the same reading is enough.
    becomes_ready(db, row, ctx(world, "nurse"))


def test_raised_predose_bp_not_acknowledged_alone(db: Session, world: World) -> None:
    row = book(db, world)
    chair_checks(db, row, ctx(world, "nurse"), systolic=150)
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.predose_bp_unacknowledged"}
    vitals_service.acknowledge_predose_bp(
        db,
        session_id=row.id,
        note="benefit outweighs risk",
        at=READY_AT,
        ctx=ctx(world, "prescriber"),
    )
    becomes_ready(db, row, ctx(world, "nurse"))


def test_npo_not_confirmed_alone(db: Session, world: World) -> None:
    row = book(db, world)
    chair_checks(db, row, ctx(world, "nurse"), npo=False)
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.npo_unconfirmed"}


def test_escort_not_arranged_alone(db: Session, world: World) -> None:
    row = book(db, world)
    chair_checks(db, row, ctx(world, "nurse"), escort=False)
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.escort_missing"}


def test_pregnancy_status_missing_where_required_alone(db: Session, world: World) -> None:
    # Screened without a pregnancy status; the prescriber signs it, to be tested on the day.
    plan = Plan(
        screening={"pregnant": None},
        overrides={"pregnancy.status_not_recorded": "test on the day of treatment"},
    )
    row = book(db, world, plan)
    chair_checks(db, row, ctx(world, "nurse"))
    assert refused(db, row, ctx(world, "nurse")) == {"session.gate.pregnancy_status_missing"}
    records_service.record_checks(
        db,
        session_id=row.id,
        npo_confirmed=None,
        escort_arranged=None,
        pregnancy_status="negative",
        expected_version=None,
        at=READY_AT,
        ctx=ctx(world, "nurse"),
    )
    becomes_ready(db, row, ctx(world, "nurse"))


def test_expired_acls_alone(db: Session, world: World, hasher: PasswordHasher) -> None:
    # A nurse who joined after the demo cards were issued, alone at the chair with an old card.
    demo_service.ensure_demo_chairs(db, organisation_id=world.org.id, at=NOW)
    nurse = accounts.create_user(
        db,
        hasher=hasher,
        organisation_id=world.org.id,
        email="new-nurse@a.test",
        full_name="New Nurse",
        role=Role.NURSE,
        password=PASSWORD,
        at=NOW,
        ctx=SYSTEM,
    )
    booking_service.record_staff_credential(
        db,
        user_id=nurse.id,
        credential="acls",
        expires_on=(NOW - timedelta(days=1)).date(),
        at=NOW,
        ctx=ctx(world, "admin"),
    )
    row = book(db, world, staff=nurse)
    chair_checks(db, row, ctx_for(nurse))
    assert refused(db, row, ctx_for(nurse)) == {"session.gate.acls_clinician_missing"}


def test_esketamine_without_rems_enrolment_alone(db: Session, world: World) -> None:
    row = book(db, world, Plan(protocol=ESKETAMINE, rems_enrolment=False))
    prescriber = ctx(world, "prescriber")
    chair_checks(db, row, prescriber)
    assert refused(db, row, prescriber) == {"session.gate.rems_patient_not_enrolled"}


def test_esketamine_refused_until_the_label_instructions_are_confirmed(
    db: Session, world: World
) -> None:
    row = book(db, world, Plan(protocol=ESKETAMINE))
    prescriber = ctx(world, "prescriber")
    chair_checks(db, row, prescriber, unconfirmed=frozenset({"no_liquids_30min"}))
    assert refused(db, row, prescriber) == {"session.gate.no_liquids_30min_unconfirmed"}
    assert row.predose_instructions == {
        "no_food_2h": True,
        "no_liquids_30min": False,
        "nasal_medicines_1h": True,
    }
