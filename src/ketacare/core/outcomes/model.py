"""Value objects of the outcomes domain: a measurement and the outcome summary."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ketacare.core.errors import Invalid
from ketacare.core.outcomes.rules import InstrumentRules


def require_aware(value: datetime, *, field: str) -> None:
    """Refuse a naive datetime: every clinical time is timezone-aware.

    Raises:
        Invalid: ``outcomes.naive_datetime`` if ``value`` has no UTC offset.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid("outcomes.naive_datetime", "datetime must be timezone-aware", field=field)


class AssessmentSource(StrEnum):
    """Who entered a form: clinic staff, the patient through a link, or the patient's portal."""

    STAFF = "staff"
    PATIENT_LINK = "patient_link"
    PORTAL = "portal"


class AlertStatus(StrEnum):
    """A safety alert is open until a prescriber closes it with a written note."""

    OPEN = "open"
    CLOSED = "closed"


class LinkStatus(StrEnum):
    """Where a questionnaire link is (derived from its dates, not stored)."""

    PENDING = "pending"
    COMPLETED = "completed"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Measurement:
    """One scored administration of one instrument for one patient.

    Attributes:
        at: When the form was completed (timezone-aware).
        total: The instrument's total score (lower is better for every instrument with rules).
        severity: The severity band label given by the scoring engine, if any.
    """

    at: datetime
    total: float
    severity: str | None = None

    def __post_init__(self) -> None:
        """Refuse naive datetimes and non-finite totals."""
        require_aware(self.at, field="at")
        if not math.isfinite(self.total):
            raise Invalid(
                "outcomes.total_not_finite", "total must be a finite number", field="total"
            )


class BaselineRule(StrEnum):
    """Which documented rule chose the baseline.

    The reference (docs/clinical/instruments.md#special-scoring-rules) defines baseline as the last
    score before the
    first ketamine session; a measurement taken at the first-treatment instant still counts.
    """

    LATEST_AT_OR_BEFORE_FIRST_TREATMENT = "latest_at_or_before_first_treatment"
    FIRST_MEASUREMENT_FALLBACK = "first_measurement_fallback"
    NO_TREATMENT_FIRST = "no_treatment_first_measurement"


class OutcomeNote(StrEnum):
    """Why part of a summary is missing or needs care."""

    NO_PRE_TREATMENT_BASELINE = "no_pre_treatment_baseline"
    NOT_TREATED = "not_treated"
    NO_FOLLOW_UP = "no_follow_up"
    BASELINE_ZERO = "baseline_zero"
    BASELINE_NEGATIVE = "baseline_negative"
    NO_RULES_FOR_INSTRUMENT = "no_rules_for_instrument"
    NO_RESPONSE_RULE = "no_response_rule"
    NO_REMISSION_RULE = "no_remission_rule"
    NO_RELAPSE_RULE = "no_relapse_rule"
    NO_MCID = "no_mcid"


@dataclass(frozen=True)
class OutcomeSummary:
    """Outcome of one instrument series for one patient, under one versioned rule set.

    ``response``, ``remission``, ``relapse``, ``loss_of_response`` and
    ``clinically_important_improvement`` are ``None`` when they cannot be assessed (no rule for
    the instrument, no follow-up, percent change undefined); ``notes`` says why.

    Attributes:
        instrument_id: Normalised instrument id.
        rules_version: Version of the rule set used.
        instrument_rules: The instrument's rules that were applied (None if it has none).
        baseline: Chosen baseline measurement.
        baseline_rule: Which rule chose it.
        latest: Latest measurement (may be the baseline when there is no follow-up).
        measurement_count: Number of measurements given.
        follow_up_count: Measurements after the baseline.
        absolute_change: latest - baseline (negative = improvement).
        percent_change: 100 x (latest - baseline) / baseline, None if baseline <= 0.
        response: Latest follow-up meets the response rule.
        remission: Latest follow-up meets the remission rule.
        relapse: Currently relapsed: after the latest remission, the moderate band was reached on
            the required number of consecutive measurements.
        loss_of_response: Currently lost response after having responded.
        clinically_important_improvement: Improvement >= the instrument's MCID.
        first_response_at: First follow-up meeting the response rule.
        hours_to_response: Hours from first treatment to ``first_response_at``.
        first_remission_at: First follow-up meeting the remission rule.
        relapse_at: Measurement that confirmed the current relapse.
        relapse_count: Number of confirmed relapses.
        loss_of_response_at: Measurement that confirmed the current loss of response.
        notes: Reasons for missing parts.
    """

    instrument_id: str
    rules_version: str
    instrument_rules: InstrumentRules | None
    baseline: Measurement
    baseline_rule: BaselineRule
    latest: Measurement
    measurement_count: int
    follow_up_count: int
    absolute_change: float
    percent_change: float | None
    response: bool | None
    remission: bool | None
    relapse: bool | None
    loss_of_response: bool | None
    clinically_important_improvement: bool | None
    first_response_at: datetime | None
    hours_to_response: float | None
    first_remission_at: datetime | None
    relapse_at: datetime | None
    relapse_count: int
    loss_of_response_at: datetime | None
    notes: tuple[OutcomeNote, ...]

    @property
    def baseline_flagged(self) -> bool:
        """True when the baseline is not a pre-treatment measurement."""
        return self.baseline_rule is BaselineRule.FIRST_MEASUREMENT_FALLBACK

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable view (datetimes as ISO 8601 strings)."""
        return {
            "instrument_id": self.instrument_id,
            "rules_version": self.rules_version,
            # The same value under the name the outcomes contract uses ("the rule version used").
            "rule_version": self.rules_version,
            "rules": rules_as_dict(self.instrument_rules),
            "baseline": _measurement_dict(self.baseline),
            "baseline_rule": str(self.baseline_rule),
            "baseline_flagged": self.baseline_flagged,
            "latest": _measurement_dict(self.latest),
            "measurement_count": self.measurement_count,
            "follow_up_count": self.follow_up_count,
            "absolute_change": self.absolute_change,
            "percent_change": self.percent_change,
            "response": self.response,
            "remission": self.remission,
            "relapse": self.relapse,
            "loss_of_response": self.loss_of_response,
            "clinically_important_improvement": self.clinically_important_improvement,
            "first_response_at": _iso(self.first_response_at),
            "hours_to_response": self.hours_to_response,
            "first_remission_at": _iso(self.first_remission_at),
            "relapse_at": _iso(self.relapse_at),
            "relapse_count": self.relapse_count,
            "loss_of_response_at": _iso(self.loss_of_response_at),
            "notes": [str(note) for note in self.notes],
        }


def rules_as_dict(rules: InstrumentRules | None) -> dict[str, Any] | None:
    """Return the applied instrument rules as plain data, each part with its source."""
    if rules is None:
        return None
    parts = {
        "response": rules.response,
        "remission": rules.remission,
        "relapse_band": rules.relapse_band,
        "mcid": rules.mcid,
    }
    out: dict[str, Any] = {"instrument_id": rules.instrument_id}
    for name, part in parts.items():
        out[name] = None if part is None else {k: _plain(v) for k, v in vars(part).items()}
    return out


def _plain(value: object) -> object:
    return str(value) if isinstance(value, StrEnum) else value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _measurement_dict(measurement: Measurement) -> dict[str, Any]:
    return {
        "at": measurement.at.isoformat(),
        "total": measurement.total,
        "severity": measurement.severity,
    }
