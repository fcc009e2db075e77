"""Clinic-editable dosing parameters (CONFIG) with their documented defaults.

None of these is a guideline number: each is a clinic setting. The service layer builds a
``DosingConfig`` from the clinic's settings and passes it in; the core never reads settings itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# CONFIG. Re-weigh at least once per course; no guideline gives a number of days. Default 30
# days: one induction course spans 12-21 days (ELEKT-D 3 weeks, Anand et al. 2023 NEJM; Murrough
# et al. 2013 Biol Psychiatry 12 days), so a weight within 30 days was taken in the current course.
MAX_WEIGHT_AGE_DAYS = 30

# CONFIG. Precision of the prescribed dose; doses are rounded DOWN to it.
DOSE_STEP_MG = Decimal("0.1")

# CONFIG. Smallest volume the clinic's syringes can draw up; drawn volumes are rounded DOWN.
VOLUME_STEP_ML = Decimal("0.01")

# CONFIG. Pump rate resolution (many volumetric and syringe pumps step in 0.1 mL/h); rates are
# rounded DOWN, so the pump never runs faster than prescribed.
PUMP_RATE_STEP_ML_PER_H = Decimal("0.1")

# Jurisdiction setting, OFF by default. The Pennsylvania Guidelines for Safe Administration of
# Low-Dose Ketamine (rev. Oct 2020) define low-dose ketamine as infusions <= 1 mg/kg/h (boluses
# <= 0.5 mg/kg) to set the scope of nursing practice for analgesia; they are not a psychiatric
# dose ceiling (the dose-finding RCT's top arm, Fava et al. 2020 Mol Psychiatry 25:1592, gave
# 1.0 mg/kg over 40 min = 1.5 mg/kg/h). A clinic bound by such a rule turns it on: it then becomes
# a hard rate ceiling for every IV ketamine protocol.
LOW_DOSE_RATE_MG_PER_KG_PER_H = Decimal("1")
LOW_DOSE_RATE_SOURCE = (
    "Pennsylvania Guidelines for Safe Administration of Low-Dose Ketamine (rev. Oct 2020): "
    "low-dose infusions <= 1 mg/kg/h; jurisdiction setting (CONFIG, off by default)"
)


@dataclass(frozen=True, slots=True)
class DosingConfig:
    """Clinic dosing settings.

    Attributes:
        max_weight_age_days: a weight measured longer ago than this blocks weight-based orders.
        dose_step_mg: dose precision (rounded down).
        volume_step_ml: draw-up precision (rounded down).
        pump_rate_step_ml_per_h: pump rate precision (rounded down).
        esketamine_elderly_start: follow the label variant that starts patients >= 65 on 28 mg
            (MIMS Hong Kong label; per jurisdiction, off by default because the US label's
            elderly start dose is unverified).
        low_dose_rate_ceiling: apply the Pennsylvania 2020 low-dose figure (<= 1 mg/kg/h) as a
            hard rate ceiling to IV ketamine (jurisdiction setting, off by default).
    """

    max_weight_age_days: int = MAX_WEIGHT_AGE_DAYS
    dose_step_mg: Decimal = DOSE_STEP_MG
    volume_step_ml: Decimal = VOLUME_STEP_ML
    pump_rate_step_ml_per_h: Decimal = PUMP_RATE_STEP_ML_PER_H
    esketamine_elderly_start: bool = False
    low_dose_rate_ceiling: bool = False

    def __post_init__(self) -> None:
        """Refuse settings that would make the rounding rules meaningless."""
        steps = (self.dose_step_mg, self.volume_step_ml, self.pump_rate_step_ml_per_h)
        if self.max_weight_age_days < 0 or any(step <= 0 for step in steps):
            msg = "dosing config: steps must be > 0 and the weight age >= 0"
            raise ValueError(msg)


DEFAULT_CONFIG = DosingConfig()
