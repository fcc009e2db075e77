"""Spec: safety alerts from a scored form.

Sources: docs/clinical/instruments.md#phq-9, docs/clinical/instruments.md#bdi-ii,
docs/clinical/instruments.md#c-ssrs-screener, docs/clinical/instruments.md#special-scoring-rules
items 1 and 4.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.outcomes import AlertSeverity, CssrsTier, safety_alerts
from ketacare.core.outcomes.safety import AnswerValue, parse_cssrs_tier

PHQ9_ZERO: dict[str, AnswerValue] = {f"item{i}": 0 for i in range(1, 10)}


def phq9(item9: AnswerValue, key: str = "item9") -> dict[str, AnswerValue]:
    answers: dict[str, AnswerValue] = {k: v for k, v in PHQ9_ZERO.items() if k != "item9"}
    answers[key] = item9
    return answers


@pytest.mark.parametrize(
    ("answers", "codes"),
    [
        pytest.param(phq9(0), [], id="item9-0-no-alert"),
        pytest.param(phq9(1), ["suicidal_ideation"], id="item9-1-alerts"),
        pytest.param(phq9(3), ["suicidal_ideation"], id="item9-3-alerts"),
        pytest.param(
            {**{f"item{i}": 3 for i in range(1, 9)}, "item9": 0}, [], id="total-24-item9-0-no-alert"
        ),
        pytest.param(phq9(1, key="q9"), ["suicidal_ideation"], id="key-q9"),
        pytest.param(phq9(1, key="phq9_9"), ["suicidal_ideation"], id="key-phq9_9"),
        pytest.param(phq9(2, key="9"), ["suicidal_ideation"], id="key-9"),
        pytest.param(phq9(1, key="44260-8"), ["suicidal_ideation"], id="key-loinc-44260-8"),
        pytest.param(
            {**{str(i): 0 for i in range(1, 9)}, "9": 1, "10": 2},
            ["suicidal_ideation"],
            id="catalogue-item-ids-1-to-10",
        ),
        pytest.param(phq9("1"), ["suicidal_ideation"], id="answer-as-text"),
        pytest.param(phq9(None), ["suicidality_item_unanswered"], id="item9-blank"),
        pytest.param(
            {k: v for k, v in PHQ9_ZERO.items() if k != "item9"},
            ["suicidality_item_unanswered"],
            id="item9-missing",
        ),
        pytest.param({**PHQ9_ZERO, "item10": 3}, [], id="difficulty-item-10-is-not-item-9"),
    ],
)
def test_phq9_item9_rule(answers: dict[str, AnswerValue], codes: list[str]) -> None:
    alerts = safety_alerts("PHQ-9", answers, "mild", ())
    assert [a.code for a in alerts] == codes
    assert all(a.severity is AlertSeverity.WARNING for a in alerts)
    assert all(a.source for a in alerts)


@pytest.mark.parametrize(
    ("instrument", "answers"),
    [
        pytest.param("phq9", PHQ9_ZERO, id="phq9-engine-says-item9-missing"),
        pytest.param("bdi2", {"item9": 0}, id="bdi2-engine-says-item9-missing"),
    ],
)
def test_item_missing_flag_raises_the_unanswered_alert(
    instrument: str, answers: dict[str, AnswerValue]
) -> None:
    alerts = safety_alerts(instrument, answers, None, ("item_9_missing",))
    assert [a.code for a in alerts] == ["suicidality_item_unanswered"]
    assert "item 9" in alerts[0].message


def test_item9_alert_cites_its_source_and_mentions_the_cssrs_follow_up() -> None:
    (alert,) = safety_alerts("phq9", phq9(2), "moderate", ())
    assert "docs/clinical/instruments.md" in alert.source
    assert "C-SSRS" in alert.message
    assert "scored 2" in alert.message


@pytest.mark.parametrize(
    ("instrument", "answers", "codes"),
    [
        pytest.param("bdi-ii", {"item9": 1}, ["suicidal_ideation"], id="bdi2-item9-1"),
        pytest.param("bdi2", {"item9": 0, "item19": 3}, [], id="bdi2-item19-is-not-item9"),
        pytest.param("gad7", {"item7": 3}, [], id="gad7-has-no-suicidality-item"),
    ],
)
def test_other_instruments(instrument: str, answers: dict[str, int], codes: list[str]) -> None:
    assert [a.code for a in safety_alerts(instrument, answers, None, ())] == codes


@pytest.mark.parametrize(
    ("instrument", "answers"),
    [
        pytest.param("phq9", PHQ9_ZERO, id="phq9-item9-0-but-engine-flagged"),
        pytest.param("gad7", {"item1": 0}, id="instrument-without-rule-but-engine-flagged"),
        pytest.param("madrs", {"10": 2}, id="madrs-item10-flag-from-the-catalogue"),
    ],
)
def test_scoring_engine_flag_also_raises_the_alert(
    instrument: str, answers: dict[str, int]
) -> None:
    alerts = safety_alerts(instrument, answers, None, {"suicidal_ideation"})
    assert [a.code for a in alerts] == ["suicidal_ideation"]


@pytest.mark.parametrize(
    ("tier", "codes", "severity"),
    [
        pytest.param("none", [], None, id="none-no-alert"),
        pytest.param("low", ["cssrs_risk_low"], AlertSeverity.ADVISORY, id="low-referral"),
        pytest.param("Low risk", ["cssrs_risk_low"], AlertSeverity.ADVISORY, id="low-label"),
        pytest.param("moderate", ["cssrs_risk_moderate"], AlertSeverity.WARNING, id="moderate"),
        pytest.param("Moderate risk", ["cssrs_risk_moderate"], AlertSeverity.WARNING, id="label"),
        pytest.param("high", ["cssrs_risk_high"], AlertSeverity.CRITICAL, id="high-critical"),
        pytest.param("HIGH_RISK", ["cssrs_risk_high"], AlertSeverity.CRITICAL, id="high-upper"),
    ],
)
def test_cssrs_screener_tier(tier: str, codes: list[str], severity: AlertSeverity | None) -> None:
    alerts = safety_alerts("cssrs_screener", {"q1": True, "q2": True}, tier, ())
    assert [a.code for a in alerts] == codes
    assert all(a.severity is severity for a in alerts)


def test_cssrs_low_asks_for_a_behavioural_health_referral_citing_columbia_triage() -> None:
    (alert,) = safety_alerts("C-SSRS", {"1": True, "2": False}, "low", ("suicidal_ideation",))
    assert alert.code == "cssrs_risk_low"
    assert "behavioural health" in alert.message
    assert "prescriber" in alert.message
    assert "Posner et al. 2011 Am J Psychiatry 168:1266" in alert.source
    assert "Columbia" in alert.source


def test_cssrs_high_asks_for_immediate_evaluation() -> None:
    (alert,) = safety_alerts("C-SSRS", {}, "high", ())
    assert "Immediate clinical evaluation" in alert.message
    assert "Columbia" in alert.source


@pytest.mark.parametrize(
    ("label", "tier"),
    [
        pytest.param("no risk", CssrsTier.NONE, id="no-risk"),
        pytest.param("None", CssrsTier.NONE, id="none"),
        pytest.param("No risk identified", CssrsTier.NONE, id="no-risk-identified"),
        pytest.param("low risk", CssrsTier.LOW, id="low"),
        pytest.param("severe", None, id="unknown-label"),
        pytest.param(None, None, id="missing"),
    ],
)
def test_parse_cssrs_tier(label: str | None, tier: CssrsTier | None) -> None:
    assert parse_cssrs_tier(label) is tier


@pytest.mark.parametrize(
    ("instrument", "answers", "severity", "code"),
    [
        pytest.param("cssrs", {}, "maybe", "outcomes.cssrs_tier_unknown", id="cssrs-bad-tier"),
        pytest.param("phq9", {"item9": "often"}, None, "outcomes.answer_not_numeric", id="text"),
    ],
)
def test_unreadable_safety_input_is_refused_not_ignored(
    instrument: str, answers: dict[str, str], severity: str | None, code: str
) -> None:
    with pytest.raises(Invalid) as caught:
        safety_alerts(instrument, answers, severity, ())
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("flags", "code", "severity"),
    [
        pytest.param((), "cssrs_tier_missing", AlertSeverity.WARNING, id="incomplete-no-flags"),
        pytest.param(
            ("suicidal_ideation",), "cssrs_tier_missing", AlertSeverity.WARNING, id="ideation"
        ),
        pytest.param(
            ("suicidal_behaviour", "immediate_evaluation"),
            "cssrs_risk_high",
            AlertSeverity.CRITICAL,
            id="incomplete-but-high-already-established",
        ),
    ],
)
def test_cssrs_without_a_tier_still_reaches_a_clinician(
    flags: tuple[str, ...], code: str, severity: AlertSeverity
) -> None:
    (alert,) = safety_alerts("cssrs_screener", {"1": True}, None, flags)
    assert (alert.code, alert.severity) == (code, severity)
