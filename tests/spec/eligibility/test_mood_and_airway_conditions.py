"""Bipolar disorder, mania history and sleep apnoea: per-protocol severity with a source.

docs/clinical/eligibility.md#bipolar-disorder-and-mania: both need review on every protocol and
ask for a mania rating (YMRS) first. docs/clinical/eligibility.md#sleep-apnoea: review before IV
ketamine (the BC draft standard addresses parenteral ketamine), information for esketamine (the
REMS already requires pulse oximetry at every session).
"""

from __future__ import annotations

import pytest

from ketacare.core.eligibility import Decision, ProtocolId, Severity, screen

IV_MOOD = ProtocolId.IV_KETAMINE_DEPRESSION
IV_PAIN = ProtocolId.IV_KETAMINE_PAIN
ESK = ProtocolId.ESKETAMINE_NASAL
REVIEW, INFO = Severity.REVIEW, Severity.INFO
NEEDS_REVIEW, ELIGIBLE = Decision.NEEDS_REVIEW, Decision.ELIGIBLE

# (condition, protocol, reason code, severity, decision, text the message must name)
TABLE = [
    (
        "bipolar_disorder",
        IV_MOOD,
        "contraindication.bipolar_disorder",
        REVIEW,
        NEEDS_REVIEW,
        "ymrs",
    ),
    (
        "bipolar_disorder",
        IV_PAIN,
        "contraindication.bipolar_disorder",
        REVIEW,
        NEEDS_REVIEW,
        "ymrs",
    ),
    ("bipolar_disorder", ESK, "contraindication.bipolar_disorder", REVIEW, NEEDS_REVIEW, "ymrs"),
    ("mania_history", IV_MOOD, "contraindication.mania_history", REVIEW, NEEDS_REVIEW, "ymrs"),
    ("mania_history", IV_PAIN, "contraindication.mania_history", REVIEW, NEEDS_REVIEW, "ymrs"),
    ("mania_history", ESK, "contraindication.mania_history", REVIEW, NEEDS_REVIEW, "ymrs"),
    ("sleep_apnoea", IV_MOOD, "caution.sleep_apnoea", REVIEW, NEEDS_REVIEW, "stop_bang"),
    ("sleep_apnoea", IV_PAIN, "caution.sleep_apnoea", REVIEW, NEEDS_REVIEW, "stop_bang"),
    ("sleep_apnoea", ESK, "caution.sleep_apnoea", INFO, ELIGIBLE, "stop_bang"),
]


@pytest.mark.parametrize(
    ("condition", "protocol", "code", "severity", "decision", "named"),
    TABLE,
    ids=[f"{row[0]}-{row[1].value}" for row in TABLE],
)
def test_condition_severity_per_protocol(
    make_input, condition, protocol, code, severity, decision, named
):
    result = screen(make_input(protocol, conditions={condition}))
    reasons = {reason.code: reason for reason in result.reasons}
    reason = reasons[code]
    assert reason.severity is severity
    assert named in reason.message
    assert "docs/clinical/eligibility.md#" in reason.source
    assert result.decision is decision


def test_mania_reasons_cite_the_switch_evidence(make_input):
    result = screen(make_input(conditions={"bipolar_disorder", "mania_history"}))
    sources = {r.source for r in result.reasons if r.code.startswith("contraindication.")}
    assert len(sources) == 1
    assert "PMC3000408" in sources.pop()
