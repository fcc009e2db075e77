"""Clinical quantities: exact Decimal values, unit algebra and directional rounding."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.units import (
    Quantity,
    Unit,
    kg,
    mg,
    mg_per_kg,
    mg_per_ml,
    minutes,
    ml,
    round_down,
    round_up,
    to_decimal,
)

D = Decimal  # short alias keeps the worked-example tables readable


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(0.1, D("0.1"), id="float-via-str"),
        pytest.param("0.35", D("0.35"), id="string"),
        pytest.param(80, D(80), id="int"),
        pytest.param(D("1.5"), D("1.5"), id="decimal"),
    ],
)
def test_to_decimal(value: float | str, expected: D) -> None:
    assert to_decimal(value, field="x") == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("inf"), id="inf"),
        pytest.param("abc", id="text"),
        pytest.param(True, id="bool"),
    ],
)
def test_to_decimal_refuses_non_numbers(value: float | str) -> None:
    with pytest.raises(Invalid) as info:
        to_decimal(value, field="weight_kg")
    assert info.value.field == "weight_kg"


@pytest.mark.parametrize(
    ("value", "step", "down", "up"),
    [
        pytest.param("36.65", "0.1", "36.6", "36.7", id="dose-0.1mg"),
        pytest.param("1.05", "0.1", "1.0", "1.1", id="rate-0.1mlh"),
        pytest.param("0.366", "0.01", "0.36", "0.37", id="volume-0.01ml"),
        pytest.param("40", "0.1", "40.0", "40.0", id="exact"),
    ],
)
def test_directional_rounding(value: str, step: str, down: str, up: str) -> None:
    assert round_down(D(value), D(step)) == D(down)
    assert round_up(D(value), D(step)) == D(up)


@pytest.mark.parametrize(
    ("left", "op", "right", "expected"),
    [
        pytest.param(mg_per_kg("0.5"), "times", kg(80), mg(40), id="mg/kg x kg"),
        pytest.param(kg(80), "times", mg_per_kg("0.5"), mg(40), id="kg x mg/kg"),
        pytest.param(mg(40), "per", mg_per_ml(10), ml(4), id="mg / mg/mL"),
        pytest.param(mg(40), "per", minutes(40), Quantity(D(1), Unit.MG_PER_MIN), id="mg / min"),
        pytest.param(mg(40), "per", ml(100), mg_per_ml("0.4"), id="mg / mL"),
    ],
)
def test_unit_algebra(left: Quantity, op: str, right: Quantity, expected: Quantity) -> None:
    result = left.times(right) if op == "times" else left.per(right)
    assert result == expected


def test_conversion_mg_per_min_to_mg_per_h() -> None:
    rate = Quantity(D(1), Unit.MG_PER_MIN)
    assert rate.to(Unit.MG_PER_H) == Quantity(D(60), Unit.MG_PER_H)
    assert rate.to(Unit.MG_PER_H).to(Unit.MG_PER_MIN) == rate


@pytest.mark.parametrize(
    "action",
    [
        pytest.param(lambda: mg(1) + ml(1), id="add-mg-ml"),
        pytest.param(lambda: mg(1) < kg(1), id="compare-mg-kg"),
        pytest.param(lambda: mg(1).times(mg(1)), id="mg-x-mg"),
        pytest.param(lambda: ml(1).per(mg(1)), id="ml-per-mg"),
        pytest.param(lambda: mg(1).to(Unit.ML), id="convert-mg-ml"),
        pytest.param(lambda: Quantity(0.1, Unit.MG), id="float-value"),  # type: ignore[arg-type]  # a float on purpose
    ],
)
def test_unit_slips_raise(action: Callable[[], object]) -> None:
    with pytest.raises(TypeError):
        action()


def test_same_unit_arithmetic_and_display() -> None:
    assert mg(40) + mg("0.5") == mg("40.5")
    assert mg(40) - mg(1) == mg(39)
    assert mg(1) <= mg(1)
    assert mg(1) < mg(2)
    assert mg(1).to(Unit.MG) == mg(1)
    assert mg("36.61").round_up(D("0.1")) == mg("36.7")
    assert mg("36.69").round_down(D("0.1")) == mg("36.6")
    assert mg(40).scaled(D("0.5")) == mg(20)
    assert str(mg("40.50")) == "40.5 mg"


def test_division_by_zero_quantity_raises() -> None:
    with pytest.raises(ZeroDivisionError):
        mg(40).per(mg_per_ml(0))
