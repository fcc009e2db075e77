"""Shared helpers for the PK spec tests: an independent ODE reference (scipy LSODA)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from ketacare.core.dosing.pk.system import NG_PER_ML_PER_MG_PER_L, InputEvent, LinearSystem

OdeReference = Callable[[LinearSystem, tuple[InputEvent, ...], np.ndarray], dict[str, np.ndarray]]


def ode_reference(
    system: LinearSystem, events: tuple[InputEvent, ...], times: np.ndarray, subject: int = 0
) -> dict[str, np.ndarray]:
    """Integrate dA/dt = K A + u with LSODA, restarting at every input start and stop."""
    k = system.rate_matrix[subject]
    n = k.shape[0]
    edges = {0.0, float(times[-1])}
    edges |= {e.start_min for e in events} | {e.end_min for e in events}
    points = sorted(t for t in edges if t <= times[-1])
    state = np.zeros(n)
    out = np.zeros((n, times.size))
    for t0, t1 in itertools.pairwise(points):
        for e in events:
            if e.duration_min == 0 and e.start_min == t0:
                state[e.compartment] += e.amount_mg[subject]
        rate = np.zeros(n)
        for e in events:
            if e.duration_min > 0 and e.start_min <= t0 and e.end_min >= t1:
                rate[e.compartment] += e.amount_mg[subject] / e.duration_min
        mask = (times >= t0) & (times <= t1)
        t_eval = np.unique(np.concatenate([times[mask], [t1]]))

        def rhs(_t: float, a: np.ndarray, r: np.ndarray = rate) -> np.ndarray:
            return np.asarray(k @ a + r, dtype=np.float64)

        sol = solve_ivp(
            rhs,
            (t0, t1),
            state,
            method="LSODA",
            rtol=1e-10,
            atol=1e-14,
            t_eval=t_eval,
        )
        out[:, mask] = sol.y[:, np.searchsorted(t_eval, times[mask])]
        state = sol.y[:, -1]
    return {
        name: out[o.compartment] / o.volume_l[subject] * NG_PER_ML_PER_MG_PER_L
        for name, o in system.outputs.items()
    }


@pytest.fixture
def ode() -> OdeReference:
    return ode_reference
