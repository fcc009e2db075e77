"""LSAS: 24 situations x fear and avoidance (0-3 each), 0-144; flags at 30 and 60. Row 11."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid


def _lsas(fear: int, avoidance: int) -> str:
    return ",".join(f"{fear},{avoidance}" for _ in range(24))


LSAS = [
    pytest.param(_lsas(0, 0), 0, 0, 0, None, [], id="zero"),
    pytest.param(_lsas(1, 0), 24, 24, 0, None, [], id="fear-only"),
    pytest.param(
        _lsas(3, 3),
        144,
        72,
        72,
        "very_severe",
        ["probable_social_anxiety_disorder", "generalised_subtype"],
        id="max",
    ),
    pytest.param(_lsas(1, 1), 48, 24, 24, None, ["probable_social_anxiety_disorder"], id="48"),
]


@pytest.mark.parametrize(("answers", "total", "fear", "avoidance", "severity", "flags"), LSAS)
def test_lsas(run, answers, total, fear, avoidance, severity, flags):
    result = run("lsas", answers)
    assert (result.total, result.subscales["fear"], result.subscales["avoidance"]) == (
        total,
        fear,
        avoidance,
    )
    assert (result.severity, list(result.flags)) == (severity, flags)


def test_lsas_rejects_fear_4_naming_situation(run):
    with pytest.raises(Invalid, match="item 2_fear"):
        run("lsas", "0,0,4,0" + ",0" * 44)
