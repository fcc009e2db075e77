"""Patient registration, demographics, search and body measurements, all audited."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.codes import MeasurementKind
from ketacare.core.errors import Conflict, Invalid
from ketacare.core.plausibility import (
    DEFAULT_WINDOWS,
    Windows,
    check_birth_date,
    check_body,
    check_event_time,
    check_measurement,
)
from ketacare.core.time import age_in_years
from ketacare.db.models import BodyMeasurement, Patient
from ketacare.db.repositories import patient as patient_repo
from ketacare.services._access import (
    PatientAccess,
    patient_access,
    require_actor,
)
from ketacare.services.audit import AuditContext, authorize, record_event

EDITABLE_FIELDS = (
    "mrn",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex_at_birth",
    "gender_identity",
    "phone",
    "email",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
    "location_id",
)
MAX_SEARCH_RESULTS = 200


def _search_name(given: str, family: str) -> str:
    return f"{given} {family}".lower()


def register_patient(
    db: Session, *, fields: Mapping[str, object], at: datetime, ctx: AuditContext
) -> Patient:
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.PATIENT_CREATE,
        None,
        audit_action=AuditAction.CREATE,
        entity_type=AuditEntity.PATIENT,
    )
    values = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    mrn = str(values.pop("mrn", None) or _new_mrn())
    if patient_repo.get_patient_by_mrn(db, organisation_id=actor.organisation_id, mrn=mrn):
        raise Conflict("patient.mrn_taken", f"MRN {mrn} is already in use.", field="mrn")
    _check_birth_date(values.get("date_of_birth"), at=at)
    patient = Patient(
        organisation_id=actor.organisation_id,
        mrn=mrn,
        created_at=at,
        updated_at=at,
        **values,
    )
    patient.search_name = _search_name(patient.given_name, patient.family_name)
    patient_repo.add_patient(db, patient)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type=AuditEntity.PATIENT,
        entity_id=patient.id,
        patient_id=patient.id,
    )
    return patient


def _new_mrn() -> str:
    return "KC" + "".join(secrets.choice("0123456789") for _ in range(8))


def _check_birth_date(value: object, *, at: datetime) -> None:
    if isinstance(value, date):
        check_birth_date(value, today=at.date())


def _access(
    db: Session,
    ctx: AuditContext,
    patient_id: int,
    *,
    at: datetime,
    action: Action,
    audit_action: AuditAction,
) -> PatientAccess:
    return patient_access(
        db,
        ctx,
        patient_id,
        at=at,
        action=action,
        audit_action=audit_action,
        entity=AuditEntity.PATIENT,
        entity_id=patient_id,
    )


def get_patient(db: Session, *, patient_id: int, at: datetime, ctx: AuditContext) -> Patient:
    actor = require_actor(ctx)
    action = Action.OWN_RECORD_READ if actor.patient_id == patient_id else Action.PATIENT_READ
    access = _access(db, ctx, patient_id, at=at, action=action, audit_action=AuditAction.READ)
    access.record(patient_id)
    return access.patient


def update_patient(
    db: Session,
    *,
    patient_id: int,
    changes: Mapping[str, object],
    expected_version: int | None,
    at: datetime,
    ctx: AuditContext,
) -> Patient:
    access = _access(
        db, ctx, patient_id, at=at, action=Action.PATIENT_UPDATE, audit_action=AuditAction.UPDATE
    )
    patient = access.patient
    if expected_version is not None and expected_version != patient.version:
        raise Conflict(
            "patient.version_conflict",
            f"The record changed since you loaded it (version {patient.version}, "
            f"you had {expected_version}). Reload and apply your change again.",
            field="version",
        )
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise Invalid(
            "patient.unknown_field",
            f"Unknown field {sorted(unknown)[0]}.",
            field=sorted(unknown)[0],
        )
    new_mrn = changes.get("mrn")
    if (
        new_mrn
        and new_mrn != patient.mrn
        and patient_repo.get_patient_by_mrn(
            db, organisation_id=patient.organisation_id, mrn=str(new_mrn)
        )
    ):
        raise Conflict("patient.mrn_taken", f"MRN {new_mrn} is already in use.", field="mrn")
    _check_birth_date(changes.get("date_of_birth"), at=at)
    for key, value in changes.items():
        setattr(patient, key, value)
    patient.search_name = _search_name(patient.given_name, patient.family_name)
    patient.updated_at = at
    db.flush()
    access.record(patient.id, detail="fields=" + ",".join(sorted(changes)))
    return patient


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str | None = None
    birth_date: date | None = None
    limit: int = 50
    offset: int = 0


def _parse_query_text(text: str | None) -> tuple[str | None, date | None]:
    """A query that is an ISO date searches by date of birth; anything else by name or MRN."""
    if not text:
        return None, None
    stripped = text.strip()
    try:
        return None, date.fromisoformat(stripped)
    except ValueError:
        return stripped, None


def search_patients(
    db: Session, *, query: SearchQuery, at: datetime, ctx: AuditContext
) -> list[Patient]:
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.PATIENT_SEARCH,
        None,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.PATIENT,
    )
    text, parsed_date = _parse_query_text(query.text)
    results = patient_repo.search_patients(
        db,
        organisation_id=actor.organisation_id,
        text=text,
        birth_date=query.birth_date or parsed_date,
        limit=min(query.limit, MAX_SEARCH_RESULTS),
        offset=query.offset,
    )
    # The query text itself may be a name (PHI): the audit keeps only the result count.
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type=AuditEntity.PATIENT_SEARCH,
        entity_id=None,
        detail=f"results={len(results)}",
    )
    return results


def record_measurement(
    db: Session,
    *,
    patient_id: int,
    kind: MeasurementKind,
    value: Decimal,
    measured_at: datetime,
    at: datetime,
    ctx: AuditContext,
    windows: Windows = DEFAULT_WINDOWS,
) -> BodyMeasurement:
    """Record a dated weight (kg) or height (cm).

    The value must be a plausible one for its kind, and, with the latest measurement of the
    other kind, give a BMI some person has (``ketacare.core.plausibility.body``).
    """
    access = _access(
        db, ctx, patient_id, at=at, action=Action.PATIENT_MEASURE, audit_action=AuditAction.CREATE
    )
    actor, patient = access.actor, access.patient
    check_event_time(measured_at, at=at, window=windows.charted, field="measured_at")
    check_measurement(kind, value)
    _check_bmi(db, patient_id=patient.id, kind=kind, value=value)
    row = patient_repo.add_measurement(
        db,
        BodyMeasurement(
            patient_id=patient.id,
            kind=kind,
            value=value,
            measured_at=measured_at,
            recorded_by=actor.user_id,
        ),
    )
    access.record(row.id, entity=AuditEntity.BODY_MEASUREMENT, detail=f"kind={kind}")
    return row


def _check_bmi(db: Session, *, patient_id: int, kind: MeasurementKind, value: Decimal) -> None:
    other = MeasurementKind.HEIGHT if kind is MeasurementKind.WEIGHT else MeasurementKind.WEIGHT
    latest = patient_repo.latest_measurement(db, patient_id=patient_id, kind=other)
    if latest is None:
        return
    weight, height = (
        (value, latest.value) if kind is MeasurementKind.WEIGHT else (latest.value, value)
    )
    check_body(weight, height, field="value")


@dataclass(frozen=True, slots=True)
class ChartHeader:
    patient: Patient
    age_years: int
    latest_weight: BodyMeasurement | None
    latest_height: BodyMeasurement | None


def chart_header(db: Session, *, patient_id: int, at: datetime, ctx: AuditContext) -> ChartHeader:
    patient = get_patient(db, patient_id=patient_id, at=at, ctx=ctx)
    return ChartHeader(
        patient=patient,
        age_years=age_in_years(patient.date_of_birth, today=at.date()),
        latest_weight=patient_repo.latest_measurement(
            db, patient_id=patient.id, kind=MeasurementKind.WEIGHT
        ),
        latest_height=patient_repo.latest_measurement(
            db, patient_id=patient.id, kind=MeasurementKind.HEIGHT
        ),
    )
