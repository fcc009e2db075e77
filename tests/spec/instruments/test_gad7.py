"""GAD-7: sum 0-21; minimal/mild/moderate/severe.

Sources: docs/clinical/instruments.md#gad-7, docs/clinical/instruments.md#test-vectors.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

CASES = [
    pytest.param("0,0,0,0,0,0,0", 0, "minimal", id="zero"),
    pytest.param("1,1,1,1,0,0,0", 4, "minimal", id="edge-4"),
    pytest.param("1,1,1,1,1,0,0", 5, "mild", id="edge-5"),
    pytest.param("2,2,2,1,1,1,0", 9, "mild", id="edge-9"),
    pytest.param("2,2,2,2,1,1,0", 10, "moderate", id="edge-10"),
    pytest.param("2,2,2,2,2,2,2", 14, "moderate", id="edge-14"),
    pytest.param("3,2,2,2,2,2,2", 15, "severe", id="edge-15"),
    pytest.param("3,3,3,3,3,3,3", 21, "severe", id="max-21-not-28"),
    pytest.param("0,0,1,1,0,1,0", 3, "minimal", id="phr-example-3"),
]


@pytest.mark.parametrize(("answers", "total", "severity"), CASES)
def test_scores(run, answers, total, severity):
    result = run("gad7", answers)
    assert (result.valid, result.total, result.severity, result.flags) == (
        True,
        total,
        severity,
        (),
    )


def test_missing_item_is_invalid(run):
    result = run("gad7", "3,3,3,3,3,3,-")
    assert (result.valid, result.total) == (False, None)
    assert result.errors[0].startswith("item 7")


def test_rejects_out_of_range(run):
    with pytest.raises(Invalid, match="item 2"):
        run("gad7", "0,4,0,0,0,0,0")
