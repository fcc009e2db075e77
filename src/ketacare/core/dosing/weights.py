"""The high-weight prompt: at a very high weight or BMI, suggest dosing on an adjusted weight.

Trials dose on actual body weight, and a post-hoc analysis of the dose-finding RCT found higher
BMI associated with more improvement (Freeman et al. 2020 J Clin Psychopharmacol 40:287), so the
weight basis stays the prescriber's choice: this is a prompt (no reason needed), not a limit.
The thresholds are the protocol's ``high_weight_prompt`` (CONFIG).
"""

from __future__ import annotations

from decimal import Decimal

from ketacare.core.dosing.order import Finding
from ketacare.core.dosing.rules import HighWeightPrompt
from ketacare.core.patients.body_weight import BodyMeasurements, WeightBasis

CM_PER_M = Decimal(100)
BMI_STEP = Decimal("0.1")


def body_mass_index(body: BodyMeasurements) -> Decimal | None:
    """BMI in kg/m2 from the actual weight and height, or None without a height."""
    if body.height_cm is None:
        return None
    metres = body.height_cm / CM_PER_M
    return (body.weight_kg / (metres * metres)).quantize(BMI_STEP)


def high_weight_findings(
    prompt: HighWeightPrompt | None, body: BodyMeasurements, basis: WeightBasis
) -> list[Finding]:
    """A prompt to consider an adjusted weight when the dose is on a high actual weight."""
    if prompt is None or basis is not WeightBasis.ACTUAL:
        return []
    bmi = body_mass_index(body)
    heavy = body.weight_kg >= prompt.weight_kg
    obese = bmi is not None and bmi >= prompt.bmi
    if not (heavy or obese):
        return []
    what = f"weight {body.weight_kg} kg" + (f", BMI {bmi}" if bmi is not None else "")
    message = (
        f"{what} (prompt at >= {prompt.weight_kg} kg or BMI >= {prompt.bmi}): "
        "consider dosing on adjusted body weight"
    )
    return [Finding("dose.high_weight_consider_adjusted", message, source=prompt.source)]
