"""PHQ-2: items 1-2 of PHQ-9, 0-6; positive >=3 (>=2 selectable).

Sources: docs/clinical/instruments.md#phq-2.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

CASES = [
    pytest.param("0,0", {}, 0, "negative", id="zero"),
    pytest.param("1,1", {}, 2, "negative", id="edge-2-negative"),
    pytest.param("2,1", {}, 3, "positive", id="edge-3-positive"),
    pytest.param("3,3", {}, 6, "positive", id="max"),
    pytest.param("1,1", {"cutoff": "2"}, 2, "positive", id="sensitive-cut-2"),
    pytest.param("1,0", {"cutoff": "2"}, 1, "negative", id="sensitive-cut-below"),
]


@pytest.mark.parametrize(("answers", "context", "total", "severity"), CASES)
def test_scores(run, answers, context, total, severity):
    result = run("phq2", answers, **context)
    assert (result.total, result.severity) == (total, severity)


def test_missing_item_is_invalid_not_zero(run):
    result = run("phq2", "3,")
    assert (result.valid, result.total, result.severity) == (False, None, None)


@pytest.mark.parametrize(
    ("answers", "context"),
    [
        pytest.param("1,4", {}, id="out-of-range"),
        pytest.param("1", {}, id="wrong-count"),
        pytest.param("1,1", {"cutoff": "4"}, id="cutoff-out-of-range"),
    ],
)
def test_rejects(run, answers, context):
    with pytest.raises(Invalid):
        run("phq2", answers, **context)
