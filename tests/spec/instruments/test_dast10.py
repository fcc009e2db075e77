"""DAST-10: yes = 1 except item 3 (able to stop), where no = 1; bands.

Source: docs/clinical/instruments.md#dast-10.
"""

from __future__ import annotations

import pytest


def _dast(yes_items: set[int], item3: str = "yes") -> str:
    values = ["yes" if i in yes_items else "no" for i in range(1, 11)]
    values[2] = item3
    return ",".join(values)


DAST = [
    pytest.param(_dast(set()), 0, "none", id="all-no-except-able-to-stop"),
    pytest.param(_dast(set(), item3="no"), 1, "low", id="item3-no-scores-1"),
    pytest.param(_dast({1, 2}), 2, "low", id="edge-2-low"),
    pytest.param(_dast({1, 2, 4}), 3, "moderate", id="edge-3-moderate"),
    pytest.param(_dast({1, 2, 4, 5, 6}), 5, "moderate", id="edge-5"),
    pytest.param(_dast({1, 2, 4, 5, 6, 7}), 6, "substantial", id="edge-6"),
    pytest.param(_dast({1, 2, 4, 5, 6, 7, 8, 9}), 8, "substantial", id="edge-8"),
    pytest.param(_dast({1, 2, 4, 5, 6, 7, 8, 9, 10}), 9, "severe", id="edge-9"),
    pytest.param(_dast({1, 2, 4, 5, 6, 7, 8, 9, 10}, item3="no"), 10, "severe", id="max-10"),
]


@pytest.mark.parametrize(("answers", "total", "severity"), DAST)
def test_dast10_reverse_item3(run, answers, total, severity):
    result = run("dast10", answers)
    assert (result.total, result.severity) == (total, severity)
