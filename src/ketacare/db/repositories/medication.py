"""Queries on the patient's medication and allergy lists."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import PatientAllergy, PatientMedication


def add_medication(db: Session, medication: PatientMedication) -> PatientMedication:
    db.add(medication)
    db.flush()
    return medication


def get_medication(db: Session, medication_id: int) -> PatientMedication | None:
    return db.get(PatientMedication, medication_id)


def list_medications(db: Session, *, patient_id: int) -> list[PatientMedication]:
    """Every medicine on the list, stopped ones included, newest first."""
    stmt = select(PatientMedication).where(PatientMedication.patient_id == patient_id)
    order = (PatientMedication.recorded_at.desc(), PatientMedication.id.desc())
    return list(db.scalars(stmt.order_by(*order)))


def add_allergy(db: Session, allergy: PatientAllergy) -> PatientAllergy:
    db.add(allergy)
    db.flush()
    return allergy


def list_allergies(db: Session, *, patient_id: int) -> list[PatientAllergy]:
    stmt = select(PatientAllergy).where(PatientAllergy.patient_id == patient_id)
    return list(
        db.scalars(stmt.order_by(PatientAllergy.recorded_at.desc(), PatientAllergy.id.desc()))
    )
