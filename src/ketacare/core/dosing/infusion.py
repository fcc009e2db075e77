"""Weight-based IV ketamine dose calculation (depression, CRPS, chronic pain protocols).

Rules encoded (protocols.md rules 11-13 and 17, limits from the protocol data):

- The weight basis is explicit (actual / ideal Devine / adjusted) and the weight must be recent:
  older than ``DosingConfig.max_weight_age_days`` blocks the order (CONFIG, rule 13).
- Dose = mg/kg x weight, or rate (mg/kg/h) x weight x hours; rounded DOWN to the dose precision.
  Limits are checked on the dose as ordered, before rounding: rounding only lowers the dose, by
  less than one step, and must not by itself raise a "below guideline" warning.
- Per-kg limits are checked on both the basis weight and the actual weight: an upper limit is
  breached if either per-kg figure breaches it (so dosing on an ideal weight above the actual
  weight cannot slip past a ceiling), a lower limit likewise.
- Hard limits raise ``RuleViolation("dose.hard_limit")``; soft limits need a prescriber reason;
  warnings inform.
- A protocol's default rate is capped at its ``max_rate_mg_per_h`` (Schwartzman: 25 mg/h); an
  explicit order above that cap is blocked.
"""

from __future__ import annotations

from decimal import Decimal

from ketacare.core.dosing.config import DosingConfig
from ketacare.core.dosing.order import DoseCalculation, DoseRequest, Finding
from ketacare.core.dosing.pump import pump_settings
from ketacare.core.dosing.rules import InfusionRule, Limit, Range
from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.patients.body_weight import BodyMeasurements, dosing_weight
from ketacare.core.units import MINUTES_PER_HOUR, Quantity, Unit, round_down

# Rates in mg/min and mg/h (and per kg) describe the order; they are derived from the rounded
# dose and kept to 6 decimals (rounded down) so they agree with it. What the pump is set to is
# rounded separately, to the pump's own precision (pump.py).
RATE_STEP = Decimal("0.000001")
PER_KG_STEP = Decimal("0.000001")
MESSAGE_STEP = Decimal("0.001")


def calculate_infusion(
    request: DoseRequest, rule: InfusionRule, config: DosingConfig
) -> DoseCalculation:
    """Calculate a weight-based infusion order.

    Raises:
        Invalid: missing or implausible input, naming the field.
        RuleViolation: a hard limit is breached or the weight is too old.
    """
    _refuse_fixed_dose_inputs(request)
    body = _require_recent_weight(request, config)
    basis = request.weight_basis or rule.default_weight_basis
    weight = dosing_weight(body, basis)
    duration = _duration(request, rule)
    ordered, findings = _ordered_mg(request, rule, weight, duration)
    dose = Quantity(round_down(ordered, config.dose_step_mg), Unit.MG)
    if dose.value <= 0:
        raise Invalid("dose.below_precision", "the dose rounds to 0 mg", field="dose_mg_per_kg")
    lightest, heaviest = min(weight, body.weight_kg), max(weight, body.weight_kg)
    hard, limit_findings = _check_limits(rule, ordered, duration, lightest, heaviest)
    if hard:
        raise RuleViolation("dose.hard_limit", "; ".join(hard), field="dose_mg_per_kg")
    findings += limit_findings
    if weight > body.weight_kg:
        findings.append(
            Finding(
                "dose.basis_above_actual_weight",
                f"the {basis} weight ({weight} kg) is above the actual weight "
                f"({body.weight_kg} kg); limits were checked on the actual weight",
            )
        )
    pump = None
    if request.concentration_mg_per_ml is not None:
        pump = pump_settings(
            dose,
            duration,
            concentration_mg_per_ml=request.concentration_mg_per_ml,
            final_volume_ml=request.final_volume_ml,
            config=config,
        )
    elif request.final_volume_ml is not None:
        raise Invalid(
            "dose.concentration_required",
            "a final volume needs the stock concentration",
            field="concentration_mg_per_ml",
        )
    per_hour = _per_hour(dose.value, duration)
    per_min = round_down(dose.value / Decimal(duration), RATE_STEP)
    return DoseCalculation(
        protocol_id=request.protocol.id,
        drug=request.protocol.drug.value,
        route=request.protocol.route.value,
        dose=dose,
        duration=Quantity(Decimal(duration), Unit.MIN),
        weight_basis=basis,
        weight_used=Quantity(weight, Unit.KG),
        weight_measured_on=body.weight_measured_on,
        dose_per_kg=Quantity(round_down(dose.value / weight, PER_KG_STEP), Unit.MG_PER_KG),
        rate_per_min=Quantity(per_min, Unit.MG_PER_MIN),
        rate_per_h=Quantity(round_down(per_hour, RATE_STEP), Unit.MG_PER_H),
        rate_per_kg_per_h=Quantity(
            round_down(per_hour / weight, PER_KG_STEP), Unit.MG_PER_KG_PER_H
        ),
        pump=pump,
        devices=None,
        minutes_between_devices=None,
        observation_min=request.protocol.observation.minimum_min,
        chair_time_min=request.protocol.chair_time_min(duration),
        findings=tuple(findings),
    )


def bolus_limit_mg(rule: InfusionRule, weight_kg: Decimal) -> Decimal | None:
    """Largest bolus in mg allowed by the protocol for ``weight_kg`` (rounded down), if any.

    Cohen 2018: bolus up to 0.35 mg/kg (protocols.md rule 17).
    """
    limit = rule.max_bolus_mg_per_kg
    return None if limit is None else round_down(limit.value * weight_kg, Decimal("0.1"))


def _refuse_fixed_dose_inputs(request: DoseRequest) -> None:
    if request.dose_mg is not None:
        raise Invalid(
            "dose.fixed_dose_not_applicable",
            "this protocol is weight-based; give dose_mg_per_kg, not dose_mg",
            field="dose_mg",
        )


def _require_recent_weight(request: DoseRequest, config: DosingConfig) -> BodyMeasurements:
    body = request.body
    if body is None:
        raise Invalid(
            "dose.weight_required", "a weight-based dose needs a weight", field="weight_kg"
        )
    age_days = (request.today - body.weight_measured_on).days
    if age_days < 0:
        raise Invalid(
            "dose.weight_date_in_future",
            "the weight's measurement date is after the order date",
            field="weight_measured_on",
        )
    if age_days > config.max_weight_age_days:
        raise RuleViolation(
            "dose.weight_too_old",
            f"weight measured {age_days} days ago; re-weigh (limit {config.max_weight_age_days} "
            "days, CONFIG; protocols.md rule 13)",
            field="weight_measured_on",
        )
    return body


def _duration(request: DoseRequest, rule: InfusionRule) -> int:
    if request.duration_min is not None and request.duration_min <= 0:
        raise Invalid(
            "dose.duration_not_positive", "duration must be > 0 min", field="duration_min"
        )
    duration = request.duration_min or rule.default_duration_min
    if duration is None:
        raise Invalid(
            "dose.duration_required",
            "this protocol has no default duration; give duration_min",
            field="duration_min",
        )
    return duration


def _ordered_mg(
    request: DoseRequest, rule: InfusionRule, weight: Decimal, duration: int
) -> tuple[Decimal, list[Finding]]:
    """Total dose in mg as ordered (before rounding) and any finding about capping."""
    per_kg, rate = request.dose_mg_per_kg, request.rate_mg_per_kg_per_h
    if per_kg is not None and rate is not None:
        raise Invalid(
            "dose.dose_and_rate",
            "give dose_mg_per_kg or rate_mg_per_kg_per_h, not both",
            field="rate_mg_per_kg_per_h",
        )
    for value, field in ((per_kg, "dose_mg_per_kg"), (rate, "rate_mg_per_kg_per_h")):
        if value is not None and value <= 0:
            raise Invalid("dose.not_positive", f"{field} must be > 0", field=field)
    findings: list[Finding] = []
    if per_kg is not None:
        return per_kg * weight, findings
    if rate is not None:
        return _over(rate * weight, duration), findings
    return _default_dose(rule, weight, duration)


def _default_dose(
    rule: InfusionRule, weight: Decimal, duration: int
) -> tuple[Decimal, list[Finding]]:
    if rule.default_mg_per_kg is not None:
        return rule.default_mg_per_kg * weight, []
    if rule.default_rate_mg_per_kg_per_h is None:
        raise Invalid(
            "dose.dose_required",
            "this protocol has no default dose; give dose_mg_per_kg or a rate",
            field="dose_mg_per_kg",
        )
    per_hour = rule.default_rate_mg_per_kg_per_h * weight
    cap = rule.max_rate_mg_per_h
    if cap is None or per_hour <= cap.value:
        return _over(per_hour, duration), []
    capped = Finding(
        "dose.rate_capped",
        f"rate capped at {cap.value} mg/h (protocol maximum; {per_hour:.2f} mg/h uncapped)",
        source=cap.source,
    )
    return _over(cap.value, duration), [capped]


def _check_limits(
    rule: InfusionRule,
    dose: Decimal,
    duration: int,
    lightest: Decimal,
    heaviest: Decimal,
) -> tuple[list[str], list[Finding]]:
    """Hard-limit breaches (messages) and soft/warning findings for an order."""
    per_hour = _per_hour(dose, duration)
    rate_high, rate_low = per_hour / lightest, per_hour / heaviest
    hard = [
        *_above(rule.hard_max_rate_mg_per_kg_per_h, rate_high, "mg/kg/h"),
        *_above(rule.max_rate_mg_per_h, per_hour, "mg/h"),
    ]
    findings = [
        *_outside("dose.mg_per_kg", rule.soft_mg_per_kg, dose / lightest, dose / heaviest, "mg/kg"),
        *_outside("dose.rate", rule.soft_rate_mg_per_kg_per_h, rate_high, rate_low, "mg/kg/h"),
        *_outside(
            "dose.duration", rule.soft_duration_min, Decimal(duration), Decimal(duration), "min"
        ),
        *_below("dose.rate_below_guideline", rule.warn_below_rate_mg_per_kg_per_h, rate_low),
        *_below("dose.total_below_guideline", rule.warn_below_total_mg, dose),
    ]
    short = rule.warn_at_or_below_duration_min
    if short is not None and duration <= short.value:
        message = f"duration {duration} min is at or below {short.value} min"
        findings.append(Finding("dose.duration_below_guideline", message, source=short.source))
    return hard, findings


def _per_hour(amount: Decimal, duration: int) -> Decimal:
    """Amount per hour over ``duration`` minutes (multiply first: 1/60 is inexact in Decimal)."""
    return amount * MINUTES_PER_HOUR / Decimal(duration)


def _over(per_hour: Decimal, duration: int) -> Decimal:
    """Amount given at ``per_hour`` over ``duration`` minutes."""
    return per_hour * Decimal(duration) / MINUTES_PER_HOUR


def _num(value: Decimal) -> str:
    return format(round_down(value, MESSAGE_STEP).normalize(), "f")


def _above(limit: Limit | None, value: Decimal, unit: str) -> list[str]:
    if limit is None or value <= limit.value:
        return []
    return [f"{_num(value)} {unit} exceeds the hard limit of {limit.value} {unit}"]


def _outside(
    code: str, soft: Range | None, high: Decimal, low: Decimal, unit: str
) -> list[Finding]:
    if soft is None:
        return []
    if soft.high is not None and high > soft.high:
        message = f"{_num(high)} {unit} is above {soft.high} {unit}: prescriber reason required"
        return [Finding(f"{code}_above_soft_limit", message, True, soft.source)]
    if soft.low is not None and low < soft.low:
        message = f"{_num(low)} {unit} is below {soft.low} {unit}: prescriber reason required"
        return [Finding(f"{code}_below_soft_limit", message, True, soft.source)]
    return []


def _below(code: str, limit: Limit | None, value: Decimal) -> list[Finding]:
    if limit is None or value >= limit.value:
        return []
    message = f"{_num(value)} is below the guideline value {limit.value}"
    return [Finding(code, message, source=limit.source)]
