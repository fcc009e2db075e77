from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ketacare.core.authz import Action, Target, can
from ketacare.core.codes import SexAtBirth
from ketacare.core.errors import Conflict, Invalid
from ketacare.core.medications import MedicationClass
from ketacare.services.patients import medications as medication_service
from ketacare.services.patients import registry as patient_service
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.errors import status_for
from ketacare.web.forms import FormState, failed, parse, text_values
from ketacare.web.pages.common import render, see_other
from ketacare.web.schemas.patient import (
    AllergyCreate,
    MeasurementCreate,
    MedicationCreate,
    MedicationStop,
    PatientCreate,
    PatientUpdate,
)

router = APIRouter(include_in_schema=False)

FORM_FIELDS = [
    ("given_name", "Given name", "text"),
    ("family_name", "Family name", "text"),
    ("date_of_birth", "Date of birth", "date"),
    ("sex_at_birth", "Sex at birth", "sex"),
    ("gender_identity", "Gender identity", "text"),
    ("mrn", "MRN (blank: assign one)", "text"),
    ("phone", "Phone", "tel"),
    ("email", "E-mail", "email"),
    ("address", "Address", "text"),
    ("emergency_contact_name", "Emergency contact", "text"),
    ("emergency_contact_phone", "Emergency contact phone", "tel"),
    ("emergency_contact_relationship", "Relationship", "text"),
]
REQUIRED = {"given_name", "family_name", "date_of_birth", "sex_at_birth"}
FIELD_NAMES = [name for name, _, _ in FORM_FIELDS]
MEASUREMENT_FIELDS = ("kind", "value", "measured_at")
MEDICATION_FIELDS = ("name", "medication_class", "dose", "start_date", "stop_date")
ALLERGY_FIELDS = ("substance", "reaction")


def _render_form(
    request: Request,
    state: State,
    auth: CurrentAuth,
    *,
    action: str,
    form: FormState,
    patient: object = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        state,
        "patients/form.html",
        auth,
        status=status,
        action=action,
        form=form,
        fields=FORM_FIELDS,
        required=REQUIRED,
        sexes=[(s.value, s.value.replace("_", " ")) for s in SexAtBirth],
        patient=patient,
    )


@router.get("/patients", response_class=HTMLResponse)
def list_patients(
    request: Request, db: Db, state: State, auth: CurrentAuth, q: str | None = None
) -> Response:
    found = patient_service.search_patients(
        db,
        query=patient_service.SearchQuery(text=(q or "")[:100] or None, limit=100),
        at=auth.at,
        ctx=auth.ctx,
    )
    return render(request, state, "patients/list.html", auth, patients=found, q=q)


@router.get("/patients/new", response_class=HTMLResponse)
def new_patient_form(request: Request, state: State, auth: CurrentAuth) -> Response:
    if not can(auth.actor, Action.PATIENT_CREATE):
        return render(
            request,
            state,
            "error.html",
            auth,
            status=403,
            title="Not allowed",
            message=f"Your role ({auth.actor.role}) may not register patients.",
        )
    return _render_form(request, state, auth, action="/patients/new", form=FormState("patient"))


@router.post("/patients/new", response_class=HTMLResponse)
async def create_patient(request: Request, db: Db, state: State, auth: CsrfAuth) -> Response:
    form = await request.form()
    values = text_values(form, FIELD_NAMES)
    try:
        body = parse(PatientCreate, values)
        patient = patient_service.register_patient(
            db, fields=body.model_dump(exclude_none=True), at=auth.at, ctx=auth.ctx
        )
    except (ValidationError, Invalid, Conflict) as exc:
        db.rollback()
        return _render_form(
            request,
            state,
            auth,
            action="/patients/new",
            form=failed("patient", values, exc, fields=FIELD_NAMES),
            status=status_for(exc),
        )
    return see_other(f"/patients/{patient.id}")


def _chart(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    patient_id: int,
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    header = patient_service.chart_header(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    target = Target(header.patient.organisation_id, header.patient.id)
    # Medicines and allergies are clinical records: shown only to those who may read them.
    clinical = bool(can(auth.actor, Action.CLINICAL_READ, target))
    return render(
        request,
        state,
        "patients/chart.html",
        auth,
        status=status,
        header=header,
        form=form or FormState("measurement"),
        can_edit=bool(can(auth.actor, Action.PATIENT_UPDATE, target)),
        can_measure=bool(can(auth.actor, Action.PATIENT_MEASURE, target)),
        can_chart_medicines=bool(can(auth.actor, Action.CLINICAL_RECORD, target)),
        medication_classes=[(c.value, c.value.replace("_", " ")) for c in MedicationClass],
        today=auth.at.date().isoformat(),
        lists=(
            medication_service.chart_lists(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
            if clinical
            else None
        ),
    )


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def chart(request: Request, patient_id: int, db: Db, state: State, auth: CurrentAuth) -> Response:
    return _chart(request, db, state, auth, patient_id)


@router.get("/patients/{patient_id}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request, patient_id: int, db: Db, state: State, auth: CurrentAuth
) -> Response:
    patient = patient_service.get_patient(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    values: dict[str, Any] = {name: getattr(patient, name) or "" for name, _, _ in FORM_FIELDS}
    values["date_of_birth"] = patient.date_of_birth.isoformat()
    values["version"] = patient.version
    return _render_form(
        request,
        state,
        auth,
        action=f"/patients/{patient_id}/edit",
        form=FormState("patient", values),
        patient=patient,
    )


@router.post("/patients/{patient_id}/edit", response_class=HTMLResponse)
async def edit_patient(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    values: dict[str, Any] = text_values(form, FIELD_NAMES)
    values["version"] = str(form.get("version", ""))
    action = f"/patients/{patient_id}/edit"
    try:
        body = parse(PatientUpdate, values)
        changes = body.model_dump(exclude={"version"})
        # A blank required field or MRN on the form means "keep", not "erase".
        keep = REQUIRED | {"mrn"}
        changes = {k: v for k, v in changes.items() if not (k in keep and v is None)}
        patient_service.update_patient(
            db,
            patient_id=patient_id,
            changes=changes,
            expected_version=body.version,
            at=auth.at,
            ctx=auth.ctx,
        )
    except (ValidationError, Invalid, Conflict) as exc:
        db.rollback()
        return _render_form(
            request,
            state,
            auth,
            action=action,
            form=failed("patient", values, exc, fields=FIELD_NAMES),
            patient=True,
            status=status_for(exc),
        )
    return see_other(f"/patients/{patient_id}")


@router.post("/patients/{patient_id}/measurements", response_class=HTMLResponse)
async def add_measurement(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    values = text_values(form, MEASUREMENT_FIELDS)
    try:
        body = parse(MeasurementCreate, {**values, "measured_at": values["measured_at"] or auth.at})
        patient_service.record_measurement(
            db,
            patient_id=patient_id,
            kind=body.kind,
            value=body.value,
            measured_at=body.measured_at,
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )
    except (ValidationError, Invalid) as exc:
        db.rollback()
        bad = failed("measurement", values, exc, fields=("kind", "value"))
        return _chart(request, db, state, auth, patient_id, form=bad, status=status_for(exc))
    return see_other(f"/patients/{patient_id}")


async def _medicine_form(
    request: Request,
    db: Db,
    state: State,
    auth: CsrfAuth,
    patient_id: int,
    *,
    form_id: str,
    fields: tuple[str, ...],
    work: Callable[[dict[str, str]], object],
) -> Response:
    """One medicine or allergy form: parse and store, or re-render the chart with the message
    beside the field in form ``form_id``."""
    values = text_values(await request.form(), fields)
    try:
        work(values)
    except (ValidationError, Invalid, Conflict) as exc:
        db.rollback()
        bad = failed(form_id, values, exc, fields=fields)
        return _chart(request, db, state, auth, patient_id, form=bad, status=status_for(exc))
    return see_other(f"/patients/{patient_id}#medicines")


@router.post("/patients/{patient_id}/medications", response_class=HTMLResponse)
async def add_medication(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    """Chart a medicine with the API's schema; its class feeds the interaction rules."""

    def work(values: dict[str, str]) -> object:
        body = parse(MedicationCreate, values)
        return medication_service.add_medication(
            db, patient_id=patient_id, **body.model_dump(), at=auth.at, ctx=auth.ctx
        )

    return await _medicine_form(
        request,
        db,
        state,
        auth,
        patient_id,
        form_id="medication",
        fields=MEDICATION_FIELDS,
        work=work,
    )


@router.post("/patients/{patient_id}/medications/{medication_id}/stop", response_class=HTMLResponse)
async def stop_medication(
    request: Request, patient_id: int, medication_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(values: dict[str, str]) -> object:
        body = parse(MedicationStop, values)
        return medication_service.stop_medication(
            db,
            patient_id=patient_id,
            medication_id=medication_id,
            stop_date=body.stop_date,
            at=auth.at,
            ctx=auth.ctx,
        )

    return await _medicine_form(
        request,
        db,
        state,
        auth,
        patient_id,
        form_id=f"stop-{medication_id}",
        fields=("stop_date",),
        work=work,
    )


@router.post("/patients/{patient_id}/allergies", response_class=HTMLResponse)
async def add_allergy(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(values: dict[str, str]) -> object:
        body = parse(AllergyCreate, values)
        return medication_service.add_allergy(
            db, patient_id=patient_id, **body.model_dump(), at=auth.at, ctx=auth.ctx
        )

    return await _medicine_form(
        request, db, state, auth, patient_id, form_id="allergy", fields=ALLERGY_FIELDS, work=work
    )
