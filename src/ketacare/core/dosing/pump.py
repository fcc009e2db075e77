"""Volumes and pump rates for an infusion, rounded in the safe direction.

Safe-direction rule (documented for the prescriber and the nurse):

1. The dose in mg is rounded DOWN to the dose precision before anything else.
2. The volume of stock to draw up is rounded DOWN to the syringe precision, so the mg drawn is
   never above the dose (``drawn_dose`` is reported).
3. The pump rate in mL/h is rounded DOWN to the pump precision, so the pump never runs faster than
   prescribed; the volume to infuse (VTBI) is the whole prepared volume, so the dose is still
   given in full, the infusion merely takes slightly longer (``run_time_min``).

Consequently: drawn dose <= dose; rate x duration <= volume < (rate + step) x duration.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from ketacare.core.dosing.config import DosingConfig
from ketacare.core.dosing.order import PumpSettings
from ketacare.core.errors import Invalid
from ketacare.core.units import MINUTES_PER_HOUR, Quantity, Unit, round_down

CONCENTRATION_STEP = Decimal("0.001")
RUN_TIME_STEP_MIN = Decimal("0.1")


def pump_settings(
    dose: Quantity,
    duration_min: int,
    *,
    concentration_mg_per_ml: Decimal,
    final_volume_ml: Decimal | None,
    config: DosingConfig,
) -> PumpSettings:
    """Draw-up volume, volume to infuse and pump rate for ``dose`` over ``duration_min``.

    Args:
        dose: dose in mg (already rounded down).
        duration_min: prescribed infusion duration.
        concentration_mg_per_ml: concentration of the stock (or of the ready syringe).
        final_volume_ml: volume after dilution; None to infuse the drawn volume undiluted.
        config: precision settings.

    Raises:
        Invalid: non-positive concentration or final volume, a final volume smaller than the drug
            volume, or a pump rate below the pump's precision.
    """
    if concentration_mg_per_ml <= 0:
        raise Invalid(
            "pump.concentration_not_positive",
            "concentration must be > 0 mg/mL",
            field="concentration_mg_per_ml",
        )
    concentration = Quantity(concentration_mg_per_ml, Unit.MG_PER_ML)
    drug_volume = dose.per(concentration).round_down(config.volume_step_ml)
    drawn = drug_volume.times(concentration)
    infused = _volume_to_infuse(drug_volume, final_volume_ml)
    exact_rate = infused.value * MINUTES_PER_HOUR / Decimal(duration_min)
    rate = round_down(exact_rate, config.pump_rate_step_ml_per_h)
    if rate <= 0:
        raise Invalid(
            "pump.rate_below_precision",
            f"pump rate {exact_rate:.4f} mL/h is below the pump precision; dilute further",
            field="final_volume_ml",
        )
    run_time = (infused.value * MINUTES_PER_HOUR / rate).quantize(
        RUN_TIME_STEP_MIN, rounding=ROUND_CEILING
    )
    return PumpSettings(
        concentration=concentration,
        drug_volume=drug_volume,
        drawn_dose=drawn,
        volume_to_infuse=infused,
        infusion_concentration=drawn.per(infused).round_down(CONCENTRATION_STEP),
        rate=Quantity(rate, Unit.ML_PER_H),
        run_time_min=run_time,
    )


def _volume_to_infuse(drug_volume: Quantity, final_volume_ml: Decimal | None) -> Quantity:
    if drug_volume.value <= 0:
        raise Invalid(
            "pump.volume_below_precision",
            "the dose is below one draw-up step at this concentration; use a weaker stock",
            field="concentration_mg_per_ml",
        )
    if final_volume_ml is None:
        return drug_volume
    if final_volume_ml < drug_volume.value:
        raise Invalid(
            "pump.final_volume_too_small",
            f"final volume must be at least the drug volume ({drug_volume})",
            field="final_volume_ml",
        )
    return Quantity(final_volume_ml, Unit.ML)
