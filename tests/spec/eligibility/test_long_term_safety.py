"""Rules 41, 42 and 44 at their edges: liver tests, bladder screen, cognition check.

docs/clinical/eligibility.md#rule-41: enzymes >=3x the upper limit of normal block a pain course;
above the limit and below 3x needs review; the mood protocols review >=3x and show smaller rises.
docs/clinical/eligibility.md#rule-42 and #rule-44: on a long-term course a missing screen needs
review; a positive result needs review on any course.
"""

from __future__ import annotations

import pytest

from ketacare.core.eligibility import Decision, ProtocolId, ScreenResult, Severity, screen

IV_MOOD = ProtocolId.IV_KETAMINE_DEPRESSION
IV_PAIN = ProtocolId.IV_KETAMINE_PAIN
ESK = ProtocolId.ESKETAMINE_NASAL
BLOCK, REVIEW, INFO = Severity.BLOCK, Severity.REVIEW, Severity.INFO
POS, NEG = ScreenResult.POSITIVE, ScreenResult.NEGATIVE

# (protocol, lft_x_uln, expected liver.* reason (code, severity) or None, decision)
LFT_TABLE = [
    (IV_PAIN, 0.5, None, Decision.ELIGIBLE),
    (IV_PAIN, 1.0, None, Decision.ELIGIBLE),
    (IV_PAIN, 1.01, ("liver.enzymes_elevated", REVIEW), Decision.NEEDS_REVIEW),
    (IV_PAIN, 2.99, ("liver.enzymes_elevated", REVIEW), Decision.NEEDS_REVIEW),
    (IV_PAIN, 3.0, ("liver.enzymes_3x_uln", BLOCK), Decision.INELIGIBLE),
    (IV_PAIN, 12, ("liver.enzymes_3x_uln", BLOCK), Decision.INELIGIBLE),
    (IV_MOOD, 1.0, None, Decision.ELIGIBLE),
    (IV_MOOD, 2.99, ("liver.enzymes_elevated", INFO), Decision.ELIGIBLE),
    (IV_MOOD, 3.0, ("liver.enzymes_3x_uln", REVIEW), Decision.NEEDS_REVIEW),
    (ESK, 1.5, ("liver.enzymes_elevated", INFO), Decision.ELIGIBLE),
    (ESK, 3.0, ("liver.enzymes_3x_uln", REVIEW), Decision.NEEDS_REVIEW),
]


@pytest.mark.parametrize(
    ("protocol", "lft", "expected", "decision"),
    LFT_TABLE,
    ids=[f"{row[0].value}-{row[1]}" for row in LFT_TABLE],
)
def test_rule_41_liver_tests(make_input, protocol, lft, expected, decision):
    result = screen(make_input(protocol, lft_x_uln=lft))
    liver = [(r.code, r.severity) for r in result.reasons if r.code.startswith("liver.")]
    assert liver == ([] if expected is None else [expected])
    assert all("rule-41" in r.source for r in result.reasons if r.code.startswith("liver."))
    assert result.decision is decision


# (protocol, long_term_course, conditions, lft_x_uln, expected prompt (code, severity) or None)
PROMPT_TABLE = [
    (IV_PAIN, None, (), None, None),
    (IV_PAIN, True, (), None, ("prompt.baseline_lft", REVIEW)),
    (IV_PAIN, True, (), 0.8, ("prompt.post_infusion_lft", INFO)),
    (IV_PAIN, None, ("repeat_high_dose_pain_course",), None, ("prompt.baseline_lft", REVIEW)),
    (IV_PAIN, None, ("repeat_high_dose_pain_course",), 0.8, ("prompt.post_infusion_lft", INFO)),
    # A long mood course is not a liver risk in the reference.
    (IV_MOOD, True, (), None, None),
]


@pytest.mark.parametrize(
    ("protocol", "long_term", "conditions", "lft", "expected"),
    PROMPT_TABLE,
    ids=["pain-first", "pain-long", "pain-long-lft", "pain-repeat", "pain-repeat-lft", "mood-long"],
)
def test_rule_41_asks_for_liver_tests_before_long_pain_courses(
    make_input, protocol, long_term, conditions, lft, expected
):
    changes = {"conditions": conditions, "lft_x_uln": lft}
    if long_term:
        changes |= {"long_term_course": True, "bladder_screen": NEG, "cognition_check": NEG}
    result = screen(make_input(protocol, **changes))
    prompts = [(r.code, r.severity) for r in result.reasons if r.code.endswith("_lft")]
    assert prompts == ([] if expected is None else [expected])


# (long_term_course, bladder_screen, cognition_check, expected {code: severity})
SCREEN_TABLE = [
    (None, None, None, {}),
    (False, None, None, {}),
    (
        True,
        None,
        None,
        {"bladder.screen_not_recorded": REVIEW, "cognition.screen_not_recorded": REVIEW},
    ),
    (True, NEG, NEG, {}),
    (True, POS, NEG, {"bladder.screen_positive": REVIEW}),
    (True, NEG, POS, {"cognition.screen_positive": REVIEW}),
    (None, POS, POS, {"bladder.screen_positive": REVIEW, "cognition.screen_positive": REVIEW}),
    (False, NEG, None, {}),
]


@pytest.mark.parametrize(
    ("long_term", "bladder", "cognition", "expected"),
    SCREEN_TABLE,
    ids=["first", "short", "long-missing", "long-clear", "bladder+", "cognition+", "both+", "neg"],
)
@pytest.mark.parametrize("protocol", list(ProtocolId), ids=lambda p: p.value)
def test_rules_42_and_44_screens(make_input, protocol, long_term, bladder, cognition, expected):
    # A long pain course also asks for liver tests (rule 41); record them to isolate 42 and 44.
    lft = 0.5 if protocol is IV_PAIN and long_term else None
    inp = make_input(
        protocol,
        long_term_course=long_term,
        bladder_screen=bladder,
        cognition_check=cognition,
        lft_x_uln=lft,
    )
    result = screen(inp)
    found = {
        r.code: r.severity for r in result.reasons if r.code.startswith(("bladder.", "cognition."))
    }
    assert found == expected
    for reason in result.reasons:
        if reason.code.startswith("bladder."):
            assert "rule-42" in reason.source
        if reason.code.startswith("cognition."):
            assert "rule-44" in reason.source
    expected_decision = Decision.NEEDS_REVIEW if expected else Decision.ELIGIBLE
    assert result.decision is expected_decision
