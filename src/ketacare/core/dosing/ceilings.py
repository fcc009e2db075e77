"""The hard ceilings of one session, in mg and mg/h, for checking what is given at the chair.

The chairside record compares rate changes, boluses and devices with the signed order and with
these protocol ceilings; beyond them nothing may be recorded, whatever the override.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ketacare.core.dosing.config import (
    DEFAULT_CONFIG,
    LOW_DOSE_RATE_MG_PER_KG_PER_H,
    DosingConfig,
)
from ketacare.core.dosing.limits import LimitName
from ketacare.core.dosing.rules import DeviceRule, DoseRule
from ketacare.core.units import MINUTES_PER_HOUR, round_down

CEILING_STEP = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class SessionCeilings:
    """Hard ceilings for one session (None where the protocol sets none).

    Attributes:
        max_rate_mg_per_h: fastest infusion rate.
        max_total_mg: most ketamine (infusion plus bolus) or esketamine in the session.
        max_bolus_mg: largest bolus.
    """

    max_rate_mg_per_h: Decimal | None
    max_total_mg: Decimal | None
    max_bolus_mg: Decimal | None


def session_ceilings(
    rule: DoseRule, weight_kg: Decimal | None, config: DosingConfig = DEFAULT_CONFIG
) -> SessionCeilings:
    """The HARD ceilings of ``rule`` for a patient of ``weight_kg``, rounded down to 0.1.

    Soft limits are not included: beyond a soft limit the prescriber's reason on the order
    decides, not this helper. Per-kg ceilings use ``weight_kg``; pass the lighter of the order's
    dosing weight and the actual weight, as the dose calculator does, so a per-kg ceiling is
    never exceeded on either. Each ceiling is the tightest of the protocol's figures:

    - rate: hard mg/kg/h x weight and hard mg/h (Schwartzman et al. 2009 Pain 147:107: 25 mg/h),
      and the Pennsylvania 2020 1 mg/kg/h figure when the jurisdiction setting is on;
    - total: hard mg/kg x weight, hard mg per session, and (rate x longest duration + bolus);
    - bolus: hard bolus mg/kg x weight (Cohen et al. 2018 Reg Anesth Pain Med 43:521: 0.35).

    For a fixed-device rule (esketamine), only the total applies (Spravato PI section 2: 84 mg)
    and ``weight_kg`` may be None.

    Raises:
        ValueError: a weight-based rule without a positive weight.
    """
    if isinstance(rule, DeviceRule):
        return SessionCeilings(None, rule_hard(rule, LimitName.MG_PER_SESSION), None)
    if weight_kg is None or weight_kg <= 0:
        msg = "a weight-based rule needs a positive weight"
        raise ValueError(msg)
    per_kg_rate = rule.hard(LimitName.RATE_MG_PER_KG_PER_H)
    if config.low_dose_rate_ceiling:
        per_kg_rate = _least(per_kg_rate, LOW_DOSE_RATE_MG_PER_KG_PER_H)
    rate = _least(_times(per_kg_rate, weight_kg), rule.hard(LimitName.RATE_MG_PER_H))
    bolus = _times(rule.hard(LimitName.BOLUS_MG_PER_KG), weight_kg)
    longest = rule.hard(LimitName.DURATION_MIN)
    infused = None if rate is None or longest is None else rate * longest / MINUTES_PER_HOUR
    by_rate = None if infused is None else infused + (bolus or 0)
    total = _least(
        _times(rule.hard(LimitName.MG_PER_KG), weight_kg),
        rule.hard(LimitName.MG_PER_SESSION),
        by_rate,
    )
    return SessionCeilings(_down(rate), _down(total), _down(bolus))


def rule_hard(rule: DoseRule, name: LimitName) -> Decimal | None:
    """The hard ceiling of ``name`` in either kind of rule."""
    limit = rule.limits.get(name)
    return None if limit is None or limit.hard is None else limit.hard.value


def _times(per_kg: Decimal | None, weight_kg: Decimal) -> Decimal | None:
    return None if per_kg is None else per_kg * weight_kg


def _least(*values: Decimal | None) -> Decimal | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _down(value: Decimal | None) -> Decimal | None:
    return None if value is None else round_down(value, CEILING_STEP)
