"""Spec: plausible weight, height and BMI at their edges (ketacare.core.plausibility.body)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketacare.core.codes import MeasurementKind
from ketacare.core.errors import Invalid
from ketacare.core.plausibility import bmi, check_body, check_measurement

D = Decimal
W, H = MeasurementKind.WEIGHT, MeasurementKind.HEIGHT

# Columns: kind, value, accepted.
MEASUREMENTS = [
    (W, D("2"), True),  # Guinness: lightest adult ~2.1 kg
    (W, D("650"), True),  # Guinness: heaviest ~635 kg
    (W, D("1.99"), False),
    (W, D("650.01"), False),
    (W, D("0"), False),
    (H, D("50"), True),  # Guinness: shortest adult 54.6 cm
    (H, D("275"), True),  # Guinness: tallest 272 cm
    (H, D("49.99"), False),
    (H, D("275.01"), False),
    (H, D("0.3"), False),  # the reported slip
    (H, D("1.75"), False),  # metres for centimetres
]


@pytest.mark.parametrize(("kind", "value", "accepted"), MEASUREMENTS)
def test_measurement_edges(kind: MeasurementKind, value: Decimal, accepted: bool) -> None:
    if accepted:
        check_measurement(kind, value)
        return
    with pytest.raises(Invalid) as refused:
        check_measurement(kind, value)
    assert refused.value.field == "value"


# Columns: weight kg, height cm, BMI, accepted.
PAIRS = [
    (D("70"), D("175"), D("22.9"), True),
    (D("635"), D("185"), D("185.5"), True),  # Minnoch-sized
    (D("20"), D("170"), D("6.9"), False),  # below 7 kg/m2
    (D("600"), D("160"), D("234.4"), False),  # above 200 kg/m2
    (D("2"), D("270"), D("0.3"), False),
]


@pytest.mark.parametrize(("weight", "height", "value", "accepted"), PAIRS)
def test_bmi_of_a_pair(weight: Decimal, height: Decimal, value: Decimal, accepted: bool) -> None:
    assert bmi(weight, height) == value
    if accepted:
        check_body(weight, height)
        return
    with pytest.raises(Invalid) as refused:
        check_body(weight, height)
    assert refused.value.field == "weight_kg"
    assert f"BMI of {value}" in refused.value.message


def test_either_value_alone_is_checked_without_bmi() -> None:
    check_body(D("70"), None)
    check_body(None, D("175"))
    with pytest.raises(Invalid) as refused:
        check_body(None, D("0.3"))
    assert refused.value.field == "height_cm"
