"""BDI-II: 21 items 0-3, 0-63; items 16 and 18 have a/b options; item 9 flag.

Source: docs/clinical/instruments.md#bdi-ii.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid


def _with(**items: str) -> str:
    values = ["0"] * 21
    for key, value in items.items():
        values[int(key.removeprefix("i")) - 1] = value
    return ",".join(values)


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


CASES = [
    pytest.param(repeat(0, 21), 0, "minimal", [], id="zero"),
    pytest.param(_with(i1="3", i2="3", i3="3", i4="3", i5="1"), 13, "minimal", [], id="edge-13"),
    pytest.param(_with(i1="3", i2="3", i3="3", i4="3", i5="2"), 14, "mild", [], id="edge-14"),
    pytest.param(
        _with(i1="3", i2="3", i3="3", i4="3", i5="3", i6="3", i7="1"), 19, "mild", [], id="edge-19"
    ),
    pytest.param(
        _with(i1="3", i2="3", i3="3", i4="3", i5="3", i6="3", i7="2"),
        20,
        "moderate",
        [],
        id="edge-20",
    ),
    pytest.param(repeat(3, 21), 63, "severe", ["suicidal_ideation"], id="max-63"),
    pytest.param(_with(i16="2a", i18="3b"), 5, "minimal", [], id="a-b-options-collapse"),
    pytest.param(_with(i16="1b", i18="1a"), 2, "minimal", [], id="1a-1b-score-1"),
    pytest.param(_with(i9="1"), 1, "minimal", ["suicidal_ideation"], id="item9-flag"),
]


@pytest.mark.parametrize(("answers", "total", "severity", "flags"), CASES)
def test_scores(run, answers, total, severity, flags):
    result = run("bdi2", answers)
    assert (result.total, result.severity, list(result.flags)) == (total, severity, flags)


def test_band_edges_28_29(run):
    assert (
        run("bdi2", _with(**{f"i{n}": "3" for n in range(1, 10)}, i10="1")).severity == "moderate"
    )
    assert run("bdi2", _with(**{f"i{n}": "3" for n in range(1, 10)}, i10="2")).severity == "severe"


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        pytest.param(_with(i1="2a"), "item 1", id="a-b-only-on-16-and-18"),
        pytest.param(_with(i16="4"), "item 16", id="item16-max-3"),
    ],
)
def test_rejects(run, answers, item):
    with pytest.raises(Invalid, match=item):
        run("bdi2", answers)


def test_missing_item_is_invalid(run):
    assert run("bdi2", repeat(1, 20) + ",-").valid is False
