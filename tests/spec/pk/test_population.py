"""Virtual populations: IIV sampling, seeds, percentiles, V6 population check.

Sources: docs/clinical/pk.md#validation-cases.
"""

from __future__ import annotations

import numpy as np
import pytest

from ketacare.core.dosing.pk import Dose, Regimen, get_model, simulate_population
from ketacare.core.dosing.pk.model import omega2_from_cv
from ketacare.core.dosing.pk.population import sample_parameters
from ketacare.core.errors import Invalid

STANDARD = Regimen.single(Dose.infusion(35.0, 40.0))


def test_v11_herd_clearance_sampler_recovers_median_and_cv():
    cl = sample_parameters(get_model("herd2007"), 70.0, 100_000, np.random.default_rng(11))["cl"]
    cl_l_per_h = cl * 60
    log_sd = np.std(np.log(cl_l_per_h))
    assert np.median(cl_l_per_h) == pytest.approx(90, abs=1)
    assert np.sqrt(np.exp(log_sd**2) - 1) * 100 == pytest.approx(38.1, abs=1)
    assert log_sd**2 == pytest.approx(0.1355, abs=0.003)


def test_v11_flint_correlation_is_kept():
    p = sample_parameters(get_model("flint2017"), 70.0, 100_000, np.random.default_rng(5))
    r = np.corrcoef(np.log(p["cl"]), np.log(p["cl_m"]))[0, 1]
    assert r == pytest.approx(0.506, abs=0.01)


def test_logit_variability_keeps_fraction_inside_0_1():
    p = sample_parameters(get_model("perez-ruixo2021"), 70.0, 50_000, np.random.default_rng(2))
    assert np.all((p["frn"] > 0) & (p["frn"] < 1))
    assert np.median(p["frn"]) == pytest.approx(0.54, abs=0.01)


@pytest.mark.parametrize(
    ("cv", "omega2"),
    [pytest.param(0.381, 0.1355, id="herd-cl"), pytest.param(0.64, 0.3433, id="herd-v1")],
)
def test_omega_squared_is_log_of_one_plus_cv_squared(cv, omega2):
    assert omega2_from_cv(cv) == pytest.approx(omega2, abs=1e-4)


def test_same_seed_same_population_different_seed_differs():
    run = lambda seed: simulate_population(  # noqa: E731
        "herd2007", 70, STANDARD, [40.0, 120.0], n=200, seed=seed
    ).concentrations["ketamine"]["p50"]
    np.testing.assert_array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))


def test_percentiles_are_ordered_and_metrics_per_subject():
    result = simulate_population(
        "herd2007", 70, STANDARD, np.arange(0.0, 361.0), n=500, seed=3, thresholds_ng_per_ml=[100]
    )
    bands = result.concentrations["ketamine"]
    assert np.all(bands["p5"] <= bands["p50"])
    assert np.all(bands["p50"] <= bands["p95"])
    assert result.per_subject["ketamine"]["cmax_ng_per_ml"].shape == (500,)
    stats = result.metric_percentiles("ketamine")
    assert stats["time_above_100"]["p5"] <= stats["time_above_100"]["p95"]


def test_v6_population_end_of_infusion_against_zarate_observation():
    result = simulate_population("herd2007", 70, STANDARD, [40.0], n=20_000, seed=6)
    median = float(result.concentrations["ketamine"]["p50"][0])
    assert abs(median - 185) / 185 <= 0.40


@pytest.mark.parametrize("model_id", ["domino", "clements250", "hijazi"])
def test_model_without_reported_variability_borrows_herd_cvs_and_says_so(model_id):
    borrowed = simulate_population(model_id, 70, STANDARD, [40.0], n=200, seed=1)
    note = [w for w in borrowed.warnings if "borrowed from herd2007" in w]
    assert note == [
        f"{model_id} reports no inter-individual variability: the spread uses CVs borrowed "
        "from herd2007 (k10 CV 38.1%, v1 CV 64.0%; docs/clinical/pk.md#racemic-population-models)"
    ]
    explicit = simulate_population(
        model_id, 70, STANDARD, [40.0], n=200, seed=1, iiv_cv={"k10": 0.381, "v1": 0.64}
    )
    # The borrowed CVs are Herd's own (omega^2 0.1355 and 0.3433), so the same seed gives
    # the same subjects as passing those CVs by hand, and no "borrowed" note.
    assert not any("borrowed" in w for w in explicit.warnings)
    np.testing.assert_allclose(
        borrowed.concentrations["ketamine"]["p50"],
        explicit.concentrations["ketamine"]["p50"],
        rtol=1e-3,
    )


@pytest.mark.parametrize("n", [0, -1, 10**7])
def test_population_size_is_bounded(n):
    with pytest.raises(Invalid):
        simulate_population("herd2007", 70, STANDARD, [40.0], n=n, seed=1)
