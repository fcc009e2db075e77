"""Spec: the vital-signs value object refuses impossible values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.session.model import VitalsReading, latest

AT = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"sbp": -1}, "vitals.negative_value"),
        ({"rr": -1}, "vitals.negative_value"),
        ({"spo2": 101}, "vitals.spo2_out_of_range"),
    ],
    ids=["negative-sbp", "negative-rr", "spo2-over-100"],
)
def test_impossible_values(kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(Invalid) as err:
        VitalsReading(AT, **kwargs)
    assert err.value.code == code


def test_naive_time_is_refused() -> None:
    with pytest.raises(Invalid) as err:
        VitalsReading(datetime(2025, 3, 4, 9, 0))  # noqa: DTZ001 - the naive time under test
    assert err.value.code == "session.naive_datetime"


def test_bp_needs_both_pressures_and_latest_picks_the_newest() -> None:
    assert not VitalsReading(AT, sbp=120).has_bp
    assert VitalsReading(AT, sbp=120, dbp=80).has_bp
    older = VitalsReading(AT.replace(hour=8))
    assert latest([VitalsReading(AT), older]) == VitalsReading(AT)
    assert latest([]) is None
