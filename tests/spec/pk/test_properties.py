"""Hypothesis properties of the linear simulator: linearity, non-negativity, time shift."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.core.dosing.pk import Dose, Regimen, simulate
from ketacare.core.dosing.pk.metrics import time_above

TIMES = np.arange(0.0, 721.0, 5.0)
MODELS = st.sampled_from(["domino", "clements250", "hijazi", "herd2007", "flint2017"])
DOSES = st.floats(min_value=0.1, max_value=500.0)
DURATIONS = st.sampled_from([0.0, 1.0, 40.0, 100.0])


def _dose(amount: float, duration: float, at: float = 0.0) -> Dose:
    return Dose(amount, at, duration_min=duration)


@settings(max_examples=40, deadline=None)
@given(MODELS, DOSES, st.floats(min_value=0.1, max_value=10.0), DURATIONS)
def test_concentration_is_linear_in_dose(model_id, amount, factor, duration):
    one = simulate(model_id, 70, Regimen.single(_dose(amount, duration)), TIMES)
    scaled = simulate(model_id, 70, Regimen.single(_dose(amount * factor, duration)), TIMES)
    for analyte, conc in one.concentrations.items():
        # atol: a mode sum that is zero in exact arithmetic (metabolite at t = 0) is ~1e-16 x peak
        np.testing.assert_allclose(
            scaled.concentrations[analyte],
            conc * factor,
            rtol=1e-9,
            atol=1e-12 * conc.max() * factor,
        )


@settings(max_examples=40, deadline=None)
@given(
    MODELS,
    st.lists(st.tuples(DOSES, DURATIONS, st.floats(0.0, 600.0)), min_size=1, max_size=4),
    st.floats(min_value=20.0, max_value=150.0),
)
def test_concentrations_are_never_negative(model_id, doses, weight):
    regimen = Regimen(tuple(_dose(a, d, t) for a, d, t in doses))
    result = simulate(model_id, weight, regimen, TIMES)
    for conc in result.concentrations.values():
        assert np.all(conc >= -1e-9 * max(1.0, conc.max()))


@settings(max_examples=30, deadline=None)
@given(MODELS, DOSES, DURATIONS, st.sampled_from([5.0, 60.0, 240.0]))
def test_delaying_a_dose_shifts_the_curve(model_id, amount, duration, delay):
    now = simulate(model_id, 70, Regimen.single(_dose(amount, duration)), TIMES)
    later = simulate(model_id, 70, Regimen.single(_dose(amount, duration, delay)), TIMES + delay)
    for analyte, conc in now.concentrations.items():
        np.testing.assert_allclose(
            later.concentrations[analyte], conc, rtol=1e-8, atol=1e-12 * conc.max()
        )


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1000.0), min_size=2, max_size=30), st.floats(0.0, 1000.0))
def test_time_above_threshold_is_between_zero_and_window(values, threshold):
    times = np.arange(float(len(values)))
    spent = time_above(times, np.array([values]), threshold)[0]
    assert 0.0 <= spent <= times[-1] + 1e-9
