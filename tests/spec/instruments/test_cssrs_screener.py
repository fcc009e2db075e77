"""C-SSRS screener: decision tree, no total; tiers none/low/moderate/high.

Items: Q1, Q2, Q3-Q5 (only if Q2 = yes), Q6, Q6 follow-up "within 3 months" (only if Q6 = yes).
Source: docs/clinical/instruments.md#c-ssrs-screener,
docs/clinical/instruments.md#special-scoring-rules, docs/clinical/instruments.md#test-vectors (BHP
all-no example), all-no policy: none kept apart from low.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

ID = "cssrs-screener"

TIERS = [
    # Q1,Q2,Q3,Q4,Q5,Q6,Q6b -> tier, flags
    pytest.param("no,no,,,,no,", "none", [], id="all-no-none"),
    pytest.param("no,no,,,,no", "none", [], id="all-no-recency-omitted"),
    pytest.param("yes,no,,,,no", "low", ["suicidal_ideation"], id="q1-only-low"),
    pytest.param("yes,yes,no,no,no,no", "low", ["suicidal_ideation"], id="q1-q2-low"),
    pytest.param("no,yes,yes,no,no,no", "moderate", ["suicidal_ideation"], id="q3-method-moderate"),
    pytest.param(
        "no,no,,,,yes,no", "moderate", ["suicidal_behaviour"], id="behaviour-over-3-months-moderate"
    ),
    pytest.param(
        "no,yes,no,yes,no,no", "high", ["suicidal_ideation", "immediate_evaluation"], id="q4-intent"
    ),
    pytest.param(
        "no,yes,no,no,yes,no", "high", ["suicidal_ideation", "immediate_evaluation"], id="q5-plan"
    ),
    pytest.param(
        "no,no,,,,yes,yes",
        "high",
        ["suicidal_behaviour", "immediate_evaluation"],
        id="behaviour-within-3-months-high",
    ),
    pytest.param(
        "yes,yes,yes,yes,yes,yes,yes",
        "high",
        ["suicidal_ideation", "suicidal_behaviour", "immediate_evaluation"],
        id="all-yes-high",
    ),
]


@pytest.mark.parametrize(("answers", "tier", "flags"), TIERS)
def test_tiers(run, answers, tier, flags):
    result = run(ID, answers)
    assert (result.valid, result.total, result.severity, list(result.flags)) == (
        True,
        None,
        tier,
        flags,
    )


def test_all_no_can_be_coded_low_by_policy(run):
    assert run(ID, "no,no,,,,no", all_no_tier="low").severity == "low"


def test_branch_and_highest_item_are_stored(run):
    result = run(ID, "yes,yes,yes,no,no,yes,no")
    assert result.derived["branch"] == "q2_yes"
    assert result.derived["highest_positive_item"] == "6"


SKIPPED = [
    pytest.param("no,no,no,,,no", "item 3", id="q3-answered-when-q2-no"),
    pytest.param("no,no,no,no,no,no,no", "item 3", id="bhp-example-q3-q5-answered-no"),
    pytest.param("no,no,,,yes,no", "item 5", id="q5-answered-when-q2-no"),
    pytest.param("no,no,,,,no,yes", "item 6b", id="recency-answered-when-q6-no"),
]


@pytest.mark.parametrize(("answers", "item"), SKIPPED)
def test_answer_to_skipped_branch_is_rejected(run, answers, item):
    with pytest.raises(Invalid, match=item) as excinfo:
        run(ID, answers)
    assert excinfo.value.code == "instrument.answer_to_skipped_item"


INCOMPLETE = [
    pytest.param("no,yes,no,,no,no", "low", id="q4-missing"),
    pytest.param("no,no,,,,yes", "moderate", id="recency-missing-after-behaviour"),
    pytest.param(",no,,,,no", None, id="q1-missing"),
]


@pytest.mark.parametrize(("answers", "at_least"), INCOMPLETE)
def test_incomplete_form_has_no_tier(run, answers, at_least):
    result = run(ID, answers)
    assert (result.valid, result.severity) == (False, None)
    assert result.derived["tier_at_least"] == at_least
    assert result.errors


def test_incomplete_form_still_raises_safety_flags(run):
    result = run(ID, ",yes,no,yes,,")
    assert not result.valid
    assert "immediate_evaluation" in result.flags


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param("2,no,,,,no", id="number-not-yes-no"),
        pytest.param("no,no,,,", id="too-few"),
        pytest.param("no,no,,,,no,,", id="too-many"),
    ],
)
def test_rejects_malformed(run, answers):
    with pytest.raises(Invalid):
        run(ID, answers)
