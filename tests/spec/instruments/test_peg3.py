"""PEG-3: mean of 3 items 0-10, rounded for display; no validated bands.

Sources: docs/clinical/instruments.md#peg-3.
"""

from __future__ import annotations

import pytest

PEG = [
    pytest.param("0,0,0", 0, id="zero"),
    pytest.param("10,10,10", 10, id="max"),
    pytest.param("5,6,7", 6, id="mean-6"),
    pytest.param("2,2,3", 2.33, id="mean-rounded-for-display"),
]


@pytest.mark.parametrize(("answers", "total"), PEG)
def test_peg_is_a_mean(run, answers, total):
    result = run("peg3", answers)
    assert (result.total, result.severity) == (total, None)


def test_peg_missing_item_is_invalid(run):
    assert run("peg3", "5,5,").valid is False
