from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ketacare.core.codes import MeasurementKind
from ketacare.db.models import BodyMeasurement, Patient


def get_patient(db: Session, patient_id: int) -> Patient | None:
    return db.get(Patient, patient_id)


def get_patient_by_mrn(db: Session, *, organisation_id: int, mrn: str) -> Patient | None:
    stmt = select(Patient).where(Patient.organisation_id == organisation_id, Patient.mrn == mrn)
    return db.scalar(stmt)


def add_patient(db: Session, patient: Patient) -> Patient:
    db.add(patient)
    db.flush()
    return patient


def search_patients(
    db: Session,
    *,
    organisation_id: int,
    text: str | None,
    birth_date: date | None,
    limit: int,
    offset: int,
) -> list[Patient]:
    stmt = select(Patient).where(Patient.organisation_id == organisation_id)
    if birth_date is not None:
        stmt = stmt.where(Patient.date_of_birth == birth_date)
    if text:
        # LIKE metacharacters in user input are escaped so "%" matches a literal percent.
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(
            or_(
                Patient.search_name.like(pattern, escape="\\"),
                Patient.mrn.ilike(pattern, escape="\\"),
            )
        )
    stmt = stmt.order_by(Patient.family_name, Patient.given_name, Patient.id)
    return list(db.scalars(stmt.limit(limit).offset(offset)))


def add_measurement(db: Session, measurement: BodyMeasurement) -> BodyMeasurement:
    db.add(measurement)
    db.flush()
    return measurement


def get_measurement(db: Session, *, measurement_id: int) -> BodyMeasurement | None:
    return db.get(BodyMeasurement, measurement_id)


def latest_measurement(
    db: Session, *, patient_id: int, kind: MeasurementKind
) -> BodyMeasurement | None:
    stmt = (
        select(BodyMeasurement)
        .where(BodyMeasurement.patient_id == patient_id, BodyMeasurement.kind == kind)
        .order_by(BodyMeasurement.measured_at.desc(), BodyMeasurement.id.desc())
        .limit(1)
    )
    return db.scalar(stmt)


def list_measurements(db: Session, *, patient_id: int) -> list[BodyMeasurement]:
    stmt = (
        select(BodyMeasurement)
        .where(BodyMeasurement.patient_id == patient_id)
        .order_by(BodyMeasurement.measured_at.desc(), BodyMeasurement.id.desc())
    )
    return list(db.scalars(stmt))
