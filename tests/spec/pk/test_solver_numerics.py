"""Numerical pitfalls: near-equal rate constants, the expm fallback, superposition.

Sources: docs/clinical/pk.md#closed-form-maths.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg

from ketacare.core.dosing.pk.linalg import expm
from ketacare.core.dosing.pk.solver import solve
from ketacare.core.dosing.pk.system import InputEvent, LinearSystem, Output
from ketacare.core.errors import Invalid

TIMES = np.array([0.0, 0.5, 1.0, 5.0, 30.0, 60.0, 240.0, 720.0])


def depot_system(ka: float, k: float, volume: float = 10.0) -> LinearSystem:
    """One-compartment model with first-order absorption from a depot (Bateman)."""
    matrix = np.array([[[-ka, 0.0], [ka, -k]]])

    def route(dose):
        return (InputEvent(0, np.array([dose.base_mg]), dose.at_min),)

    return LinearSystem(matrix, {"drug": Output(1, np.array([volume]))}, route)


def bateman(dose: float, ka: float, k: float, volume: float, t: np.ndarray) -> np.ndarray:
    """Stable Bateman function: D ka e^{-k t} (1 - e^{-(ka - k) t}) / ((ka - k) V)."""
    d = ka - k
    return dose * ka * np.exp(-k * t) * -np.expm1(-d * t) / (d * volume) * 1000.0


@pytest.mark.parametrize(
    ("ka", "k", "fallback"),
    [
        pytest.param(0.05, 0.01, False, id="distinct-rates-closed-form"),
        pytest.param(0.01 * (1 + 1e-4), 0.01, False, id="gap-1e-4-closed-form-still-accurate"),
        pytest.param(0.01 * (1 + 1e-9), 0.01, True, id="gap-1e-9-uses-expm"),
        pytest.param(0.01 * (1 + 1e-13), 0.01, True, id="gap-1e-13-uses-expm"),
    ],
)
def test_near_equal_absorption_and_elimination(ka, k, fallback):
    system = depot_system(ka, k)
    events = (InputEvent(0, np.array([100.0]), 0.0),)
    solution = solve(system, events, TIMES)
    expected = bateman(100.0, ka, k, 10.0, TIMES)
    got = solution.concentrations["drug"][0]
    assert bool(solution.fallback[0]) is fallback
    np.testing.assert_allclose(got[1:], expected[1:], rtol=1e-8)


def test_exactly_equal_rates_give_the_limit_form():
    k = 0.02
    system = depot_system(k, k)
    solution = solve(system, (InputEvent(0, np.array([100.0]), 0.0),), TIMES)
    expected = 100.0 * k * TIMES * np.exp(-k * TIMES) / 10.0 * 1000.0
    assert solution.fallback[0]
    np.testing.assert_allclose(solution.concentrations["drug"][0], expected, rtol=1e-9, atol=1e-12)


def test_expm_fallback_agrees_with_modal_path_for_a_3cmt_model(monkeypatch):
    from ketacare.core.dosing.pk import Covariates, Dose, get_model
    from ketacare.core.dosing.pk import solver as solver_module
    from ketacare.core.dosing.pk.population import typical_parameters
    from ketacare.core.dosing.pk.structures import build_system
    from ketacare.core.dosing.pk.system import events_for

    model = get_model("domino")
    system = build_system(model, typical_parameters(model, 70.0), Covariates())
    doses = (Dose.infusion(35.0, 40.0), Dose.bolus(5.0, at_min=100.0))
    events = events_for(system, doses)
    times = np.arange(0.0, 600.0, 7.0)
    modal = solve(system, events, times)
    monkeypatch.setattr(solver_module, "COND_LIMIT", 0.0)
    forced = solve(system, events, times)
    assert not modal.fallback[0]
    assert forced.fallback[0]
    np.testing.assert_allclose(
        forced.concentrations["ketamine"], modal.concentrations["ketamine"], rtol=1e-10
    )
    assert forced.auc_ng_h_per_ml["ketamine"][0] == pytest.approx(
        modal.auc_ng_h_per_ml["ketamine"][0], rel=1e-10
    )


@pytest.mark.parametrize(
    "matrix",
    [
        pytest.param(np.zeros((3, 3)), id="zero"),
        pytest.param(np.diag([-1.0, -2.0, -3.0]), id="diagonal"),
        pytest.param(np.array([[-1.0, 1.0], [0.0, -1.0]]), id="jordan-block"),
        pytest.param(np.array([[-200.0, 3.0], [150.0, -0.01]]), id="stiff-large-norm"),
        pytest.param(np.random.default_rng(3).normal(size=(5, 5)) * 4.0, id="random-5x5-scaled"),
    ],
)
def test_expm_matches_scipy(matrix):
    np.testing.assert_allclose(
        expm(matrix[None])[0],
        scipy.linalg.expm(matrix),
        rtol=1e-11,
        atol=1e-13 * max(1.0, np.abs(scipy.linalg.expm(matrix)).max()),
    )


def test_superposition_of_two_boluses_equals_sum_of_single_boluses():
    system = depot_system(0.05, 0.01)
    first = (InputEvent(0, np.array([40.0]), 0.0),)
    second = (InputEvent(0, np.array([60.0]), 30.0),)
    both = solve(system, first + second, TIMES).concentrations["drug"]
    separate = (
        solve(system, first, TIMES).concentrations["drug"]
        + solve(system, second, TIMES).concentrations["drug"]
    )
    np.testing.assert_allclose(both, separate, rtol=1e-12, atol=1e-12)


def test_bolus_is_counted_at_its_own_time():
    system = depot_system(0.05, 0.01)
    events = (InputEvent(1, np.array([10.0]), 60.0),)
    conc = solve(system, events, np.array([59.999, 60.0])).concentrations["drug"][0]
    assert conc[0] == 0.0
    assert conc[1] == pytest.approx(10.0 / 10.0 * 1000.0)


def test_auc_identity_for_a_partial_infusion_window():
    """AUC to a time inside an infusion uses the amount infused so far."""
    system = depot_system(0.05, 0.01)
    k = 0.01
    events = (InputEvent(1, np.array([100.0]), 0.0, 100.0),)
    solution = solve(system, events, np.linspace(0.0, 50.0, 11))
    rate = 1.0  # mg/min
    auc_mg_min_per_l = rate / k * (50.0 - (1 - math.exp(-k * 50.0)) / k) / 10.0
    assert solution.auc_ng_h_per_ml["drug"][0] == pytest.approx(auc_mg_min_per_l * 1000 / 60)


@pytest.mark.parametrize(
    "times",
    [
        pytest.param([], id="empty"),
        pytest.param([-1.0, 0.0], id="negative"),
        pytest.param([0.0, 10.0, 5.0], id="decreasing"),
        pytest.param([0.0, math.nan], id="nan"),
    ],
)
def test_bad_times_are_refused(times):
    system = depot_system(0.05, 0.01)
    with pytest.raises(Invalid) as caught:
        solve(system, (InputEvent(0, np.array([1.0]), 0.0),), times)
    assert caught.value.code.startswith("pk.times_")


def test_non_eliminating_system_is_refused():
    matrix = np.array([[[-0.1, 0.0], [0.1, 0.0]]])
    system = LinearSystem(matrix, {"drug": Output(1, np.array([1.0]))}, lambda _dose: ())
    with pytest.raises(Invalid) as caught:
        solve(system, (InputEvent(0, np.array([1.0]), 0.0),), [0.0, 1.0])
    assert caught.value.code == "pk.non_eliminating"


def test_mammillary_models_use_the_symmetric_path_and_chains_do_not():
    from ketacare.core.dosing.pk import Covariates, get_model
    from ketacare.core.dosing.pk.population import typical_parameters
    from ketacare.core.dosing.pk.solver import _symmetrizer
    from ketacare.core.dosing.pk.structures import build_system

    def matrix(model_id):
        model = get_model(model_id)
        return build_system(model, typical_parameters(model, 70.0), Covariates()).rate_matrix

    assert _symmetrizer(matrix("domino")) is not None
    assert _symmetrizer(matrix("herd2007")) is not None
    assert _symmetrizer(matrix("flint2017")) is None
    assert _symmetrizer(matrix("perez-ruixo2021")) is None


def test_identical_peripheral_compartments_repeated_eigenvalue(ode):
    """Three identical peripherals give the eigenvalue -k21 twice: the symmetric path is exact."""
    from ketacare.core.dosing.pk.structures import mammillary_matrix

    rate = np.array([0.05])
    matrix = mammillary_matrix(np.array([0.1]), [(rate, rate)] * 3)
    eigenvalues = np.linalg.eigvals(matrix[0]).real
    assert np.sum(np.isclose(eigenvalues, -0.05, rtol=1e-9)) == 2

    def route(dose):
        return ()

    system = LinearSystem(matrix, {"drug": Output(0, np.array([5.0]))}, route)
    events = (InputEvent(0, np.array([50.0]), 0.0, 10.0),)
    times = np.linspace(0.0, 300.0, 31)
    solution = solve(system, events, times)
    expected = ode(system, events, times)["drug"]
    assert not solution.fallback[0]
    np.testing.assert_allclose(solution.concentrations["drug"][0][1:], expected[1:], rtol=1e-7)
