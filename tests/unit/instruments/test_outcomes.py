"""Response / remission helpers.

Sources: docs/clinical/outcomes.md#response-and-remission-definitions,
docs/clinical/outcomes.md#rule-38; docs/clinical/instruments.md#special-scoring-rules.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.instruments import load_catalogue
from ketacare.core.instruments.outcomes import is_remission, is_response, reduction_fraction

REMISSION = [
    pytest.param("phq9", 4, None, True, id="phq9-4-remitted"),
    pytest.param("phq9", 5, None, False, id="phq9-5-not"),
    pytest.param("qids-sr16", 5, None, True, id="qids-5-remitted"),
    pytest.param("qids-sr16", 6, None, False, id="qids-6-not"),
    pytest.param("madrs", 10, None, True, id="madrs-10-default"),
    pytest.param("madrs", 11, None, False, id="madrs-11-not-by-default"),
    pytest.param("madrs", 12, 12, True, id="madrs-12-janssen-cut"),
    pytest.param("hamd17", 7, None, True, id="hamd-7"),
    pytest.param("hamd17", 8, None, False, id="hamd-8"),
    pytest.param("bdi2", 12, None, True, id="bdi-12"),
    pytest.param("bdi2", 13, None, False, id="bdi-13"),
    pytest.param("gad7", 4, None, True, id="gad7-4"),
    pytest.param("fiqr", 23.5, None, False, id="fiqr-23.5"),
]


@pytest.mark.parametrize(("instrument_id", "value", "cut", "expected"), REMISSION)
def test_remission(instrument_id, value, cut, expected):
    assert is_remission(load_catalogue().get(instrument_id), score=value, cut=cut) is expected


RESPONSE = [
    pytest.param("madrs", 30, 15, None, True, id="madrs-50pct"),
    pytest.param("madrs", 30, 16, None, False, id="madrs-47pct"),
    pytest.param("phq9", 20, 10, None, True, id="phq9-50pct"),
    pytest.param("nrs-pain", 10, 7, None, True, id="nrs-30pct"),
    pytest.param("nrs-pain", 10, 7, 0.5, False, id="nrs-substantial-50pct"),
    pytest.param("pcl5", 50, 35, None, True, id="pcl5-30pct"),
    pytest.param("lsas", 100, 65, None, False, id="lsas-35pct-needs-more"),
    pytest.param("lsas", 100, 64, None, True, id="lsas-36pct"),
    pytest.param("phq9", 10, 12, None, False, id="worse"),
]


@pytest.mark.parametrize(("instrument_id", "baseline", "current", "override", "expected"), RESPONSE)
def test_response(instrument_id, baseline, current, override, expected):
    instrument = load_catalogue().get(instrument_id)
    assert (
        is_response(instrument, baseline=baseline, current=current, min_reduction_fraction=override)
        is expected
    )


def test_screeners_have_no_outcome_rules():
    with pytest.raises(RuleViolation):
        is_response(load_catalogue().get("dn4"), baseline=5, current=1)
    with pytest.raises(RuleViolation):
        is_remission(load_catalogue().get("cssrs-screener"), score=0)


def test_zero_baseline_is_refused():
    with pytest.raises(Invalid):
        reduction_fraction(baseline=0, current=0)
