"""Plausible counts and durations given as numbers: episode months, failed trials and the like."""

from __future__ import annotations

from ketacare.core.plausibility.ranges import span

# A depressive episode cannot outlast a life: 1,200 months is 100 years (CONFIG). It refuses
# 9,999 (a placeholder or a slip) while leaving decades-long chronic episodes chartable.
EPISODE_MONTHS = span("Episode duration", 0, 1200, "months", "CONFIG: 100 years")
# Guinness World Records: the oldest verified person, Jeanne Calment, lived to 122 years;
# 130 is rounded outwards.
AGE_YEARS = span("Age", 0, 130, "years", "Guinness: oldest verified person 122 years")
# An antidepressant trial cannot outlast a life either: 5,200 weeks is 100 years (CONFIG).
TRIAL_WEEKS = span("Trial duration", 0, 5200, "weeks", "CONFIG: 100 years")
