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
# Resting heart rates above 300 /min are not conducted to the ventricles in a conscious adult
# at the chair; monitors' displayed range tops out there (CONFIG). 10 /min catches a dropped
# digit while keeping extreme bradycardia chartable.
HEART_RATE = span("Heart rate", 10, 300, "/min", "CONFIG: monitor display range")
# SpO2 is a percentage; pulse oximeter accuracy is specified from 70 % upwards
# (ISO 80601-2-61), so readings below 50 % are not trustworthy numbers (floor: CONFIG).
SPO2 = span("SpO2", 50, 100, "%", "ISO 80601-2-61 accuracy range 70-100 %; floor CONFIG")
# 0 is apnoea and must be chartable; 80 /min is above the fastest rates reported in adults
# (CONFIG: a plausibility ceiling).
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
