"""Eligibility screening: run every rule and combine the reasons into a decision.

``screen(inp, config)`` is the entry point the services, web and CLI call. It is pure: the same
input and configuration always give the same result, and the result carries the
``RULESET_VERSION`` and the input fingerprint so a stored decision can be checked for staleness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ketacare.core.eligibility import (
    interactions,
    rules_long_term,
    rules_medical,
    rules_psychiatric,
)
from ketacare.core.eligibility.conditions import CONDITIONS
from ketacare.core.eligibility.config import DEFAULT_CONFIG, ScreeningConfig
from ketacare.core.eligibility.fingerprint import fingerprint
from ketacare.core.eligibility.indications import INDICATIONS
from ketacare.core.eligibility.model import (
    RULESET_VERSION,
    Decision,
    Reason,
    ScreeningInput,
    Severity,
    decide,
)
from ketacare.core.eligibility.staging import MsmScore, msm_score
from ketacare.core.eligibility.treatment_history import TrdAssessment, assess_trd
from ketacare.core.errors import Invalid

_ORDER = {Severity.BLOCK: 0, Severity.REVIEW: 1, Severity.INFO: 2}


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The outcome of one screening.

    Attributes:
        decision: ``eligible``, ``needs_review`` or ``ineligible``.
        reasons: Every finding, blocks first, then reviews, then information.
        trd: TRD assessment, or None when no treatment history was given.
        msm: Maudsley Staging Method score, or None when its inputs are missing.
        ruleset_version: Version of the rules that produced this result.
        input_fingerprint: Fingerprint of the input and configuration (see ``fingerprint``).
    """

    decision: Decision
    reasons: tuple[Reason, ...]
    trd: TrdAssessment | None
    msm: MsmScore | None
    ruleset_version: str
    input_fingerprint: str

    def as_dict(self) -> dict[str, Any]:
        """Serialisable view matching the ``ketacare screen --json`` output contract."""
        trd = self.trd
        msm = self.msm
        return {
            "decision": self.decision.value,
            "reasons": [reason.as_dict() for reason in self.reasons],
            # Without a treatment history no trial can count: 0 failed trials, TRD not met.
            "trd": {
                "adequate_failed_trials": 0 if trd is None else trd.adequate_failed_trials,
                "met": False if trd is None else trd.met,
            },
            "msm": {
                "score": None if msm is None else msm.score,
                "band": None if msm is None else msm.band.value,
            },
            "ruleset_version": self.ruleset_version,
        }


def screen(inp: ScreeningInput, config: ScreeningConfig = DEFAULT_CONFIG) -> ScreeningResult:
    """Screen a patient for a protocol.

    Args:
        inp: What is known about the patient; ``None`` fields are "not recorded".
        config: Clinic thresholds (defaults from the clinical reference).

    Returns:
        The decision with its reasons, the TRD assessment and the MSM score.

    Raises:
        Invalid: if the input names an unknown indication or condition, or its values are out
            of range.
    """
    _check_ids(inp)
    trd = (
        None if inp.antidepressant_trials is None else assess_trd(inp.antidepressant_trials, config)
    )
    reasons = (
        rules_medical.condition_reasons(inp, config)
        + rules_medical.pregnancy_reasons(inp)
        + rules_medical.bp_reasons(inp, config)
        + rules_medical.workup_prompts(inp, config)
        + rules_medical.age_reasons(inp, config)
        + rules_psychiatric.indication_reasons(inp)
        + rules_psychiatric.trd_reasons(inp, trd, config)
        + rules_psychiatric.misuse_reasons(inp, config)
        + interactions.interaction_reasons(inp)
        + rules_long_term.liver_test_reasons(inp)
        + rules_long_term.bladder_reasons(inp)
        + rules_long_term.cognition_reasons(inp)
        + rules_medical.protocol_notes(inp)
    )
    ordered = tuple(sorted(reasons, key=lambda reason: _ORDER[reason.severity]))
    return ScreeningResult(
        decision=decide(ordered),
        reasons=ordered,
        trd=trd,
        msm=_msm(inp, trd),
        ruleset_version=RULESET_VERSION,
        input_fingerprint=fingerprint(inp, config),
    )


def _check_ids(inp: ScreeningInput) -> None:
    if inp.indication is not None and inp.indication not in INDICATIONS:
        raise Invalid(
            "eligibility.unknown_indication",
            f"unknown indication {inp.indication!r}",
            field="indication",
        )
    unknown = sorted(inp.conditions - CONDITIONS.keys())
    if unknown:
        raise Invalid(
            "eligibility.unknown_condition",
            f"unknown condition(s): {', '.join(unknown)}",
            field="conditions",
        )


def _msm(inp: ScreeningInput, trd: TrdAssessment | None) -> MsmScore | None:
    """MSM when duration, severity and at least one failed trial are known, else None."""
    if inp.episode_duration_months is None or inp.episode_severity is None:
        return None
    if trd is None or trd.adequate_failed_trials < 1:
        return None
    return msm_score(
        duration_months=inp.episode_duration_months,
        severity=inp.episode_severity,
        failed_antidepressants=trd.adequate_failed_trials,
        augmentation=bool(inp.augmentation),
        ect=bool(inp.ect),
    )
