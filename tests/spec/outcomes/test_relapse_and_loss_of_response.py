"""Spec: relapse after remission and loss of response.

Sources: docs/clinical/instruments.md#special-scoring-rules.

Series are weekly totals after a pre-treatment baseline; the first number is the baseline.
PHQ-9: remission < 5, moderate band from 10. MADRS: remission <= 10, relapse from 22.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.outcomes import (
    DEFAULT_RULES,
    Measurement,
    OutcomeRules,
    OutcomeSummary,
    evaluate_outcomes,
)
from ketacare.core.outcomes.evaluate import track_episodes

FIRST_TREATMENT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def weekly(totals: list[float]) -> list[Measurement]:
    """Baseline the day before the first treatment, then one measurement a week."""
    start = FIRST_TREATMENT - timedelta(days=1)
    return [Measurement(start + timedelta(weeks=i), t) for i, t in enumerate(totals)]


def week(i: int) -> datetime:
    return FIRST_TREATMENT - timedelta(days=1) + timedelta(weeks=i)


def evaluate(
    totals: list[float], instrument: str = "phq9", rules: OutcomeRules = DEFAULT_RULES
) -> OutcomeSummary:
    return evaluate_outcomes(
        weekly(totals), instrument_id=instrument, first_treatment_at=FIRST_TREATMENT, rules=rules
    )


@pytest.mark.parametrize(
    ("instrument", "totals", "relapse", "relapse_week", "count"),
    [
        pytest.param("phq9", [20, 4, 10, 11], True, 3, 1, id="two-consecutive-moderate-relapse"),
        pytest.param("phq9", [20, 4, 10], False, None, 0, id="one-moderate-reading-is-not-relapse"),
        pytest.param("phq9", [20, 4, 10, 7, 12], False, None, 0, id="mild-reading-breaks-the-run"),
        pytest.param("phq9", [20, 4, 9, 9, 9], False, None, 0, id="mild-band-is-not-relapse"),
        pytest.param(
            "phq9", [20, 12, 10, 11], False, None, 0, id="no-relapse-without-prior-remission"
        ),
        pytest.param("phq9", [20, 4, 10, 11, 3], False, None, 1, id="remitted-again-after-relapse"),
        pytest.param(
            "phq9", [20, 4, 10, 11, 3, 15, 16], True, 6, 2, id="second-relapse-is-counted"
        ),
        pytest.param("madrs", [34, 10, 21, 21], False, None, 0, id="madrs-21-below-relapse-22"),
        pytest.param("madrs", [34, 10, 22, 25], True, 3, 1, id="madrs-22-twice-relapses"),
        pytest.param("madrs", [34, 11, 25, 25], False, None, 0, id="madrs-11-was-not-remission"),
    ],
)
def test_relapse_needs_remission_then_two_consecutive_moderate(
    instrument: str,
    totals: list[float],
    relapse: bool,
    relapse_week: int | None,
    count: int,
) -> None:
    summary = evaluate(totals, instrument)
    assert summary.relapse is relapse
    assert summary.relapse_at == (None if relapse_week is None else week(relapse_week))
    assert summary.relapse_count == count


def test_relapse_run_length_is_configurable() -> None:
    rules = OutcomeRules(
        version="outcomes-rules/2026.1+relapse3",
        instruments=DEFAULT_RULES.instruments,
        consecutive_for_relapse=3,
    )
    assert evaluate([20, 4, 10, 11], rules=rules).relapse is False
    assert evaluate([20, 4, 10, 11, 12], rules=rules).relapse is True


@pytest.mark.parametrize(
    ("totals", "response", "loss", "loss_week"),
    [
        pytest.param([20, 10, 8], True, False, None, id="sustained-responder"),
        pytest.param([20, 10, 11, 12], False, True, 3, id="two-above-threshold-lose-response"),
        pytest.param([20, 10, 11], False, False, None, id="one-above-threshold-is-not-a-loss"),
        pytest.param([20, 10, 11, 10, 11], False, False, None, id="run-broken-by-response"),
        pytest.param([20, 10, 11, 12, 9], True, False, None, id="regained-response-clears-loss"),
        pytest.param([20, 15, 14, 13], False, False, None, id="never-responded-never-lost"),
    ],
)
def test_loss_of_response_flags_a_booster_review(
    totals: list[float], response: bool, loss: bool, loss_week: int | None
) -> None:
    summary = evaluate(totals)
    assert summary.response is response
    assert summary.loss_of_response is loss
    assert summary.loss_of_response_at == (None if loss_week is None else week(loss_week))


def test_first_response_date_survives_a_later_loss() -> None:
    summary = evaluate([20, 14, 10, 12, 13])
    assert summary.first_response_at == week(2)
    assert summary.loss_of_response is True


@pytest.mark.parametrize(
    ("points", "lost", "count"),
    [
        pytest.param([(True, False), (False, True), (False, True)], True, 1, id="enter-then-leave"),
        pytest.param([(False, True), (False, True)], False, 0, id="leaving-without-entering"),
        pytest.param(
            [(True, False), (False, True), (False, False), (False, True)],
            False,
            0,
            id="neutral-point-breaks-run",
        ),
    ],
)
def test_episode_tracker(points: list[tuple[bool, bool]], lost: bool, count: int) -> None:
    track = track_episodes(
        ((week(i), entered, leaving) for i, (entered, leaving) in enumerate(points)),
        consecutive=2,
    )
    assert (track.lost, track.loss_count) == (lost, count)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        pytest.param({"consecutive_for_relapse": 0}, "outcomes.consecutive_out_of_range", id="0"),
        pytest.param({"version": " "}, "outcomes.version_required", id="blank-version"),
        pytest.param(
            {"instruments": DEFAULT_RULES.instruments[:1] * 2},
            "outcomes.duplicate_instrument",
            id="duplicate-instrument",
        ),
    ],
)
def test_rule_set_validation(changes: dict[str, object], code: str) -> None:
    arguments: dict[str, object] = {
        "version": "x",
        "instruments": DEFAULT_RULES.instruments,
        **changes,
    }
    with pytest.raises(Invalid) as caught:
        OutcomeRules(**arguments)  # type: ignore[arg-type]  # table-driven kwargs
    assert caught.value.code == code
