"""Plausibility rules: one per quantity, shared by the API, the pages and the CLI.

Each rule raises ``ketacare.core.errors.Invalid`` with the field and a message in plain words.
They refuse values no real patient or clock can produce (typing slips, unit mix-ups, a wrong
century); clinical thresholds that raise alerts live with their domains.
"""

from __future__ import annotations

from ketacare.core.plausibility.body import (
    BMI,
    HEIGHT_CM,
    MEASUREMENT_RANGES,
    WEIGHT_KG,
    bmi,
    check_body,
    check_measurement,
)
from ketacare.core.plausibility.counts import EPISODE_MONTHS
from ketacare.core.plausibility.ranges import Range
from ketacare.core.plausibility.text import check_name, check_text
from ketacare.core.plausibility.times import (
    BOOKING,
    CHARTED,
    DEFAULT_WINDOWS,
    Window,
    Windows,
    as_utc,
    check_birth_date,
    check_birth_date_floor,
    check_duration,
    check_event_time,
)
from ketacare.core.plausibility.vitals import VITAL_RANGES, check_blood_pressure, check_vitals

__all__ = [
    "BMI",
    "BOOKING",
    "CHARTED",
    "DEFAULT_WINDOWS",
    "EPISODE_MONTHS",
    "HEIGHT_CM",
    "MEASUREMENT_RANGES",
    "VITAL_RANGES",
    "WEIGHT_KG",
    "Range",
    "Window",
    "Windows",
    "as_utc",
    "bmi",
    "check_birth_date",
    "check_birth_date_floor",
    "check_blood_pressure",
    "check_body",
    "check_duration",
    "check_event_time",
    "check_measurement",
    "check_name",
    "check_text",
    "check_vitals",
]
