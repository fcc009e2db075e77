"""QIDS-SR16: 9 DSM domains, max within sleep (1-4), appetite/weight (6-9), psychomotor (15-16).

Summing all 16 items is the classic bug. Source: docs/clinical/instruments.md#qids-sr16,
docs/clinical/instruments.md#special-scoring-rules [F:QIDS-M].
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


CASES = [
    # items 1-4 | 5 | 6-9 | 10-14 | 15-16
    pytest.param(repeat(0, 16), 0, "none", id="zero"),
    pytest.param(repeat(3, 16), 27, "very_severe", id="all-3-is-27-not-48"),
    pytest.param("1,3,2,0, 0, 0,0,0,0, 0,0,0,0,0, 0,0", 3, "none", id="sleep-max-not-sum"),
    pytest.param("1,1,1,1, 1, 1,1,1,1, 1,1,0,1,1, 1,1", 8, "mild", id="one-per-domain"),
    pytest.param("3,0,0,0, 2, 0,0,0,0, 0,0,0,0,0, 0,0", 5, "none", id="edge-5-none"),
    pytest.param("3,0,0,0, 3, 0,0,0,0, 0,0,0,0,0, 0,0", 6, "mild", id="edge-6-mild"),
    pytest.param("3,0,0,0, 3, 3,2,0,0, 1,0,0,0,0, 0,0", 10, "mild", id="edge-10-mild"),
    pytest.param("3,0,0,0, 3, 3,2,0,0, 1,1,0,0,0, 0,0", 11, "moderate", id="edge-11-moderate"),
    pytest.param("3,0,0,0, 3, 3,0,0,0, 3,3,0,0,0, 0,0", 15, "moderate", id="edge-15-moderate"),
    pytest.param("3,0,0,0, 3, 3,0,0,0, 3,3,0,1,0, 0,0", 16, "severe", id="edge-16-severe"),
    pytest.param("3,0,0,0, 3, 3,0,0,0, 3,3,0,3,2, 0,0", 20, "severe", id="edge-20-severe"),
    pytest.param(
        "3,0,0,0, 3, 3,0,0,0, 3,3,0,3,3, 0,0", 21, "very_severe", id="edge-21-very-severe"
    ),
]


@pytest.mark.parametrize(("answers", "total", "severity"), CASES)
def test_scores(run, answers, total, severity):
    result = run("qids-sr16", answers.replace(" ", ""))
    assert (result.valid, result.total, result.severity) == (True, total, severity)


def test_domains_are_reported(run):
    result = run("qids-sr16", "0,2,1,0,3,0,0,1,2,1,1,0,1,1,0,3")
    assert result.subscales["sleep"] == 2
    assert result.subscales["appetite_weight"] == 2
    assert result.subscales["psychomotor"] == 3
    assert result.total == 2 + 3 + 2 + 1 + 1 + 0 + 1 + 1 + 3


def test_item12_raises_safety_flag(run):
    assert run("qids-sr16", "0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0").flags == ("suicidal_ideation",)


def test_missing_item_in_max_domain_is_invalid(run):
    result = run("qids-sr16", "3,,0,0," + repeat(0, 12))
    assert (result.valid, result.total) == (False, None)
    assert result.subscales["sleep"] is None


def test_rejects_out_of_range(run):
    with pytest.raises(Invalid, match="item 16"):
        run("qids-sr16", repeat(0, 15) + ",4")
