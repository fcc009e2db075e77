"""Validation cases (V1, V2, V4-V9) as a table of published and derived numbers.

Sources: docs/clinical/pk.md#validation-cases.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ketacare.core.dosing.pk import Covariates, Dose, Regimen, get_model, simulate
from ketacare.core.dosing.pk.population import typical_parameters

DAY = np.arange(0.0, 24 * 60 + 1.0)
STANDARD = Regimen.single(Dose.infusion(35.0, 40.0))


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        pytest.param("domino", 301.9, id="V1-domino-35mg-301.9"),
        pytest.param("herd2007", 388.9, id="V1-herd-35mg-388.9"),
    ],
)
def test_v1_auc_to_infinity_is_dose_over_clearance(model_id, expected):
    result = simulate(model_id, 70, Regimen.single(Dose.bolus(35.0)), DAY)
    assert result.metrics[result.analyte].auc_inf_ng_h_per_ml == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize("model_id", ["domino", "clements250", "hijazi", "herd2007"])
def test_v1_auc_equals_dose_over_cl_for_every_racemic_model(model_id):
    model = get_model(model_id)
    p = typical_parameters(model, 70.0)
    cl_l_per_min = float(p["k10"][0] * p["v1"][0]) if "k10" in p else float(p["cl"][0])
    expected = 35.0 / cl_l_per_min / 60.0 * 1000.0  # mg / (L/min) -> ng*h/mL
    result = simulate(model, 70, Regimen.single(Dose.infusion(35.0, 40.0)), DAY)
    assert result.metrics[result.analyte].auc_inf_ng_h_per_ml == pytest.approx(expected, rel=1e-9)


def test_auc_over_window_is_exact_not_trapezoidal():
    result = simulate("domino", 70, STANDARD, DAY)
    conc = result.concentrations["ketamine"]
    trapezoid = float(np.sum((conc[1:] + conc[:-1]) / 2) / 60.0)
    exact = result.metrics["ketamine"].auc_ng_h_per_ml
    assert exact == pytest.approx(trapezoid, rel=1e-3)
    assert exact < result.metrics["ketamine"].auc_inf_ng_h_per_ml


def test_v2_constant_infusion_reaches_rate_over_clearance():
    rate_mg_per_min = 0.1
    regimen = Regimen.single(Dose.infusion(rate_mg_per_min * 1440, 1440.0))
    result = simulate("domino", 70, regimen, [1440.0])
    p = typical_parameters(get_model("domino"), 70.0)
    css = rate_mg_per_min / float(p["k10"][0] * p["v1"][0]) * 1000.0
    assert result.concentrations["ketamine"][0] == pytest.approx(css, rel=1e-4)


def test_v4_herd_allometric_scaling_at_35_kg():
    p = typical_parameters(get_model("herd2007"), 35.0)
    assert float(p["cl"][0]) * 60 == pytest.approx(90 * 0.5**0.75)
    assert float(p["q2"][0]) * 60 == pytest.approx(215 * 0.5**0.75)
    assert float(p["v1"][0]) == pytest.approx(38.7 * 0.5)
    assert float(p["v2"][0]) == pytest.approx(102 * 0.5)


def test_v5_hijazi_clearance_and_terminal_half_life():
    p = typical_parameters(get_model("hijazi"), 70.0)
    cl_ml_min_kg = float(p["k10"][0] * p["v1"][0]) * 1000 / 70
    k10, k12, k21 = (float(p[k][0]) for k in ("k10", "k12", "k21"))
    s = k10 + k12 + k21
    beta = (s - math.sqrt(s * s - 4 * k10 * k21)) / 2
    assert cl_ml_min_kg == pytest.approx(36.0, rel=0.02)
    assert math.log(2) / beta == pytest.approx(296.7, rel=0.02)
    assert math.log(2) / beta / 60 == pytest.approx(4.9, rel=0.02)


@pytest.mark.parametrize("model_id", ["domino", "clements250", "hijazi", "herd2007"])
def test_v6_end_of_depression_infusion_is_in_the_observed_range(model_id):
    """0.5 mg/kg over 40 min: 120-300 ng/mL typical; ~185 ng/mL observed (Zarate 2006)."""
    result = simulate(model_id, 70, STANDARD, [40.0])
    end = result.concentrations[result.analyte][0]
    assert 120 <= end <= 300
    assert abs(end - 185) / 185 <= 0.40


SPRAVATO = [
    # devices, esketamine Cmax, AUC0-24, noresketamine Cmax (Perez-Ruixo 2021 Table 4)
    pytest.param(1, 43.8, 147.3, 59.1, id="V7-28mg"),
    pytest.param(2, 72.5, 254.7, 119.7, id="V7-56mg"),
    pytest.param(3, 101.0, 362.2, 180.0, id="V7-84mg"),
]


@pytest.mark.parametrize(("devices", "cmax", "auc", "nor_cmax"), SPRAVATO)
def test_v7_spravato_model_values_within_5_percent(devices, cmax, auc, nor_cmax):
    result = simulate("perez-ruixo2021", 70, Regimen.single(Dose.nasal(28.0 * devices)), DAY)
    parent, metabolite = result.metrics["esketamine"], result.metrics["noresketamine"]
    assert parent.cmax_ng_per_ml == pytest.approx(cmax, rel=0.05)
    assert parent.auc_ng_h_per_ml == pytest.approx(auc, rel=0.05)
    assert metabolite.cmax_ng_per_ml == pytest.approx(nor_cmax, rel=0.05)


@pytest.mark.parametrize(
    ("mg", "covariates", "cmax", "auc"),
    [
        pytest.param(56, Covariates(japanese=True), 94.5, None, id="V8-japanese-56mg"),
        pytest.param(84, Covariates(age_years=70), 102.7, 391.2, id="V8-age70-84mg"),
    ],
)
def test_v8_covariate_effects(mg, covariates, cmax, auc):
    result = simulate(
        "perez-ruixo2021", 70, Regimen.single(Dose.nasal(mg)), DAY, covariates=covariates
    )
    metrics = result.metrics["esketamine"]
    assert metrics.cmax_ng_per_ml == pytest.approx(cmax, rel=0.05)
    if auc is not None:
        assert metrics.auc_ng_h_per_ml == pytest.approx(auc, rel=0.05)


def test_v9_spravato_label_shape_for_84_mg():
    times = np.arange(0.0, 72 * 60 + 1.0)
    result = simulate("perez-ruixo2021", 70, Regimen.single(Dose.nasal(84)), times)
    conc = result.concentrations["esketamine"]
    metrics = result.metrics["esketamine"]
    assert 20 <= metrics.tmax_min <= 45
    late = (times >= 24 * 60) & (times <= 72 * 60)
    slope = np.polyfit(times[late] / 60, np.log(conc[late]), 1)[0]
    assert 7 <= math.log(2) / -slope <= 12
    assert conc[-1] / metrics.cmax_ng_per_ml < 0.01


def test_nasal_dose_with_more_devices_absorbs_a_smaller_fraction():
    """Per-dose FRn = 0.54 (1 + (N - 1) 0.62) / N, so exposure is less than dose-proportional."""
    one = simulate("perez-ruixo2021", 70, Regimen.single(Dose.nasal(28)), DAY)
    three = simulate("perez-ruixo2021", 70, Regimen.single(Dose.nasal(84)), DAY)
    ratio = (
        three.metrics["esketamine"].auc_inf_ng_h_per_ml
        / one.metrics["esketamine"].auc_inf_ng_h_per_ml
    )
    assert 2.0 < ratio < 3.0
