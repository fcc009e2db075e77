"""Weight-based IV ketamine dose calculation (depression, CRPS, chronic pain protocols).

Rules encoded (limits come from the protocol data, each with its primary source):

- The weight basis is explicit (actual / ideal Devine / adjusted) and the weight must be recent:
  older than ``DosingConfig.max_weight_age_days`` blocks the order (CONFIG).
- Dose = mg/kg x weight, or rate (mg/kg/h) x weight x hours; rounded DOWN to the dose precision.
  Limits are checked on the dose as ordered, before rounding: rounding only lowers the dose, by
  less than one step, and must not by itself raise a "below guideline" warning.
- An optional bolus (protocols with a bolus limit, Cohen et al. 2018 Reg Anesth Pain Med 43:521:
  up to 0.35 mg/kg) is counted in the session total (mg/kg, mg per session, day and 7 days).
- Per-kg limits are checked on both the basis weight and the actual weight: an upper limit is
  breached if either per-kg figure breaches it (so dosing on an ideal weight above the actual
  weight cannot slip past a ceiling), a lower limit likewise.
- Every quantity in the protocol's limits table is checked (``limit_checks.py``): above a hard
  ceiling raises ``RuleViolation("dose.hard_limit")`` whose ``field`` is the input at fault
  and whose ``limit`` names the limit; outside a soft range
  needs a prescriber reason; ``warn_*`` figures only warn.
- A protocol's default rate is capped at its hard mg/h ceiling (Schwartzman: 25 mg/h).
- Preparation (``preparation.py``): unlisted stock concentrations need a reason; the 100 mg/mL
  stock is refused for IV use unless diluted.
"""

from __future__ import annotations

from decimal import Decimal

from ketacare.core.dosing.config import (
    LOW_DOSE_RATE_MG_PER_KG_PER_H,
    LOW_DOSE_RATE_SOURCE,
    DosingConfig,
)
from ketacare.core.dosing.limit_checks import Figure, assess, cumulative_figures
from ketacare.core.dosing.limits import DoseLimit, Limit, LimitName
from ketacare.core.dosing.order import DoseCalculation, DoseRequest, Finding, PumpSettings
from ketacare.core.dosing.preparation import check_preparation
from ketacare.core.dosing.pump import pump_settings
from ketacare.core.dosing.rules import InfusionRule
from ketacare.core.dosing.weights import high_weight_findings
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
        RuleViolation: a hard limit is breached (``field`` names the limit), the weight is too
            old, or the 100 mg/mL stock is ordered for IV use undiluted.
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
    bolus = _bolus_mg(request, rule, weight, config)
    lightest, heaviest = min(weight, body.weight_kg), max(weight, body.weight_kg)
    figures = _figures(ordered, bolus, duration, lightest, heaviest)
    figures |= cumulative_figures(ordered + (bolus or 0), request.today, request.other_sessions)
    assessment = assess(effective_limits(rule, config), figures)
    if assessment.hard:
        first = next(iter(assessment.hard))
        message = "; ".join(assessment.hard.values())
        raise RuleViolation(
            "dose.hard_limit",
            message,
            field=_input_of(first, request),
            extra={"limit": first.value, "limits": [n.value for n in assessment.hard]},
        )
    findings += assessment.findings
    findings += _warnings(rule, ordered, duration, heaviest)
    findings += high_weight_findings(rule.high_weight, body, basis)
    if weight > body.weight_kg:
        findings.append(
            Finding(
                "dose.basis_above_actual_weight",
                f"the {basis} weight ({weight} kg) is above the actual weight "
                f"({body.weight_kg} kg); limits were checked on the actual weight",
            )
        )
    pump = _pump(request, rule, dose, duration, config, findings)
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
        limits=assessment.checks,
        bolus=None if bolus is None else Quantity(bolus, Unit.MG),
        bolus_per_kg=None
        if bolus is None
        else Quantity(round_down(bolus / weight, PER_KG_STEP), Unit.MG_PER_KG),
    )


def effective_limits(rule: InfusionRule, config: DosingConfig) -> dict[LimitName, DoseLimit]:
    """The protocol's limits, with the optional jurisdiction rate ceiling applied when on."""
    limits = dict(rule.limits)
    if not config.low_dose_rate_ceiling:
        return limits
    name = LimitName.RATE_MG_PER_KG_PER_H
    current = limits.get(name)
    hard = current.hard if current else None
    if hard is None or hard.value > LOW_DOSE_RATE_MG_PER_KG_PER_H:
        hard = Limit(LOW_DOSE_RATE_MG_PER_KG_PER_H, LOW_DOSE_RATE_SOURCE, config=True)
    soft = current.soft if current else None
    if soft is not None and soft.high is not None and soft.high > hard.value:
        soft = None  # the jurisdiction ceiling leaves no band for a reason to cover
    limits[name] = DoseLimit(soft, hard)
    return limits


def bolus_limit_mg(rule: InfusionRule, weight_kg: Decimal) -> Decimal | None:
    """Largest bolus in mg allowed by the protocol for ``weight_kg`` (rounded down), if any.

    Cohen et al. 2018 Reg Anesth Pain Med 43:521: bolus up to 0.35 mg/kg.
    """
    limit = rule.hard(LimitName.BOLUS_MG_PER_KG)
    return None if limit is None else round_down(limit * weight_kg, Decimal("0.1"))


def _bolus_mg(
    request: DoseRequest, rule: InfusionRule, weight: Decimal, config: DosingConfig
) -> Decimal | None:
    per_kg, amount = request.bolus_mg_per_kg, request.bolus_mg
    if per_kg is None and amount is None:
        return None
    field = "bolus_mg_per_kg" if per_kg is not None else "bolus_mg"
    if per_kg is not None and amount is not None:
        raise Invalid("dose.bolus_twice", "give bolus_mg_per_kg or bolus_mg, not both", field=field)
    if rule.hard(LimitName.BOLUS_MG_PER_KG) is None:
        raise Invalid("dose.bolus_not_in_protocol", "this protocol has no bolus dose", field=field)
    mg = amount if amount is not None else (per_kg or Decimal(0)) * weight
    if mg <= 0:
        raise Invalid("dose.not_positive", f"{field} must be > 0", field=field)
    bolus = round_down(mg, config.dose_step_mg)
    if bolus <= 0:
        raise Invalid("dose.below_precision", "the bolus rounds to 0 mg", field=field)
    return bolus


def _figures(
    dose: Decimal, bolus: Decimal | None, duration: int, lightest: Decimal, heaviest: Decimal
) -> dict[LimitName, Figure]:
    """This order's figure for every per-session limit (per-kg ones on both weights)."""
    per_hour = _per_hour(dose, duration)
    total = dose + (bolus or 0)
    return {
        LimitName.MG_PER_KG: Figure(total / lightest, total / heaviest),
        LimitName.RATE_MG_PER_KG_PER_H: Figure(per_hour / lightest, per_hour / heaviest),
        LimitName.RATE_MG_PER_H: Figure(per_hour),
        LimitName.DURATION_MIN: Figure(Decimal(duration)),
        LimitName.BOLUS_MG_PER_KG: Figure(None)
        if bolus is None
        else Figure(bolus / lightest, bolus / heaviest),
        LimitName.MG_PER_SESSION: Figure(total),
    }


def _pump(
    request: DoseRequest,
    rule: InfusionRule,
    dose: Quantity,
    duration: int,
    config: DosingConfig,
    findings: list[Finding],
) -> PumpSettings | None:
    if request.concentration_mg_per_ml is None:
        if request.final_volume_ml is not None:
            raise Invalid(
                "dose.concentration_required",
                "a final volume needs the stock concentration",
                field="concentration_mg_per_ml",
            )
        return None
    pump = pump_settings(
        dose,
        duration,
        concentration_mg_per_ml=request.concentration_mg_per_ml,
        final_volume_ml=request.final_volume_ml,
        config=config,
    )
    findings += check_preparation(rule.preparation, pump)
    return pump


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
            "days, CONFIG)",
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
    cap = rule.limits.get(LimitName.RATE_MG_PER_H)
    if cap is None or cap.hard is None or per_hour <= cap.hard.value:
        return _over(per_hour, duration), []
    capped = Finding(
        "dose.rate_capped",
        f"rate capped at {cap.hard.value} mg/h (protocol maximum; {per_hour:.2f} mg/h uncapped)",
        source=cap.hard.source,
    )
    return _over(cap.hard.value, duration), [capped]


def _warnings(rule: InfusionRule, dose: Decimal, duration: int, heaviest: Decimal) -> list[Finding]:
    """Below-guideline warnings (no reason needed): Cohen et al. 2018 rate, total and duration."""
    rate_low = _per_hour(dose, duration) / heaviest
    findings = [
        *_below("dose.rate_below_guideline", rule.warn_below_rate_mg_per_kg_per_h, rate_low),
        *_below("dose.total_below_guideline", rule.warn_below_total_mg, dose),
    ]
    short = rule.warn_at_or_below_duration_min
    if short is not None and duration <= short.value:
        message = f"duration {duration} min is at or below {short.value} min"
        findings.append(Finding("dose.duration_below_guideline", message, source=short.source))
    return findings


def _per_hour(amount: Decimal, duration: int) -> Decimal:
    """Amount per hour over ``duration`` minutes (multiply first: 1/60 is inexact in Decimal)."""
    return amount * MINUTES_PER_HOUR / Decimal(duration)


def _over(per_hour: Decimal, duration: int) -> Decimal:
    """Amount given at ``per_hour`` over ``duration`` minutes."""
    return per_hour * Decimal(duration) / MINUTES_PER_HOUR


def _num(value: Decimal) -> str:
    return format(round_down(value, MESSAGE_STEP).normalize(), "f")


def _below(code: str, limit: Limit | None, value: Decimal) -> list[Finding]:
    if limit is None or value >= limit.value:
        return []
    message = f"{_num(value)} is below the guideline value {limit.value}"
    return [Finding(code, message, source=limit.source)]


def _input_of(limit: LimitName, request: DoseRequest) -> str:
    """The request field a refused limit is about, so a form or CLI names what was typed.

    The limit itself is reported as ``limit`` beside it (``mg_per_7_days`` and so on).
    """
    if limit is LimitName.DURATION_MIN:
        return "duration_min"
    if limit is LimitName.BOLUS_MG_PER_KG:
        return "bolus_mg" if request.bolus_mg is not None else "bolus_mg_per_kg"
    if request.rate_mg_per_kg_per_h is not None:
        return "rate_mg_per_kg_per_h"
    return "dose_mg_per_kg"
