"""painDETECT: 7 sensory 0-5, course -1/0/+1, radiating +2; -1..38; <=12 / 13-18 / >=19.

Source: docs/clinical/instruments.md#paindetect,
docs/clinical/instruments.md#special-scoring-rules, docs/clinical/instruments.md#test-vectors (use
Freynhagen 2006 thresholds)."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


PAINDETECT = [
    # 7 sensory (0-5), course (-1/0/1), radiating (yes=+2)
    pytest.param(repeat(0, 7) + ",-1,no", -1, "unlikely", id="minimum-minus-1"),
    pytest.param("2,2,2,2,2,2,0,0,no", 12, "unlikely", id="edge-12"),
    pytest.param("2,2,2,2,2,2,0,-1,yes", 13, "ambiguous", id="edge-13-radiating-adds-2"),
    pytest.param("3,3,3,3,3,3,0,0,no", 18, "ambiguous", id="edge-18"),
    pytest.param("3,3,3,3,3,3,0,1,no", 19, "likely", id="edge-19"),
    pytest.param(repeat(5, 7) + ",1,yes", 38, "likely", id="maximum-38"),
]


@pytest.mark.parametrize(("answers", "total", "severity"), PAINDETECT)
def test_paindetect(run, answers, total, severity):
    result = run("paindetect", answers)
    assert (result.total, result.severity) == (total, severity)


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        pytest.param(repeat(0, 7) + ",2,no", "item 8", id="course-2"),
        pytest.param(repeat(0, 7) + ",-2,no", "item 8", id="course-minus-2"),
        pytest.param(repeat(6, 7) + ",0,no", "item 1", id="sensory-6"),
        pytest.param(repeat(0, 7) + ",0,3", "item 9", id="radiating-not-yes-no"),
    ],
)
def test_paindetect_rejects(run, answers, item):
    with pytest.raises(Invalid, match=item):
        run("paindetect", answers)
