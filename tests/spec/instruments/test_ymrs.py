"""YMRS: 11 clinician-rated items; items 5, 6, 8, 9 are 0-8, the others 0-4; total 0-60; no bands.

Sources: Young et al., Br J Psychiatry 1978;133:429 (PMID 728692);
docs/clinical/instruments.md#ymrs.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.instruments import load_catalogue

DOUBLE_WEIGHT = (5, 6, 8, 9)
MAX = "4,4,4,4,8,8,4,8,8,4,4"


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


CASES = [
    pytest.param(repeat(0, 11), 0, id="zero"),
    pytest.param("1,0,0,0,0,0,0,0,0,0,0", 1, id="one-point"),
    pytest.param("0,0,0,0,1,0,0,0,0,0,0", 1, id="odd-value-between-anchors-item5"),
    pytest.param("0,0,0,0,0,3,0,5,7,0,0", 15, id="odd-values-items-6-8-9"),
    pytest.param(repeat(4, 11), 44, id="all-4"),
    pytest.param(MAX, 60, id="max-60"),
]


@pytest.mark.parametrize(("answers", "total"), CASES)
def test_scores(run, answers, total):
    result = run("ymrs", answers)
    assert (result.valid, result.total, result.severity, list(result.flags)) == (
        True,
        total,
        None,
        [],
    )


@pytest.mark.parametrize("position", DOUBLE_WEIGHT)
def test_double_weight_items_take_8(run, position):
    answers = ["0"] * 11
    answers[position - 1] = "8"
    assert run("ymrs", ",".join(answers)).total == 8


@pytest.mark.parametrize(
    ("position", "value"),
    [
        *(pytest.param(p, 9, id=f"item{p}-above-8") for p in DOUBLE_WEIGHT),
        *(pytest.param(p, 5, id=f"item{p}-above-4") for p in (1, 2, 3, 4, 7, 10, 11)),
        pytest.param(1, -1, id="negative"),
    ],
)
def test_out_of_range_names_the_item(run, position, value):
    answers = ["0"] * 11
    answers[position - 1] = str(value)
    with pytest.raises(Invalid, match=f"item {position} "):
        run("ymrs", ",".join(answers))


@pytest.mark.parametrize("answers", [repeat(0, 10), repeat(0, 12), "yes," + repeat(0, 10)])
def test_rejects(run, answers):
    with pytest.raises(Invalid):
        run("ymrs", answers)


def test_missing_item_is_not_valid_and_never_counts_as_zero(run):
    result = run("ymrs", repeat(4, 10) + ",")
    assert (result.valid, result.total, result.missing_items) == (False, None, ("11",))


def test_no_bands_because_the_source_publishes_none():
    ymrs = load_catalogue().get("ymrs")
    assert ymrs.bands is None
    assert ymrs.outcomes.response is None
    assert ymrs.outcomes.remission is None


def test_ships_no_item_wording():
    ymrs = load_catalogue().get("ymrs")
    assert not ymrs.licence.ships_text
    assert all(item.text is None and item.label == f"Item {item.id}" for item in ymrs.items)
