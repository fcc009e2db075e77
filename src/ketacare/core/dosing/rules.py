"""Dose rules: the part of a protocol that says how much, how fast, and within which limits.

Two kinds exist:

- ``weight_based_infusion`` (IV ketamine): a dose in mg/kg (or a rate in mg/kg/h) over a duration.
  *Soft* limits (``soft_*``) may be exceeded with a documented prescriber reason; *hard* limits
  (``hard_*``, ``max_rate_mg_per_h``) block the order; ``warn_*`` limits only warn.
- ``fixed_device_dose`` (esketamine nasal spray): a fixed dose made of whole devices, not
  weight-based.

Every limit carries its ``source`` and a ``config`` flag (True where the reference marks it CONFIG
or [recall], i.e. a clinic-editable default).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ketacare.core.dosing.fields import Fields, invalid, parse_number
from ketacare.core.patients.body_weight import WeightBasis


class DoseRuleKind(StrEnum):
    """How a protocol's dose is determined."""

    WEIGHT_BASED_INFUSION = "weight_based_infusion"
    FIXED_DEVICE_DOSE = "fixed_device_dose"


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


@dataclass(frozen=True, slots=True)
class Limit:
    """One threshold with its source."""

    value: Decimal
    source: str
    config: bool = False

    @classmethod
    def parse(cls, fields: Fields) -> Limit:
        """Parse ``{"value", "source", "config"}``."""
        return cls(fields.number("value"), fields.text("source"), fields.flag("config"))

    @classmethod
    def read(cls, fields: Fields | None) -> Limit | None:
        """Parse an optional limit (None when absent)."""
        return None if fields is None else cls.parse(fields)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (numbers as decimal strings, so nothing is lost)."""
        return {"value": _num(self.value), "source": self.source, "config": self.config}


@dataclass(frozen=True, slots=True)
class Range:
    """A closed interval ``[low, high]``; either end may be open (None)."""

    low: Decimal | None
    high: Decimal | None
    source: str
    config: bool = False

    @classmethod
    def read(cls, fields: Fields | None) -> Range | None:
        """Parse ``{"min", "max", "source", "config"}`` or return None when absent."""
        if fields is None:
            return None
        low, high = fields.opt_number("min"), fields.opt_number("max")
        if low is None and high is None:
            raise invalid(fields.path("min"), "a range needs min or max")
        if low is not None and high is not None and low > high:
            raise invalid(fields.path("max"), "must not be below min")
        return cls(low, high, fields.text("source"), fields.flag("config"))

    def contains(self, value: Decimal) -> bool:
        """Whether ``value`` lies within the range (ends inclusive)."""
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "min": _num(self.low),
            "max": _num(self.high),
            "source": self.source,
            "config": self.config,
        }


def _opt(item: Limit | Range | None) -> dict[str, Any] | None:
    return None if item is None else item.to_dict()


@dataclass(frozen=True, slots=True)
class InfusionRule:
    """Weight-based IV infusion: dose (mg/kg) or rate (mg/kg/h) over a duration (min)."""

    default_weight_basis: WeightBasis
    default_duration_min: int | None
    default_mg_per_kg: Decimal | None
    default_rate_mg_per_kg_per_h: Decimal | None
    soft_mg_per_kg: Range | None
    soft_rate_mg_per_kg_per_h: Range | None
    soft_duration_min: Range | None
    hard_max_rate_mg_per_kg_per_h: Limit | None
    max_rate_mg_per_h: Limit | None
    warn_below_rate_mg_per_kg_per_h: Limit | None
    warn_below_total_mg: Limit | None
    warn_at_or_below_duration_min: Limit | None
    max_bolus_mg_per_kg: Limit | None
    source: str

    kind = DoseRuleKind.WEIGHT_BASED_INFUSION

    @classmethod
    def read(cls, f: Fields) -> InfusionRule:
        """Parse and validate the rule from a protocol's ``dose_rule`` object."""
        rule = cls(
            default_weight_basis=f.choice("default_weight_basis", WeightBasis),
            default_duration_min=f.opt_integer("default_duration_min"),
            default_mg_per_kg=f.opt_number("default_mg_per_kg"),
            default_rate_mg_per_kg_per_h=f.opt_number("default_rate_mg_per_kg_per_h"),
            soft_mg_per_kg=Range.read(f.opt_child("soft_mg_per_kg")),
            soft_rate_mg_per_kg_per_h=Range.read(f.opt_child("soft_rate_mg_per_kg_per_h")),
            soft_duration_min=Range.read(f.opt_child("soft_duration_min")),
            hard_max_rate_mg_per_kg_per_h=Limit.read(f.opt_child("hard_max_rate_mg_per_kg_per_h")),
            max_rate_mg_per_h=Limit.read(f.opt_child("max_rate_mg_per_h")),
            warn_below_rate_mg_per_kg_per_h=Limit.read(
                f.opt_child("warn_below_rate_mg_per_kg_per_h")
            ),
            warn_below_total_mg=Limit.read(f.opt_child("warn_below_total_mg")),
            warn_at_or_below_duration_min=Limit.read(f.opt_child("warn_at_or_below_duration_min")),
            max_bolus_mg_per_kg=Limit.read(f.opt_child("max_bolus_mg_per_kg")),
            source=f.text("source"),
        )
        if rule.default_mg_per_kg is not None and rule.default_rate_mg_per_kg_per_h is not None:
            raise invalid(f.path("default_rate_mg_per_kg_per_h"), "give a dose or a rate, not both")
        if rule.hard_max_rate_mg_per_kg_per_h is None:
            raise invalid(f.path("hard_max_rate_mg_per_kg_per_h"), "is required (hard ceiling)")
        return rule

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, readable back by ``read``."""
        return {
            "kind": self.kind.value,
            "default_weight_basis": self.default_weight_basis.value,
            "default_duration_min": self.default_duration_min,
            "default_mg_per_kg": _num(self.default_mg_per_kg),
            "default_rate_mg_per_kg_per_h": _num(self.default_rate_mg_per_kg_per_h),
            "soft_mg_per_kg": _opt(self.soft_mg_per_kg),
            "soft_rate_mg_per_kg_per_h": _opt(self.soft_rate_mg_per_kg_per_h),
            "soft_duration_min": _opt(self.soft_duration_min),
            "hard_max_rate_mg_per_kg_per_h": _opt(self.hard_max_rate_mg_per_kg_per_h),
            "max_rate_mg_per_h": _opt(self.max_rate_mg_per_h),
            "warn_below_rate_mg_per_kg_per_h": _opt(self.warn_below_rate_mg_per_kg_per_h),
            "warn_below_total_mg": _opt(self.warn_below_total_mg),
            "warn_at_or_below_duration_min": _opt(self.warn_at_or_below_duration_min),
            "max_bolus_mg_per_kg": _opt(self.max_bolus_mg_per_kg),
            "source": self.source,
        }

    def summary(self) -> str:
        """One-line description of the default dose for listings."""
        if self.default_mg_per_kg is not None:
            return f"{_num(self.default_mg_per_kg)} mg/kg over {self.default_duration_min} min"
        if self.default_rate_mg_per_kg_per_h is not None:
            cap = (
                f" (max {_num(self.max_rate_mg_per_h.value)} mg/h)"
                if self.max_rate_mg_per_h
                else ""
            )
            rate = _num(self.default_rate_mg_per_kg_per_h)
            return f"{rate} mg/kg/h over {self.default_duration_min} min{cap}"
        hard = self.hard_max_rate_mg_per_kg_per_h
        ceiling = f"up to {_num(hard.value)} mg/kg/h" if hard else "no ceiling"
        low = self.warn_below_rate_mg_per_kg_per_h
        floor = f", guideline from {_num(low.value)} mg/kg/h" if low else ""
        return f"prescriber-set dose and duration ({ceiling}{floor}); no default dose"


@dataclass(frozen=True, slots=True)
class DeviceRule:
    """Fixed dose in whole devices (esketamine nasal spray, 28 mg per device)."""

    device_mg: Decimal
    allowed_doses_mg: tuple[Decimal, ...]
    labelled_doses_mg: tuple[Decimal, ...]
    default_dose_mg: Decimal
    first_dose_mg: Decimal
    first_dose_max_mg: Decimal
    elderly_first_dose_mg: Limit | None
    elderly_age_years: int | None
    minutes_between_devices: Limit
    source: str

    kind = DoseRuleKind.FIXED_DEVICE_DOSE

    @classmethod
    def read(cls, f: Fields) -> DeviceRule:
        """Parse and validate the rule from a protocol's ``dose_rule`` object."""
        device = f.number("device_mg")
        allowed = tuple(_dose_list(f, "allowed_doses_mg", device))
        labelled = tuple(_dose_list(f, "labelled_doses_mg", device))
        rule = cls(
            device_mg=device,
            allowed_doses_mg=allowed,
            labelled_doses_mg=labelled,
            default_dose_mg=f.number("default_dose_mg"),
            first_dose_mg=f.number("first_dose_mg"),
            first_dose_max_mg=f.number("first_dose_max_mg"),
            elderly_first_dose_mg=Limit.read(f.opt_child("elderly_first_dose_mg")),
            elderly_age_years=f.opt_integer("elderly_age_years"),
            minutes_between_devices=Limit.parse(f.child("minutes_between_devices")),
            source=f.text("source"),
        )
        for key in ("default_dose_mg", "first_dose_mg", "first_dose_max_mg"):
            if getattr(rule, key) not in allowed:
                raise invalid(f.path(key), "must be one of allowed_doses_mg")
        if not set(labelled) <= set(allowed):
            raise invalid(f.path("labelled_doses_mg"), "must be a subset of allowed_doses_mg")
        return rule

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, readable back by ``read``."""
        return {
            "kind": self.kind.value,
            "device_mg": _num(self.device_mg),
            "allowed_doses_mg": [_num(d) for d in self.allowed_doses_mg],
            "labelled_doses_mg": [_num(d) for d in self.labelled_doses_mg],
            "default_dose_mg": _num(self.default_dose_mg),
            "first_dose_mg": _num(self.first_dose_mg),
            "first_dose_max_mg": _num(self.first_dose_max_mg),
            "elderly_first_dose_mg": _opt(self.elderly_first_dose_mg),
            "elderly_age_years": self.elderly_age_years,
            "minutes_between_devices": self.minutes_between_devices.to_dict(),
            "source": self.source,
        }

    def summary(self) -> str:
        """One-line description of the dose for listings."""
        doses = "/".join(_num(d) or "" for d in self.labelled_doses_mg)
        return f"fixed {doses} mg ({_num(self.device_mg)} mg per device), not weight-based"


def _dose_list(f: Fields, key: str, device: Decimal) -> list[Decimal]:
    doses: list[Decimal] = []
    for index, item in enumerate(f.items(key)):
        path = f"{f.path(key)}[{index}]"
        dose = parse_number(item, path)
        if dose % device != 0:
            raise invalid(path, "must be a whole number of devices")
        doses.append(dose)
    return doses


DoseRule = InfusionRule | DeviceRule


def read_dose_rule(f: Fields) -> DoseRule:
    """Parse a ``dose_rule`` object of either kind."""
    kind = f.choice("kind", DoseRuleKind)
    if kind is DoseRuleKind.WEIGHT_BASED_INFUSION:
        return InfusionRule.read(f)
    return DeviceRule.read(f)
