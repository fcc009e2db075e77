"""HAM-D17: 9 items 0-4 and 8 items 0-2 (4-6, 12-14, 16, 17); 0-52; bands; item 16 A or B.

Source: docs/clinical/instruments.md#ham-d17, docs/clinical/instruments.md#special-scoring-rules
[F:CC hamd.py].
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

MAX = "4,4,4,2,2,2,4,4,4,4,4,2,2,2,4,2,2"


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


CASES = [
    pytest.param(repeat(0, 17), 0, "normal", id="zero"),
    pytest.param("4,3,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0", 7, "normal", id="edge-7-normal"),
    pytest.param("4,4,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0", 8, "mild", id="edge-8-mild"),
    pytest.param("4,4,0,0,0,0,4,1,0,0,0,0,0,0,0,0,0", 13, "mild", id="edge-13-mild"),
    pytest.param("4,4,0,0,0,0,4,2,0,0,0,0,0,0,0,0,0", 14, "moderate", id="edge-14-moderate"),
    pytest.param("4,4,0,0,0,0,4,4,2,0,0,0,0,0,0,0,0", 18, "moderate", id="edge-18-moderate"),
    pytest.param("4,4,0,0,0,0,4,4,3,0,0,0,0,0,0,0,0", 19, "severe", id="edge-19-severe"),
    pytest.param("4,4,0,0,0,0,4,4,4,2,0,0,0,0,0,0,0", 22, "severe", id="edge-22-severe"),
    pytest.param("4,4,0,0,0,0,4,4,4,3,0,0,0,0,0,0,0", 23, "very_severe", id="edge-23-very-severe"),
    pytest.param(MAX, 52, "very_severe", id="max-52"),
]


@pytest.mark.parametrize(("answers", "total", "severity"), CASES)
def test_scores(run, answers, total, severity):
    result = run("hamd17", answers)
    assert (result.valid, result.total, result.severity) == (True, total, severity)


@pytest.mark.parametrize(
    ("position", "value"),
    [
        pytest.param(4, 3, id="item4-is-0-2"),
        pytest.param(12, 3, id="item12-is-0-2"),
        pytest.param(16, 3, id="item16-is-0-2"),
        pytest.param(17, 3, id="item17-is-0-2"),
        pytest.param(1, 5, id="item1-is-0-4"),
    ],
)
def test_mixed_item_ranges(run, position, value):
    answers = ["0"] * 17
    answers[position - 1] = str(value)
    with pytest.raises(Invalid, match=f"item {position} "):
        run("hamd17", ",".join(answers))


def test_item16_method_is_recorded(run):
    result = run("hamd17", repeat(0, 17), item16_method="measurement")
    assert result.derived["item16_method"] == "measurement"


def test_item3_suicide_flag(run):
    assert run("hamd17", "0,0,1" + ",0" * 14).flags == ("suicidal_ideation",)


def test_21_item_form_is_rejected_not_truncated(run):
    with pytest.raises(Invalid, match="expects 17"):
        run("hamd17", repeat(0, 21))
