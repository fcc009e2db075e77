"""Dose limits as data: one soft range and one hard ceiling per quantity, each with its source.

A protocol's ``dose_rule.limits`` maps a ``LimitName`` to ``{"soft": {...}, "hard": {...}}``:

- *soft* (``Range``, min and/or max): inside it no reason is needed; outside it the order is
  allowed with a prescriber's written reason (a ``Finding`` with ``requires_override=True``);
- *hard* (``Limit``, a maximum): above it the order is refused (``RuleViolation
  "dose.hard_limit"`` whose ``field`` is the input at fault and ``limit`` the limit's name).

A limit with only a hard ceiling has no band that needs a reason: everything up to the ceiling is
allowed. Limits must agree: a soft maximum above its own hard ceiling is refused when the protocol
is read. Ceilings that no publication states directly are *derived* from cited figures (the
``derived`` flag is set and the source says from what) and are clinic-editable (``config``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ketacare.core.dosing.fields import Fields, invalid


def num_text(value: Decimal | None) -> str | None:
    """A decimal as a plain string (no exponent), or None."""
    return None if value is None else format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class Limit:
    """One threshold with its source.

    ``config`` marks a clinic-editable default; ``derived`` marks a figure computed from cited
    figures rather than stated by a publication (the source says from what).
    """

    value: Decimal
    source: str
    config: bool = False
    derived: bool = False

    @classmethod
    def parse(cls, fields: Fields) -> Limit:
        """Parse ``{"value", "source", "config", "derived"}``."""
        return cls(
            fields.number("value"),
            fields.text("source"),
            fields.flag("config"),
            fields.flag("derived"),
        )

    @classmethod
    def read(cls, fields: Fields | None) -> Limit | None:
        """Parse an optional limit (None when absent)."""
        return None if fields is None else cls.parse(fields)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (numbers as decimal strings, so nothing is lost)."""
        data: dict[str, Any] = {
            "value": num_text(self.value),
            "source": self.source,
            "config": self.config,
        }
        if self.derived:
            data["derived"] = True
        return data


@dataclass(frozen=True, slots=True)
class Range:
    """A closed interval ``[low, high]``; either end may be open (None)."""

    low: Decimal | None
    high: Decimal | None
    source: str
    config: bool = False
    derived: bool = False

    @classmethod
    def read(cls, fields: Fields | None) -> Range | None:
        """Parse ``{"min", "max", "source", "config", "derived"}`` or return None when absent."""
        if fields is None:
            return None
        low, high = fields.opt_number("min"), fields.opt_number("max")
        if low is None and high is None:
            raise invalid(fields.path("min"), "a range needs min or max")
        if low is not None and high is not None and low > high:
            raise invalid(fields.path("max"), "must not be below min")
        return cls(low, high, fields.text("source"), fields.flag("config"), fields.flag("derived"))

    def contains(self, value: Decimal) -> bool:
        """Whether ``value`` lies within the range (ends inclusive)."""
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data: dict[str, Any] = {
            "min": num_text(self.low),
            "max": num_text(self.high),
            "source": self.source,
            "config": self.config,
        }
        if self.derived:
            data["derived"] = True
        return data


@dataclass(frozen=True, slots=True)
class PriorDose:
    """Another booked or given session of the patient: its date and its ordered mg."""

    on: date
    mg: Decimal


@dataclass(frozen=True, slots=True)
class LimitCheck:
    """One limit as applied to one order (the ``limits`` list of the output).

    Attributes:
        name: a ``LimitName`` value.
        value: this order's figure (None when it does not apply, e.g. no bolus ordered).
        soft: ``(min, max)`` of the soft range (either may be None), or None if there is none.
        hard: ``(None, max)``: hard limits are ceilings; None if there is none.
        unit: unit of ``value`` and the bounds.
        source: the sources of the bounds.
        config: whether a bound is a clinic-editable default.
        derived: whether a bound is computed from cited figures rather than stated by one.
    """

    name: str
    value: Decimal | None
    soft: tuple[Decimal | None, Decimal | None] | None
    hard: tuple[Decimal | None, Decimal | None] | None
    unit: str
    source: str
    config: bool = False
    derived: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form: bounds are ``{"min", "max"}`` objects (or null), numbers floats."""
        return {
            "name": self.name,
            "value": _float(self.value),
            "soft": _bounds(self.soft),
            "hard": _bounds(self.hard),
            "unit": self.unit,
            "source": self.source,
            "config": self.config,
            "derived": self.derived,
        }


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _bounds(pair: tuple[Decimal | None, Decimal | None] | None) -> dict[str, float | None] | None:
    return None if pair is None else {"min": _float(pair[0]), "max": _float(pair[1])}


class LimitName(StrEnum):
    """The quantities a protocol may limit (also the ``field`` of a hard-limit refusal)."""

    MG_PER_KG = "mg_per_kg"  # session total (infusion + bolus) per kg
    RATE_MG_PER_KG_PER_H = "rate_mg_per_kg_per_h"
    RATE_MG_PER_H = "rate_mg_per_h"
    DURATION_MIN = "duration_min"
    BOLUS_MG_PER_KG = "bolus_mg_per_kg"
    MG_PER_SESSION = "mg_per_session"
    MG_PER_DAY = "mg_per_day"
    MG_PER_7_DAYS = "mg_per_7_days"


UNITS: Mapping[LimitName, str] = {
    LimitName.MG_PER_KG: "mg/kg",
    LimitName.RATE_MG_PER_KG_PER_H: "mg/kg/h",
    LimitName.RATE_MG_PER_H: "mg/h",
    LimitName.DURATION_MIN: "min",
    LimitName.BOLUS_MG_PER_KG: "mg/kg",
    LimitName.MG_PER_SESSION: "mg",
    LimitName.MG_PER_DAY: "mg",
    LimitName.MG_PER_7_DAYS: "mg",
}


@dataclass(frozen=True, slots=True)
class DoseLimit:
    """The soft range and the hard ceiling of one quantity (either may be absent)."""

    soft: Range | None
    hard: Limit | None

    @classmethod
    def read(cls, f: Fields) -> DoseLimit:
        """Parse ``{"soft": {"min", "max", ...}, "hard": {"value", ...}}`` (each bound optional)."""
        limit = cls(Range.read(f.opt_child("soft")), Limit.read(f.opt_child("hard")))
        if limit.soft is None and limit.hard is None:
            raise invalid(f.path("hard"), "a limit needs a soft range or a hard ceiling")
        soft, hard = limit.soft, limit.hard
        if soft is not None and hard is not None:
            top = soft.high if soft.high is not None else soft.low
            if top is not None and top > hard.value:
                raise invalid(f.path("soft"), "the soft range must lie below the hard ceiling")
        return limit

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, readable back by ``read``."""
        return {
            "soft": None if self.soft is None else self.soft.to_dict(),
            "hard": None if self.hard is None else self.hard.to_dict(),
        }

    @property
    def source(self) -> str:
        """The sources of both bounds, labelled."""
        parts = [f"soft: {self.soft.source}"] if self.soft else []
        parts += [f"hard: {self.hard.source}"] if self.hard else []
        return "; ".join(parts)


Limits = Mapping[LimitName, DoseLimit]


def read_limits(f: Fields | None) -> dict[LimitName, DoseLimit]:
    """Parse a ``limits`` object; unknown names are refused so a typo cannot drop a limit."""
    if f is None:
        return {}
    result: dict[LimitName, DoseLimit] = {}
    for key in f.names():
        if key not in {name.value for name in LimitName}:
            raise invalid(f.path(key), f"unknown limit; one of {', '.join(LimitName)}")
        result[LimitName(key)] = DoseLimit.read(f.child(key))
    return result


def limits_to_dict(limits: Limits) -> dict[str, Any]:
    """JSON-ready form of a limits table."""
    return {name.value: limit.to_dict() for name, limit in limits.items()}


def hard_value(limits: Limits, name: LimitName) -> Decimal | None:
    """The hard ceiling of ``name``, if the protocol sets one."""
    limit = limits.get(name)
    return None if limit is None or limit.hard is None else limit.hard.value
