"""MOAA/S: single rating 0-5; closer monitoring at <=3 [R]; 0 = loss of consciousness. Row 21."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

MOAAS = [
    pytest.param("5", {}, [], id="alert"),
    pytest.param("4", {}, [], id="sluggish"),
    pytest.param("3", {}, ["closer_monitoring"], id="loud-name-monitor"),
    pytest.param("1", {}, ["closer_monitoring"], id="painful-stimulus"),
    pytest.param("0", {}, ["closer_monitoring", "loss_of_consciousness"], id="no-response"),
    pytest.param("4", {"monitoring_cut": "4"}, ["closer_monitoring"], id="configurable-cut"),
]


@pytest.mark.parametrize(("answer", "context", "flags"), MOAAS)
def test_moaas(run, answer, context, flags):
    result = run("moaas", answer, **context)
    assert (result.total, list(result.flags)) == (int(answer), flags)


@pytest.mark.parametrize("answer", ["6", "-1", "2.5"])
def test_moaas_rejects(run, answer):
    with pytest.raises(Invalid, match="item 1"):
        run("moaas", answer)
