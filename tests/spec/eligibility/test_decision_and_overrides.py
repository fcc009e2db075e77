"""The decision, reason ordering and the override model (review reasons only; never blocks)."""

from __future__ import annotations

import pytest

from ketacare.core.eligibility import (
    RULESET_VERSION,
    Decision,
    ProtocolId,
    Reason,
    Severity,
    apply_overrides,
    screen,
)
from ketacare.core.eligibility.model import decide
from ketacare.core.errors import Invalid, RuleViolation


def reason(code, severity):
    return Reason(code, Severity(severity), f"message {code}", "source")


DECIDE_TABLE = [
    ("nothing", [], Decision.ELIGIBLE),
    ("info-only", ["info"], Decision.ELIGIBLE),
    ("one-review", ["info", "review"], Decision.NEEDS_REVIEW),
    ("one-block", ["block"], Decision.INELIGIBLE),
    ("block-beats-review", ["review", "block", "info"], Decision.INELIGIBLE),
]


@pytest.mark.parametrize(
    ("severities", "decision"), [r[1:] for r in DECIDE_TABLE], ids=[r[0] for r in DECIDE_TABLE]
)
def test_decision_from_reasons(severities, decision):
    reasons = tuple(reason(f"r{i}", s) for i, s in enumerate(severities))
    assert decide(reasons) is decision


def test_reasons_are_ordered_block_review_info_and_carry_version(make_input):
    inp = make_input(conditions={"ketamine_hypersensitivity", "active_psychosis"}, bp_systolic=150)
    result = screen(inp)
    order = {Severity.BLOCK: 0, Severity.REVIEW: 1, Severity.INFO: 2}
    ranks = [order[r.severity] for r in result.reasons]
    assert ranks == sorted(ranks)
    assert result.ruleset_version == RULESET_VERSION
    assert result.as_dict()["ruleset_version"] == RULESET_VERSION
    assert len({r.code for r in result.reasons}) == len(result.reasons)


REVIEWS = (
    reason("bp.above_threshold", "review"),
    reason("contraindication.active_psychosis", "review"),
)
INFO = reason("protocol.off_label", "info")
BLOCK = reason("contraindication.ketamine_hypersensitivity", "block")

OVERRIDE_TABLE = [
    # (reasons, overrides, decision, all covered, uncovered)
    (
        "all-covered",
        (*REVIEWS, INFO),
        {
            "bp.above_threshold": "Rechecked 132/84 after rest",
            "contraindication.active_psychosis": "Psychiatrist review: benefit outweighs risk",
        },
        Decision.ELIGIBLE,
        True,
        (),
    ),
    (
        "one-missing",
        (*REVIEWS, INFO),
        {"bp.above_threshold": "Rechecked after rest"},
        Decision.NEEDS_REVIEW,
        False,
        ("contraindication.active_psychosis",),
    ),
    (
        "none-given",
        REVIEWS,
        {},
        Decision.NEEDS_REVIEW,
        False,
        ("bp.above_threshold", "contraindication.active_psychosis"),
    ),
    (
        "block-remains",
        (BLOCK, *REVIEWS),
        {"bp.above_threshold": "ok", "contraindication.active_psychosis": "ok"},
        Decision.INELIGIBLE,
        True,
        (),
    ),
    ("nothing-to-override", (INFO,), {}, Decision.ELIGIBLE, True, ()),
]


@pytest.mark.parametrize(
    ("reasons", "overrides", "decision", "covered", "uncovered"),
    [r[1:] for r in OVERRIDE_TABLE],
    ids=[r[0] for r in OVERRIDE_TABLE],
)
def test_overrides(reasons, overrides, decision, covered, uncovered):
    outcome = apply_overrides(reasons, overrides)
    assert outcome.decision is decision
    assert outcome.all_reviews_covered is covered
    assert outcome.uncovered == uncovered
    assert set(outcome.overridden) == set(overrides)


REFUSED_TABLE = [
    (
        "block",
        {"contraindication.ketamine_hypersensitivity": "I accept"},
        RuleViolation,
        "eligibility.block_not_overridable",
    ),
    ("info", {"protocol.off_label": "noted"}, RuleViolation, "eligibility.info_not_overridable"),
    ("unknown-code", {"bp.not_recorded": "x"}, Invalid, "eligibility.override_unknown_reason"),
    (
        "blank-justification",
        {"bp.above_threshold": "   "},
        Invalid,
        "eligibility.override_justification_required",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [r[1:] for r in REFUSED_TABLE],
    ids=[r[0] for r in REFUSED_TABLE],
)
def test_refused_overrides(overrides, error, code):
    with pytest.raises(error) as caught:
        apply_overrides((BLOCK, *REVIEWS, INFO), overrides)
    assert caught.value.code == code


def test_overrides_accept_a_screening_result(make_input):
    result = screen(make_input(ProtocolId.ESKETAMINE_NASAL, bp_systolic=160, bp_diastolic=95))
    assert result.decision is Decision.NEEDS_REVIEW
    outcome = apply_overrides(result, {"bp.above_threshold": "Benefit outweighs transient rise"})
    assert outcome.decision is Decision.ELIGIBLE
