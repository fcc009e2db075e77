"""Clinic-editable screening thresholds, with the reference defaults.

Every field is a clinical parameter whose default and source are documented below. A clinic that
changes one should record the source it follows instead (docs/clinical/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ketacare.core.eligibility.model import Severity
from ketacare.core.errors import Invalid
from ketacare.core.instruments import load_catalogue

# TRD: >=2 failed adequate trials [found: Gaynes 2020; EMA; EU-PEARL PMC9095475].
TRD_MIN_FAILED_TRIALS: Final = 2
# Minimum adequate trial length: 4 weeks (EU-PEARL: stopping before week 4 without clear
# non-response does not count [found: PMC9095475]). Alternative: 6 weeks (MGH-ATRQ
# [recall: Fava 2003]; consensus range 4-6 weeks [found: PMC8049072]).
TRD_MIN_WEEKS: Final = 4.0
TRD_MIN_WEEKS_ATRQ: Final = 6.0
# Non-response = improvement below this percent. Default <25 % (EU-PEARL / regulatory
# [found: PMC9095475]); alternative <50 % (clinical consensus [found: PMC8049072]).
TRD_NON_RESPONSE_BELOW_EU_PEARL: Final = 25.0
TRD_NON_RESPONSE_BELOW_CONSENSUS: Final = 50.0
# Screening BP: flag SBP >140 or DBP >90 [found: Spravato PI via droracle], as in
# docs/clinical/session.md#rule-21.
BP_SYSTOLIC_ABOVE: Final = 140
BP_DIASTOLIC_ABOVE: Final = 90
# DAST-10 >=3 suggests a drug-use problem [F:LN-82667] (the "moderate" band starts at 3).
DAST10_REVIEW_FROM: Final = 3


def _auditc_cutoff(sex: str) -> int:
    """The AUDIT-C positive cut-off for ``sex`` as the instrument catalogue states it.

    The catalogue (``core/instruments/catalogue/auditc.json``, parameter ``sex``) is the one place
    the cut-offs are written, so scoring a form and screening a patient can never disagree.
    """
    sex_parameter = load_catalogue().get("auditc").parameter("sex")
    if sex_parameter is None:  # pragma: no cover - the catalogue ships the AUDIT-C sex cut-offs
        msg = "the AUDIT-C catalogue entry has no sex parameter"
        raise RuntimeError(msg)
    return int(sex_parameter.values[sex])


# AUDIT-C positive >=4 men, >=3 women [F:LN-75626]; lower cut-off when sex is other or
# unrecorded [R: docs/clinical/instruments.md#special-scoring-rules, "defensible default"].
AUDITC_POSITIVE_MALE: Final = _auditc_cutoff("male")
AUDITC_POSITIVE_FEMALE: Final = _auditc_cutoff("female")
AUDITC_POSITIVE_OTHER: Final = _auditc_cutoff("unknown")
# Label population is adults [found: Mental Health Weekly 2025]; elderly variant >=65
# [found: MIMS HK].
ADULT_AGE_YEARS: Final = 18
ELDERLY_AGE_YEARS: Final = 65


@dataclass(frozen=True, slots=True)
class ScreeningConfig:
    """Thresholds a clinic may change; the defaults follow the clinical reference.

    See docs/clinical/eligibility.md and docs/clinical/instruments.md.

    Attributes:
        trd_min_failed_trials: Failed adequate trials needed for TRD (default 2).
        trd_min_weeks: Weeks for an adequate trial (default 4, EU-PEARL; 6 = MGH-ATRQ).
        trd_non_response_below_percent: Improvement below this is non-response (default 25,
            EU-PEARL/regulatory; 50 = clinical consensus).
        trd_current_episode_only: Count only trials in the current episode (default True,
            docs/clinical/eligibility.md#rule-1).
        trd_count_distinct_drugs: Count each drug once, as the EMA wording "two different
            antidepressants" requires (default True).
        trd_not_met_severity: Severity when the TRD gate is not met (default ``review``: IV
            ketamine is off-label and the prescriber may document a reason; set ``block`` for a
            hard gate).
        bp_systolic_above: Systolic above this needs prescriber acknowledgement (default 140).
        bp_diastolic_above: Diastolic above this needs prescriber acknowledgement (default 90).
        iv_mirrors_esketamine_absolute: Treat the Spravato absolute contraindications as absolute
            for IV ketamine too (default True, docs/clinical/eligibility.md#rule-3 "by default").
        iv_uncontrolled_hypertension_blocks: Uncontrolled hypertension is a hard stop for IV
            ketamine (default True, Ketalar PI §4 [recall]); False makes it a review.
        dast10_review_from: DAST-10 total from which a review is needed (default 3).
        auditc_positive_male: AUDIT-C positive cut-off for men (default 4).
        auditc_positive_female: AUDIT-C positive cut-off for women (default 3).
        auditc_positive_other: AUDIT-C cut-off for intersex/unknown/unrecorded sex (default 3).
        require_misuse_screen: A missing DAST-10 or AUDIT-C needs review (default True).
        adult_age_years: Below this age the patient is outside the adult evidence (default 18).
        elderly_age_years: From this age the esketamine elderly start-dose note shows (65).
    """

    trd_min_failed_trials: int = TRD_MIN_FAILED_TRIALS
    trd_min_weeks: float = TRD_MIN_WEEKS
    trd_non_response_below_percent: float = TRD_NON_RESPONSE_BELOW_EU_PEARL
    trd_current_episode_only: bool = True
    trd_count_distinct_drugs: bool = True
    trd_not_met_severity: Severity = Severity.REVIEW
    bp_systolic_above: int = BP_SYSTOLIC_ABOVE
    bp_diastolic_above: int = BP_DIASTOLIC_ABOVE
    iv_mirrors_esketamine_absolute: bool = True
    iv_uncontrolled_hypertension_blocks: bool = True
    dast10_review_from: int = DAST10_REVIEW_FROM
    auditc_positive_male: int = AUDITC_POSITIVE_MALE
    auditc_positive_female: int = AUDITC_POSITIVE_FEMALE
    auditc_positive_other: int = AUDITC_POSITIVE_OTHER
    require_misuse_screen: bool = True
    adult_age_years: int = ADULT_AGE_YEARS
    elderly_age_years: int = ELDERLY_AGE_YEARS

    def __post_init__(self) -> None:
        """Refuse settings outside the domain of the underlying measures."""
        _check(self.trd_min_failed_trials >= 1, "trd_min_failed_trials", "must be at least 1")
        _check(self.trd_min_weeks > 0, "trd_min_weeks", "must be positive")
        _check(
            0 < self.trd_non_response_below_percent <= 100,
            "trd_non_response_below_percent",
            "must be in (0, 100]",
        )
        _check(self.trd_not_met_severity is not Severity.INFO, "trd_not_met_severity", "not info")
        _check(self.bp_diastolic_above > 0, "bp_diastolic_above", "must be positive")
        _check(self.bp_systolic_above > 0, "bp_systolic_above", "must be positive")
        _check(0 < self.dast10_review_from <= 10, "dast10_review_from", "must be in 1..10")
        for name in ("auditc_positive_male", "auditc_positive_female", "auditc_positive_other"):
            _check(0 < getattr(self, name) <= 12, name, "must be in 1..12")


def _check(ok: bool, name: str, problem: str) -> None:
    if not ok:
        raise Invalid("eligibility.config_invalid", f"{name} {problem}", field=name)


DEFAULT_CONFIG: Final = ScreeningConfig()
