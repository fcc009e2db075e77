from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ketacare.core.errors import Invalid
from ketacare.services.patients import medications as medication_service
from ketacare.services.patients import registry as patient_service
from ketacare.web import idempotency
from ketacare.web.deps import ApiAuth, Db
from ketacare.web.schemas.common import Offset, PathId, PlainText
from ketacare.web.schemas.errors import API_ERRORS
from ketacare.web.schemas.patient import (
    AllergyCreate,
    AllergyRead,
    MeasurementCreate,
    MeasurementRead,
    MedicationCreate,
    MedicationRead,
    MedicationStop,
    PatientCreate,
    PatientRead,
    PatientUpdate,
)

router = APIRouter(prefix="/api/v1/patients", tags=["patients"], responses=API_ERRORS)


@router.post("", status_code=201, response_model=PatientRead)
def create_patient(body: PatientCreate, request: Request, db: Db, auth: ApiAuth) -> Any:
    """Register a patient in the caller's organisation. Send Idempotency-Key to retry safely."""
    replayed = idempotency.replay(request, db, auth, body)
    if replayed is not None:
        return replayed
    patient = patient_service.register_patient(
        db, fields=body.model_dump(exclude_none=True), at=auth.at, ctx=auth.ctx
    )
    result = PatientRead.model_validate(patient)
    return idempotency.respond(request, db, auth, body, 201, result)


@router.get("", response_model=list[PatientRead])
def search_patients(
    db: Db,
    auth: ApiAuth,
    q: Annotated[
        str | None, Query(max_length=100, description="Name, MRN or ISO date"), PlainText
    ] = None,
    birth_date: Annotated[date | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> list[PatientRead]:
    """Search by name, MRN or date of birth (only the caller's organisation)."""
    found = patient_service.search_patients(
        db,
        query=patient_service.SearchQuery(
            text=q, birth_date=birth_date, limit=limit, offset=offset
        ),
        at=auth.at,
        ctx=auth.ctx,
    )
    return [PatientRead.model_validate(p) for p in found]


@router.get("/{patient_id}", response_model=PatientRead)
def read_patient(patient_id: PathId, db: Db, auth: ApiAuth) -> PatientRead:
    patient = patient_service.get_patient(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    return PatientRead.model_validate(patient)


@router.patch("/{patient_id}", response_model=PatientRead)
def update_patient(patient_id: PathId, body: PatientUpdate, db: Db, auth: ApiAuth) -> PatientRead:
    """Change demographics; send `version` to refuse the change if someone else saved first."""
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    for required in ("given_name", "family_name", "date_of_birth", "sex_at_birth"):
        if required in changes and changes[required] is None:
            raise Invalid("patient.required", f"{required} cannot be emptied.", field=required)
    patient = patient_service.update_patient(
        db,
        patient_id=patient_id,
        changes=changes,
        expected_version=body.version,
        at=auth.at,
        ctx=auth.ctx,
    )
    return PatientRead.model_validate(patient)


@router.post("/{patient_id}/measurements", status_code=201, response_model=MeasurementRead)
def add_measurement(
    patient_id: PathId, body: MeasurementCreate, db: Db, auth: ApiAuth
) -> MeasurementRead:
    """Record a dated weight (kg) or height (cm)."""
    row = patient_service.record_measurement(
        db,
        patient_id=patient_id,
        kind=body.kind,
        value=body.value,
        measured_at=body.measured_at,
        at=auth.at,
        ctx=auth.ctx,
        windows=auth.windows,
    )
    return MeasurementRead.model_validate(row)


@router.get("/{patient_id}/medications", response_model=list[MedicationRead])
def list_medications(patient_id: PathId, db: Db, auth: ApiAuth) -> list[MedicationRead]:
    """The medication list, stopped medicines included, newest first."""
    rows = medication_service.list_medications(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    return [MedicationRead.model_validate(row) for row in rows]


@router.post("/{patient_id}/medications", status_code=201, response_model=MedicationRead)
def add_medication(
    patient_id: PathId, body: MedicationCreate, db: Db, auth: ApiAuth
) -> MedicationRead:
    """Chart a medicine; its class feeds the screening's interaction rules."""
    row = medication_service.add_medication(
        db, patient_id=patient_id, **body.model_dump(), at=auth.at, ctx=auth.ctx
    )
    return MedicationRead.model_validate(row)


@router.post("/{patient_id}/medications/{medication_id}/stop", response_model=MedicationRead)
def stop_medication(
    patient_id: PathId, medication_id: PathId, body: MedicationStop, db: Db, auth: ApiAuth
) -> MedicationRead:
    """Stop a medicine (the row is kept, with its stop date)."""
    row = medication_service.stop_medication(
        db,
        patient_id=patient_id,
        medication_id=medication_id,
        stop_date=body.stop_date,
        at=auth.at,
        ctx=auth.ctx,
    )
    return MedicationRead.model_validate(row)


@router.get("/{patient_id}/allergies", response_model=list[AllergyRead])
def list_allergies(patient_id: PathId, db: Db, auth: ApiAuth) -> list[AllergyRead]:
    rows = medication_service.list_allergies(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    return [AllergyRead.model_validate(row) for row in rows]


@router.post("/{patient_id}/allergies", status_code=201, response_model=AllergyRead)
def add_allergy(patient_id: PathId, body: AllergyCreate, db: Db, auth: ApiAuth) -> AllergyRead:
    row = medication_service.add_allergy(
        db, patient_id=patient_id, **body.model_dump(), at=auth.at, ctx=auth.ctx
    )
    return AllergyRead.model_validate(row)
