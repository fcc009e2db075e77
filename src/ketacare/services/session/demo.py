"""Demo set-up: chairs, a REMS setting certification, ACLS cards and a ready-to-run session.

Used by the demo set-up and the tests; nothing here is a default for a real clinic.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ketacare.core.errors import Conflict
from ketacare.db.models import (
    Chair,
    RemsSettingCertification,
    StaffCredential,
    TreatmentSession,
)
from ketacare.db.repositories import organisation as org_repo
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import session as repo
from ketacare.db.repositories import user as user_repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext
from ketacare.services.orders import dose as dose_calculation
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.screening import consent as consent_service
from ketacare.services.screening import eligibility as screening_service
from ketacare.services.screening import rems_enrolment as rems_enrolment_service
from ketacare.services.session.booking import BookingRequest, book_session
from ketacare.services.session.gates import ACLS

DEMO_CHAIRS = ("Chair 1", "Chair 2", "Chair 3", "Chair 4")
# Demo credentials only: a fictional ACLS card valid for two years from loading.
DEMO_ACLS_VALID = timedelta(days=730)


def ensure_demo_chairs(db: Session, *, organisation_id: int, at: datetime) -> list[Chair]:
    """Chairs for every location of an organisation, a REMS setting certification and ACLS
    cards for its nurses and prescribers (idempotent; the demo loader calls it)."""
    chairs: list[Chair] = []
    for location in org_repo.list_locations(db, organisation_id=organisation_id):
        for name in DEMO_CHAIRS:
            chair = repo.get_chair_by_name(db, location_id=location.id, name=name)
            chairs.append(
                chair
                or repo.add_row(
                    db,
                    Chair(
                        organisation_id=organisation_id,
                        location_id=location.id,
                        name=name,
                        active=True,
                    ),
                )
            )
        if repo.get_rems_certification(db, location_id=location.id) is None:
            repo.add_row(
                db,
                RemsSettingCertification(
                    location_id=location.id,
                    certification_number=f"DEMO-{location.id:05d}",
                    certified_at=at,
                ),
            )
    staff = [
        u
        for u in user_repo.list_users(db, organisation_id=organisation_id)
        if u.role in ("nurse", "prescriber")
    ]
    held = {c.user_id for c in repo.list_credentials(db, user_ids=[u.id for u in staff])}
    for user in staff:
        if user.id not in held:
            repo.add_row(
                db,
                StaffCredential(
                    user_id=user.id,
                    credential=ACLS,
                    expires_on=(at + DEMO_ACLS_VALID).date(),
                    recorded_at=at,
                ),
            )
    return chairs


# Fictional demo screening answers that the eligibility core finds eligible for IV depression
# treatment; used only to prepare a demo session, never as defaults for a real patient.
DEMO_SCREENING_INPUT: dict[str, object] = {
    "protocol": "iv-ketamine-depression",
    "indication": "depression",
    "pregnant": False,
    "breastfeeding": False,
    "conditions": [],
    "bp_systolic": 120,
    "bp_diastolic": 80,
    "episode_duration_months": 14,
    "episode_severity": "moderate",
    "antidepressant_trials": [
        {
            "drug": drug,
            "improvement_percent": 10,
            "weeks": 8,
            "adequate_dose": True,
            "current_episode": True,
            "adherent": True,
        }
        for drug in ("sertraline", "venlafaxine")
    ],
    "dast10_total": 0,
    "auditc_total": 1,
}


def prepare_demo_session(
    db: Session,
    *,
    patient_id: int,
    nurse_ctx: AuditContext,
    prescriber_ctx: AuditContext,
    starts_at: datetime,
    at: datetime,
    protocol_id: str = "iv-ketamine-depression",
) -> TreatmentSession:
    """A demo session (IV depression or intranasal esketamine) that passes the paperwork gates.

    Signs a screening and an order, records consent (and REMS enrolment for esketamine) and
    books the first free demo chair; the chair-side checks (vitals, NPO, escort) are left for
    the nurse to do in the demo.
    """
    nurse = require_actor(nurse_ctx)
    ensure_demo_chairs(db, organisation_id=nurse.organisation_id, at=at)
    screening = screening_service.evaluate_screening(
        db,
        patient_id=patient_id,
        inputs={**DEMO_SCREENING_INPUT, "protocol": protocol_id},
        at=at,
        ctx=nurse_ctx,
    )
    screening_service.sign_screening(
        db, screening_id=screening.id, overrides={}, at=at, ctx=prescriber_ctx
    )
    patient = patient_repo.get_patient(db, patient_id)
    document = consent_service.current_consent_document(db, at=at, ctx=nurse_ctx)
    consent_service.sign_consent(
        db,
        patient_id=patient_id,
        document_version=document.version,
        typed_name=f"{patient.given_name} {patient.family_name}" if patient else "",
        agreed=True,
        witness_user_id=None,
        at=at,
        ctx=nurse_ctx,
    )
    order = order_service.create_order(
        db,
        patient_id=patient_id,
        inputs=_demo_order_inputs(
            db, protocol_id=protocol_id, patient_id=patient_id, at=at, ctx=nurse_ctx
        ),
        override_reason=None,
        at=at,
        ctx=prescriber_ctx,
    )
    order_service.sign_order(db, order_id=order.id, at=at, ctx=prescriber_ctx)
    for chair in repo.list_chairs(db, organisation_id=nurse.organisation_id):
        try:
            with db.begin_nested():
                return book_session(
                    db,
                    BookingRequest(
                        patient_id=patient_id,
                        protocol_id=protocol_id,
                        chair_id=chair.id,
                        starts_at=starts_at,
                        staff_user_id=nurse.user_id,
                        order_id=order.id,
                    ),
                    at=at,
                    ctx=nurse_ctx,
                )
        except Conflict:
            continue
    raise Conflict("session.no_free_chair", "no demo chair is free at that time")


def _demo_order_inputs(
    db: Session, *, protocol_id: str, patient_id: int, at: datetime, ctx: AuditContext
) -> dose_calculation.DoseInputs:
    if protocol_id.startswith("esketamine"):
        # Spravato needs the patient's REMS enrolment on file; the id is fictional.
        rems_enrolment_service.record_rems_enrolment(
            db,
            patient_id=patient_id,
            enrolment_id=f"DEMO-REMS-{patient_id:04d}",
            enrolled_on=at.date(),
            at=at,
            ctx=ctx,
        )
        # First esketamine dose of a course: 56 mg, two 28 mg devices (label induction dose).
        return dose_calculation.DoseInputs(
            protocol_id=protocol_id, dose_mg=Decimal(56), first_dose=True
        )
    # Demo pump set-up: 10 mg/mL stock diluted to 50 mL (a demo choice, not a default).
    return dose_calculation.DoseInputs(
        protocol_id=protocol_id,
        concentration_mg_per_ml=Decimal(10),
        final_volume_ml=Decimal(50),
    )
