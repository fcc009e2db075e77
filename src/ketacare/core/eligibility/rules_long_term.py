"""Long-term safety rules: liver tests (rule 41), bladder screen (rule 42), cognition (rule 44).

Sources: docs/clinical/eligibility.md#long-term-safety and the rule anchors below. A course is
long-term when ``long_term_course`` is true; "not recorded" is read as a first (induction) course,
so these checks never hold up a first screening.
"""

from __future__ import annotations

from typing import Final

from ketacare.core.codes import ProtocolId
from ketacare.core.eligibility import sources
from ketacare.core.eligibility.model import (
    Reason,
    ScreeningInput,
    ScreenResult,
    Severity,
)

# Rule 41: liver enzymes at or above 3x the upper limit of normal block the next pain course
# pending review (Noppers et al. 2011, PMID 21546160: injury defined at >=3x ULN; Cohen 2018).
LFT_BLOCK_FROM_X_ULN: Final = 3.0
# The upper limit of normal itself (1x ULN, by definition): above it the value is elevated.
LFT_UPPER_LIMIT_X_ULN: Final = 1.0


def liver_test_reasons(inp: ScreeningInput) -> list[Reason]:
    """Rule 41 on the recorded liver tests (docs/clinical/eligibility.md#rule-41).

    Pain protocol: >=3x ULN blocks, above ULN needs review. The reference gives the block for pain
    courses only; for the mood protocols >=3x ULN needs review and a smaller rise is shown.
    """
    value = inp.lft_x_uln
    if value is None or value <= LFT_UPPER_LIMIT_X_ULN:
        return []
    pain = inp.protocol is ProtocolId.IV_KETAMINE_PAIN
    if value >= LFT_BLOCK_FROM_X_ULN:
        severity = Severity.BLOCK if pain else Severity.REVIEW
        action = (
            "blocks the next pain course until the liver tests are repeated and reviewed"
            if pain
            else "needs a prescriber review for liver disease before treatment"
        )
        return [
            Reason(
                "liver.enzymes_3x_uln",
                severity,
                f"Liver enzymes at {value:g}x the upper limit of normal (>= "
                f"{LFT_BLOCK_FROM_X_ULN:g}x): ketamine liver injury was seen at this level after "
                f"repeated infusions; this {action}.",
                sources.LFT_RULE_41,
            )
        ]
    return [
        Reason(
            "liver.enzymes_elevated",
            Severity.REVIEW if pain else Severity.INFO,
            f"Liver enzymes at {value:g}x the upper limit of normal (elevated, below "
            f"{LFT_BLOCK_FROM_X_ULN:g}x): repeat the tests after infusion"
            + ("; the prescriber reviews before a repeated pain course." if pain else "."),
            sources.LFT_RULE_41,
        )
    ]


def bladder_reasons(inp: ScreeningInput) -> list[Reason]:
    """Rule 42: bladder symptom screen on long-term courses (docs/clinical/eligibility.md#rule-42).

    A positive screen always needs review; a missing screen only on a long-term course.
    """
    return _screen_reasons(
        inp.bladder_screen,
        long_term=inp.long_term_course is True,
        code="bladder",
        missing="Bladder symptom screen (urinary frequency, urgency, pain on passing urine, "
        "blood in urine) not recorded for this long-term course.",
        positive="Bladder symptoms reported: assess for ketamine-related cystitis (urine test, "
        "referral as needed) before continuing.",
        source=sources.BLADDER_RULE_42,
    )


def cognition_reasons(inp: ScreeningInput) -> list[Reason]:
    """Rule 44: cognition check on long-term courses (docs/clinical/eligibility.md#rule-44)."""
    return _screen_reasons(
        inp.cognition_check,
        long_term=inp.long_term_course is True,
        code="cognition",
        missing="Cognition check not recorded for this long-term course (instrument set by "
        "the clinic).",
        positive="Cognition check found a concern: review memory and attention before continuing.",
        source=sources.COGNITION_RULE_44,
    )


def _screen_reasons(
    result: ScreenResult | None,
    *,
    long_term: bool,
    code: str,
    missing: str,
    positive: str,
    source: str,
) -> list[Reason]:
    if result is ScreenResult.POSITIVE:
        return [Reason(f"{code}.screen_positive", Severity.REVIEW, positive, source)]
    if result is None and long_term:
        return [Reason(f"{code}.screen_not_recorded", Severity.REVIEW, missing, source)]
    return []
