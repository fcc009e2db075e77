"""DN4: count of yes (0-10); >=4 neuropathic pain likely; interview subscale.

Source: docs/clinical/instruments.md#dn4.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


DN4 = [
    pytest.param(repeat("no", 10), 0, "unlikely", id="all-no"),
    pytest.param("yes,yes,yes,no,no,no,no,no,no,no", 3, "unlikely", id="edge-3"),
    pytest.param("yes,yes,yes,no,no,no,no,yes,no,no", 4, "likely", id="edge-4-likely"),
    pytest.param(repeat("yes", 10), 10, "likely", id="all-yes"),
    pytest.param("1,1,1,1,0,0,0,0,0,0", 4, "likely", id="1-0-accepted"),
]


@pytest.mark.parametrize(("answers", "total", "severity"), DN4)
def test_dn4(run, answers, total, severity):
    result = run("dn4", answers)
    assert (result.total, result.severity) == (total, severity)


def test_dn4_interview_subscale(run):
    assert run("dn4", "yes,yes,yes,no,no,no,no,yes,yes,yes").subscales["interview"] == 3


def test_dn4_rejects_number_2(run):
    with pytest.raises(Invalid, match="item 1"):
        run("dn4", "2," + repeat("no", 9))
