"""SPIN: 17 items 0-4, 0-68; screen >=19 (Connor et al. 2000); bands from the cut-off up are
never 'none' (19-20, between the cut-off and mild, are 'positive_below_mild')."""

from __future__ import annotations

import pytest


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


SPIN = [
    pytest.param(repeat(0, 17), 0, "none", [], id="zero"),
    pytest.param(repeat(1, 17) + "", 17, "none", [], id="17"),
    pytest.param("2,1" + ",1" * 15, 18, "none", [], id="edge-18-below-cut-none"),
    pytest.param(
        "3,1" + ",1" * 15, 19, "positive_below_mild", ["positive_screen"], id="edge-19-screen"
    ),
    pytest.param(
        "4,1,1" + ",1" * 14, 20, "positive_below_mild", ["positive_screen"], id="edge-20-gap"
    ),
    pytest.param("4,2,1" + ",1" * 14, 21, "mild", ["positive_screen"], id="edge-21-mild"),
    pytest.param(repeat(3, 17), 51, "very_severe", ["positive_screen"], id="edge-51"),
    pytest.param(repeat(4, 17), 68, "very_severe", ["positive_screen"], id="max-68"),
]


@pytest.mark.parametrize(("answers", "total", "severity", "flags"), SPIN)
def test_spin(run, answers, total, severity, flags):
    result = run("spin", answers)
    assert (result.total, result.severity, list(result.flags)) == (total, severity, flags)


CUTOFFS = [
    # cutoff, total, severity, positive: the 'none' band follows the screening cut-off
    pytest.param("15", 14, "none", False, id="cut15-14-none"),
    pytest.param("15", 15, "positive_below_mild", True, id="cut15-15-positive"),
    pytest.param("21", 20, "none", False, id="cut21-20-none"),
    pytest.param("21", 21, "mild", True, id="cut21-21-mild"),
    pytest.param("25", 22, "mild", False, id="cut25-22-mild-not-positive"),
    pytest.param("25", 25, "mild", True, id="cut25-25-mild-positive"),
]


@pytest.mark.parametrize(("cutoff", "total", "severity", "positive"), CUTOFFS)
def test_band_none_ends_at_the_screening_cut_off(run, cutoff, total, severity, positive):
    answers = [min(4, max(0, total - 4 * i)) for i in range(17)]
    result = run("spin", ",".join(map(str, answers)), cutoff=cutoff)
    assert result.total == total
    assert (result.severity, "positive_screen" in result.flags) == (severity, positive)
