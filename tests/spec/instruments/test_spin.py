"""SPIN: 17 items 0-4, 0-68; bands (20 placed in 'none', see data file); screen >=19. Row 10."""

from __future__ import annotations

import pytest


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


SPIN = [
    pytest.param(repeat(0, 17), 0, "none", [], id="zero"),
    pytest.param(repeat(1, 17) + "", 17, "none", [], id="17"),
    pytest.param("3,1" + ",1" * 15, 19, "none", ["positive_screen"], id="edge-19-screen-positive"),
    pytest.param("4,1,1" + ",1" * 14, 20, "none", ["positive_screen"], id="edge-20-gap-in-source"),
    pytest.param("4,2,1" + ",1" * 14, 21, "mild", ["positive_screen"], id="edge-21-mild"),
    pytest.param(repeat(3, 17), 51, "very_severe", ["positive_screen"], id="edge-51"),
    pytest.param(repeat(4, 17), 68, "very_severe", ["positive_screen"], id="max-68"),
]


@pytest.mark.parametrize(("answers", "total", "severity", "flags"), SPIN)
def test_spin(run, answers, total, severity, flags):
    result = run("spin", answers)
    assert (result.total, result.severity, list(result.flags)) == (total, severity, flags)
