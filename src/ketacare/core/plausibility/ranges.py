"""A plausible range: the values a measurement can take in a living person at the clinic.

These are not clinical thresholds (those raise alerts and live in ``core/session``); they refuse
typing slips (a missing digit, a unit mix-up, swapped fields) before anything is stored. Each
range states its basis next to its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ketacare.core.errors import Invalid

Number = int | Decimal

OUT_OF_RANGE = "plausibility.out_of_range"


@dataclass(frozen=True, slots=True)
class Range:
    """Inclusive bounds of one quantity, in one unit, with the reason for them."""

    label: str
    low: Decimal
    high: Decimal
    unit: str
    basis: str

    def check(self, field: str, value: Number) -> None:
        """Raise ``Invalid`` naming ``field`` when ``value`` lies outside the range.

        Raises:
            Invalid: ``plausibility.out_of_range`` with a message in plain words.
        """
        if not self.low <= Decimal(value) <= self.high:
            raise Invalid(OUT_OF_RANGE, self.message(), field=field)

    def message(self) -> str:
        """The refusal in plain words, e.g. "Heart rate must be between 10 and 300 /min."."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.label} must be between {_plain(self.low)} and {_plain(self.high)}{unit}."


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def span(label: str, low: str | int, high: str | int, unit: str, basis: str) -> Range:
    """Build a ``Range`` from literal bounds."""
    return Range(label, Decimal(low), Decimal(high), unit, basis)
