"""Properties of the outcome rules that hold for every series (Hypothesis)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.outcomes import DEFAULT_RULES, Measurement, OutcomeSummary, evaluate_outcomes
from ketacare.core.outcomes.evaluate import meets_response, percent_change

FIRST_TREATMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INSTRUMENTS = [r.instrument_id for r in DEFAULT_RULES.instruments if r.response is not None]

scores = st.integers(min_value=0, max_value=60).map(float) | st.floats(
    min_value=0, max_value=60, allow_nan=False
)
positive = st.floats(min_value=0.5, max_value=60, allow_nan=False)


def summary(instrument: str, baseline: float, latest: float) -> OutcomeSummary:
    series = [
        Measurement(FIRST_TREATMENT - timedelta(days=1), baseline),
        Measurement(FIRST_TREATMENT + timedelta(days=7), latest),
    ]
    return evaluate_outcomes(series, instrument_id=instrument, first_treatment_at=FIRST_TREATMENT)


@given(baseline=positive, latest=scores)
def test_percent_change_has_the_sign_of_the_change(baseline: float, latest: float) -> None:
    pct = percent_change(baseline, latest)
    assert pct is not None
    if latest > baseline:
        assert pct > 0
    elif latest < baseline:
        assert pct < 0
    else:
        assert pct == 0


@given(instrument=st.sampled_from(INSTRUMENTS), baseline=positive, a=scores, b=scores)
def test_response_is_monotone_in_the_latest_score(
    instrument: str, baseline: float, a: float, b: float
) -> None:
    lower, higher = sorted((a, b))
    if summary(instrument, baseline, higher).response:
        assert summary(instrument, baseline, lower).response is True


@given(instrument=st.sampled_from(INSTRUMENTS), baseline=positive, latest=scores)
def test_response_agrees_with_the_reported_percent_change(
    instrument: str, baseline: float, latest: float
) -> None:
    result = summary(instrument, baseline, latest)
    rule = DEFAULT_RULES.for_instrument(instrument)
    assert rule is not None
    assert rule.response is not None
    assert result.percent_change is not None
    fall = -result.percent_change
    margin = 1e-9
    if fall >= rule.response.min_reduction_pct + margin:
        assert result.response is True
    elif fall <= rule.response.min_reduction_pct - margin:
        assert result.response is False


@given(baseline=positive, latest=scores)
def test_phq9_remission_is_exactly_below_5(baseline: float, latest: float) -> None:
    result = summary("phq9", baseline, latest)
    assert result.remission is (latest < 5)


@given(
    totals=st.lists(scores, min_size=1, max_size=12),
    order=st.randoms(use_true_random=False),
)
def test_input_order_never_changes_the_summary(totals: list[float], order: random.Random) -> None:
    series = [
        Measurement(FIRST_TREATMENT + timedelta(days=3 * i - 5), t) for i, t in enumerate(totals)
    ]
    shuffled = list(series)
    order.shuffle(shuffled)
    results = [
        evaluate_outcomes(s, instrument_id="phq9", first_treatment_at=FIRST_TREATMENT)
        for s in (shuffled, series)
    ]
    assert results[0] == results[1]


@given(latest=scores)
def test_response_is_undefined_from_a_zero_baseline(latest: float) -> None:
    rule = DEFAULT_RULES.for_instrument("phq9")
    assert rule is not None
    assert rule.response is not None
    assert meets_response(rule.response, 0, latest) is None
