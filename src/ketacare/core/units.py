"""Clinical quantities as ``Decimal`` + unit value objects.

Doses, weights, volumes, concentrations and rates are never bare floats in the core: a bare number
loses its unit, and binary floating point turns 0.1 mg into 0.1000000000000000055 mg. A
``Quantity`` keeps an exact ``Decimal`` together with its ``Unit``; arithmetic between quantities
is only allowed where the unit algebra is known (``mg / (mg/mL) -> mL``), so a unit slip raises.

Rounding is explicit and directional (``round_down``/``round_up``) because in dosing the direction
matters more than the precision: see ``ketacare.core.dosing.pump`` for the safe-direction rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from enum import StrEnum

from ketacare.core.errors import Invalid

MINUTES_PER_HOUR = Decimal(60)


class Unit(StrEnum):
    """Units used by the dosing core (UCUM-like spelling)."""

    MG = "mg"
    KG = "kg"
    CM = "cm"
    ML = "mL"
    MIN = "min"
    MG_PER_KG = "mg/kg"
    MG_PER_ML = "mg/mL"
    MG_PER_MIN = "mg/min"
    MG_PER_H = "mg/h"
    MG_PER_KG_PER_H = "mg/kg/h"
    ML_PER_H = "mL/h"


# (numerator unit, denominator unit) -> unit of the quotient.
_QUOTIENTS: dict[tuple[Unit, Unit], Unit] = {
    (Unit.MG, Unit.KG): Unit.MG_PER_KG,
    (Unit.MG, Unit.ML): Unit.MG_PER_ML,
    (Unit.MG, Unit.MG_PER_ML): Unit.ML,
    (Unit.MG, Unit.MIN): Unit.MG_PER_MIN,
    (Unit.MG_PER_H, Unit.KG): Unit.MG_PER_KG_PER_H,
}

# (unit, unit) -> unit of the product (both orders are looked up).
_PRODUCTS: dict[tuple[Unit, Unit], Unit] = {
    (Unit.MG_PER_KG, Unit.KG): Unit.MG,
    (Unit.MG_PER_ML, Unit.ML): Unit.MG,
    (Unit.MG_PER_MIN, Unit.MIN): Unit.MG,
    (Unit.MG_PER_KG_PER_H, Unit.KG): Unit.MG_PER_H,
}

# Same-dimension conversions: (from, to) -> factor to multiply by.
_CONVERSIONS: dict[tuple[Unit, Unit], Decimal] = {
    (Unit.MG_PER_MIN, Unit.MG_PER_H): MINUTES_PER_HOUR,
    (Unit.MG_PER_H, Unit.MG_PER_MIN): 1 / MINUTES_PER_HOUR,
}


def to_decimal(value: Decimal | int | float | str, *, field: str) -> Decimal:
    """Convert ``value`` to a finite ``Decimal``.

    Floats are converted through ``str`` so that ``0.1`` becomes ``Decimal("0.1")``, not its
    binary expansion. Booleans, NaN, infinities and unparsable strings are refused.

    Raises:
        Invalid: ``units.not_a_number`` naming ``field``.
    """
    if isinstance(value, bool):
        raise Invalid("units.not_a_number", f"{field} must be a number", field=field)
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Invalid("units.not_a_number", f"{field} must be a number", field=field) from None
    if not result.is_finite():
        raise Invalid("units.not_a_number", f"{field} must be a finite number", field=field)
    return result


def round_down(value: Decimal, step: Decimal) -> Decimal:
    """Round ``value`` down (towards minus infinity) to a multiple of ``step``."""
    return (value / step).to_integral_value(rounding=ROUND_FLOOR) * step


def round_up(value: Decimal, step: Decimal) -> Decimal:
    """Round ``value`` up (towards plus infinity) to a multiple of ``step``."""
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


@dataclass(frozen=True, slots=True)
class Quantity:
    """An exact amount with its unit, e.g. ``Quantity(Decimal("40"), Unit.MG)``."""

    value: Decimal
    unit: Unit

    def __post_init__(self) -> None:
        """Refuse non-Decimal or non-finite values, so a float can never sneak in."""
        if not isinstance(self.value, Decimal) or not self.value.is_finite():
            msg = f"Quantity value must be a finite Decimal, got {self.value!r}"
            raise TypeError(msg)

    def __str__(self) -> str:
        """Human-readable form without exponent noise, e.g. ``"40 mg"``."""
        return f"{format(self.value.normalize(), 'f')} {self.unit}"

    def _same_unit(self, other: Quantity) -> None:
        if self.unit is not other.unit:
            msg = f"unit mismatch: {self.unit} vs {other.unit}"
            raise TypeError(msg)

    def __add__(self, other: Quantity) -> Quantity:
        """Sum of two quantities of the same unit."""
        self._same_unit(other)
        return Quantity(self.value + other.value, self.unit)

    def __sub__(self, other: Quantity) -> Quantity:
        """Difference of two quantities of the same unit."""
        self._same_unit(other)
        return Quantity(self.value - other.value, self.unit)

    def __lt__(self, other: Quantity) -> bool:
        """Order quantities of the same unit."""
        self._same_unit(other)
        return self.value < other.value

    def __le__(self, other: Quantity) -> bool:
        """Order quantities of the same unit."""
        self._same_unit(other)
        return self.value <= other.value

    def scaled(self, factor: Decimal) -> Quantity:
        """Multiply by a dimensionless ``factor``."""
        return Quantity(self.value * factor, self.unit)

    def times(self, other: Quantity) -> Quantity:
        """Product with a known unit algebra (``mg/kg x kg -> mg``)."""
        unit = _PRODUCTS.get((self.unit, other.unit)) or _PRODUCTS.get((other.unit, self.unit))
        if unit is None:
            msg = f"no product unit for {self.unit} x {other.unit}"
            raise TypeError(msg)
        return Quantity(self.value * other.value, unit)

    def per(self, other: Quantity) -> Quantity:
        """Quotient with a known unit algebra (``mg / (mg/mL) -> mL``)."""
        unit = _QUOTIENTS.get((self.unit, other.unit))
        if unit is None:
            msg = f"no quotient unit for {self.unit} / {other.unit}"
            raise TypeError(msg)
        if other.value == 0:
            msg = "division by a zero quantity"
            raise ZeroDivisionError(msg)
        return Quantity(self.value / other.value, unit)

    def to(self, unit: Unit) -> Quantity:
        """Convert to another unit of the same dimension (``mg/min -> mg/h``)."""
        if unit is self.unit:
            return self
        factor = _CONVERSIONS.get((self.unit, unit))
        if factor is None:
            msg = f"cannot convert {self.unit} to {unit}"
            raise TypeError(msg)
        return Quantity(self.value * factor, unit)

    def round_down(self, step: Decimal) -> Quantity:
        """Round down to a multiple of ``step`` (the safe direction for doses and rates)."""
        return Quantity(round_down(self.value, step), self.unit)

    def round_up(self, step: Decimal) -> Quantity:
        """Round up to a multiple of ``step``."""
        return Quantity(round_up(self.value, step), self.unit)

    def as_float(self) -> float:
        """The value as a float, for JSON output only (never for further arithmetic)."""
        return float(self.value)


def mg(value: Decimal | int | str) -> Quantity:
    """Milligrams."""
    return Quantity(Decimal(value), Unit.MG)


def kg(value: Decimal | int | str) -> Quantity:
    """Kilograms."""
    return Quantity(Decimal(value), Unit.KG)


def ml(value: Decimal | int | str) -> Quantity:
    """Millilitres."""
    return Quantity(Decimal(value), Unit.ML)


def minutes(value: Decimal | int | str) -> Quantity:
    """Minutes."""
    return Quantity(Decimal(value), Unit.MIN)


def mg_per_ml(value: Decimal | int | str) -> Quantity:
    """Concentration in mg/mL."""
    return Quantity(Decimal(value), Unit.MG_PER_ML)


def mg_per_kg(value: Decimal | int | str) -> Quantity:
    """Weight-based dose in mg/kg."""
    return Quantity(Decimal(value), Unit.MG_PER_KG)
