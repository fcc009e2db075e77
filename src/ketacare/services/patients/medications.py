"""The patient's medication and allergy lists: list, add, stop; every change audited.

The active medication classes feed the eligibility screening
(``services.screening.eligibility`` pre-fills ``medication_classes``); the rules are in
``ketacare.core.eligibility.interactions``. Audit details hold ids and classes only, never the
medicine or substance name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.codes import ProtocolId
from ketacare.core.eligibility.interactions import interactions_for
from ketacare.core.eligibility.model import Reason
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.medications import ChartedMedication, MedicationClass, active_classes
from ketacare.db.models import PatientAllergy, PatientMedication
from ketacare.db.repositories import medication as repo
from ketacare.services._access import PatientAccess, patient_access
from ketacare.services.audit import AuditContext

_Row = TypeVar("_Row", PatientMedication, PatientAllergy)
MEDICATION = AuditEntity.PATIENT_MEDICATION
ALLERGY = AuditEntity.PATIENT_ALLERGY


def _write_access(
    db: Session,
    ctx: AuditContext,
    patient_id: int,
    *,
    at: datetime,
    audit: AuditAction,
    entity: AuditEntity,
) -> PatientAccess:
    return patient_access(
        db, ctx, patient_id, at=at, action=Action.CLINICAL_RECORD, audit_action=audit, entity=entity
    )


def _check_dates(start: date | None, stop: date | None) -> None:
    if start is not None and stop is not None and stop < start:
        raise Invalid(
            "medication.stop_before_start",
            f"stop_date {stop.isoformat()} is before start_date {start.isoformat()}.",
            field="stop_date",
        )


def _listed(
    db: Session,
    *,
    patient_id: int,
    entity: AuditEntity,
    load: Callable[[Session, int], list[_Row]],
    at: datetime,
    ctx: AuditContext,
) -> list[_Row]:
    """Rows of one list, after the read is authorised; the audit keeps the count only."""
    access = patient_access(
        db, ctx, patient_id, at=at, audit_action=AuditAction.READ, entity=entity
    )
    rows = load(db, patient_id)
    access.record(detail=f"results={len(rows)}")
    return rows


def list_medications(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> list[PatientMedication]:
    """Every medicine on the list, stopped ones included, newest first."""
    return _listed(
        db,
        patient_id=patient_id,
        entity=MEDICATION,
        load=lambda db, pid: repo.list_medications(db, patient_id=pid),
        at=at,
        ctx=ctx,
    )


def add_medication(
    db: Session,
    *,
    patient_id: int,
    name: str,
    medication_class: MedicationClass,
    dose: str | None,
    start_date: date | None,
    stop_date: date | None,
    at: datetime,
    ctx: AuditContext,
) -> PatientMedication:
    """Chart a medicine (a stop date may be given for a past one)."""
    access = _write_access(db, ctx, patient_id, at=at, audit=AuditAction.CREATE, entity=MEDICATION)
    _check_dates(start_date, stop_date)
    by = access.actor.user_id
    row = repo.add_medication(
        db,
        PatientMedication(
            organisation_id=access.patient.organisation_id,
            patient_id=patient_id,
            name=name,
            medication_class=medication_class,
            dose=dose,
            start_date=start_date,
            stop_date=stop_date,
            recorded_by=by,
            recorded_at=at,
            stopped_by=None if stop_date is None else by,
            stopped_at=None if stop_date is None else at,
        ),
    )
    access.record(row.id, detail=f"class={medication_class.value}")
    return row


def stop_medication(
    db: Session,
    *,
    patient_id: int,
    medication_id: int,
    stop_date: date | None,
    at: datetime,
    ctx: AuditContext,
) -> PatientMedication:
    """Stop a medicine (default: today); a stopped medicine cannot be stopped again."""
    row = repo.get_medication(db, medication_id)
    if row is None or row.patient_id != patient_id:
        raise NotFound("medication.not_found", f"No medication with id {medication_id}.")
    access = _write_access(
        db, ctx, row.patient_id, at=at, audit=AuditAction.UPDATE, entity=MEDICATION
    )
    if row.stop_date is not None:
        raise Conflict(
            "medication.already_stopped",
            f"Medication {row.id} was stopped on {row.stop_date.isoformat()}.",
            field="stop_date",
        )
    stop = stop_date or at.date()
    _check_dates(row.start_date, stop)
    row.stop_date, row.stopped_by, row.stopped_at = stop, access.actor.user_id, at
    db.flush()
    access.record(row.id, detail="stopped")
    return row


def _charted(row: PatientMedication) -> ChartedMedication:
    return ChartedMedication(row.name, row.medication_class, row.start_date, row.stop_date)


def active_medication_classes(db: Session, *, patient_id: int, on: date) -> frozenset[str]:
    """Classes of the medicines taken on ``on``, for a caller that has authorised already."""
    charted = [_charted(row) for row in repo.list_medications(db, patient_id=patient_id)]
    return frozenset(klass.value for klass in active_classes(charted, on))


def list_allergies(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> list[PatientAllergy]:
    return _listed(
        db,
        patient_id=patient_id,
        entity=ALLERGY,
        load=lambda db, pid: repo.list_allergies(db, patient_id=pid),
        at=at,
        ctx=ctx,
    )


def add_allergy(
    db: Session,
    *,
    patient_id: int,
    substance: str,
    reaction: str | None,
    at: datetime,
    ctx: AuditContext,
) -> PatientAllergy:
    access = _write_access(db, ctx, patient_id, at=at, audit=AuditAction.CREATE, entity=ALLERGY)
    row = repo.add_allergy(
        db,
        PatientAllergy(
            organisation_id=access.patient.organisation_id,
            patient_id=patient_id,
            substance=substance,
            reaction=reaction,
            recorded_by=access.actor.user_id,
            recorded_at=at,
        ),
    )
    access.record(row.id)
    return row


@dataclass(frozen=True, slots=True)
class ChartLists:
    """The medication and allergy lists the chart page shows."""

    medications: list[PatientMedication]
    allergies: list[PatientAllergy]


def chart_lists(db: Session, *, patient_id: int, at: datetime, ctx: AuditContext) -> ChartLists:
    return ChartLists(
        medications=list_medications(db, patient_id=patient_id, at=at, ctx=ctx),
        allergies=list_allergies(db, patient_id=patient_id, at=at, ctx=ctx),
    )


@dataclass(frozen=True, slots=True)
class MedicinesPanel:
    """What the order and the chair show: medicines taken today, allergies, interactions."""

    medications: list[PatientMedication]
    allergies: list[PatientAllergy]
    reasons: list[Reason]


def _screened_as(protocol_id: str) -> ProtocolId | None:
    """The screening protocol of a dosing protocol; None for a clinic's own protocol."""
    # Imported here: the screening service imports this module for its medication pre-fill.
    from ketacare.services.screening.eligibility import screening_protocol

    try:
        return screening_protocol(protocol_id)
    except Invalid:
        return None


def medicines_panel(
    db: Session, *, patient_id: int, protocol_id: str, at: datetime, ctx: AuditContext
) -> MedicinesPanel:
    """The active medicines, the allergies and the interaction reasons for ``protocol_id``.

    The reasons come from the same core rule as the screening's, for the classes taken today.
    One audited read; the audit keeps counts only.
    """
    access = patient_access(
        db, ctx, patient_id, at=at, audit_action=AuditAction.READ, entity=MEDICATION
    )
    today = at.date()
    active = [
        row
        for row in repo.list_medications(db, patient_id=patient_id)
        if _charted(row).is_active(today)
    ]
    allergies = repo.list_allergies(db, patient_id=patient_id)
    classes = active_classes(map(_charted, active), today)
    access.record(detail=f"results={len(active)} allergies={len(allergies)}")
    return MedicinesPanel(active, allergies, interactions_for(classes, _screened_as(protocol_id)))
