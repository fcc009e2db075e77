"""Evaluate a patient's measurement series: baseline, change, response, remission, relapse.

Definitions (docs/clinical/instruments.md#special-scoring-rules;
docs/clinical/outcomes.md#response-and-remission-definitions, docs/clinical/outcomes.md#rule-38):

* Baseline = the latest measurement at or before the first treatment. If there is none, the first
  measurement is used and the summary is flagged (``FIRST_MEASUREMENT_FALLBACK``). With no
  treatment recorded, change is measured from the first measurement (``NO_TREATMENT_FIRST``,
  noted as ``not_treated``): a clinic that scores patients before and after care it does not
  record as sessions still sees response and remission; time to response needs a treatment
  time and stays empty.
* Follow-ups = measurements after the baseline. Response and remission describe the latest
  follow-up; their first dates scan all follow-ups.
* Response = fall from baseline of at least the instrument's percentage (default 50 %).
  Percentages are compared exactly (rational arithmetic) so 50 % is never lost to rounding.
* Relapse = after a remission, the moderate band on N consecutive measurements (default 2).
* Loss of response = after a response, N consecutive measurements not meeting it (default 2);
  a prompt for booster review.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from ketacare.core.errors import Invalid
from ketacare.core.outcomes.defaults import DEFAULT_RULES
from ketacare.core.outcomes.model import (
    BaselineRule,
    Measurement,
    OutcomeNote,
    OutcomeSummary,
    require_aware,
)
from ketacare.core.outcomes.rules import (
    InstrumentRules,
    OutcomeRules,
    ResponseRule,
    normalise_instrument_id,
)

_SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class EpisodeTrack:
    """Result of scanning a series for "entered a state, then left it for N in a row".

    Attributes:
        first_entered_at: First time the state was entered.
        lost: The most recent episode has been lost (and not re-entered since).
        lost_at: The measurement that confirmed that loss.
        loss_count: How many episodes were lost in total.
    """

    first_entered_at: datetime | None
    lost: bool
    lost_at: datetime | None
    loss_count: int


def track_episodes(
    points: Iterable[tuple[datetime, bool, bool]], *, consecutive: int
) -> EpisodeTrack:
    """Scan ``(at, entered, leaving)`` points in time order.

    A point with ``entered`` opens (or re-opens) an episode. While an episode is open, ``leaving``
    points are counted; any other point breaks the run. ``consecutive`` leaving points in a row
    close the episode as lost. This one rule serves relapse (entered = remission, leaving =
    moderate band) and loss of response (entered = response, leaving = not responding).
    """
    first: datetime | None = None
    inside, lost, lost_at, count, run = False, False, None, 0, 0
    for at, entered, leaving in points:
        if entered:
            first = at if first is None else first
            inside, lost, lost_at, run = True, False, None, 0
        elif inside and leaving:
            run += 1
            if run >= consecutive:
                inside, lost, lost_at, count, run = False, True, at, count + 1, 0
        else:
            run = 0
    return EpisodeTrack(first, lost, lost_at, count)


def choose_baseline(
    series: Sequence[Measurement], first_treatment_at: datetime | None
) -> tuple[int, BaselineRule]:
    """Return the index of the baseline in the time-sorted ``series`` and the rule used."""
    if first_treatment_at is None:
        return 0, BaselineRule.NO_TREATMENT_FIRST
    before = [i for i, m in enumerate(series) if m.at <= first_treatment_at]
    if before:
        return before[-1], BaselineRule.LATEST_AT_OR_BEFORE_FIRST_TREATMENT
    return 0, BaselineRule.FIRST_MEASUREMENT_FALLBACK


def percent_change(baseline: float, latest: float) -> float | None:
    """Return 100 x (latest - baseline) / baseline, or None when the baseline is not positive."""
    if baseline <= 0:
        return None
    return (latest - baseline) / baseline * 100


def meets_response(rule: ResponseRule, baseline: float, value: float) -> bool | None:
    """Return whether ``value`` is a response from ``baseline``; None if baseline <= 0.

    Exact: fall x 100 is compared with pct x baseline in rational arithmetic, so a fall of
    exactly 50 % is a response and 49.99 % is not.
    """
    if baseline <= 0:
        return None
    fall = (Fraction(baseline) - Fraction(value)) * 100
    needed = Fraction(rule.min_reduction_pct) * Fraction(baseline)
    return fall > needed if rule.strict else fall >= needed


def evaluate_outcomes(
    measurements: Iterable[Measurement],
    *,
    instrument_id: str,
    first_treatment_at: datetime | None,
    rules: OutcomeRules = DEFAULT_RULES,
) -> OutcomeSummary:
    """Summarise one patient's series of one instrument.

    Args:
        measurements: The patient's measurements of ``instrument_id``, in any order.
        instrument_id: Instrument id (any spelling: "PHQ-9", "phq9").
        first_treatment_at: Start of the first treatment session, or None if not treated yet.
        rules: The versioned rule set (default :data:`DEFAULT_RULES`).

    Returns:
        The outcome summary; parts that cannot be assessed are None with a note.

    Raises:
        Invalid: ``outcomes.no_measurements`` for an empty series, or
            ``outcomes.naive_datetime`` for a naive ``first_treatment_at``.
    """
    series = sorted(measurements, key=lambda m: m.at)
    if not series:
        raise Invalid(
            "outcomes.no_measurements", "no measurements to evaluate", field="measurements"
        )
    if first_treatment_at is not None:
        require_aware(first_treatment_at, field="first_treatment_at")
    index, baseline_rule = choose_baseline(series, first_treatment_at)
    return _Evaluation(
        series=series,
        baseline_index=index,
        baseline_rule=baseline_rule,
        instrument_rules=rules.for_instrument(instrument_id),
        rules=rules,
        first_treatment_at=first_treatment_at,
    ).summary(normalise_instrument_id(instrument_id))


@dataclass(frozen=True)
class _Evaluation:
    series: list[Measurement]
    baseline_index: int
    baseline_rule: BaselineRule
    instrument_rules: InstrumentRules | None
    rules: OutcomeRules
    first_treatment_at: datetime | None

    @property
    def baseline(self) -> Measurement:
        return self.series[self.baseline_index]

    @property
    def follow_ups(self) -> list[Measurement]:
        return self.series[self.baseline_index + 1 :]

    def summary(self, instrument_id: str) -> OutcomeSummary:
        baseline, latest = self.baseline, self.series[-1]
        response, first_response_at, loss = self._response()
        remission, first_remission_at = self._remission()
        relapse = self._relapse()
        return OutcomeSummary(
            instrument_id=instrument_id,
            rules_version=self.rules.version,
            instrument_rules=self.instrument_rules,
            baseline=baseline,
            baseline_rule=self.baseline_rule,
            latest=latest,
            measurement_count=len(self.series),
            follow_up_count=len(self.follow_ups),
            absolute_change=latest.total - baseline.total,
            percent_change=percent_change(baseline.total, latest.total),
            response=response,
            remission=remission,
            relapse=None if relapse is None else relapse.lost,
            loss_of_response=None if loss is None else loss.lost,
            clinically_important_improvement=self._mcid(),
            first_response_at=first_response_at,
            hours_to_response=self._hours_since_first_treatment(first_response_at),
            first_remission_at=first_remission_at,
            relapse_at=None if relapse is None else relapse.lost_at,
            relapse_count=0 if relapse is None else relapse.loss_count,
            loss_of_response_at=None if loss is None else loss.lost_at,
            notes=self._notes(),
        )

    def _response(self) -> tuple[bool | None, datetime | None, EpisodeTrack | None]:
        rule = None if self.instrument_rules is None else self.instrument_rules.response
        base = self.baseline.total
        if rule is None or not self.follow_ups or base <= 0:
            return None, None, None
        flags = [(m.at, meets_response(rule, base, m.total) is True) for m in self.follow_ups]
        track = track_episodes(
            ((at, ok, not ok) for at, ok in flags),
            consecutive=self.rules.consecutive_for_loss_of_response,
        )
        return flags[-1][1], track.first_entered_at, track

    def _remission(self) -> tuple[bool | None, datetime | None]:
        rule = None if self.instrument_rules is None else self.instrument_rules.remission
        if rule is None or not self.follow_ups:
            return None, None
        first = next((m.at for m in self.follow_ups if rule.met(m.total)), None)
        return rule.met(self.follow_ups[-1].total), first

    def _relapse(self) -> EpisodeTrack | None:
        rules = self.instrument_rules
        if rules is None or rules.remission is None or rules.relapse_band is None:
            return None
        if not self.follow_ups:
            return None
        remission, band = rules.remission, rules.relapse_band
        return track_episodes(
            ((m.at, remission.met(m.total), band.met(m.total)) for m in self.follow_ups),
            consecutive=self.rules.consecutive_for_relapse,
        )

    def _mcid(self) -> bool | None:
        mcid = None if self.instrument_rules is None else self.instrument_rules.mcid
        if mcid is None or not self.follow_ups:
            return None
        return self.baseline.total - self.follow_ups[-1].total >= mcid.points

    def _hours_since_first_treatment(self, at: datetime | None) -> float | None:
        if at is None or self.first_treatment_at is None:
            return None
        return (at - self.first_treatment_at).total_seconds() / _SECONDS_PER_HOUR

    def _notes(self) -> tuple[OutcomeNote, ...]:
        notes = [note for note, present in self._series_checks() if present]
        rules = self.instrument_rules
        if rules is None:
            return (*notes, OutcomeNote.NO_RULES_FOR_INSTRUMENT)
        relapse_parts = rules.remission is not None and rules.relapse_band is not None
        missing = [
            (OutcomeNote.NO_RESPONSE_RULE, rules.response is None),
            (OutcomeNote.NO_REMISSION_RULE, rules.remission is None),
            (OutcomeNote.NO_RELAPSE_RULE, not relapse_parts),
            (OutcomeNote.NO_MCID, rules.mcid is None),
        ]
        return (*notes, *(note for note, absent in missing if absent))

    def _series_checks(self) -> list[tuple[OutcomeNote, bool]]:
        return [
            (OutcomeNote.NOT_TREATED, self.baseline_rule is BaselineRule.NO_TREATMENT_FIRST),
            (
                OutcomeNote.NO_PRE_TREATMENT_BASELINE,
                self.baseline_rule is BaselineRule.FIRST_MEASUREMENT_FALLBACK,
            ),
            (OutcomeNote.NO_FOLLOW_UP, not self.follow_ups),
            (OutcomeNote.BASELINE_ZERO, self.baseline.total == 0),
            (OutcomeNote.BASELINE_NEGATIVE, self.baseline.total < 0),
        ]
