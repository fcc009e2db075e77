"""WHODAS 2.0 12-item simple score: coding 1-5 (12-60) or 0-4 (0-48); percent of max.

Source: docs/clinical/instruments.md#whodas-12,
docs/clinical/instruments.md#special-scoring-rules."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


WHODAS = [
    pytest.param(repeat(1, 12), {}, 12, 0, id="1-5-minimum"),
    pytest.param(repeat(5, 12), {}, 60, 100, id="1-5-maximum"),
    pytest.param(repeat(3, 12), {}, 36, 50, id="1-5-middle"),
    pytest.param(repeat(0, 12), {"coding": "0-4"}, 0, 0, id="0-4-minimum"),
    pytest.param(repeat(2, 12), {"coding": "0-4"}, 24, 50, id="0-4-middle-same-percent"),
]


@pytest.mark.parametrize(("answers", "context", "total", "percent"), WHODAS)
def test_whodas12(run, answers, context, total, percent):
    result = run("whodas12", answers, **context)
    assert (result.total, result.subscales["percent_of_max"]) == (total, percent)


@pytest.mark.parametrize(
    ("answers", "context"),
    [
        pytest.param(repeat(0, 12), {}, id="0-on-1-5"),
        pytest.param(repeat(5, 12), {"coding": "0-4"}, id="5-on-0-4"),
    ],
)
def test_whodas12_coding_is_enforced(run, answers, context):
    with pytest.raises(Invalid, match="item 1"):
        run("whodas12", answers, **context)
