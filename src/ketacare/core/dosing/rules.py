"""Dose rules: the part of a protocol that says how much, how fast, and within which limits.

Two kinds exist:

- ``weight_based_infusion`` (IV ketamine): a dose in mg/kg (or a rate in mg/kg/h) over a duration.
  Its ``limits`` table (``limits.py``) gives each quantity a soft range (a prescriber reason is
  needed outside it) and a hard ceiling (the order is refused above it); ``warn_*`` figures only
  warn; ``preparation`` says which stock concentrations may be used and which must be diluted.
- ``fixed_device_dose`` (esketamine nasal spray): a fixed dose made of whole devices, not
  weight-based, with the same ``limits`` table for mg per session, day and 7 days.

Every limit carries its ``source`` and a ``config`` flag (True where the reference marks it CONFIG
or [recall], i.e. a clinic-editable default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ketacare.core.dosing.fields import Fields, invalid, parse_number
from ketacare.core.dosing.limits import (
    DoseLimit,
    Limit,
    LimitName,
    Range,
    hard_value,
    limits_to_dict,
    num_text,
    read_limits,
)
from ketacare.core.patients.body_weight import WeightBasis


class DoseRuleKind(StrEnum):
    """How a protocol's dose is determined."""

    WEIGHT_BASED_INFUSION = "weight_based_infusion"
    FIXED_DEVICE_DOSE = "fixed_device_dose"


def _opt(item: Limit | Range | None) -> dict[str, Any] | None:
    return None if item is None else item.to_dict()


# A weight-based rule must cap the dose somehow: one of these hard ceilings is required.
_CEILING_REQUIRED = (
    LimitName.MG_PER_KG,
    LimitName.MG_PER_SESSION,
    LimitName.RATE_MG_PER_KG_PER_H,
)

# Custom protocols saved before the limits table wrote each limit as its own key; they are read
# into the table so a clinic's stored protocol keeps working (its ceilings unchanged).
_LEGACY_SOFT = {
    "soft_mg_per_kg": LimitName.MG_PER_KG,
    "soft_rate_mg_per_kg_per_h": LimitName.RATE_MG_PER_KG_PER_H,
    "soft_duration_min": LimitName.DURATION_MIN,
}
_LEGACY_HARD = {
    "hard_max_rate_mg_per_kg_per_h": LimitName.RATE_MG_PER_KG_PER_H,
    "max_rate_mg_per_h": LimitName.RATE_MG_PER_H,
    "max_bolus_mg_per_kg": LimitName.BOLUS_MG_PER_KG,
}


def _legacy_limits(f: Fields) -> dict[LimitName, DoseLimit]:
    soft = {name: Range.read(f.opt_child(key)) for key, name in _LEGACY_SOFT.items()}
    hard = {name: Limit.read(f.opt_child(key)) for key, name in _LEGACY_HARD.items()}
    return {
        name: DoseLimit(soft.get(name), hard.get(name))
        for name in LimitName
        if soft.get(name) is not None or hard.get(name) is not None
    }


@dataclass(frozen=True, slots=True)
class HighWeightPrompt:
    """Above either threshold the order suggests an adjusted weight (a prompt, not a limit)."""

    weight_kg: Decimal
    bmi: Decimal
    source: str
    config: bool = True

    @classmethod
    def read(cls, f: Fields | None) -> HighWeightPrompt | None:
        """Parse ``{"weight_kg", "bmi", "source", "config"}`` or return None when absent."""
        if f is None:
            return None
        return cls(
            f.number("weight_kg"), f.number("bmi"), f.text("source"), f.flag("config", default=True)
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "weight_kg": num_text(self.weight_kg),
            "bmi": num_text(self.bmi),
            "source": self.source,
            "config": self.config,
        }


@dataclass(frozen=True, slots=True)
class Preparation:
    """How the drug may be drawn up for IV use.

    Attributes:
        stock_mg_per_ml: the stock concentrations the label lists; any other needs a reason.
        dilute_stock_mg_per_ml: a stock that must be diluted before IV use.
        max_diluted_mg_per_ml: highest concentration that counts as diluted.
        source: where these figures come from.
    """

    stock_mg_per_ml: tuple[Decimal, ...]
    dilute_stock_mg_per_ml: Decimal
    max_diluted_mg_per_ml: Decimal
    source: str

    @classmethod
    def read(cls, f: Fields | None) -> Preparation | None:
        """Parse the ``preparation`` object or return None when absent."""
        if f is None:
            return None
        stock = tuple(
            parse_number(item, f"{f.path('stock_mg_per_ml')}[{index}]")
            for index, item in enumerate(f.items("stock_mg_per_ml"))
        )
        prep = cls(
            stock,
            f.number("dilute_stock_mg_per_ml"),
            f.number("max_diluted_mg_per_ml"),
            f.text("source"),
        )
        if prep.max_diluted_mg_per_ml >= prep.dilute_stock_mg_per_ml:
            raise invalid(f.path("max_diluted_mg_per_ml"), "must be below the stock to dilute")
        return prep

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "stock_mg_per_ml": [num_text(c) for c in self.stock_mg_per_ml],
            "dilute_stock_mg_per_ml": num_text(self.dilute_stock_mg_per_ml),
            "max_diluted_mg_per_ml": num_text(self.max_diluted_mg_per_ml),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class InfusionRule:
    """Weight-based IV infusion: dose (mg/kg) or rate (mg/kg/h) over a duration (min)."""

    default_weight_basis: WeightBasis
    default_duration_min: int | None
    default_mg_per_kg: Decimal | None
    default_rate_mg_per_kg_per_h: Decimal | None
    limits: Mapping[LimitName, DoseLimit]
    warn_below_rate_mg_per_kg_per_h: Limit | None
    warn_below_total_mg: Limit | None
    warn_at_or_below_duration_min: Limit | None
    high_weight: HighWeightPrompt | None
    preparation: Preparation | None
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
            limits={**_legacy_limits(f), **read_limits(f.opt_child("limits"))},
            warn_below_rate_mg_per_kg_per_h=Limit.read(
                f.opt_child("warn_below_rate_mg_per_kg_per_h")
            ),
            warn_below_total_mg=Limit.read(f.opt_child("warn_below_total_mg")),
            warn_at_or_below_duration_min=Limit.read(f.opt_child("warn_at_or_below_duration_min")),
            high_weight=HighWeightPrompt.read(f.opt_child("high_weight_prompt")),
            preparation=Preparation.read(f.opt_child("preparation")),
            source=f.text("source"),
        )
        if rule.default_mg_per_kg is not None and rule.default_rate_mg_per_kg_per_h is not None:
            raise invalid(f.path("default_rate_mg_per_kg_per_h"), "give a dose or a rate, not both")
        if all(rule.hard(name) is None for name in _CEILING_REQUIRED):
            raise invalid(f.path("limits"), "needs a hard ceiling on mg/kg, mg or mg/kg/h")
        return rule

    def hard(self, name: LimitName) -> Decimal | None:
        """The hard ceiling of ``name``, if any."""
        return hard_value(self.limits, name)

    @property
    def max_total_mg_per_kg(self) -> Decimal | None:
        """The hard mg/kg per session ceiling, if any."""
        return self.hard(LimitName.MG_PER_KG)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, readable back by ``read``."""
        return {
            "kind": self.kind.value,
            "default_weight_basis": self.default_weight_basis.value,
            "default_duration_min": self.default_duration_min,
            "default_mg_per_kg": num_text(self.default_mg_per_kg),
            "default_rate_mg_per_kg_per_h": num_text(self.default_rate_mg_per_kg_per_h),
            "limits": limits_to_dict(self.limits),
            "warn_below_rate_mg_per_kg_per_h": _opt(self.warn_below_rate_mg_per_kg_per_h),
            "warn_below_total_mg": _opt(self.warn_below_total_mg),
            "warn_at_or_below_duration_min": _opt(self.warn_at_or_below_duration_min),
            "high_weight_prompt": None if self.high_weight is None else self.high_weight.to_dict(),
            "preparation": None if self.preparation is None else self.preparation.to_dict(),
            "source": self.source,
        }

    def summary(self) -> str:
        """One-line description of the default dose for listings."""
        cap_value = self.hard(LimitName.RATE_MG_PER_H)
        cap = f" (max {num_text(cap_value)} mg/h)" if cap_value is not None else ""
        if self.default_mg_per_kg is not None:
            return f"{num_text(self.default_mg_per_kg)} mg/kg over {self.default_duration_min} min"
        if self.default_rate_mg_per_kg_per_h is not None:
            rate = num_text(self.default_rate_mg_per_kg_per_h)
            return f"{rate} mg/kg/h over {self.default_duration_min} min{cap}"
        hard = self.hard(LimitName.RATE_MG_PER_KG_PER_H)
        ceiling = f"up to {num_text(hard)} mg/kg/h" if hard is not None else "no rate ceiling"
        low = self.warn_below_rate_mg_per_kg_per_h
        floor = f", guideline from {num_text(low.value)} mg/kg/h" if low else ""
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
    limits: Mapping[LimitName, DoseLimit]
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
            limits=read_limits(f.opt_child("limits")),
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
            "device_mg": num_text(self.device_mg),
            "allowed_doses_mg": [num_text(d) for d in self.allowed_doses_mg],
            "labelled_doses_mg": [num_text(d) for d in self.labelled_doses_mg],
            "default_dose_mg": num_text(self.default_dose_mg),
            "first_dose_mg": num_text(self.first_dose_mg),
            "first_dose_max_mg": num_text(self.first_dose_max_mg),
            "elderly_first_dose_mg": _opt(self.elderly_first_dose_mg),
            "elderly_age_years": self.elderly_age_years,
            "minutes_between_devices": self.minutes_between_devices.to_dict(),
            "limits": limits_to_dict(self.limits),
            "source": self.source,
        }

    def summary(self) -> str:
        """One-line description of the dose for listings."""
        doses = "/".join(num_text(d) or "" for d in self.labelled_doses_mg)
        return f"fixed {doses} mg ({num_text(self.device_mg)} mg per device), not weight-based"


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
