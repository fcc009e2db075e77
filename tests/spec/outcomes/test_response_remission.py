"""Spec: baseline, change, response and remission.

Sources: docs/clinical/instruments.md#special-scoring-rules;
docs/clinical/outcomes.md#response-and-remission-definitions.

Each table row is one clinical rule at its edge. Day 0 is the first treatment (09:00 UTC).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.outcomes import (
    DEFAULT_RULES,
    MADRS_REMISSION_JANSSEN,
    RULES_VERSION,
    BaselineRule,
    Measurement,
    OutcomeNote,
    OutcomeSummary,
    RemissionRule,
    evaluate_outcomes,
)

FIRST_TREATMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at_day(day: float) -> datetime:
    return FIRST_TREATMENT + timedelta(days=day)


def pre_post(baseline: float, latest: float) -> list[Measurement]:
    """A baseline one day before the first treatment and one follow-up a week later."""
    return [Measurement(at_day(-1), baseline), Measurement(at_day(7), latest)]


def evaluate(measurements: list[Measurement], instrument: str = "phq9") -> OutcomeSummary:
    return evaluate_outcomes(
        measurements, instrument_id=instrument, first_treatment_at=FIRST_TREATMENT
    )


@pytest.mark.parametrize(
    ("instrument", "baseline", "latest", "response"),
    [
        pytest.param("phq9", 20, 10, True, id="phq9-exactly-50pct-responds"),
        pytest.param("phq9", 20, 10.2, False, id="phq9-49pct-does-not"),
        pytest.param("phq9", 20, 9, True, id="phq9-55pct-responds"),
        pytest.param("madrs", 30, 15, True, id="madrs-exactly-50pct"),
        pytest.param("madrs", 30, 16, False, id="madrs-46.7pct-does-not"),
        pytest.param("qids-sr16", 16, 8, True, id="qids-exactly-50pct"),
        pytest.param("hamd17", 22, 11, True, id="hamd-exactly-50pct"),
        pytest.param("hamd17", 22, 12, False, id="hamd-45pct-does-not"),
        pytest.param("pcl5", 50, 35, True, id="pcl5-exactly-30pct"),
        pytest.param("pcl5", 50, 36, False, id="pcl5-28pct-does-not"),
        pytest.param("nrs11", 8, 5.6, True, id="pain-nrs-30pct-default-moderate"),
        pytest.param("nrs11", 8, 6, False, id="pain-nrs-25pct-does-not"),
        pytest.param("lsas", 100, 65, False, id="lsas-exactly-35pct-needs-more"),
        pytest.param("lsas", 100, 64, True, id="lsas-36pct-responds"),
        pytest.param("phq9", 20, 25, False, id="worsening-does-not"),
    ],
)
def test_response_edges(instrument: str, baseline: float, latest: float, response: bool) -> None:
    summary = evaluate(pre_post(baseline, latest), instrument)
    assert summary.response is response


@pytest.mark.parametrize(
    ("instrument", "latest", "remission"),
    [
        pytest.param("phq9", 4, True, id="phq9-4-remits-(<5)"),
        pytest.param("phq9", 5, False, id="phq9-5-does-not"),
        pytest.param("madrs", 10, True, id="madrs-10-remits-(default<=10)"),
        pytest.param("madrs", 11, False, id="madrs-11-does-not"),
        pytest.param("qids_sr16", 5, True, id="qids-5-remits-(<=5)"),
        pytest.param("QIDS-SR16", 6, False, id="qids-6-does-not"),
        pytest.param("hamd17", 7, True, id="hamd-7-remits-(<=7)"),
        pytest.param("hamd17", 8, False, id="hamd-8-does-not"),
        pytest.param("bdi-ii", 12, True, id="bdi2-12-remits-(<=12)"),
        pytest.param("bdi2", 13, False, id="bdi2-13-does-not"),
        pytest.param("gad7", 4, True, id="gad7-4-remits-(<5)"),
        pytest.param("GAD-7", 5, False, id="gad7-5-does-not"),
        pytest.param("pcl5", 32, True, id="pcl5-32-remits-(<33)"),
        pytest.param("pcl5", 33, False, id="pcl5-33-does-not"),
        pytest.param("fiqr", 23, True, id="fiqr-23-remits-(<=23)"),
        pytest.param("fiqr", 24, False, id="fiqr-24-does-not"),
    ],
)
def test_remission_cutoff_edges(instrument: str, latest: float, remission: bool) -> None:
    summary = evaluate(pre_post(40, latest), instrument)
    assert summary.remission is remission


@pytest.mark.parametrize(
    ("remission_rule", "latest", "remission"),
    [
        pytest.param(None, 12, False, id="default-madrs-12-is-not-remission"),
        pytest.param(MADRS_REMISSION_JANSSEN, 12, True, id="janssen-madrs-12-is-remission"),
        pytest.param(MADRS_REMISSION_JANSSEN, 13, False, id="janssen-madrs-13-is-not"),
    ],
)
def test_madrs_remission_is_configurable(
    remission_rule: RemissionRule | None, latest: float, remission: bool
) -> None:
    rules = DEFAULT_RULES
    if remission_rule is not None:
        madrs = rules.for_instrument("madrs")
        assert madrs is not None
        rules = rules.with_instrument(
            type(madrs)(
                "madrs",
                response=madrs.response,
                remission=remission_rule,
                relapse_band=madrs.relapse_band,
            ),
            version="outcomes-rules/2026.1+madrs12",
        )
    summary = evaluate_outcomes(
        pre_post(30, latest), instrument_id="madrs", first_treatment_at=FIRST_TREATMENT, rules=rules
    )
    assert summary.remission is remission
    assert summary.rules_version == rules.version


@pytest.mark.parametrize(
    ("points", "baseline_total", "rule"),
    [
        pytest.param(
            [(-30, 20), (-2, 18), (3, 9)],
            18,
            BaselineRule.LATEST_AT_OR_BEFORE_FIRST_TREATMENT,
            id="latest-before-first-treatment",
        ),
        pytest.param(
            [(-2, 20), (0, 16), (3, 8)],
            16,
            BaselineRule.LATEST_AT_OR_BEFORE_FIRST_TREATMENT,
            id="same-instant-as-first-treatment-counts",
        ),
        pytest.param(
            [(1, 20), (3, 18), (7, 16)],
            20,
            BaselineRule.FIRST_MEASUREMENT_FALLBACK,
            id="none-before-so-first-measurement-flagged",
        ),
    ],
)
def test_baseline_selection(
    points: list[tuple[float, float]], baseline_total: float, rule: BaselineRule
) -> None:
    summary = evaluate([Measurement(at_day(day), total) for day, total in points])
    assert summary.baseline.total == baseline_total
    assert summary.baseline_rule is rule
    assert summary.baseline_flagged is (rule is BaselineRule.FIRST_MEASUREMENT_FALLBACK)
    assert (OutcomeNote.NO_PRE_TREATMENT_BASELINE in summary.notes) is summary.baseline_flagged


def test_unsorted_input_gives_the_same_summary_as_sorted() -> None:
    ordered = [
        Measurement(at_day(-3), 22),
        Measurement(at_day(1), 14),
        Measurement(at_day(8), 10),
        Measurement(at_day(15), 4),
    ]
    shuffled = [ordered[2], ordered[0], ordered[3], ordered[1]]
    assert evaluate(shuffled) == evaluate(ordered)
    summary = evaluate(shuffled)
    assert (summary.baseline.total, summary.latest.total) == (22, 4)
    assert summary.first_response_at == at_day(8)
    assert summary.first_remission_at == at_day(15)


@pytest.mark.parametrize(
    ("follow_up", "hours"),
    [
        pytest.param(timedelta(hours=4), 4.0, id="response-4h-after-first-infusion"),
        pytest.param(timedelta(hours=24), 24.0, id="response-at-24h"),
        pytest.param(timedelta(days=12, minutes=30), 288.5, id="response-after-induction"),
    ],
)
def test_time_to_response_in_hours(follow_up: timedelta, hours: float) -> None:
    series = [
        Measurement(at_day(-1), 24),
        Measurement(FIRST_TREATMENT + follow_up / 2, 20),  # not yet a response
        Measurement(FIRST_TREATMENT + follow_up, 12),
    ]
    summary = evaluate(series)
    assert summary.first_response_at == FIRST_TREATMENT + follow_up
    assert summary.hours_to_response == pytest.approx(hours)


def test_time_to_response_counts_from_first_treatment_even_with_fallback_baseline() -> None:
    series = [Measurement(at_day(1), 20), Measurement(at_day(2), 10)]
    summary = evaluate(series)
    assert summary.baseline_flagged
    assert summary.hours_to_response == pytest.approx(48.0)


@pytest.mark.parametrize(
    ("baseline", "latest", "absolute", "percent"),
    [
        pytest.param(20, 10, -10, -50.0, id="halved"),
        pytest.param(10, 15, 5, 50.0, id="worse"),
        pytest.param(12, 12, 0, 0.0, id="unchanged"),
    ],
)
def test_absolute_and_percent_change(
    baseline: float, latest: float, absolute: float, percent: float
) -> None:
    summary = evaluate(pre_post(baseline, latest))
    assert summary.absolute_change == absolute
    assert summary.percent_change == pytest.approx(percent)


def test_baseline_zero_makes_percent_change_and_response_undefined_with_a_reason() -> None:
    summary = evaluate(pre_post(0, 3))
    assert summary.percent_change is None
    assert summary.response is None
    assert OutcomeNote.BASELINE_ZERO in summary.notes
    assert summary.absolute_change == 3
    assert summary.remission is True  # remission is a cut-off, still defined


def test_no_follow_up_assesses_nothing() -> None:
    summary = evaluate([Measurement(at_day(-1), 18)])
    assert summary.latest == summary.baseline
    assert (summary.response, summary.remission, summary.relapse) == (None, None, None)
    assert OutcomeNote.NO_FOLLOW_UP in summary.notes
    assert summary.follow_up_count == 0


def test_without_a_recorded_treatment_change_is_measured_from_the_first_score() -> None:
    series = [Measurement(at_day(-2), 9), Measurement(at_day(-9), 20), Measurement(at_day(-5), 12)]
    summary = evaluate_outcomes(series, instrument_id="phq9", first_treatment_at=None)
    assert summary.baseline.total == 20
    assert summary.latest.total == 9
    assert summary.baseline_rule is BaselineRule.NO_TREATMENT_FIRST
    assert summary.response is True  # 20 -> 9 is a 55 % fall
    assert summary.remission is False  # PHQ-9 remission is < 5
    assert summary.hours_to_response is None  # no treatment time to count from
    assert OutcomeNote.NOT_TREATED in summary.notes


def test_pre_treatment_screening_scores_are_not_follow_ups() -> None:
    series = [Measurement(at_day(-20), 3), Measurement(at_day(-1), 19), Measurement(at_day(3), 15)]
    summary = evaluate(series)
    assert summary.first_remission_at is None
    assert summary.remission is False
    assert summary.follow_up_count == 1


@pytest.mark.parametrize(
    ("instrument", "missing_note", "response", "remission", "relapse"),
    [
        pytest.param(
            "spin", OutcomeNote.NO_RULES_FOR_INSTRUMENT, None, None, None, id="no-rules-for-spin"
        ),
        pytest.param(
            "fiqr",
            OutcomeNote.NO_RESPONSE_RULE,
            None,
            False,
            False,
            id="fiqr-has-remission-and-bands-but-no-response-rule",
        ),
        pytest.param(
            "nrs11",
            OutcomeNote.NO_REMISSION_RULE,
            True,
            None,
            None,
            id="pain-nrs-has-response-but-no-remission-rule",
        ),
        pytest.param(
            "pcl5",
            OutcomeNote.NO_RELAPSE_RULE,
            True,
            True,
            None,
            id="pcl5-has-no-bands-so-no-relapse",
        ),
    ],
)
def test_instruments_without_a_rule_are_not_assessed(
    instrument: str,
    missing_note: OutcomeNote,
    response: bool | None,
    remission: bool | None,
    relapse: bool | None,
) -> None:
    summary = evaluate(pre_post(60, 30), instrument)
    assert missing_note in summary.notes
    assert (summary.response, summary.remission, summary.relapse) == (response, remission, relapse)


@pytest.mark.parametrize(
    ("baseline", "latest", "important"),
    [
        pytest.param(18, 13, True, id="phq9-5-points-meets-mcid"),
        pytest.param(18, 14, False, id="phq9-4-points-does-not"),
    ],
)
def test_clinically_important_improvement(baseline: float, latest: float, important: bool) -> None:
    assert evaluate(pre_post(baseline, latest)).clinically_important_improvement is important


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        pytest.param({"measurements": []}, "outcomes.no_measurements", id="empty-series"),
        pytest.param(
            {"first_treatment_at": datetime(2026, 3, 2, 9, 0)},  # noqa: DTZ001 - the naive input is the point
            "outcomes.naive_datetime",
            id="naive-first-treatment",
        ),
    ],
)
def test_malformed_input_is_refused(kwargs: dict[str, object], code: str) -> None:
    arguments: dict[str, object] = {
        "measurements": pre_post(20, 10),
        "instrument_id": "phq9",
        "first_treatment_at": FIRST_TREATMENT,
        **kwargs,
    }
    with pytest.raises(Invalid) as caught:
        evaluate_outcomes(**arguments)  # type: ignore[arg-type]  # table-driven kwargs
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("at", "total", "code"),
    [
        pytest.param(datetime(2026, 1, 1), 3, "outcomes.naive_datetime", id="naive-at"),  # noqa: DTZ001
        pytest.param(FIRST_TREATMENT, float("nan"), "outcomes.total_not_finite", id="nan-total"),
    ],
)
def test_measurement_refuses_bad_values(at: datetime, total: float, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        Measurement(at, total)
    assert caught.value.code == code


def test_summary_carries_rule_version_and_the_rules_used_as_json() -> None:
    series = [Measurement(at_day(-1), 20, "severe"), Measurement(at_day(7), 4, "minimal")]
    data = evaluate(series).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["rules_version"] == RULES_VERSION == "outcomes-rules/2026.1"
    assert data["rules"]["remission"] == {
        "cutoff": 5,
        "comparison": "below",
        "source": "docs/clinical/outcomes.md#response-and-remission-definitions: PHQ-9 <5 [found: "
        "SUSTAIN-3, PMC10439056]",
        "evidence": "found",
    }
    assert data["baseline"] == {
        "at": "2026-03-01T09:00:00+00:00",
        "total": 20,
        "severity": "severe",
    }
    assert data["latest"]["severity"] == "minimal"
    assert (data["response"], data["remission"], data["relapse"]) == (True, True, False)
    assert data["first_response_at"] == "2026-03-09T09:00:00+00:00"
    assert data["hours_to_response"] == 168.0
    assert data["notes"] == []
    assert data["baseline_rule"] == "latest_at_or_before_first_treatment"


def test_summary_of_an_instrument_without_rules_serialises_rules_as_none() -> None:
    data = evaluate(pre_post(30, 10), "spin").as_dict()
    assert data["rules"] is None
    assert data["notes"] == ["no_rules_for_instrument"]


@pytest.mark.parametrize(
    ("baseline", "note"),
    [
        pytest.param(0, OutcomeNote.BASELINE_ZERO, id="zero"),
        pytest.param(-1, OutcomeNote.BASELINE_NEGATIVE, id="negative"),
    ],
)
def test_response_is_undefined_for_a_non_positive_baseline(
    baseline: float, note: OutcomeNote
) -> None:
    summary = evaluate(pre_post(baseline, -1), "phq9")
    assert summary.response is None
    assert summary.percent_change is None
    assert note in summary.notes
