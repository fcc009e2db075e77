"""Esketamine nasal spray (Spravato): fixed doses in whole 28 mg devices, not weight-based.

Rules (Spravato prescribing information section 2 via spravatohcp.com and MIMS):

- Allowed doses are whole devices from the protocol (28/56/84 mg for TRD); anything else is refused.
- First dose of a TRD course: 56 mg; 84 mg only after a 56 mg first dose, so 84 mg as a first
  dose is blocked (``first_dose_max_mg``). With the CONFIG elderly variant (off by default), a
  patient >= 65 starts on 28 mg.
- A dose the protocol allows but the label does not list for this situation (e.g. 28 mg in TRD
  outside the elderly start) needs a prescriber reason.
- At least 5 minutes between devices; observation at least 120 min from the first device.
- The protocol's limits table caps mg per session and per day (84 mg, the label maximum) and per
  7 days (2 x 84 mg: twice weekly in induction), counting the patient's other booked or given
  sessions (``DoseRequest.other_sessions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from ketacare.core.dosing.config import DosingConfig
from ketacare.core.dosing.limit_checks import Figure, assess, cumulative_figures
from ketacare.core.dosing.limits import LimitName
from ketacare.core.dosing.order import DoseCalculation, DoseRequest, Finding
from ketacare.core.dosing.rules import DeviceRule
from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.units import Quantity, Unit


def calculate_device_dose(
    request: DoseRequest, rule: DeviceRule, config: DosingConfig
) -> DoseCalculation:
    """Calculate a fixed-device (esketamine) order.

    Raises:
        Invalid: weight-based inputs given, or a dose that is not an allowed number of devices.
        RuleViolation: a first dose above the protocol's first-dose maximum, or a hard limit
            (``dose.hard_limit``, ``field`` ``dose_mg``, ``limit`` naming the limit).
    """
    _refuse_weight_inputs(request)
    elderly_start = _elderly_start_applies(request, rule, config)
    dose = request.dose_mg or _default(request, rule, elderly_start)
    if dose not in rule.allowed_doses_mg:
        allowed = ", ".join(str(d) for d in rule.allowed_doses_mg)
        raise Invalid("dose.not_allowed", f"dose must be one of {allowed} mg", field="dose_mg")
    if request.first_dose and dose > rule.first_dose_max_mg:
        raise RuleViolation(
            "dose.first_dose_too_high",
            f"the first dose of this protocol is at most {rule.first_dose_max_mg} mg "
            "(84 mg only after a 56 mg first dose)",
            field="dose_mg",
        )
    figures = {LimitName.MG_PER_SESSION: Figure(dose)}
    figures |= cumulative_figures(dose, request.today, request.other_sessions)
    assessment = assess(rule.limits, figures)
    if assessment.hard:
        first = next(iter(assessment.hard))
        message = "; ".join(assessment.hard.values())
        raise RuleViolation(
            "dose.hard_limit",
            message,
            field="dose_mg",
            extra={"limit": first.value, "limits": [n.value for n in assessment.hard]},
        )
    devices = int(dose / rule.device_mg)
    gap = int(rule.minutes_between_devices.value)
    span = (devices - 1) * gap
    return DoseCalculation(
        protocol_id=request.protocol.id,
        drug=request.protocol.drug.value,
        route=request.protocol.route.value,
        dose=Quantity(dose, Unit.MG),
        duration=Quantity(Decimal(span), Unit.MIN),
        weight_basis=None,
        weight_used=None,
        weight_measured_on=None,
        dose_per_kg=None,
        rate_per_min=None,
        rate_per_h=None,
        rate_per_kg_per_h=None,
        pump=None,
        devices=devices,
        minutes_between_devices=gap,
        observation_min=request.protocol.observation.minimum_min,
        chair_time_min=request.protocol.chair_time_min(span),
        findings=(
            *_label_findings(request, rule, dose, elderly_start=elderly_start),
            *assessment.findings,
        ),
        limits=assessment.checks,
    )


def check_device_times(rule: DeviceRule, times: Sequence[datetime]) -> None:
    """Check recorded device times are in order and at least the minimum gap apart.

    Raises:
        RuleViolation: ``dose.devices_too_close`` naming the field ``device_times``.
    """
    minimum = timedelta(minutes=int(rule.minutes_between_devices.value))
    for index in range(1, len(times)):
        if times[index] - times[index - 1] < minimum:
            raise RuleViolation(
                "dose.devices_too_close",
                f"device {index + 1} was given less than {minimum} after device {index}",
                field="device_times",
            )


def _refuse_weight_inputs(request: DoseRequest) -> None:
    given = {
        "dose_mg_per_kg": request.dose_mg_per_kg,
        "rate_mg_per_kg_per_h": request.rate_mg_per_kg_per_h,
        "concentration_mg_per_ml": request.concentration_mg_per_ml,
        "final_volume_ml": request.final_volume_ml,
        "duration_min": request.duration_min,
        "bolus_mg_per_kg": request.bolus_mg_per_kg,
        "bolus_mg": request.bolus_mg,
    }
    for field, value in given.items():
        if value is not None:
            raise Invalid(
                "dose.not_weight_based",
                f"{request.protocol.id} is a fixed-device dose; {field} does not apply",
                field=field,
            )


def _elderly_start_applies(request: DoseRequest, rule: DeviceRule, config: DosingConfig) -> bool:
    if not (config.esketamine_elderly_start and request.first_dose):
        return False
    if rule.elderly_first_dose_mg is None or rule.elderly_age_years is None:
        return False
    if request.age_years is None:
        raise Invalid(
            "dose.age_required",
            "the elderly start variant is enabled: the first dose needs the patient's age",
            field="age_years",
        )
    return request.age_years >= rule.elderly_age_years


def _default(request: DoseRequest, rule: DeviceRule, elderly_start: bool) -> Decimal:
    if elderly_start and rule.elderly_first_dose_mg is not None:
        return rule.elderly_first_dose_mg.value
    return rule.first_dose_mg if request.first_dose else rule.default_dose_mg


def _label_findings(
    request: DoseRequest, rule: DeviceRule, dose: Decimal, *, elderly_start: bool
) -> list[Finding]:
    elderly = rule.elderly_first_dose_mg
    if elderly_start and elderly is not None:
        if dose == elderly.value:
            return []
        message = f"the >= {rule.elderly_age_years} start variant gives {elderly.value} mg first"
        return [Finding("dose.above_elderly_start", message, True, elderly.source)]
    if dose in rule.labelled_doses_mg:
        return []
    when = "as a first dose" if request.first_dose else "in this protocol"
    message = f"{dose} mg is not a labelled dose {when}: prescriber reason required"
    return [Finding("dose.unlabelled_dose", message, True, rule.source)]
