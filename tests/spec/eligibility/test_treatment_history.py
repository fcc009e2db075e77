"""Antidepressant trial adequacy and the TRD criterion.

Sources: docs/clinical/eligibility.md#treatment-resistant-depression,
docs/clinical/eligibility.md#rule-1.

Defaults: adequate = current episode, confirmed adequate dose, >=4 weeks (EU-PEARL), improvement
<25 % (EU-PEARL / regulatory); a trial stopped before 4 weeks counts only with documented
non-response. Alternatives: 6 weeks (MGH-ATRQ), <50 % (clinical consensus).
"""

from __future__ import annotations

from typing import Any

import pytest

from ketacare.core.eligibility import (
    AntidepressantTrial,
    Decision,
    ProtocolId,
    ScreeningConfig,
    Severity,
    StopReason,
    screen,
)
from ketacare.core.eligibility.treatment_history import TrialVerdict, assess_trd, assess_trial

NR = StopReason.NON_RESPONSE


def trial(**changes):
    base = {
        "drug": "sertraline",
        "weeks": 8,
        "adequate_dose": True,
        "improvement_percent": 10,
        "current_episode": True,
    }
    return AntidepressantTrial(**{**base, **changes})


ADEQUACY_TABLE = [
    ("adequate-failed", {}, TrialVerdict.ADEQUATE_FAILED),
    ("exactly-4-weeks", {"weeks": 4}, TrialVerdict.ADEQUATE_FAILED),
    ("3.9-weeks-no-reason", {"weeks": 3.9}, TrialVerdict.TOO_SHORT),
    (
        "2-weeks-intolerance",
        {"weeks": 2, "stopped_early_reason": StopReason.INTOLERANCE},
        TrialVerdict.TOO_SHORT,
    ),
    (
        "2-weeks-patient-choice",
        {"weeks": 2, "stopped_early_reason": StopReason.PATIENT_CHOICE},
        TrialVerdict.TOO_SHORT,
    ),
    (
        "2-weeks-documented-non-response",
        {"weeks": 2, "stopped_early_reason": NR},
        TrialVerdict.ADEQUATE_FAILED,
    ),
    (
        "2-weeks-non-response-no-percent",
        {"weeks": 2, "stopped_early_reason": NR, "improvement_percent": None},
        TrialVerdict.ADEQUATE_FAILED,
    ),
    (
        "2-weeks-non-response-but-30-percent",
        {"weeks": 2, "stopped_early_reason": NR, "improvement_percent": 30},
        TrialVerdict.RESPONDED,
    ),
    ("improvement-24.9", {"improvement_percent": 24.9}, TrialVerdict.ADEQUATE_FAILED),
    ("improvement-exactly-25", {"improvement_percent": 25}, TrialVerdict.RESPONDED),
    ("improvement-60", {"improvement_percent": 60}, TrialVerdict.RESPONDED),
    ("worsened", {"improvement_percent": -20}, TrialVerdict.ADEQUATE_FAILED),
    (
        "improvement-not-recorded",
        {"improvement_percent": None},
        TrialVerdict.IMPROVEMENT_NOT_RECORDED,
    ),
    ("dose-not-adequate", {"adequate_dose": False}, TrialVerdict.DOSE_NOT_ADEQUATE),
    ("dose-not-documented", {"adequate_dose": None}, TrialVerdict.DOSE_NOT_ADEQUATE),
    ("previous-episode", {"current_episode": False}, TrialVerdict.NOT_CURRENT_EPISODE),
    ("episode-not-documented", {"current_episode": None}, TrialVerdict.NOT_CURRENT_EPISODE),
    ("not-adherent", {"adherent": False}, TrialVerdict.NOT_ADHERENT),
    ("adherent", {"adherent": True}, TrialVerdict.ADEQUATE_FAILED),
]


@pytest.mark.parametrize(
    ("changes", "verdict"), [r[1:] for r in ADEQUACY_TABLE], ids=[r[0] for r in ADEQUACY_TABLE]
)
def test_trial_adequacy_with_defaults(changes, verdict):
    assessed = assess_trial(trial(**changes))
    assert assessed.verdict is verdict
    assert assessed.counts is (verdict is TrialVerdict.ADEQUATE_FAILED)


ALTERNATIVE_TABLE = [
    # (config, trial changes, verdict)
    (
        "consensus-50-counts-40",
        {"trd_non_response_below_percent": 50},
        {"improvement_percent": 40},
        TrialVerdict.ADEQUATE_FAILED,
    ),
    (
        "consensus-50-exactly-50",
        {"trd_non_response_below_percent": 50},
        {"improvement_percent": 50},
        TrialVerdict.RESPONDED,
    ),
    ("eu-pearl-25-refuses-40", {}, {"improvement_percent": 40}, TrialVerdict.RESPONDED),
    ("atrq-6-weeks-refuses-5", {"trd_min_weeks": 6}, {"weeks": 5}, TrialVerdict.TOO_SHORT),
    ("atrq-6-weeks-accepts-6", {"trd_min_weeks": 6}, {"weeks": 6}, TrialVerdict.ADEQUATE_FAILED),
    (
        "any-episode",
        {"trd_current_episode_only": False},
        {"current_episode": False},
        TrialVerdict.ADEQUATE_FAILED,
    ),
]


@pytest.mark.parametrize(
    ("config", "changes", "verdict"),
    [r[1:] for r in ALTERNATIVE_TABLE],
    ids=[r[0] for r in ALTERNATIVE_TABLE],
)
def test_trial_adequacy_with_alternative_thresholds(config, changes, verdict):
    assert assess_trial(trial(**changes), ScreeningConfig(**config)).verdict is verdict


TRD_TABLE = [
    ("none", [], {}, 0, False),
    ("one", [trial()], {}, 1, False),
    ("two-different", [trial(), trial(drug="escitalopram")], {}, 2, True),
    ("same-drug-twice-counts-once", [trial(), trial(drug=" Sertraline ")], {}, 1, False),
    (
        "same-drug-twice-if-not-distinct",
        [trial(), trial()],
        {"trd_count_distinct_drugs": False},
        2,
        True,
    ),
    ("two-one-short", [trial(), trial(drug="escitalopram", weeks=3)], {}, 1, False),
    (
        "three-one-responded",
        [trial(), trial(drug="a"), trial(drug="b", improvement_percent=70)],
        {},
        2,
        True,
    ),
    ("min-three", [trial(), trial(drug="a")], {"trd_min_failed_trials": 3}, 2, False),
]


@pytest.mark.parametrize(
    ("trials", "config", "count", "met"), [r[1:] for r in TRD_TABLE], ids=[r[0] for r in TRD_TABLE]
)
def test_trd_criterion(trials, config, count, met):
    result = assess_trd(trials, ScreeningConfig(**config))
    assert (result.adequate_failed_trials, result.met) == (count, met)
    assert len(result.trials) == len(trials)


GATE_TABLE = [
    # (indication, protocol, trials, config, expected code, severity, decision)
    (
        "depression",
        ProtocolId.IV_KETAMINE_DEPRESSION,
        "two",
        {},
        "trd.met",
        Severity.INFO,
        Decision.ELIGIBLE,
    ),
    (
        "depression",
        ProtocolId.ESKETAMINE_NASAL,
        "two",
        {},
        "trd.met",
        Severity.INFO,
        Decision.ELIGIBLE,
    ),
    (
        "depression",
        ProtocolId.IV_KETAMINE_DEPRESSION,
        "one",
        {},
        "trd.not_met",
        Severity.REVIEW,
        Decision.NEEDS_REVIEW,
    ),
    (
        "depression",
        ProtocolId.ESKETAMINE_NASAL,
        "one",
        {},
        "trd.not_met",
        Severity.REVIEW,
        Decision.NEEDS_REVIEW,
    ),
    (
        "depression",
        ProtocolId.IV_KETAMINE_DEPRESSION,
        "one",
        {"trd_not_met_severity": "block"},
        "trd.not_met",
        Severity.BLOCK,
        Decision.INELIGIBLE,
    ),
    (
        "depression",
        ProtocolId.IV_KETAMINE_DEPRESSION,
        None,
        {},
        "trd.history_not_recorded",
        Severity.REVIEW,
        Decision.NEEDS_REVIEW,
    ),
]
_TRIALS = {"two": (trial(), trial(drug="escitalopram")), "one": (trial(),), None: None}


@pytest.mark.parametrize(
    ("indication", "protocol", "trials", "config", "code", "severity", "decision"),
    GATE_TABLE,
    ids=["iv-met", "esk-met", "iv-not-met", "esk-not-met", "iv-hard-gate", "iv-no-history"],
)
def test_trd_gate_in_screening(
    make_input, indication, protocol, trials, config, code, severity, decision
):
    severities: dict[str, Any] = {k: Severity(v) for k, v in config.items()}
    cfg = ScreeningConfig(**severities)
    result = screen(
        make_input(protocol, indication=indication, antidepressant_trials=_TRIALS[trials]), cfg
    )
    assert {r.code: r.severity for r in result.reasons}[code] is severity
    assert result.decision is decision


@pytest.mark.parametrize(
    ("indication", "protocol"),
    [
        ("mdd_suicidal_ideation", ProtocolId.ESKETAMINE_NASAL),
        ("ptsd", ProtocolId.IV_KETAMINE_DEPRESSION),
        ("crps", ProtocolId.IV_KETAMINE_PAIN),
    ],
    ids=["mdsi-esketamine", "ptsd-iv", "crps-pain"],
)
def test_trd_gate_only_for_depression(make_input, indication, protocol):
    result = screen(make_input(protocol, indication=indication, antidepressant_trials=None))
    assert not [r for r in result.reasons if r.code.startswith("trd.")]
    assert result.as_dict()["trd"] == {"adequate_failed_trials": 0, "met": False}
