"""CADSS: 23 items 0-4, 0-92; CADSS-6 subscale; dissociation flag above the cut (>4 [R]). Row 19."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


CADSS = [
    pytest.param(repeat(0, 23), {}, 0, [], id="zero"),
    pytest.param("4" + ",0" * 22, {}, 4, [], id="edge-4-not-flagged"),
    pytest.param("4,1" + ",0" * 21, {}, 5, ["dissociation"], id="edge-5-flagged"),
    pytest.param(repeat(4, 23), {}, 92, ["dissociation"], id="max-92"),
    pytest.param("4,1" + ",0" * 21, {"dissociation_cut": "10"}, 5, [], id="configurable-cut"),
]


@pytest.mark.parametrize(("answers", "context", "total", "flags"), CADSS)
def test_cadss(run, answers, context, total, flags):
    result = run("cadss", answers, **context)
    assert (result.total, result.severity, list(result.flags)) == (total, None, flags)


def test_cadss6_short_form_subscale(run):
    values = ["0"] * 23
    for item in (1, 2, 6, 7, 15, 22):
        values[item - 1] = "1"
    values[3] = "4"
    result = run("cadss", ",".join(values))
    assert (result.total, result.subscales["cadss6"]) == (10, 6)


def test_cadss_rejects_5(run):
    with pytest.raises(Invalid, match="item 23"):
        run("cadss", repeat(0, 22) + ",5")
