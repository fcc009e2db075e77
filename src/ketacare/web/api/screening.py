"""Eligibility screening, consent and REMS enrolment API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from ketacare.services.screening import consent as consent_service
from ketacare.services.screening import eligibility as screening_service
from ketacare.services.screening import rems_enrolment as rems_enrolment_service
from ketacare.services.screening.eligibility import ScreeningView
from ketacare.web import idempotency
from ketacare.web.deps import ApiAuth, Db
from ketacare.web.schemas.common import PathId
from ketacare.web.schemas.errors import API_ERRORS
from ketacare.web.schemas.screening import (
    ConsentCreate,
    ConsentDocumentCreate,
    ConsentDocumentRead,
    ConsentList,
    ConsentRead,
    ConsentWithdraw,
    RemsEnrolmentCreate,
    RemsEnrolmentRead,
    ScreeningRead,
    ScreeningSign,
)

router = APIRouter(prefix="/api/v1", tags=["screening"], responses=API_ERRORS)


ScreeningInputBody = Annotated[
    dict[str, Any],
    Body(description="The screening input (the `ketacare screen --schema` JSON Schema)."),
]


@router.post("/patients/{patient_id}/screenings", status_code=201, response_model=ScreeningRead)
def evaluate_screening(
    patient_id: PathId, body: ScreeningInputBody, request: Request, db: Db, auth: ApiAuth
) -> Any:
    """Screen the patient and save a draft; 422 names the offending input field."""
    replayed = idempotency.replay(request, db, auth, body)
    if replayed is not None:
        return replayed
    row = screening_service.evaluate_screening(
        db, patient_id=patient_id, inputs=body, at=auth.at, ctx=auth.ctx
    )
    result = ScreeningRead.of(ScreeningView(row, stale=False))
    return idempotency.respond(request, db, auth, body, 201, result)


@router.get("/patients/{patient_id}/screenings", response_model=list[ScreeningRead])
def list_screenings(patient_id: PathId, db: Db, auth: ApiAuth) -> list[ScreeningRead]:
    views = screening_service.list_screenings(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    return [ScreeningRead.of(view) for view in views]


@router.get("/screenings/{screening_id}", response_model=ScreeningRead)
def read_screening(screening_id: PathId, db: Db, auth: ApiAuth) -> ScreeningRead:
    view = screening_service.get_screening(db, screening_id=screening_id, at=auth.at, ctx=auth.ctx)
    return ScreeningRead.of(view)


@router.post("/screenings/{screening_id}/sign", response_model=ScreeningRead)
def sign_screening(
    screening_id: PathId, body: ScreeningSign, db: Db, auth: ApiAuth
) -> ScreeningRead:
    """Prescriber signs: every review reason needs a justification; block reasons refuse."""
    row = screening_service.sign_screening(
        db, screening_id=screening_id, overrides=body.overrides, at=auth.at, ctx=auth.ctx
    )
    return ScreeningRead.of(ScreeningView(row, stale=False))


@router.get("/consent-documents", response_model=list[ConsentDocumentRead])
def list_consent_documents(db: Db, auth: ApiAuth) -> list[ConsentDocumentRead]:
    """Every version of the clinic's consent wording, newest (in force) first."""
    documents = consent_service.list_consent_documents(db, at=auth.at, ctx=auth.ctx)
    return [ConsentDocumentRead.model_validate(d) for d in documents]


@router.post("/consent-documents", status_code=201, response_model=ConsentDocumentRead)
def create_consent_document(
    body: ConsentDocumentCreate, db: Db, auth: ApiAuth
) -> ConsentDocumentRead:
    """Admin publishes a new version; consents on older versions then need re-consent."""
    document = consent_service.create_consent_document(db, text=body.text, at=auth.at, ctx=auth.ctx)
    return ConsentDocumentRead.model_validate(document)


@router.post("/patients/{patient_id}/consents", status_code=201, response_model=ConsentRead)
def sign_consent(
    patient_id: PathId, body: ConsentCreate, request: Request, db: Db, auth: ApiAuth
) -> Any:
    replayed = idempotency.replay(request, db, auth, body)
    if replayed is not None:
        return replayed
    consent = consent_service.sign_consent(
        db,
        patient_id=patient_id,
        document_version=body.document_version,
        typed_name=body.typed_name,
        agreed=body.agreed,
        witness_user_id=body.witness_user_id,
        at=auth.at,
        ctx=auth.ctx,
    )
    result = ConsentRead.model_validate(consent)
    return idempotency.respond(request, db, auth, body, 201, result)


@router.get("/patients/{patient_id}/consents", response_model=ConsentList)
def list_consents(patient_id: PathId, db: Db, auth: ApiAuth) -> ConsentList:
    overview = consent_service.consent_overview(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    return ConsentList(
        current_version=overview.document.version,
        status=overview.status.value,
        consents=[ConsentRead.model_validate(c) for c in overview.consents],
    )


@router.post("/consents/{consent_id}/withdraw", response_model=ConsentRead)
def withdraw_consent(
    consent_id: PathId, body: ConsentWithdraw, db: Db, auth: ApiAuth
) -> ConsentRead:
    """Nurse or prescriber records the patient's withdrawal; treatment then needs re-consent."""
    consent = consent_service.withdraw_consent(
        db, consent_id=consent_id, reason=body.reason, at=auth.at, ctx=auth.ctx
    )
    return ConsentRead.model_validate(consent)


@router.post(
    "/patients/{patient_id}/rems-enrolment", status_code=201, response_model=RemsEnrolmentRead
)
def record_rems_enrolment(
    patient_id: PathId, body: RemsEnrolmentCreate, db: Db, auth: ApiAuth
) -> RemsEnrolmentRead:
    row = rems_enrolment_service.record_rems_enrolment(
        db,
        patient_id=patient_id,
        enrolment_id=body.enrolment_id,
        enrolled_on=body.enrolled_on,
        at=auth.at,
        ctx=auth.ctx,
    )
    return RemsEnrolmentRead.model_validate(row)


@router.get("/patients/{patient_id}/rems-enrolment", response_model=RemsEnrolmentRead | None)
def read_rems_enrolment(patient_id: PathId, db: Db, auth: ApiAuth) -> RemsEnrolmentRead | None:
    row = rems_enrolment_service.get_rems_enrolment(
        db, patient_id=patient_id, at=auth.at, ctx=auth.ctx
    )
    return None if row is None else RemsEnrolmentRead.model_validate(row)
