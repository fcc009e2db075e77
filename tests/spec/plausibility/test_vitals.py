"""Spec: plausible vital signs at their edges (ketacare.core.plausibility.vitals)."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.plausibility import check_blood_pressure, check_vitals

# Columns: systolic, diastolic, refused field (None = accepted).
BLOOD_PRESSURE = [
    (120, 80, None),
    (300, 200, None),  # top of the cuff scale, diastolic at its ceiling
    (30, 10, None),  # both floors
    (31, 30, None),  # diastolic just below systolic
    (301, 80, "systolic"),
    (29, 10, "systolic"),
    (120, 9, "diastolic"),
    (250, 201, "diastolic"),
    (80, 120, "diastolic"),  # swapped: diastolic above systolic
    (120, 120, "diastolic"),  # equal: not a pressure wave
    (400, 300, "systolic"),
    (None, 80, None),  # one value alone is checked only against its range
    (120, None, None),
]


@pytest.mark.parametrize(("systolic", "diastolic", "field"), BLOOD_PRESSURE)
def test_blood_pressure_pairs(
    systolic: int | None, diastolic: int | None, field: str | None
) -> None:
    if field is None:
        check_blood_pressure(systolic, diastolic)
        return
    with pytest.raises(Invalid) as refused:
        check_blood_pressure(systolic, diastolic)
    assert refused.value.field == field
    assert "plausibility" not in refused.value.message  # plain words, no internal code


# Columns: field, lowest accepted, highest accepted.
RANGES = [
    ("heart_rate", 10, 300),
    ("spo2", 1, 100),
    ("respiratory_rate", 0, 80),
    ("systolic", 30, 300),
    ("diastolic", 10, 200),
]


@pytest.mark.parametrize(("field", "low", "high"), RANGES)
def test_each_vital_at_its_edges(field: str, low: int, high: int) -> None:
    check_vitals({field: low})
    check_vitals({field: high})
    for outside in (low - 1, high + 1):
        with pytest.raises(Invalid) as refused:
            check_vitals({field: outside})
        assert refused.value.field == field
        assert f"between {low} and {high}" in refused.value.message


def test_the_pair_message_names_both_values() -> None:
    with pytest.raises(Invalid) as refused:
        check_vitals({"systolic": 80, "diastolic": 120, "heart_rate": 70})
    assert refused.value.message.startswith("Diastolic (120) must be lower than systolic (80)")
