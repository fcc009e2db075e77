"""BPI-SF: severity = mean of 4 intensity items; interference = mean of 7, valid with >=4 answered.

Bands (1-4 mild, 5-6 moderate, 7-10 severe) classify worst (default) or average pain.
Source: docs/clinical/instruments.md#bpi-sf, docs/clinical/instruments.md#special-scoring-rules."""

from __future__ import annotations

import pytest


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


BPI = [
    # worst, least, average, now | 7 interference items -> severity, interference, band
    pytest.param("8,2,4,6," + repeat(5, 7), {}, 5, 5, "severe", id="worst-8-severe"),
    pytest.param("8,2,4,6," + repeat(5, 7), {"band_item": "average"}, 5, 5, "mild", id="average-4"),
    pytest.param("4,0,2,2," + repeat(0, 7), {}, 2, 0, "mild", id="worst-4-mild"),
    pytest.param("5,1,3,3," + repeat(0, 7), {}, 3, 0, "moderate", id="worst-5-moderate"),
    pytest.param("0,0,0,0," + repeat(0, 7), {}, 0, 0, None, id="no-pain-no-band"),
    pytest.param("6,2,4,4,2,4,6,8,,,", {}, 4, 5, "moderate", id="interference-4-of-7-ok"),
]


@pytest.mark.parametrize(("answers", "context", "severity", "interference", "band"), BPI)
def test_bpi(run, answers, context, severity, interference, band):
    result = run("bpi-sf", answers, **context)
    assert result.total == severity
    assert result.subscales["severity"] == severity
    assert result.subscales["interference"] == interference
    assert result.severity == band


def test_bpi_interference_needs_4_of_7(run):
    result = run("bpi-sf", "6,2,4,4,2,4,6,,,,")
    assert result.valid  # severity is complete
    assert result.subscales["interference"] is None


def test_bpi_missing_intensity_item_is_invalid(run):
    assert run("bpi-sf", "6,2,,4," + repeat(1, 7)).valid is False
