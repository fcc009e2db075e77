"""PADSS: 5 criteria 0-2, 0-10; ready for home at >=9 (CONFIG).

Source: docs/clinical/instruments.md#padss [F:PADSS]; docs/clinical/session.md#rule-34.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

DISCHARGE = [
    pytest.param("padss", "2,2,2,2,1", {}, 9, True, id="padss-9-home"),
    pytest.param("padss", "2,1,2,2,1", {}, 8, False, id="padss-8"),
    pytest.param("padss", "0,0,0,0,0", {}, 0, False, id="padss-0"),
]


@pytest.mark.parametrize(("instrument", "answers", "context", "total", "ready"), DISCHARGE)
def test_discharge_scores(run, instrument, answers, context, total, ready):
    result = run(instrument, answers, **context)
    assert result.total == total
    assert ("discharge_criteria_met" in result.flags) is ready


@pytest.mark.parametrize("instrument", ["padss"])
def test_discharge_scores_reject_3_and_missing_is_not_ready(run, instrument):
    with pytest.raises(Invalid, match="item 5"):
        run(instrument, "2,2,2,2,3")
    result = run(instrument, "2,2,2,2,")
    assert (result.valid, result.flags) == (False, ())
