"""Outcomes of measurement-based care: outcome reports, trajectories and the assessments page.

Response, remission and relapse are core rules (``core.outcomes``, ``DEFAULT_RULES``); this
module gathers a patient's current scores and first treatment, asks the core, and audits the
read. It builds on ``services.assessments.records`` (the stored scores) and
``services.assessments.safety_alerts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.errors import Invalid
from ketacare.core.instruments import Instrument, load_catalogue
from ketacare.core.outcomes import (
    DEFAULT_RULES,
    Comparison,
    InstrumentRules,
    Measurement,
    OutcomeSummary,
    evaluate_outcomes,
)
from ketacare.db.models import Assessment, Patient, SafetyAlert, TreatmentEvent
from ketacare.db.repositories import assessment as repo
from ketacare.services._access import load_patient, require_actor
from ketacare.services.assessments.records import (
    AssessmentView,
    audit_patient,
    authorize_patient,
    find_instrument,
    list_assessments,
)
from ketacare.services.assessments.safety_alerts import open_safety_alerts
from ketacare.services.audit import AuditContext


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


@dataclass(frozen=True, slots=True)
class ReferenceLine:
    """A horizontal cut drawn on a trajectory: the response or remission threshold."""

    label: str
    value: float
    kind: str


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
    actor = require_actor(ctx)
    patient = load_patient(db, patient_id)
    authorize_patient(
        actor,
        patient,
        staff=Action.CLINICAL_READ,
        own=Action.OWN_RECORD_READ,
        audit_action=AuditAction.READ,
    )
    instrument = find_instrument(instrument_id)
    report = evaluate_patient_outcomes(db, patient=patient, instrument=instrument)
    audit_patient(
        db,
        ctx,
        at,
        AuditAction.READ,
        AuditEntity.OUTCOME,
        None,
        patient,
        f"instrument={instrument.id}",
    )
    return report


def outcomes_for_operator(
    db: Session, *, patient_id: int, instrument_id: str, at: datetime, ctx: AuditContext
) -> OutcomeReport:
    """Outcome summary for a server operator (CLI, no signed-in actor); still audited.

    Raises:
        NotFound: unknown patient.
        Invalid: unknown instrument or no valid score.
    """
    patient = load_patient(db, patient_id)
    instrument = find_instrument(instrument_id)
    report = evaluate_patient_outcomes(db, patient=patient, instrument=instrument)
    audit_patient(
        db,
        ctx,
        at,
        AuditAction.READ,
        AuditEntity.OUTCOME,
        None,
        patient,
        f"instrument={instrument.id}",
    )
    return report


def rules_for(instrument: Instrument) -> InstrumentRules | None:
    """The default outcome rules of ``instrument`` (None for screening tools)."""
    return DEFAULT_RULES.for_instrument(instrument.id)


def reference_lines(report: OutcomeReport) -> list[ReferenceLine]:
    """The response level (from the baseline) and remission cut of the rules that were applied.

    The response level is drawn from whatever baseline the summary used (before the first
    treatment, or the first score when no treatment is recorded).
    """
    rules = report.summary.instrument_rules
    if rules is None:
        return []
    lines = []
    baseline = report.summary.baseline.total
    if rules.response is not None and baseline > 0:
        pct = rules.response.min_reduction_pct
        level = baseline * (1 - pct / 100)
        lines.append(ReferenceLine(f"Response ({pct:g}% below baseline)", level, "response"))
    if rules.remission is not None:
        sign = "<" if rules.remission.comparison is Comparison.BELOW else "≤"
        cut = rules.remission.cutoff
        lines.append(ReferenceLine(f"Remission ({sign}{cut:g})", cut, "remission"))
    return lines


def assessment_overview(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> Overview:
    """The patient's assessments, per-instrument trajectories and outcomes, alerts (audited)."""
    views = list_assessments(db, patient_id=patient_id, instrument_id=None, at=at, ctx=ctx)
    patient = load_patient(db, patient_id)
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
