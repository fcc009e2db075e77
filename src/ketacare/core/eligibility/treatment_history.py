"""Antidepressant treatment history: trial adequacy and the TRD criterion.

A trial counts as an *adequate failed trial* when it was in the current episode, at a confirmed
adequate dose, taken as prescribed, lasted at least the minimum duration, and improvement stayed
below the non-response threshold. A trial stopped before the minimum duration counts only when
non-response is documented as the reason (EU-PEARL: "stopping before week 4 without clear
non-response does not count" [found: PMC9095475 Table 1]; docs/clinical/eligibility.md#rule-1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ketacare.core.eligibility.config import DEFAULT_CONFIG, ScreeningConfig
from ketacare.core.eligibility.model import AntidepressantTrial, StopReason


class TrialVerdict(StrEnum):
    """Why a trial does or does not count towards TRD."""

    ADEQUATE_FAILED = "adequate_failed"
    NOT_CURRENT_EPISODE = "not_current_episode"
    DOSE_NOT_ADEQUATE = "dose_not_confirmed_adequate"
    NOT_ADHERENT = "not_adherent"
    TOO_SHORT = "too_short_without_documented_non_response"
    IMPROVEMENT_NOT_RECORDED = "improvement_not_recorded"
    RESPONDED = "improvement_at_or_above_threshold"


@dataclass(frozen=True, slots=True)
class TrialAssessment:
    """A trial together with the verdict on it."""

    trial: AntidepressantTrial
    verdict: TrialVerdict

    @property
    def counts(self) -> bool:
        """True when the trial is an adequate failed trial."""
        return self.verdict is TrialVerdict.ADEQUATE_FAILED


@dataclass(frozen=True, slots=True)
class TrdAssessment:
    """Result of the TRD criterion.

    Attributes:
        adequate_failed_trials: Number of adequate failed trials (distinct drugs by default).
        met: Whether the count reaches the configured minimum (default 2).
        trials: Per-trial verdicts, in input order.
    """

    adequate_failed_trials: int
    met: bool
    trials: tuple[TrialAssessment, ...]


def assess_trial(
    trial: AntidepressantTrial, config: ScreeningConfig = DEFAULT_CONFIG
) -> TrialAssessment:
    """Decide whether one trial is an adequate failed trial.

    Args:
        trial: The charted trial.
        config: Thresholds (minimum weeks, non-response percent, current-episode rule).

    Returns:
        The trial with its verdict; the first failed check wins.
    """
    return TrialAssessment(trial, _verdict(trial, config))


def _verdict(trial: AntidepressantTrial, config: ScreeningConfig) -> TrialVerdict:
    if config.trd_current_episode_only and trial.current_episode is not True:
        return TrialVerdict.NOT_CURRENT_EPISODE
    if trial.adequate_dose is not True:
        return TrialVerdict.DOSE_NOT_ADEQUATE
    if trial.adherent is False:
        return TrialVerdict.NOT_ADHERENT
    short = trial.weeks < config.trd_min_weeks
    if short and trial.stopped_early_reason is not StopReason.NON_RESPONSE:
        return TrialVerdict.TOO_SHORT
    if trial.improvement_percent is None:
        # A short trial stopped for documented non-response needs no percentage.
        return TrialVerdict.ADEQUATE_FAILED if short else TrialVerdict.IMPROVEMENT_NOT_RECORDED
    if trial.improvement_percent >= config.trd_non_response_below_percent:
        return TrialVerdict.RESPONDED
    return TrialVerdict.ADEQUATE_FAILED


def assess_trd(
    trials: Sequence[AntidepressantTrial], config: ScreeningConfig = DEFAULT_CONFIG
) -> TrdAssessment:
    """Count adequate failed trials and check the TRD criterion.

    Sources: docs/clinical/eligibility.md#treatment-resistant-depression,
    docs/clinical/eligibility.md#rule-1.

    Args:
        trials: The treatment history.
        config: Thresholds; ``trd_count_distinct_drugs`` counts each drug once (EMA: "at least
            two different antidepressants").

    Returns:
        The count, whether TRD is met and the per-trial verdicts.
    """
    assessed = tuple(assess_trial(trial, config) for trial in trials)
    failed = [item.trial.drug.strip().casefold() for item in assessed if item.counts]
    count = len(set(failed)) if config.trd_count_distinct_drugs else len(failed)
    return TrdAssessment(count, count >= config.trd_min_failed_trials, assessed)
