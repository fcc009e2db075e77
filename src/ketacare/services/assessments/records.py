"""Measurement-based care: record and list scored assessments, and dated treatment events.

Scoring and safety rules live in the core (``core.instruments``, ``core.outcomes``); this
module stores what they conclude, in the caller's transaction, and audits every read and write
of patient data. Safety alerts are raised (``services.assessments.safety_alerts``) in the same
transaction as the assessment that triggers them, so a saved form can never lack its alert.
Outcome reports and the assessments page's overview are in ``services.assessments.outcomes``.

Who entered a form (staff, patient link, portal) is decided by ``services.assessments.source``.

Interface other features call: ``record_assessment``, ``record_treatment_event`` and
``open_safety_alerts`` (defined in ``services.assessments.safety_alerts``, re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Actor, Target
from ketacare.core.codes import Timepoint
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.instruments import Instrument, ScoreResult, load_catalogue, parse_token, score
from ketacare.core.instruments.model import Answer
from ketacare.core.outcomes import normalise_instrument_id
from ketacare.db.models import Assessment, Patient, SafetyAlert
from ketacare.db.repositories import assessment as repo
from ketacare.services._access import load_patient, require_actor
from ketacare.services.assessments import safety_alerts, treatment_events
from ketacare.services.assessments.safety_alerts import raise_alerts
from ketacare.services.assessments.source import attribution_of
from ketacare.services.audit import AuditContext, authorize, record_event

# The session feature reads a patient's open alerts through this module; the alert use cases
# live in ``services.assessments.safety_alerts``, so the name is re-exported here, not redefined.
open_safety_alerts = safety_alerts.open_safety_alerts
# Dated treatment events are their own use case (``services.assessments.treatment_events``);
# the sessions feature calls them through this module.
record_treatment_event = treatment_events.record_treatment_event
list_treatment_events = treatment_events.list_treatment_events


@dataclass(frozen=True, slots=True)
class Recorded:
    """A stored assessment and the safety alerts it raised."""

    assessment: Assessment
    alerts: list[SafetyAlert]


def authorize_patient(
    actor: Actor, patient: Patient, *, staff: Action, own: Action, audit_action: AuditAction
) -> None:
    """Authorise ``staff`` on the patient, or ``own`` when the actor is that patient."""
    action = own if actor.patient_id is not None and actor.patient_id == patient.id else staff
    authorize(
        actor,
        action,
        Target(patient.organisation_id, patient.id),
        audit_action=audit_action,
        entity_type=AuditEntity.ASSESSMENT,
    )


def find_instrument(instrument_id: str) -> Instrument:
    """The catalogue instrument, accepting any spelling ("PHQ-9", "phq9").

    Raises:
        Invalid: ``assessment.unknown_instrument`` naming the field ``instrument``.
    """
    catalogue = load_catalogue()
    wanted = normalise_instrument_id(instrument_id)
    for instrument in catalogue.list():
        if normalise_instrument_id(instrument.id) == wanted:
            return instrument
    known = ", ".join(i.id for i in catalogue.list())
    msg = f"Unknown instrument {instrument_id!r} (known: {known})."
    raise Invalid("assessment.unknown_instrument", msg, field="instrument")


def coerce_answers(instrument: Instrument, answers: Sequence[object]) -> list[Answer]:
    """Turn API/form answers into engine answers; text goes through the core's token parser.

    ``None`` = unanswered; booleans and numbers pass through; strings such as "yes", "no", "2"
    or an option code are parsed for their item. Domain checks are the engine's job.

    Raises:
        Invalid: naming the item for an answer of an unsupported type or unreadable text.
    """
    out: list[Answer] = []
    for index, value in enumerate(answers):
        item = instrument.items[index] if index < len(instrument.items) else None
        if value is None or isinstance(value, bool | int | float):
            out.append(value)
        elif isinstance(value, str):
            # Beyond the last item the engine reports the wrong count; keep the length.
            out.append(None if item is None else parse_token(item, value))
        else:
            name = f"item {item.id}" if item else f"answers[{index}]"
            raise Invalid("assessment.bad_answer", f"{name}: unsupported answer.", field=name)
    return out


def _check_times(*, administered_at: datetime, at: datetime) -> None:
    if administered_at.tzinfo is None:
        raise Invalid(
            "assessment.naive_time", "administered_at needs a UTC offset.", field="administered_at"
        )
    if administered_at > at:
        raise Invalid(
            "assessment.in_future",
            "The form cannot be administered in the future.",
            field="administered_at",
        )


def _timepoint(value: str) -> Timepoint:
    try:
        return Timepoint(value)
    except ValueError:
        allowed = ", ".join(t.value for t in Timepoint)
        msg = f"Unknown timepoint {value!r} (one of: {allowed})."
        raise Invalid("assessment.bad_timepoint", msg, field="timepoint") from None


def _superseded(
    db: Session, *, supersedes_id: int | None, patient: Patient, instrument: Instrument
) -> Assessment | None:
    if supersedes_id is None:
        return None
    previous = repo.get_assessment(db, supersedes_id)
    if previous is None or previous.patient_id != patient.id:
        msg = f"No assessment {supersedes_id} for this patient to correct."
        raise NotFound("assessment.not_found", msg, field="supersedes_id")
    if previous.instrument_id != instrument.id:
        msg = f"A correction must use the same instrument ({previous.instrument_id})."
        raise Invalid("assessment.supersede_instrument", msg, field="supersedes_id")
    if repo.get_successor(db, assessment_id=previous.id) is not None:
        msg = f"Assessment {previous.id} was already corrected; correct the newest record."
        raise Conflict("assessment.already_superseded", msg, field="supersedes_id")
    return previous


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentEntry:
    """One completed form as staff, a questionnaire link or the portal submit it."""

    patient_id: int
    instrument_id: str
    answers: Sequence[object]
    administered_at: datetime
    timepoint: str
    context: Mapping[str, str] | None = None
    session_id: int | None = None
    supersedes_id: int | None = None
    # Set only by a questionnaire-link submission (the patient's own answers).
    patient_link_id: int | None = None


def record_assessment(
    db: Session,
    entry: AssessmentEntry,
    *,
    at: datetime,
    ctx: AuditContext,
) -> Assessment:
    """Score a form with the core engine, store it and raise its safety alerts at once.

    Raises:
        NotFound: unknown patient (or ``supersedes_id``).
        AccessDenied: the actor may not record for this patient.
        Invalid: unknown instrument or timepoint, a future time, or a malformed answer
            (the error's ``field`` names the item, e.g. ``"item 9"``).
        Conflict: ``supersedes_id`` was already corrected.
        Invalid: ``patient_link_id`` (a link submission) from staff or for another patient.
    """
    return record_assessment_with_alerts(db, entry, at=at, ctx=ctx).assessment


def record_assessment_with_alerts(
    db: Session,
    entry: AssessmentEntry,
    *,
    at: datetime,
    ctx: AuditContext,
) -> Recorded:
    """As ``record_assessment``, also returning the alerts raised (for the API response)."""
    actor = require_actor(ctx)
    patient = load_patient(db, entry.patient_id)
    authorize_patient(
        actor,
        patient,
        staff=Action.CLINICAL_RECORD,
        own=Action.OWN_ASSESSMENT_SUBMIT,
        audit_action=AuditAction.CREATE,
    )
    attribution = attribution_of(
        db, actor=actor, patient=patient, patient_link_id=entry.patient_link_id
    )
    instrument = find_instrument(entry.instrument_id)
    point = _timepoint(entry.timepoint)
    _check_times(administered_at=entry.administered_at, at=at)
    previous = _superseded(
        db, supersedes_id=entry.supersedes_id, patient=patient, instrument=instrument
    )
    engine_answers = coerce_answers(instrument, entry.answers)
    result = score(instrument, engine_answers, dict(entry.context or {}))
    row = repo.add_assessment(
        db,
        Assessment(
            organisation_id=patient.organisation_id,
            patient_id=patient.id,
            instrument_id=instrument.id,
            answers=list(engine_answers),
            context=dict(result.parameters),
            administered_at=entry.administered_at,
            timepoint=point,
            session_id=entry.session_id,
            recorded_by=attribution.recorded_by,
            recorded_at=at,
            source=attribution.source,
            patient_link_id=attribution.patient_link_id,
            supersedes_id=None if previous is None else previous.id,
            **_result_columns(result),
        ),
    )
    detail = f"instrument={instrument.id};source={attribution.source}"
    if previous is not None:
        detail += f";supersedes={previous.id}"
    audit_patient(db, ctx, at, AuditAction.CREATE, AuditEntity.ASSESSMENT, row.id, patient, detail)
    alerts = raise_alerts(db, row=row, instrument=instrument, result=result, ctx=ctx, at=at)
    return Recorded(assessment=row, alerts=alerts)


def _result_columns(result: ScoreResult) -> dict[str, Any]:
    """The scored result as stored columns (the whole result is also kept as JSON)."""
    return {
        "result": result.as_dict(),
        "total": None if result.total is None else float(result.total),
        "severity": result.severity,
        "valid": result.valid,
        "flags": list(result.flags),
        "engine_version": result.engine_version,
        "catalogue_version": result.catalogue_version,
        "instrument_version": result.instrument_version,
        "loinc_panel": result.loinc.get("panel"),
        "loinc_total": result.loinc.get("total"),
    }


def audit_patient(
    db: Session,
    ctx: AuditContext,
    at: datetime,
    action: AuditAction,
    entity_type: AuditEntity,
    entity_id: int | None,
    patient: Patient,
    detail: str | None = None,
) -> None:
    """Audit an access to the patient's assessment data, in the caller's transaction."""
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        organisation_id=patient.organisation_id,
        patient_id=patient.id,
        detail=detail,
    )


@dataclass(frozen=True, slots=True)
class AssessmentView:
    """A stored assessment and whether a later correction replaced it."""

    assessment: Assessment
    superseded: bool


def list_assessments(
    db: Session, *, patient_id: int, instrument_id: str | None, at: datetime, ctx: AuditContext
) -> list[AssessmentView]:
    """All of a patient's assessments, oldest first, corrections marked (audited read)."""
    actor = require_actor(ctx)
    patient = load_patient(db, patient_id)
    authorize_patient(
        actor,
        patient,
        staff=Action.CLINICAL_READ,
        own=Action.OWN_RECORD_READ,
        audit_action=AuditAction.READ,
    )
    wanted = None if instrument_id is None else find_instrument(instrument_id).id
    rows = repo.list_assessments(db, patient_id=patient.id, instrument_id=wanted)
    replaced = repo.superseded_ids(db, patient_id=patient.id)
    audit_patient(
        db, ctx, at, AuditAction.READ, AuditEntity.ASSESSMENT, None, patient, f"results={len(rows)}"
    )
    return [AssessmentView(assessment=r, superseded=r.id in replaced) for r in rows]
