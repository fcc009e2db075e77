"""Modified Aldrete score: 5 domains 0-2, 0-10; fit to leave recovery at >=9 (CONFIG).

Source: docs/clinical/instruments.md#aldrete [F:ALD-WIKI]; docs/clinical/session.md#rule-34.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

DISCHARGE = [
    pytest.param("aldrete", "2,2,2,2,2", {}, 10, True, id="aldrete-10"),
    pytest.param("aldrete", "2,2,2,2,1", {}, 9, True, id="aldrete-9-fit"),
    pytest.param("aldrete", "2,2,2,1,1", {}, 8, False, id="aldrete-8-not-fit"),
    pytest.param("aldrete", "2,2,2,2,1", {"discharge_cut": "10"}, 9, False, id="aldrete-cut-10"),
]


@pytest.mark.parametrize(("instrument", "answers", "context", "total", "ready"), DISCHARGE)
def test_discharge_scores(run, instrument, answers, context, total, ready):
    result = run(instrument, answers, **context)
    assert result.total == total
    assert ("discharge_criteria_met" in result.flags) is ready


@pytest.mark.parametrize("instrument", ["aldrete"])
def test_discharge_scores_reject_3_and_missing_is_not_ready(run, instrument):
    with pytest.raises(Invalid, match="item 5"):
        run(instrument, "2,2,2,2,3")
    result = run(instrument, "2,2,2,2,")
    assert (result.valid, result.flags) == (False, ())
