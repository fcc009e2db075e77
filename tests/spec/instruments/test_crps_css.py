"""CRPS Severity Score: 17 binary items, 0-17; symptoms 1-8 and signs 9-17 [R split]. Row 18."""

from __future__ import annotations

import pytest


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


CSS = [
    pytest.param(repeat("no", 17), 0, 0, 0, id="zero"),
    pytest.param(repeat("yes", 17), 17, 8, 9, id="max-17"),
    pytest.param(repeat("yes", 8) + "," + repeat("no", 9), 8, 8, 0, id="symptoms-only"),
]


@pytest.mark.parametrize(("answers", "total", "symptoms", "signs"), CSS)
def test_crps_css(run, answers, total, symptoms, signs):
    result = run("crps-css", answers)
    assert (result.total, result.subscales["symptoms"], result.subscales["signs"]) == (
        total,
        symptoms,
        signs,
    )
    assert result.severity is None
