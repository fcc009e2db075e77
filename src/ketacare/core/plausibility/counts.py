"""Plausible counts and durations given as numbers: episode months, failed trials and the like."""

from __future__ import annotations

from ketacare.core.plausibility.ranges import span

# A depressive episode cannot outlast a life: 1,200 months is 100 years (CONFIG). It refuses
# 9,999 (a placeholder or a slip) while leaving decades-long chronic episodes chartable.
EPISODE_MONTHS = span("Episode duration", 0, 1200, "months", "CONFIG: 100 years")
