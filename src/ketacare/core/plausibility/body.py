"""Plausible body measurements: weight, height and the BMI computed from them.

The ranges span the extremes of recorded human size, so no real adult is refused while unit
slips (pounds for kilograms, metres or inches for centimetres) are caught.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ketacare.core.codes import MeasurementKind
from ketacare.core.errors import Invalid
from ketacare.core.plausibility.ranges import Range, span

# Guinness World Records: lightest adult Lucia Zarate (2.1 kg at 17 years), heaviest Jon
# Brower Minnoch (about 635 kg, 1978); bounds are rounded outwards.
WEIGHT_KG = span("Weight", 2, 650, "kg", "Guinness records: Zarate 2.1 kg, Minnoch ~635 kg")
# Guinness World Records: shortest adult Chandra Bahadur Dangi (54.6 cm), tallest Robert
# Wadlow (272 cm); bounds rounded outwards.
HEIGHT_CM = span("Height", 50, 275, "cm", "Guinness records: Dangi 54.6 cm, Wadlow 272 cm")
# WHO BMI classes (WHO Technical Report Series 894, 2000, table 2.1) run from severe thinness
# (< 16) to obesity class III (>= 40); the record people above give the outer bounds:
# Minnoch about 635 kg at 185 cm is BMI ~186. The floor of 7 kg/m2 is CONFIG (below any
# survival reported in starvation); a pair outside 7-200 is a weight and a height that cannot
# belong to one person.
BMI = span("BMI", 7, 200, "kg/m²", "WHO TRS 894 classes; outer bounds from records; CONFIG")

MEASUREMENT_RANGES: Mapping[MeasurementKind, Range] = {
    MeasurementKind.WEIGHT: WEIGHT_KG,
    MeasurementKind.HEIGHT: HEIGHT_CM,
}

_CM_PER_M = Decimal(100)


def check_measurement(kind: MeasurementKind, value: Decimal, *, field: str = "value") -> None:
    """Raise ``Invalid`` unless ``value`` is a plausible weight (kg) or height (cm)."""
    MEASUREMENT_RANGES[kind].check(field, value)


def check_weight(value: Decimal, *, field: str = "weight_kg") -> None:
    """Raise ``Invalid`` unless ``value`` kg is a plausible body weight."""
    WEIGHT_KG.check(field, value)


def check_height(value: Decimal, *, field: str = "height_cm") -> None:
    """Raise ``Invalid`` unless ``value`` cm is a plausible body height."""
    HEIGHT_CM.check(field, value)


def bmi(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    """Body-mass index in kg/m² (weight / height², WHO TRS 894), to one decimal."""
    metres = height_cm / _CM_PER_M
    return (weight_kg / (metres * metres)).quantize(Decimal("0.1"))


def check_body(
    weight_kg: Decimal | None, height_cm: Decimal | None, *, field: str = "weight_kg"
) -> None:
    """Check weight and height, and their BMI when both are known.

    Raises:
        Invalid: naming the implausible field (``field`` for the BMI of the pair).
    """
    if weight_kg is not None:
        check_weight(weight_kg)
    if height_cm is not None:
        check_height(height_cm)
    if weight_kg is None or height_cm is None:
        return
    value = bmi(weight_kg, height_cm)
    if not BMI.low <= value <= BMI.high:
        raise Invalid(
            "plausibility.bmi",
            f"A weight of {weight_kg} kg and a height of {height_cm} cm give a BMI of {value}, "
            f"which no person has; {BMI.message()} Check both values.",
            field=field,
        )
