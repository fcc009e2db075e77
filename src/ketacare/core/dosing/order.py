"""Inputs and outputs of a dose calculation.

A ``DoseRequest`` is what the prescriber asks for; a ``DoseCalculation`` is what the calculator
answers. Findings have three strengths:

- *hard* limits are never in a result: the calculator raises ``RuleViolation`` instead
  (chosen over a ``blocked`` flag so that a blocked order can never be used by mistake);
- *soft* limits give a ``Finding`` with ``requires_override=True``: the order needs a documented
  prescriber reason (the service layer records it);
- *warnings* inform and need no reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ketacare.core.dosing.limits import LimitCheck, PriorDose
from ketacare.core.dosing.protocol import Protocol
from ketacare.core.patients.body_weight import BodyMeasurements, WeightBasis
from ketacare.core.units import Quantity


@dataclass(frozen=True, slots=True)
class DoseRequest:
    """What the prescriber orders. Unset values fall back to the protocol's defaults.

    Attributes:
        protocol: the protocol ordered under.
        today: the order date (time is an input; the core never reads the clock).
        body: actual weight with its measurement date, and height/sex for ideal/adjusted bases
            (not needed for fixed-dose protocols).
        weight_basis: actual, ideal or adjusted; defaults to the protocol's basis.
        dose_mg_per_kg: total session dose per kg (infusions).
        rate_mg_per_kg_per_h: alternatively, the infusion rate per kg (pain protocols).
        duration_min: infusion duration.
        concentration_mg_per_ml: concentration of the stock drawn up (or of the syringe).
        final_volume_ml: volume after dilution (the bag or syringe the pump infuses).
        dose_mg: fixed dose (esketamine).
        first_dose: whether this is the patient's first session of the course (esketamine).
        age_years: needed only for the esketamine elderly start variant.
        bolus_mg_per_kg: a loading bolus per kg (protocols with a bolus limit), or
        bolus_mg: the same in mg; counted in the session total.
        other_sessions: the patient's other booked or given sessions of the same drug (date and
            ordered mg) around ``today``, for the mg per day and per 7 days limits.
    """

    protocol: Protocol
    today: date
    body: BodyMeasurements | None = None
    weight_basis: WeightBasis | None = None
    dose_mg_per_kg: Decimal | None = None
    rate_mg_per_kg_per_h: Decimal | None = None
    duration_min: int | None = None
    concentration_mg_per_ml: Decimal | None = None
    final_volume_ml: Decimal | None = None
    dose_mg: Decimal | None = None
    first_dose: bool = False
    age_years: int | None = None
    bolus_mg_per_kg: Decimal | None = None
    bolus_mg: Decimal | None = None
    other_sessions: tuple[PriorDose, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """A warning or a soft-limit breach, with the source of the limit."""

    code: str
    message: str
    requires_override: bool = False
    source: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "code": self.code,
            "message": self.message,
            "requires_override": self.requires_override,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class PumpSettings:
    """What to draw up and how to set the pump.

    Attributes:
        concentration: concentration of the stock drawn up (mg/mL).
        drug_volume: volume of stock to draw up, rounded down to the syringe precision.
        drawn_dose: mg actually drawn (``drug_volume x concentration``, never above the dose).
        volume_to_infuse: what the pump infuses (the final volume after dilution, or the drug
            volume when undiluted); set it as the pump's VTBI.
        infusion_concentration: concentration in the infused solution.
        rate: pump rate in mL/h, rounded down to the pump's precision.
        run_time_min: minutes the pump needs to infuse the volume at the rounded rate (at least
            the prescribed duration: rounding the rate down lengthens the infusion slightly).
    """

    concentration: Quantity
    drug_volume: Quantity
    drawn_dose: Quantity
    volume_to_infuse: Quantity
    infusion_concentration: Quantity
    rate: Quantity
    run_time_min: Decimal


@dataclass(frozen=True, slots=True)
class DoseCalculation:
    """The answer of the dose calculator (see module docstring for the limit rules)."""

    protocol_id: str
    drug: str
    route: str
    dose: Quantity
    duration: Quantity
    weight_basis: WeightBasis | None
    weight_used: Quantity | None
    weight_measured_on: date | None
    dose_per_kg: Quantity | None
    rate_per_min: Quantity | None
    rate_per_h: Quantity | None
    rate_per_kg_per_h: Quantity | None
    pump: PumpSettings | None
    devices: int | None
    minutes_between_devices: int | None
    observation_min: int
    chair_time_min: int
    findings: tuple[Finding, ...]
    limits: tuple[LimitCheck, ...] = ()
    bolus: Quantity | None = None
    bolus_per_kg: Quantity | None = None

    @property
    def requires_override(self) -> bool:
        """Whether any soft limit is breached, so a prescriber reason is required."""
        return any(f.requires_override for f in self.findings)

    @property
    def override_reasons_required(self) -> list[str]:
        """Codes of the findings that need a prescriber's written reason."""
        return [f.code for f in self.findings if f.requires_override]

    @property
    def session_total(self) -> Quantity:
        """Everything given in the session: the infusion (or devices) plus any bolus."""
        return self.dose if self.bolus is None else self.dose + self.bolus

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form; quantities become floats (display only)."""
        pump = self.pump
        return {
            "protocol": self.protocol_id,
            "drug": self.drug,
            "route": self.route,
            "dose_mg": self.dose.as_float(),
            "weight_basis": self.weight_basis.value if self.weight_basis else None,
            "weight_used_kg": _f(self.weight_used),
            "weight_measured_on": self.weight_measured_on.isoformat()
            if self.weight_measured_on
            else None,
            "dose_mg_per_kg": _f(self.dose_per_kg),
            "duration_min": self.duration.as_float(),
            "rate_mg_per_min": _f(self.rate_per_min),
            "rate_mg_per_h": _f(self.rate_per_h),
            "rate_mg_per_kg_per_h": _f(self.rate_per_kg_per_h),
            "concentration_mg_per_ml": _f(pump.concentration) if pump else None,
            "drug_volume_ml": _f(pump.drug_volume) if pump else None,
            "drawn_dose_mg": _f(pump.drawn_dose) if pump else None,
            "volume_ml": _f(pump.volume_to_infuse) if pump else None,
            "infusion_concentration_mg_per_ml": _f(pump.infusion_concentration) if pump else None,
            "rate_ml_per_h": _f(pump.rate) if pump else None,
            "pump_run_time_min": float(pump.run_time_min) if pump else None,
            "devices": self.devices,
            "minutes_between_devices": self.minutes_between_devices,
            "observation_min": self.observation_min,
            "chair_time_min": self.chair_time_min,
            "warnings": [f.as_dict() for f in self.findings],
            "requires_override": self.requires_override,
            "bolus_mg": _f(self.bolus),
            "bolus_mg_per_kg": _f(self.bolus_per_kg),
            "session_total_mg": self.session_total.as_float(),
            "limits": [check.as_dict() for check in self.limits],
            "override_reasons_required": self.override_reasons_required,
        }


def _f(quantity: Quantity | None) -> float | None:
    return None if quantity is None else quantity.as_float()
