"""MADRS: 10 items 0-6 (odd values between anchors), 0-60; bands.

Sources: docs/clinical/instruments.md#madrs.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


CASES = [
    pytest.param(repeat(0, 10), 0, "normal", [], id="zero"),
    pytest.param("1,1,1,1,1,1,0,0,0,0", 6, "normal", [], id="edge-6-normal"),
    pytest.param("1,1,1,1,1,1,1,0,0,0", 7, "mild", [], id="edge-7-mild"),
    pytest.param("3,3,3,3,3,3,1,0,0,0", 19, "mild", [], id="edge-19-mild"),
    pytest.param("3,3,3,3,3,3,2,0,0,0", 20, "moderate", [], id="edge-20-moderate"),
    pytest.param("5,5,5,5,5,5,4,0,0,0", 34, "moderate", [], id="edge-34-moderate"),
    pytest.param("5,5,5,5,5,5,5,0,0,0", 35, "severe", [], id="edge-35-severe"),
    pytest.param(repeat(6, 10), 60, "severe", ["suicidal_ideation"], id="max-60"),
    pytest.param("0,0,0,0,0,0,0,0,0,1", 1, "normal", ["suicidal_ideation"], id="item10-flag"),
]


@pytest.mark.parametrize(("answers", "total", "severity", "flags"), CASES)
def test_scores(run, answers, total, severity, flags):
    result = run("madrs", answers)
    assert (result.total, result.severity, list(result.flags)) == (total, severity, flags)


def test_missing_item_is_invalid(run):
    assert run("madrs", repeat(3, 9) + ",").valid is False


@pytest.mark.parametrize("answers", [repeat(7, 10), repeat(1, 9), "yes," + repeat(0, 9)])
def test_rejects(run, answers):
    with pytest.raises(Invalid):
        run("madrs", answers)


def test_ships_no_item_wording():
    from ketacare.core.instruments import load_catalogue

    madrs = load_catalogue().get("madrs")
    assert not madrs.licence.ships_text
    assert all(item.text is None and item.label == f"Item {item.id}" for item in madrs.items)
