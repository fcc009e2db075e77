"""BPRS positive subscale: 4 items, 1-7 with 0 = not rated (excluded, never summed) or rebased
0-6; flag at moderate or worse. docs/clinical/instruments.md#bprs-positive,
docs/clinical/instruments.md#special-scoring-rules."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

BPRS = [
    pytest.param("1,1,1,1", {}, True, 4, [], id="not-present-4"),
    pytest.param("3,3,3,3", {}, True, 12, [], id="mild-no-flag"),
    pytest.param("1,1,4,1", {}, True, 7, ["positive_symptoms"], id="moderate-item-flag"),
    pytest.param("7,7,7,7", {}, True, 28, ["positive_symptoms"], id="max-28"),
    pytest.param("0,0,0,0", {"coding": "0-6"}, True, 0, [], id="rebased-zero"),
    pytest.param(
        "0,0,3,0", {"coding": "0-6"}, True, 3, ["positive_symptoms"], id="rebased-3-is-moderate"
    ),
    pytest.param(
        "6,6,6,6", {"coding": "0-6"}, True, 24, ["positive_symptoms"], id="rebased-max-24"
    ),
    pytest.param("0,2,5,2", {}, False, None, ["positive_symptoms"], id="not-rated-excluded"),
]


@pytest.mark.parametrize(("answers", "context", "valid", "total", "flags"), BPRS)
def test_bprs_positive(run, answers, context, valid, total, flags):
    result = run("bprs-positive", answers, **context)
    assert (result.valid, result.total, list(result.flags)) == (valid, total, flags)


def test_bprs_not_rated_is_reported_not_counted(run):
    result = run("bprs-positive", "0,2,2,2")
    assert result.derived["not_rated_items"] == ("1",)
    assert any("not rated" in e for e in result.errors)


def test_bprs_rejects_7_on_rebased_coding(run):
    with pytest.raises(Invalid, match="item 1"):
        run("bprs-positive", "7,0,0,0", coding="0-6")
