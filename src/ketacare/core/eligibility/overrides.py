"""Prescriber overrides of ``review`` reasons.

A ``review`` reason may be overridden with a written justification
(docs/clinical/eligibility.md#rule-4:
"each needs a documented override reason and signature"; the signature is recorded by the
service layer). A ``block`` reason can never be overridden (rule 3: hard stop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ketacare.core.eligibility.model import Decision, Reason, Severity, decide
from ketacare.core.eligibility.screening import ScreeningResult
from ketacare.core.errors import Invalid, RuleViolation


@dataclass(frozen=True, slots=True)
class OverrideOutcome:
    """The effect of a set of overrides on a screening decision.

    Attributes:
        decision: Decision after the overrides (``eligible`` only if every review reason is
            covered and nothing blocks).
        all_reviews_covered: Whether every ``review`` reason has a justification.
        overridden: Codes of the review reasons that were overridden, in reason order.
        uncovered: Codes of review reasons still without a justification.
        blocking: Codes of block reasons (these keep the patient ineligible).
    """

    decision: Decision
    all_reviews_covered: bool
    overridden: tuple[str, ...]
    uncovered: tuple[str, ...]
    blocking: tuple[str, ...]


def apply_overrides(
    screening: ScreeningResult | Sequence[Reason], overrides: Mapping[str, str]
) -> OverrideOutcome:
    """Apply prescriber overrides ``{reason code: justification}`` to a screening decision.

    Args:
        screening: A screening result, or its reasons.
        overrides: Justification per review-reason code.

    Returns:
        Which review reasons are covered and the resulting decision.

    Raises:
        RuleViolation: if an override targets a ``block`` reason (code
            ``eligibility.block_not_overridable``) or an ``info`` reason.
        Invalid: if an override names a code not in the reasons, or its justification is blank.
    """
    reasons = screening.reasons if isinstance(screening, ScreeningResult) else tuple(screening)
    by_code = {reason.code: reason for reason in reasons}
    for code, justification in overrides.items():
        _check_override(by_code.get(code), code, justification)
    reviews = [reason.code for reason in reasons if reason.severity is Severity.REVIEW]
    blocking = tuple(reason.code for reason in reasons if reason.severity is Severity.BLOCK)
    uncovered = tuple(code for code in reviews if code not in overrides)
    remaining = tuple(
        reason
        for reason in reasons
        if reason.severity is Severity.BLOCK or reason.code in uncovered
    )
    return OverrideOutcome(
        decision=decide(remaining),
        all_reviews_covered=not uncovered,
        overridden=tuple(code for code in reviews if code in overrides),
        uncovered=uncovered,
        blocking=blocking,
    )


def _check_override(reason: Reason | None, code: str, justification: str) -> None:
    if reason is None:
        raise Invalid(
            "eligibility.override_unknown_reason",
            f"no reason {code!r} in this decision; it may be stale",
            field=code,
        )
    if reason.severity is Severity.BLOCK:
        raise RuleViolation(
            "eligibility.block_not_overridable",
            f"{code} is a hard stop and cannot be overridden",
            field=code,
        )
    if reason.severity is Severity.INFO:
        raise RuleViolation(
            "eligibility.info_not_overridable",
            f"{code} is information only; there is nothing to override",
            field=code,
        )
    if not justification.strip():
        raise Invalid(
            "eligibility.override_justification_required",
            f"override of {code} needs a written justification",
            field=code,
        )
