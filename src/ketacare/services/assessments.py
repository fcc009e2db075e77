"""Measurement-based care: record scored assessments, raise safety alerts, evaluate outcomes.

Scoring, safety and outcome rules all live in the core (``core.instruments``,
``core.outcomes``); this module stores what they conclude, in the caller's transaction, and
audits every read and write of patient data. Safety alerts are raised in the same transaction
as the assessment that triggers them, so a saved form can never lack its alert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction
from ketacare.core.authz import Action, Actor, Target
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.instruments import Instrument, ScoreResult, load_catalogue, parse_token, score
from ketacare.core.instruments.model import Answer
from ketacare.core.outcomes import (
    DEFAULT_RULES,
    Comparison,
    InstrumentRules,
    Measurement,
    OutcomeSummary,
    evaluate_outcomes,
    normalise_instrument_id,
    safety_alerts,
)
from ketacare.db.models import Assessment, Patient, SafetyAlert, TreatmentEvent
from ketacare.db.repositories import assessment as repo
from ketacare.db.repositories import patient as patient_repo
from ketacare.services.audit import AuditContext, authorize, record_event

MAX_NOTE_LENGTH = 4000
MAX_KIND_LENGTH = 40


class Timepoint(StrEnum):
    """When in the care pathway a form was administered (a vocabulary, not a clinical rule)."""

    SCREENING = "screening"
    BASELINE = "baseline"
    PRE_SESSION = "pre-session"
    POST_SESSION = "post-session"
    POST_SESSION_24H = "post-session-24h"
    POST_SESSION_1W = "post-session-1w"
    FOLLOW_UP = "follow-up"
    UNSCHEDULED = "unscheduled"


class AlertStatus(StrEnum):
    OPEN = repo.ALERT_OPEN
    CLOSED = repo.ALERT_CLOSED


@dataclass(frozen=True, slots=True)
class Recorded:
    """A stored assessment and the safety alerts it raised."""

    assessment: Assessment
    alerts: list[SafetyAlert]


def _actor(ctx: AuditContext) -> Actor:
    if ctx.actor is None:
        raise Invalid("auth.required", "Sign in first.")
    return ctx.actor


def _patient(db: Session, patient_id: int) -> Patient:
    patient = patient_repo.get_patient(db, patient_id)
    if patient is None:
        raise NotFound("patient.not_found", f"No patient with id {patient_id}.")
    return patient


def _authorize_patient(
    actor: Actor, patient: Patient, *, staff: Action, own: Action, audit_action: AuditAction
) -> None:
    action = own if actor.patient_id is not None and actor.patient_id == patient.id else staff
    authorize(
        actor,
        action,
        Target(patient.organisation_id, patient.id),
        audit_action=audit_action,
        entity_type="Assessment",
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


def record_assessment(
    db: Session,
    *,
    patient_id: int,
    instrument_id: str,
    answers: Sequence[object],
    context: Mapping[str, str] | None,
    administered_at: datetime,
    timepoint: str,
    session_id: int | None,
    at: datetime,
    ctx: AuditContext,
    supersedes_id: int | None = None,
) -> Assessment:
    """Score a form with the core engine, store it and raise its safety alerts at once.

    Raises:
        NotFound: unknown patient (or ``supersedes_id``).
        AccessDenied: the actor may not record for this patient.
        Invalid: unknown instrument or timepoint, a future time, or a malformed answer
            (the error's ``field`` names the item, e.g. ``"item 9"``).
        Conflict: ``supersedes_id`` was already corrected.
    """
    return record_assessment_with_alerts(
        db,
        patient_id=patient_id,
        instrument_id=instrument_id,
        answers=answers,
        context=context,
        administered_at=administered_at,
        timepoint=timepoint,
        session_id=session_id,
        at=at,
        ctx=ctx,
        supersedes_id=supersedes_id,
    ).assessment


def record_assessment_with_alerts(
    db: Session,
    *,
    patient_id: int,
    instrument_id: str,
    answers: Sequence[object],
    context: Mapping[str, str] | None,
    administered_at: datetime,
    timepoint: str,
    session_id: int | None,
    at: datetime,
    ctx: AuditContext,
    supersedes_id: int | None = None,
) -> Recorded:
    """As ``record_assessment``, also returning the alerts raised (for the API response)."""
    actor = _actor(ctx)
    patient = _patient(db, patient_id)
    _authorize_patient(
        actor,
        patient,
        staff=Action.CLINICAL_RECORD,
        own=Action.OWN_ASSESSMENT_SUBMIT,
        audit_action=AuditAction.CREATE,
    )
    instrument = find_instrument(instrument_id)
    point = _timepoint(timepoint)
    _check_times(administered_at=administered_at, at=at)
    previous = _superseded(db, supersedes_id=supersedes_id, patient=patient, instrument=instrument)
    engine_answers = coerce_answers(instrument, answers)
    result = score(instrument, engine_answers, dict(context or {}))
    row = repo.add_assessment(
        db,
        _assessment_row(
            patient=patient,
            instrument=instrument,
            answers=engine_answers,
            context=result.parameters,
            result=result,
            administered_at=administered_at,
            timepoint=point,
            session_id=session_id,
            recorded_by=actor.user_id,
            at=at,
            supersedes_id=None if previous is None else previous.id,
        ),
    )
    detail = f"instrument={instrument.id}"
    if previous is not None:
        detail += f";supersedes={previous.id}"
    _audit(db, ctx, at, AuditAction.CREATE, "Assessment", row.id, patient, detail)
    alerts = _raise_alerts(db, row=row, instrument=instrument, result=result, ctx=ctx, at=at)
    return Recorded(assessment=row, alerts=alerts)


def _assessment_row(
    *,
    patient: Patient,
    instrument: Instrument,
    answers: list[Answer],
    context: Mapping[str, str],
    result: ScoreResult,
    administered_at: datetime,
    timepoint: Timepoint,
    session_id: int | None,
    recorded_by: int,
    at: datetime,
    supersedes_id: int | None,
) -> Assessment:
    return Assessment(
        organisation_id=patient.organisation_id,
        patient_id=patient.id,
        instrument_id=instrument.id,
        answers=list(answers),
        context=dict(context),
        administered_at=administered_at,
        timepoint=str(timepoint),
        session_id=session_id,
        result=result.as_dict(),
        total=None if result.total is None else float(result.total),
        severity=result.severity,
        valid=result.valid,
        flags=list(result.flags),
        engine_version=result.engine_version,
        catalogue_version=result.catalogue_version,
        instrument_version=result.instrument_version,
        loinc_panel=result.loinc.get("panel"),
        loinc_total=result.loinc.get("total"),
        recorded_by=recorded_by,
        recorded_at=at,
        supersedes_id=supersedes_id,
    )


def _audit(
    db: Session,
    ctx: AuditContext,
    at: datetime,
    action: AuditAction,
    entity_type: str,
    entity_id: int | None,
    patient: Patient,
    detail: str | None = None,
) -> None:
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


def _raise_alerts(
    db: Session,
    *,
    row: Assessment,
    instrument: Instrument,
    result: ScoreResult,
    ctx: AuditContext,
    at: datetime,
) -> list[SafetyAlert]:
    by_item = {item.id: value for item, value in zip(instrument.items, row.answers, strict=False)}
    specs = safety_alerts(instrument.id, by_item, result.severity, result.flags)
    alerts = []
    for spec in specs:
        alert = repo.add_alert(
            db,
            SafetyAlert(
                organisation_id=row.organisation_id,
                patient_id=row.patient_id,
                assessment_id=row.id,
                code=spec.code,
                severity=str(spec.severity),
                message=spec.message,
                source=spec.source,
                raised_at=at,
                status=AlertStatus.OPEN.value,
            ),
        )
        record_event(
            db,
            ctx=ctx,
            at=at,
            action=AuditAction.CREATE,
            entity_type="SafetyAlert",
            entity_id=alert.id,
            organisation_id=row.organisation_id,
            patient_id=row.patient_id,
            detail=f"code={spec.code}",
        )
        alerts.append(alert)
    return alerts


@dataclass(frozen=True, slots=True)
class AssessmentView:
    """A stored assessment and whether a later correction replaced it."""

    assessment: Assessment
    superseded: bool


def list_assessments(
    db: Session, *, patient_id: int, instrument_id: str | None, at: datetime, ctx: AuditContext
) -> list[AssessmentView]:
    """All of a patient's assessments, oldest first, corrections marked (audited read)."""
    actor = _actor(ctx)
    patient = _patient(db, patient_id)
    _authorize_patient(
        actor,
        patient,
        staff=Action.CLINICAL_READ,
        own=Action.OWN_RECORD_READ,
        audit_action=AuditAction.READ,
    )
    wanted = None if instrument_id is None else find_instrument(instrument_id).id
    rows = repo.list_assessments(db, patient_id=patient.id, instrument_id=wanted)
    replaced = repo.superseded_ids(db, patient_id=patient.id)
    _audit(db, ctx, at, AuditAction.READ, "Assessment", None, patient, f"results={len(rows)}")
    return [AssessmentView(assessment=r, superseded=r.id in replaced) for r in rows]


def alerts_of_assessment(db: Session, *, assessment_id: int) -> list[SafetyAlert]:
    """Alerts raised by one assessment (no audit; the caller has audited its read)."""
    return repo.list_assessment_alerts(db, assessment_id=assessment_id)


def open_safety_alerts(db: Session, *, patient_id: int) -> list[SafetyAlert]:
    """The patient's open safety alerts, newest first. Not audited: the caller audits."""
    return repo.list_patient_alerts(db, patient_id=patient_id, status=AlertStatus.OPEN.value)


def list_alerts(
    db: Session, *, status: AlertStatus | None, at: datetime, ctx: AuditContext
) -> list[SafetyAlert]:
    """The actor's organisation's safety alerts (clinical staff); one audit entry per patient."""
    actor = _actor(ctx)
    authorize(
        actor,
        Action.CLINICAL_READ,
        Target(actor.organisation_id),
        audit_action=AuditAction.READ,
        entity_type="SafetyAlert",
    )
    alerts = repo.list_alerts(
        db,
        organisation_id=actor.organisation_id,
        status=None if status is None else status.value,
    )
    for patient_id in sorted({a.patient_id for a in alerts}):
        count = sum(1 for a in alerts if a.patient_id == patient_id)
        record_event(
            db,
            ctx=ctx,
            at=at,
            action=AuditAction.READ,
            entity_type="SafetyAlert",
            entity_id=None,
            patient_id=patient_id,
            detail=f"alerts={count}",
        )
    return alerts


def close_alert(
    db: Session, *, alert_id: int, action_note: str, at: datetime, ctx: AuditContext
) -> SafetyAlert:
    """Close an open alert with the prescriber's written note of the action taken.

    Raises:
        NotFound: no such alert.
        AccessDenied: the actor is not a prescriber of the alert's organisation.
        Invalid: ``alert.note_required`` naming ``action_note`` when the note is blank.
        Conflict: the alert is already closed.
    """
    actor = _actor(ctx)
    alert = repo.get_alert_for_update(db, alert_id)
    if alert is None:
        raise NotFound("alert.not_found", f"No safety alert with id {alert_id}.")
    authorize(
        actor,
        Action.ALERT_CLOSE,
        Target(alert.organisation_id, alert.patient_id),
        audit_action=AuditAction.UPDATE,
        entity_type="SafetyAlert",
        entity_id=alert.id,
    )
    note = action_note.strip()
    if not note:
        raise Invalid(
            "alert.note_required",
            "Write the action taken before closing the alert.",
            field="action_note",
        )
    if len(note) > MAX_NOTE_LENGTH:
        msg = f"The note is longer than {MAX_NOTE_LENGTH} characters."
        raise Invalid("alert.note_too_long", msg, field="action_note")
    if alert.status != AlertStatus.OPEN.value:
        raise Conflict("alert.already_closed", "This alert is already closed.", field="status")
    alert.status = AlertStatus.CLOSED.value
    alert.closed_by = actor.user_id
    alert.closed_at = at
    alert.action_note = note
    db.flush()
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.UPDATE,
        entity_type="SafetyAlert",
        entity_id=alert.id,
        organisation_id=alert.organisation_id,
        patient_id=alert.patient_id,
        detail=f"closed;code={alert.code}",
    )
    return alert


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
    _patient(db, patient_id)
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


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """An outcome summary with what it was computed from."""

    patient_id: int
    instrument_id: str
    first_treatment_at: datetime | None
    summary: OutcomeSummary

    def as_dict(self) -> dict[str, Any]:
        """The API and CLI contract: the core summary plus the patient and time anchor."""
        first = self.first_treatment_at
        return {
            "patient_id": self.patient_id,
            "instrument": self.instrument_id,
            "first_treatment_at": None if first is None else first.isoformat(),
            **self.summary.as_dict(),
        }


def current_series(rows: Sequence[Assessment], replaced: set[int]) -> list[Assessment]:
    """Valid, scored, not-superseded assessments: the ones an outcome may count."""
    return [r for r in rows if r.valid and r.total is not None and r.id not in replaced]


def evaluate_patient_outcomes(
    db: Session, *, patient: Patient, instrument: Instrument
) -> OutcomeReport:
    """Evaluate the series with the core's default rules (no audit; callers audit).

    Raises:
        Invalid: ``outcomes.no_measurements`` when there is no valid score yet.
    """
    rows = repo.list_assessments(db, patient_id=patient.id, instrument_id=instrument.id)
    series = current_series(rows, repo.superseded_ids(db, patient_id=patient.id))
    first = repo.first_treatment_at(db, patient_id=patient.id)
    measurements = [
        Measurement(at=r.administered_at, total=float(r.total or 0), severity=r.severity)
        for r in series
    ]
    if not measurements:
        msg = f"No valid {instrument.short_name} score recorded for this patient yet."
        raise Invalid("outcomes.no_measurements", msg, field="instrument")
    summary = evaluate_outcomes(
        measurements, instrument_id=instrument.id, first_treatment_at=first, rules=DEFAULT_RULES
    )
    return OutcomeReport(
        patient_id=patient.id,
        instrument_id=instrument.id,
        first_treatment_at=first,
        summary=summary,
    )


def get_outcomes(
    db: Session, *, patient_id: int, instrument_id: str, at: datetime, ctx: AuditContext
) -> OutcomeReport:
    """Outcome summary of one instrument for one patient (clinical staff; audited)."""
    actor = _actor(ctx)
    patient = _patient(db, patient_id)
    _authorize_patient(
        actor,
        patient,
        staff=Action.CLINICAL_READ,
        own=Action.OWN_RECORD_READ,
        audit_action=AuditAction.READ,
    )
    instrument = find_instrument(instrument_id)
    report = evaluate_patient_outcomes(db, patient=patient, instrument=instrument)
    _audit(db, ctx, at, AuditAction.READ, "Outcome", None, patient, f"instrument={instrument.id}")
    return report


def outcomes_for_operator(
    db: Session, *, patient_id: int, instrument_id: str, at: datetime, ctx: AuditContext
) -> OutcomeReport:
    """Outcome summary for a server operator (CLI, no signed-in actor); still audited.

    Raises:
        NotFound: unknown patient.
        Invalid: unknown instrument or no valid score.
    """
    patient = _patient(db, patient_id)
    instrument = find_instrument(instrument_id)
    report = evaluate_patient_outcomes(db, patient=patient, instrument=instrument)
    _audit(db, ctx, at, AuditAction.READ, "Outcome", None, patient, f"instrument={instrument.id}")
    return report


def rules_for(instrument: Instrument) -> InstrumentRules | None:
    """The default outcome rules of ``instrument`` (None for screening tools)."""
    return DEFAULT_RULES.for_instrument(instrument.id)


@dataclass(frozen=True, slots=True)
class ReferenceLine:
    """A horizontal cut drawn on a trajectory: the response or remission threshold."""

    label: str
    value: float
    kind: str


def reference_lines(report: OutcomeReport) -> list[ReferenceLine]:
    """The response level (from the baseline) and remission cut of the rules that were applied.

    Only drawn when the summary could assess them: no treated baseline, no response line.
    """
    rules = report.summary.instrument_rules
    if rules is None:
        return []
    lines = []
    baseline = report.summary.baseline.total
    treated = report.first_treatment_at is not None
    if rules.response is not None and treated and baseline > 0:
        pct = rules.response.min_reduction_pct
        level = baseline * (1 - pct / 100)
        lines.append(ReferenceLine(f"Response ({pct:g}% below baseline)", level, "response"))
    if rules.remission is not None:
        sign = "<" if rules.remission.comparison is Comparison.BELOW else "≤"
        cut = rules.remission.cutoff
        lines.append(ReferenceLine(f"Remission ({sign}{cut:g})", cut, "remission"))
    return lines


@dataclass(frozen=True, slots=True)
class InstrumentSeries:
    """One instrument's current scores for the trajectory chart, with its outcome summary."""

    instrument: Instrument
    points: list[Assessment]
    report: OutcomeReport | None
    lines: list[ReferenceLine]


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the assessments page shows, read in one audited operation."""

    views: list[AssessmentView]
    series: list[InstrumentSeries]
    events: list[TreatmentEvent]
    open_alerts: list[SafetyAlert]


def assessment_overview(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> Overview:
    """The patient's assessments, per-instrument trajectories and outcomes, alerts (audited)."""
    views = list_assessments(db, patient_id=patient_id, instrument_id=None, at=at, ctx=ctx)
    patient = _patient(db, patient_id)
    replaced = {v.assessment.id for v in views if v.superseded}
    rows = [v.assessment for v in views]
    series = []
    for instrument_id in dict.fromkeys(r.instrument_id for r in rows):
        instrument = load_catalogue().get(instrument_id)
        points = current_series([r for r in rows if r.instrument_id == instrument_id], replaced)
        if not points:
            continue
        report = evaluate_patient_outcomes(db, patient=patient, instrument=instrument)
        series.append(InstrumentSeries(instrument, points, report, reference_lines(report)))
    return Overview(
        views=views,
        series=series,
        events=repo.list_treatment_events(db, patient_id=patient.id),
        open_alerts=open_safety_alerts(db, patient_id=patient.id),
    )


@dataclass(frozen=True, slots=True)
class AlertRow:
    alert: SafetyAlert
    patient: Patient


def alert_board(db: Session, *, at: datetime, ctx: AuditContext) -> list[AlertRow]:
    """Open alerts of the actor's organisation with their patients (audited per patient)."""
    alerts = list_alerts(db, status=AlertStatus.OPEN, at=at, ctx=ctx)
    return [AlertRow(alert=a, patient=_patient(db, a.patient_id)) for a in alerts]
