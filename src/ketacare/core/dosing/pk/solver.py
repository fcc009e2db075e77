"""Exact solution of linear compartment systems, vectorised over subjects.

For each subject K = V diag(mu) V^-1. In modal coordinates z = V^-1 A every mode evolves on its
own, so between breakpoints (output times, input starts and stops) the state advances exactly:
z(t + dt) = e^{mu dt} z(t) + expm1(mu dt)/mu * (V^-1 r) for an infusion rate r, and a bolus D
into compartment j adds V^-1 e_j D (the "ADVAN" state-advance form of
docs/clinical/pk.md#closed-form-maths; the same
numbers as summing closed-form single-dose responses). ``expm1`` avoids cancellation at small
steps (docs/clinical/pk.md#closed-form-maths). Mammillary (two-way tree) matrices are first
symmetrised, so their
eigenvectors stay well conditioned even with coinciding eigenvalues.

When the eigenvectors are ill-conditioned (near-equal rate constants in a one-way chain:
absorption vs elimination, parent vs metabolite; docs/clinical/pk.md#closed-form-maths) that
subject is instead
advanced with the matrix exponential of the augmented matrix [[K, I], [0, 0]] (``linalg.expm``).

AUC is exact: integrating dA/dt = K A + u from 0 to t gives AUC_A = K^-1 (A(t) - U(t)), where U
is the amount put in by time t.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ketacare.core.dosing.pk.linalg import expm
from ketacare.core.dosing.pk.system import (
    NG_PER_ML_PER_MG_PER_L,
    FloatArray,
    InputEvent,
    LinearSystem,
)
from ketacare.core.errors import Invalid

BoolArray = npt.NDArray[np.bool_]

#: Eigenvector condition number above which a subject uses the matrix-exponential path:
#: rounding error grows ~cond x 1e-16, so 1e6 keeps the closed form within ~1e-10 relative.
COND_LIMIT = 1e6
#: Largest imaginary part (relative to the largest rate) accepted as rounding noise.
IMAG_TOL = 1e-10
MINUTES_PER_HOUR = 60.0


@dataclass(frozen=True)
class Solution:
    """Concentrations and exact AUCs for N subjects.

    Attributes:
        times_min: Output times, shape (T,).
        concentrations: Analyte -> ng/mL, shape (N, T).
        auc_ng_h_per_ml: Analyte -> AUC from 0 to the last output time, shape (N,).
        auc_inf_ng_h_per_ml: Analyte -> AUC from 0 to infinity of the whole regimen, shape (N,).
        fallback: Subjects solved by the matrix-exponential path, shape (N,).
    """

    times_min: FloatArray
    concentrations: dict[str, FloatArray]
    auc_ng_h_per_ml: dict[str, FloatArray]
    auc_inf_ng_h_per_ml: dict[str, FloatArray]
    fallback: BoolArray


def check_times(times_min: Sequence[float] | FloatArray) -> FloatArray:
    """Return ``times_min`` as a float array, checking it is finite, >= 0 and non-decreasing."""
    times = np.asarray(times_min, dtype=np.float64)
    if times.ndim != 1 or times.size == 0:
        raise Invalid("pk.times_empty", "give at least one output time", field="times_min")
    if not np.all(np.isfinite(times)) or times[0] < 0 or np.any(np.diff(times) < 0):
        raise Invalid(
            "pk.times_invalid", "times must be finite, >= 0 and increasing", field="times_min"
        )
    return times


@dataclass(frozen=True)
class _Plan:
    """Breakpoints (output times and input starts/stops) and what happens at each."""

    points: FloatArray
    output_at: npt.NDArray[np.intp]
    boluses: list[list[int]]
    active: list[tuple[int, ...]]


def _plan(events: Sequence[InputEvent], times: FloatArray) -> _Plan:
    edges = [e.start_min for e in events] + [e.end_min for e in events]
    points = np.unique(np.concatenate([[0.0], times, edges]))
    points = points[points <= times[-1]]
    boluses = [
        [i for i, e in enumerate(events) if e.duration_min == 0 and e.start_min == t]
        for t in points
    ]
    active = [
        tuple(
            i
            for i, e in enumerate(events)
            if e.duration_min > 0 and e.start_min <= t0 and e.end_min >= t1
        )
        for t0, t1 in itertools.pairwise(points)
    ]
    return _Plan(points, np.searchsorted(points, times), boluses, active)


def solve(
    system: LinearSystem, events: Sequence[InputEvent], times_min: Sequence[float] | FloatArray
) -> Solution:
    """Return concentrations of every output of ``system`` at ``times_min`` for ``events``."""
    times = check_times(times_min)
    k = system.rate_matrix
    mu, vec, winv, good = _decompose(k)
    analytes = list(system.outputs)
    rows = [system.outputs[a].compartment for a in analytes]
    scale = np.stack([NG_PER_ML_PER_MG_PER_L / system.outputs[a].volume_l for a in analytes])
    plan = _plan(events, times)
    conc = np.empty((times.size, len(rows), system.subjects))
    final = np.empty((system.subjects, system.compartments))
    for idx, modal in ((np.flatnonzero(good), True), (np.flatnonzero(~good), False)):
        if idx.size:
            path = _modal_path if modal else _expm_path
            part, final[idx] = path(
                k[idx], mu[idx], vec[idx], winv[idx], events, plan, rows, scale[:, idx], idx
            )
            if idx.size == system.subjects:
                conc = part
            else:
                conc[:, :, idx] = part
    return _assemble(system, events, times, analytes, conc, final, ~good)


def _decompose(k: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """Return eigenvalues, eigenvectors, their inverses and which subjects can use them."""
    d = _symmetrizer(k)
    if d is not None:
        return _decompose_symmetric(k, d)
    mu_c, vec_c = np.linalg.eig(k)
    scale = np.abs(mu_c).max(axis=1, initial=0.0)
    real = np.all(np.abs(mu_c.imag) <= IMAG_TOL * scale[:, None], axis=1)
    if np.any(mu_c.real >= 0):
        raise Invalid("pk.non_eliminating", "every compartment must drain (rates < 0)")
    mu, vec = mu_c.real.copy(), vec_c.real.copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        try:
            winv = np.linalg.inv(vec)
            # 1-norm condition number from the inverse we need anyway (cheaper than an SVD)
            cond = _norm1(vec) * _norm1(winv)
        except np.linalg.LinAlgError:  # an exactly singular (defective) subject in the stack
            cond = np.linalg.cond(vec)
            winv = np.full_like(vec, np.nan)
            ok = np.isfinite(cond) & (cond < COND_LIMIT)
            winv[ok] = np.linalg.inv(vec[ok])
    good = real & np.isfinite(cond) & (cond < COND_LIMIT)
    return mu, vec, winv, good


def _symmetrizer(k: FloatArray) -> FloatArray | None:
    """Return d with D^-1 K D symmetric (D = diag(d)), or None if K is not of that kind.

    A compartment graph whose exchanges are all two-way and form a tree (every mammillary
    model) is symmetrised by d_j = d_i sqrt(K_ji / K_ij) along its edges. Its eigenvectors are
    then D Q with Q orthogonal: well conditioned even when eigenvalues coincide.
    """
    n = k.shape[1]
    pattern = np.any(k != 0, axis=0) & ~np.eye(n, dtype=bool)
    if not np.array_equal(pattern, pattern.T):
        return None
    edges = [(i, j) for i in range(n) for j in range(i + 1, n) if pattern[i, j]]
    if any(np.any(k[:, i, j] <= 0) or np.any(k[:, j, i] <= 0) for i, j in edges):
        return None
    d = np.full((k.shape[0], n), np.nan)
    d[:, 0] = 1.0
    for _ in range(n):  # propagate along the tree; n passes reach every connected node
        for i, j in edges + [(j, i) for i, j in edges]:
            if np.isnan(d[0, j]) and not np.isnan(d[0, i]):
                d[:, j] = d[:, i] * np.sqrt(k[:, j, i] / k[:, i, j])
    if np.isnan(d[0]).any() or len(edges) != n - 1:
        return None
    return d


def _decompose_symmetric(
    k: FloatArray, d: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    sym = k * d[:, None, :] / d[:, :, None]
    mu, q = np.linalg.eigh((sym + np.transpose(sym, (0, 2, 1))) / 2)
    if np.any(mu >= 0):
        raise Invalid("pk.non_eliminating", "every compartment must drain (rates < 0)")
    vec = d[:, :, None] * q
    winv = np.transpose(q, (0, 2, 1)) / d[:, None, :]
    cond = d.max(axis=1) / d.min(axis=1)
    return mu, vec, winv, cond < COND_LIMIT


def _norm1(m: FloatArray) -> FloatArray:
    norms: FloatArray = np.abs(m).sum(axis=1).max(axis=1)
    return norms


def _modal_path(
    k: FloatArray,
    mu: FloatArray,
    vec: FloatArray,
    winv: FloatArray,
    events: Sequence[InputEvent],
    plan: _Plan,
    rows: list[int],
    scale: FloatArray,
    idx: npt.NDArray[np.intp],
) -> tuple[FloatArray, FloatArray]:
    """Advance modal coordinates z = V^-1 A: each mode decays on its own, exactly.

    The state is stacked as y = [z, obs_1 * z, ..., obs_R * z] (obs_r = row r of V, scaled to
    ng/mL), shape (1 + R, n, M): one multiply advances it and one sum per row gives C_r. The
    (mode, subject) layout keeps every per-step operation a long contiguous vector operation.
    """
    del k
    mu_t = np.ascontiguousarray(mu.T)
    observe = np.ascontiguousarray(np.transpose(vec[:, rows, :], (1, 2, 0))) * scale[:, None, :]
    lift = np.concatenate([np.ones((1, *mu_t.shape)), observe])  # (1 + R, n, M)
    inputs = [lift * (winv[:, :, e.compartment].T * e.amount_mg[idx]) for e in events]
    rates = [
        x / e.duration_min if e.duration_min else x for x, e in zip(inputs, events, strict=True)
    ]
    steps: dict[float, tuple[FloatArray, FloatArray]] = {}
    driven: dict[tuple[float, tuple[int, ...]], FloatArray] = {}
    record = np.empty((plan.points.size, len(rows), idx.size))
    y = np.zeros_like(lift)
    for j, t in enumerate(plan.points):
        for i in plan.boluses[j]:
            y += inputs[i]
        np.sum(y[1:], axis=1, out=record[j])
        if j + 1 == plan.points.size:
            break
        step = float(plan.points[j + 1] - t)
        if step not in steps:
            steps[step] = (np.exp(mu_t * step), np.expm1(mu_t * step) / mu_t)
        decay, gain = steps[step]
        np.multiply(y, decay, out=y)
        if plan.active[j]:
            key = (step, plan.active[j])
            if key not in driven:
                driven[key] = gain * _total(rates, plan.active[j])
            y += driven[key]
    return _at_outputs(record, plan), np.einsum("mij,jm->mi", vec, y[0])


def _at_outputs(record: FloatArray, plan: _Plan) -> FloatArray:
    """Keep the breakpoints that are output times (no copy when they all are)."""
    if plan.points.size == plan.output_at.size:
        return record
    picked: FloatArray = record[plan.output_at]
    return picked


def _expm_path(
    k: FloatArray,
    mu: FloatArray,
    vec: FloatArray,
    winv: FloatArray,
    events: Sequence[InputEvent],
    plan: _Plan,
    rows: list[int],
    scale: FloatArray,
    idx: npt.NDArray[np.intp],
) -> tuple[FloatArray, FloatArray]:
    """Advance the state between breakpoints with exp([[K, I], [0, 0]] dt) (any K)."""
    del mu, vec, winv
    m, n = k.shape[0], k.shape[1]
    augmented = np.zeros((m, 2 * n, 2 * n))
    augmented[:, :n, :n] = k
    augmented[:, :n, n:] = np.eye(n)
    unit = np.eye(n)
    inputs = [np.outer(e.amount_mg[idx], unit[e.compartment]) for e in events]
    rates = [
        x / e.duration_min if e.duration_min else x for x, e in zip(inputs, events, strict=True)
    ]
    cache: dict[float, tuple[FloatArray, FloatArray]] = {}
    record = np.empty((plan.points.size, len(rows), m))
    x = np.zeros((m, n))
    for j, t in enumerate(plan.points):
        for i in plan.boluses[j]:
            x = x + inputs[i]
        record[j] = x[:, rows].T * scale
        if j + 1 == plan.points.size:
            break
        step = float(plan.points[j + 1] - t)
        if step not in cache:
            full = expm(augmented * step)
            cache[step] = (full[:, :n, :n], full[:, :n, n:])
        phi, gamma = cache[step]
        x = np.einsum("mij,mj->mi", phi, x)
        if plan.active[j]:
            x += np.einsum("mij,mj->mi", gamma, _total(rates, plan.active[j]))
    return _at_outputs(record, plan), x


def _total(arrays: list[FloatArray], which: tuple[int, ...]) -> FloatArray:
    total = np.zeros_like(arrays[which[0]])
    for i in which:
        total += arrays[i]
    return total


def input_by(events: Sequence[InputEvent], t: float, n_sub: int, n: int) -> FloatArray:
    """Return the amount put into each compartment by time ``t`` (U(t)), shape (N, n)."""
    total = np.zeros((n_sub, n))
    for e in events:
        if e.duration_min == 0:
            fraction = 1.0 if e.start_min <= t else 0.0
        else:
            fraction = min(1.0, max(0.0, (t - e.start_min) / e.duration_min))
        total[:, e.compartment] += e.amount_mg * fraction
    return total


def _assemble(
    system: LinearSystem,
    events: Sequence[InputEvent],
    times: FloatArray,
    analytes: list[str],
    conc: FloatArray,
    final: FloatArray,
    fallback: BoolArray,
) -> Solution:
    n_sub, n = system.subjects, system.compartments
    k = system.rate_matrix
    auc_state = np.linalg.solve(k, (final - input_by(events, times[-1], n_sub, n))[..., None])
    auc_inf = np.linalg.solve(k, -input_by(events, np.inf, n_sub, n)[..., None])
    curves, auc, inf = {}, {}, {}
    for r, analyte in enumerate(analytes):
        out = system.outputs[analyte]
        per_l = NG_PER_ML_PER_MG_PER_L / out.volume_l / MINUTES_PER_HOUR
        curves[analyte] = conc[:, r, :].T  # (N, T) view of the (T, N) result: no copy
        auc[analyte] = auc_state[:, out.compartment, 0] * per_l
        inf[analyte] = auc_inf[:, out.compartment, 0] * per_l
    return Solution(times, curves, auc, inf, fallback)
