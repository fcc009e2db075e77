"""Plausible vital signs at the chair: blood pressure pairs, heart rate, SpO2, respiratory rate.

Bounds are wide on purpose: they refuse readings that cannot come from a resting patient and a
working monitor (typing slips), never unusual-but-real ones, which the alert rules handle.
"""

from __future__ import annotations

from collections.abc import Mapping

from ketacare.core.errors import Invalid
from ketacare.core.plausibility.ranges import Range, span

# The scale of the standard mercury and aneroid sphygmomanometer ends at 300 mmHg, so no cuff
# reading at the chair lies above it; the floors are below the lowest pressures a cuff reports
# at all (CONFIG: plausibility limits, not shock or hypertension thresholds).
SYSTOLIC = span("Systolic blood pressure", 30, 300, "mmHg", "cuff scale 0-300 mmHg; CONFIG")
DIASTOLIC = span("Diastolic blood pressure", 10, 200, "mmHg", "below systolic; CONFIG")
# Bedside monitors count heart rate up to about 300 /min, so a charted value above that is a
# slip (CONFIG; faster pre-excited rhythms exist but are not counted by a cuff or an
# oximeter). 10 /min catches a dropped digit while keeping extreme bradycardia chartable.
HEART_RATE = span("Heart rate", 10, 300, "/min", "CONFIG: monitor display range")
# SpO2 is a percentage. Oximeter accuracy is specified only from 70 % up (ISO 80601-2-61),
# but a real severe desaturation must never be refused at the chair, so everything from 1 %
# is chartable; 0 % is no signal, not a reading (CONFIG).
SPO2 = span("SpO2", 1, 100, "%", "percentage; 0 = no signal; CONFIG")
# 0 is apnoea and must be chartable; 80 /min is a ceiling far above adult tachypnoea
# (CONFIG: a plausibility ceiling, not an alert threshold).
RESPIRATORY_RATE = span("Respiratory rate", 0, 80, "/min", "CONFIG: 0 = apnoea")

VITAL_RANGES: Mapping[str, Range] = {
    "systolic": SYSTOLIC,
    "diastolic": DIASTOLIC,
    "heart_rate": HEART_RATE,
    "spo2": SPO2,
    "respiratory_rate": RESPIRATORY_RATE,
}

DIASTOLIC_NOT_BELOW = "plausibility.diastolic_not_below_systolic"


def check_blood_pressure(systolic: int | None, diastolic: int | None) -> None:
    """Check a blood pressure pair: each in range, and diastolic strictly below systolic.

    Diastolic is the lowest arterial pressure of the cardiac cycle and systolic the highest, so
    a diastolic at or above the systolic is two numbers swapped or mistyped, by definition.

    Raises:
        Invalid: naming ``systolic`` or ``diastolic``.
    """
    if systolic is not None:
        SYSTOLIC.check("systolic", systolic)
    if diastolic is not None:
        DIASTOLIC.check("diastolic", diastolic)
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        raise Invalid(
            DIASTOLIC_NOT_BELOW,
            f"Diastolic ({diastolic}) must be lower than systolic ({systolic}); "
            "were the two swapped?",
            field="diastolic",
        )


def check_vitals(values: Mapping[str, int | None]) -> None:
    """Check every vital sign present in ``values`` (keys as in ``VITAL_RANGES``).

    Raises:
        Invalid: naming the first implausible field.
    """
    check_blood_pressure(values.get("systolic"), values.get("diastolic"))
    for field, rule in VITAL_RANGES.items():
        value = values.get(field)
        if value is not None and field not in ("systolic", "diastolic"):
            rule.check(field, value)
