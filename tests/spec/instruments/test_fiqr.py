"""FIQR: function/3 + overall + symptoms/2 (0-100), function prorated with 1 missing, invalid
otherwise; SALAFFI 2020 bands. docs/clinical/instruments.md#fiqr,
docs/clinical/instruments.md#special-scoring-rules."""

from __future__ import annotations

import pytest


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


FIQR = [
    # function 9 | overall 2 | symptoms 10
    pytest.param(repeat(0, 21), 0, "remission", id="zero"),
    pytest.param(repeat(10, 21), 100, "very_severe", id="max-100"),
    pytest.param(
        repeat(3, 9) + "," + repeat(0, 2) + "," + repeat(0, 10), 9, "remission", id="function-27/3"
    ),
    pytest.param(repeat(0, 9) + ",10,10," + repeat(0, 10), 20, "remission", id="overall-sum"),
    pytest.param(repeat(0, 9) + ",0,0," + repeat(5, 10), 25, "mild", id="symptoms-50/2"),
    pytest.param(repeat(0, 9) + ",0,0,7," + repeat(4, 9), 21.5, "remission", id="half-point"),
    pytest.param(repeat(6, 9) + ",0,4," + repeat(0, 10), 22, "remission", id="edge-22"),
    pytest.param(repeat(6, 9) + ",0,6," + repeat(0, 10), 24, "mild", id="edge-24-mild"),
    pytest.param(repeat(10, 9) + ",10,10," + repeat(1, 10), 55, "moderate", id="moderate"),
    pytest.param(repeat(10, 9) + ",10,10," + repeat(3, 10) + "", 65, "severe", id="severe"),
    pytest.param(repeat(10, 9) + ",10,10," + repeat(7, 10), 85, "very_severe", id="very-severe"),
]


@pytest.mark.parametrize(("answers", "total", "severity"), FIQR)
def test_fiqr_domain_divisors(run, answers, total, severity):
    result = run("fiqr", answers)
    assert (result.valid, result.total, result.severity) == (True, total, severity)


def test_fiqr_one_missing_function_item_is_prorated(run):
    result = run("fiqr", "," + repeat(3, 8) + ",0,0," + repeat(0, 10))
    assert result.valid
    assert result.prorated
    assert result.subscales["function"] == 9  # 24 x 9/8 / 3


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(",," + repeat(3, 7) + ",0,0," + repeat(0, 10), id="two-function-missing"),
        pytest.param(repeat(3, 9) + ",,0," + repeat(0, 10), id="overall-missing"),
        pytest.param(repeat(3, 9) + ",0,0,," + repeat(0, 9), id="symptom-missing"),
    ],
)
def test_fiqr_invalid_forms(run, answers):
    result = run("fiqr", answers)
    assert (result.valid, result.total, result.severity) == (False, None, None)
    assert result.errors
