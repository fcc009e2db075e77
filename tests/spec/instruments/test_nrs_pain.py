"""NRS-11 pain intensity: 0-10, bands none/mild/moderate/severe [R]; anchor recorded.

Source: docs/clinical/instruments.md#nrs-11-pain.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

NRS = [
    pytest.param("0", "none", id="0-none"),
    pytest.param("1", "mild", id="1-mild"),
    pytest.param("3", "mild", id="3-mild"),
    pytest.param("4", "moderate", id="4-moderate"),
    pytest.param("6", "moderate", id="6-moderate"),
    pytest.param("7", "severe", id="7-severe"),
    pytest.param("10", "severe", id="10-severe"),
]


@pytest.mark.parametrize(("answer", "severity"), NRS)
def test_nrs_bands(run, answer, severity):
    result = run("nrs-pain", answer)
    assert (result.total, result.severity) == (int(answer), severity)


def test_nrs_records_anchor_and_rejects_11(run):
    assert run("nrs-pain", "5", anchor="average_7d").parameters["anchor"] == "average_7d"
    with pytest.raises(Invalid, match="item 1"):
        run("nrs-pain", "11")
    assert run("nrs-pain", "").valid is False
