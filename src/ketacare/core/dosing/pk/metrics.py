"""Exposure metrics computed from simulated concentration curves.

Cmax/Tmax are read on the output grid (their resolution is the grid step); time above a
threshold interpolates linearly between grid points; AUC comes exact from the solver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ketacare.core.dosing.pk.system import FloatArray

#: Percentiles reported in population mode (the issue: 5 / 50 / 95).
PERCENTILES: tuple[int, ...] = (5, 50, 95)


@dataclass(frozen=True)
class Metrics:
    """Exposure summary of one concentration curve (ng/mL, min, ng*h/mL).

    Attributes:
        cmax_ng_per_ml: Highest sampled concentration.
        tmax_min: First time the highest sampled concentration occurs.
        auc_ng_h_per_ml: Exact AUC from time 0 to the last output time.
        auc_inf_ng_h_per_ml: Exact AUC from 0 to infinity for the whole regimen.
        time_above_min: Threshold (ng/mL) -> minutes at or above it within the output window.
        at_times_ng_per_ml: Requested time (min) -> exact concentration at that time.
    """

    cmax_ng_per_ml: float
    tmax_min: float
    auc_ng_h_per_ml: float
    auc_inf_ng_h_per_ml: float
    time_above_min: Mapping[float, float]
    at_times_ng_per_ml: Mapping[float, float]


def peak(times: FloatArray, conc: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return (Cmax, Tmax) per subject for concentrations of shape (N, T)."""
    at = np.argmax(conc, axis=1)
    return conc[np.arange(conc.shape[0]), at], times[at]


def time_above(times: FloatArray, conc: FloatArray, threshold: float) -> FloatArray:
    """Return minutes at or above ``threshold`` per subject, interpolating crossings linearly."""
    if times.size < 2:
        return np.zeros(conc.shape[0])
    a, b = conc[:, :-1] - threshold, conc[:, 1:] - threshold
    step = np.diff(times)
    both_above = (a >= 0) & (b >= 0)
    crossing = (a >= 0) != (b >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = np.where(crossing, np.maximum(a, b) / np.abs(a - b), 0.0)
    fraction = np.where(both_above, 1.0, partial)
    total: FloatArray = (fraction * step).sum(axis=1)
    return total


def times_above(
    times: FloatArray, conc: FloatArray, thresholds: Sequence[float]
) -> dict[float, FloatArray]:
    """Return ``time_above`` for each threshold."""
    return {float(t): time_above(times, conc, float(t)) for t in thresholds}


def percentiles(values: FloatArray, levels: Sequence[int] = PERCENTILES) -> dict[str, FloatArray]:
    """Return {"p5": ..., "p50": ..., "p95": ...} over subjects (axis 0)."""
    found = np.percentile(values, list(levels), axis=0)
    return {f"p{level}": found[i] for i, level in enumerate(levels)}
