"""ScreeningConfig: documented defaults from the reference, and refusal of impossible settings."""

from __future__ import annotations

import pytest

from ketacare.core.eligibility import DEFAULT_CONFIG, ScreeningConfig, Severity
from ketacare.core.errors import Invalid


def test_defaults_follow_the_reference():
    assert DEFAULT_CONFIG.trd_min_failed_trials == 2
    assert DEFAULT_CONFIG.trd_min_weeks == 4
    assert DEFAULT_CONFIG.trd_non_response_below_percent == 25
    assert (DEFAULT_CONFIG.bp_systolic_above, DEFAULT_CONFIG.bp_diastolic_above) == (140, 90)
    assert DEFAULT_CONFIG.dast10_review_from == 3
    assert (DEFAULT_CONFIG.auditc_positive_male, DEFAULT_CONFIG.auditc_positive_female) == (4, 3)
    assert DEFAULT_CONFIG.iv_mirrors_esketamine_absolute is True
    assert DEFAULT_CONFIG.trd_not_met_severity is Severity.REVIEW


BAD_CONFIG_TABLE = [
    ("trd_min_failed_trials", 0),
    ("trd_min_weeks", 0),
    ("trd_non_response_below_percent", 0),
    ("trd_non_response_below_percent", 101),
    ("trd_not_met_severity", Severity.INFO),
    ("bp_systolic_above", 0),
    ("bp_diastolic_above", -1),
    ("dast10_review_from", 11),
    ("auditc_positive_male", 13),
    ("auditc_positive_female", 0),
    ("auditc_positive_other", 0),
]


@pytest.mark.parametrize(
    ("name", "value"), BAD_CONFIG_TABLE, ids=[f"{n}={v}" for n, v in BAD_CONFIG_TABLE]
)
def test_impossible_settings_are_refused(name, value):
    with pytest.raises(Invalid) as caught:
        ScreeningConfig(**{name: value})
    assert caught.value.code == "eligibility.config_invalid"
    assert caught.value.field == name
