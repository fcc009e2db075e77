"""The closed form agrees with an independent ODE solution.

Sources: docs/clinical/pk.md#validation-cases.
"""

from __future__ import annotations

import numpy as np
import pytest

from ketacare.core.dosing.pk import Covariates, Dose, Regimen, get_model
from ketacare.core.dosing.pk.population import sample_parameters, typical_parameters
from ketacare.core.dosing.pk.solver import solve
from ketacare.core.dosing.pk.structures import build_system
from ketacare.core.dosing.pk.system import events_for

TIMES = np.concatenate([np.arange(0.0, 120.0, 1.0), np.arange(120.0, 1441.0, 15.0)])
STANDARD = Regimen.single(Dose.infusion(35.0, 40.0))  # 0.5 mg/kg over 40 min at 70 kg
REL_TOL = 1e-6


def _compare(model_id, regimen, ode, params=None, subject=0):
    model = get_model(model_id)
    params = params or typical_parameters(model, 70.0)
    system = build_system(model, params, Covariates())
    events = events_for(system, regimen.doses)
    ours = solve(system, events, TIMES)
    reference = ode(system, events, TIMES, subject)
    worst = 0.0
    for analyte, expected in reference.items():
        got = ours.concentrations[analyte][subject]
        live = expected > 1e-6 * expected.max()  # LSODA atol dominates below
        worst = max(worst, float(np.max(np.abs(got[live] - expected[live]) / expected[live])))
    return worst


@pytest.mark.parametrize(
    ("model_id", "regimen"),
    [
        pytest.param("domino", STANDARD, id="domino-0.5mg/kg-40min"),
        pytest.param("clements250", STANDARD, id="clements250-0.5mg/kg-40min"),
        pytest.param("hijazi", STANDARD, id="hijazi-0.5mg/kg-40min"),
        pytest.param("herd2007", STANDARD, id="herd2007-0.5mg/kg-40min"),
        pytest.param("flint2017", STANDARD, id="flint2017-parent-and-metabolite"),
        pytest.param("perez-ruixo2021", Regimen.single(Dose.nasal(84)), id="perez-ruixo-84mg"),
        pytest.param("perez-ruixo2021", Regimen.single(Dose.infusion(20, 20)), id="perez-iv"),
        pytest.param(
            "domino",
            Regimen(
                (
                    Dose.bolus(10.0),
                    Dose.infusion(35.0, 40.0, at_min=5.0),
                    Dose.bolus(5.0, at_min=300.0),
                )
            ),
            id="domino-bolus-plus-overlapping-infusion",
        ),
    ],
)
def test_closed_form_matches_lsoda_at_every_sampled_time(model_id, regimen, ode):
    assert _compare(model_id, regimen, ode) < REL_TOL


@pytest.mark.parametrize("model_id", ["herd2007", "flint2017", "perez-ruixo2021"])
def test_virtual_subjects_match_lsoda(model_id, ode):
    model = get_model(model_id)
    params = sample_parameters(model, 70.0, 5, np.random.default_rng(7))
    regimen = Regimen.single(Dose.nasal(56) if model_id.startswith("perez") else Dose.bolus(35))
    for subject in range(5):
        assert _compare(model_id, regimen, ode, params, subject) < REL_TOL


def test_repeated_infusion_72h_apart_reproduces_single_dose_peak():
    """V10: end of the 2nd of two infusions 72 h apart equals single-dose C(40)."""
    from ketacare.core.dosing.pk import simulate

    single = simulate("domino", 70, STANDARD, [40.0]).concentrations["ketamine"][0]
    twice = Regimen.repeated(Dose.infusion(35.0, 40.0), every_h=72, count=2)
    second = simulate("domino", 70, twice, [72 * 60 + 40.0]).concentrations["ketamine"][0]
    assert second == pytest.approx(single, rel=1e-6)


def test_repeated_schedule_matches_lsoda_of_full_schedule(ode):
    twice = Regimen.repeated(Dose.infusion(35.0, 40.0), every_h=72, count=2)
    model = get_model("domino")
    system = build_system(model, typical_parameters(model, 70.0), Covariates())
    events = events_for(system, twice.doses)
    times = np.arange(0.0, 72 * 60 + 600.0, 10.0)
    ours = solve(system, events, times).concentrations["ketamine"][0]
    expected = ode(system, events, times)["ketamine"]
    live = expected > 1e-6 * expected.max()  # below that LSODA's absolute tolerance dominates
    assert np.max(np.abs(ours[live] - expected[live]) / expected[live]) < REL_TOL
