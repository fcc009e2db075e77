"""Dated treatments (e.g. a ketamine session) that anchor the outcomes time axis."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.errors import Invalid, NotFound
from ketacare.db.models import TreatmentEvent
from ketacare.db.repositories import assessment as repo
from ketacare.db.repositories import patient as patient_repo

MAX_KIND_LENGTH = 40


def record_treatment_event(
    db: Session, *, patient_id: int, at: datetime, kind: str, source_id: int | None
) -> TreatmentEvent:
    """Store a dated treatment for the outcomes time axis (first treatment = baseline anchor).

    Called by the sessions feature inside its own audited write, so it is not audited again.
    The same ``(patient, kind, source_id)`` updates the time instead of adding a duplicate.

    Raises:
        NotFound: unknown patient.
        Invalid: a naive time or a blank / over-long kind.
    """
    if patient_repo.get_patient(db, patient_id) is None:
        raise NotFound("patient.not_found", f"No patient with id {patient_id}.")
    if at.tzinfo is None:
        raise Invalid("treatment_event.naive_time", "at needs a UTC offset.", field="at")
    name = kind.strip()
    if not name or len(name) > MAX_KIND_LENGTH:
        msg = f"kind must be 1-{MAX_KIND_LENGTH} characters."
        raise Invalid("treatment_event.bad_kind", msg, field="kind")
    if source_id is not None:
        existing = repo.get_treatment_event(
            db, patient_id=patient_id, kind=name, source_id=source_id
        )
        if existing is not None:
            existing.at = at
            db.flush()
            return existing
    return repo.add_treatment_event(
        db, TreatmentEvent(patient_id=patient_id, at=at, kind=name, source_id=source_id)
    )


def list_treatment_events(db: Session, *, patient_id: int) -> list[TreatmentEvent]:
    """The patient's treatment events, oldest first (no audit; part of a caller's read)."""
    return repo.list_treatment_events(db, patient_id=patient_id)
