"""The model catalogue as data, regimens, bands and input validation."""

from __future__ import annotations

import itertools
import math

import pytest

from ketacare.core.dosing.pk import (
    DEFAULT_BANDS,
    LITERATURE_RANGES,
    Covariates,
    Dose,
    Regimen,
    Route,
    Salt,
    band_for,
    get_model,
    list_models,
    simulate,
)
from ketacare.core.dosing.pk.model import UNIT_FACTORS
from ketacare.core.errors import Invalid, NotFound

MODELS = [m.id for m in list_models()]


def test_catalogue_contains_the_required_models():
    assert {"domino", "clements250", "hijazi", "herd2007", "perez-ruixo2021", "flint2017"} <= set(
        MODELS
    )


@pytest.mark.parametrize("model_id", MODELS)
def test_every_parameter_has_a_unit_and_a_source(model_id):
    model = get_model(model_id)
    assert model.source
    for parameter in model.parameters:
        assert parameter.unit in UNIT_FACTORS
        assert parameter.source
        assert math.isfinite(parameter.value)
        assert parameter.value > 0


@pytest.mark.parametrize(
    ("model_id", "routes", "approximate", "analytes"),
    [
        pytest.param("domino", {"iv"}, False, ("ketamine",), id="domino"),
        pytest.param("herd2007", {"iv"}, False, ("ketamine",), id="herd"),
        pytest.param("flint2017", {"iv"}, True, ("s-ketamine", "s-norketamine"), id="flint"),
        pytest.param(
            "perez-ruixo2021", {"iv", "nasal"}, False, ("esketamine", "noresketamine"), id="pr"
        ),
    ],
)
def test_model_metadata(model_id, routes, approximate, analytes):
    model = get_model(model_id)
    assert {r.pk_code for r in model.routes} == routes
    assert model.approximate is approximate
    assert model.analytes == analytes


def test_unknown_model_is_not_found():
    with pytest.raises(NotFound) as caught:
        get_model("marsh")
    assert caught.value.code == "pk.unknown_model"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(lambda: Dose(0.0), "pk.dose_not_positive", id="zero-dose"),
        pytest.param(lambda: Dose(math.inf), "pk.dose_not_positive", id="infinite-dose"),
        pytest.param(lambda: Dose(10.0, at_min=-1), "pk.dose_time_negative", id="negative-time"),
        pytest.param(lambda: Dose.infusion(10.0, 0.0), "pk.duration_not_positive", id="no-dur"),
        pytest.param(
            lambda: Dose(10.0, route=Route.INTRANASAL, duration_min=5),
            "pk.nasal_infusion",
            id="nasal",
        ),
        pytest.param(lambda: Regimen(()), "pk.empty_regimen", id="empty-regimen"),
        pytest.param(
            lambda: Regimen.repeated(Dose.bolus(1.0), every_h=0, count=2),
            "pk.interval_not_positive",
            id="zero-interval",
        ),
        pytest.param(
            lambda: Regimen.repeated(Dose.bolus(1.0), every_h=1, count=0),
            "pk.count_not_positive",
            id="zero-count",
        ),
        pytest.param(lambda: Covariates(age_years=-1), "pk.age_out_of_range", id="age"),
    ],
)
def test_invalid_inputs_raise_domain_errors(make, code):
    with pytest.raises(Invalid) as caught:
        make()
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("model_id", "weight", "dose", "code"),
    [
        pytest.param("domino", 0.0, Dose.bolus(10.0), "pk.weight_not_positive", id="weight-0"),
        pytest.param("domino", -70.0, Dose.bolus(10.0), "pk.weight_not_positive", id="weight<0"),
        pytest.param("domino", 70.0, Dose.nasal(28.0), "pk.route_not_supported", id="nasal-iv"),
        pytest.param(
            "perez-ruixo2021", 70.0, Dose.nasal(30.0), "pk.nasal_device_multiple", id="30mg"
        ),
    ],
)
def test_simulate_refuses_bad_requests(model_id, weight, dose, code):
    with pytest.raises(Invalid) as caught:
        simulate(model_id, weight, Regimen.single(dose), [0.0, 60.0])
    assert caught.value.code == code


def test_repeated_regimen_spaces_doses():
    regimen = Regimen.repeated(Dose.infusion(35.0, 40.0), every_h=72, count=3)
    assert [d.at_min for d in regimen.doses] == [0.0, 4320.0, 8640.0]
    assert regimen.last_end_min == 8680.0


def test_hydrochloride_amount_is_converted_to_base():
    """Spravato label: 32.3 mg esketamine HCl = 28 mg base."""
    assert Dose.nasal(32.3, salt=Salt.HCL).base_mg == pytest.approx(28.0, abs=0.01)
    base = simulate("perez-ruixo2021", 70, Regimen.single(Dose.nasal(28.0)), [30.0])
    salt = simulate("perez-ruixo2021", 70, Regimen.single(Dose.nasal(32.3, salt=Salt.HCL)), [30.0])
    assert salt.concentrations["esketamine"][0] == pytest.approx(
        base.concentrations["esketamine"][0], rel=1e-3
    )


@pytest.mark.parametrize(
    ("model_id", "weight", "warns"),
    [
        pytest.param("herd2007", 30.0, False, id="herd-child-in-range"),
        pytest.param("herd2007", 90.0, True, id="herd-90kg-extrapolation"),
    ],
)
def test_weight_outside_studied_range_warns(model_id, weight, warns):
    result = simulate(model_id, weight, Regimen.single(Dose.bolus(10.0)), [0.0, 10.0])
    assert any("extrapolation" in w and "weight" in w for w in result.warnings) is warns


def test_approximate_model_says_so():
    result = simulate("flint2017", 70, Regimen.single(Dose.bolus(10.0)), [0.0, 10.0])
    assert "approximate" in result.warnings[0]


@pytest.mark.parametrize(
    ("conc", "label"),
    [
        pytest.param(10.0, "minimal", id="10"),
        pytest.param(75.0, "sub-dissociative / analgesic range begins", id="75"),
        pytest.param(185.0, "dissociative / antidepressant-infusion range", id="185"),
        pytest.param(400.0, "above the antidepressant-infusion range", id="400"),
        pytest.param(2000.0, "approaching anaesthetic / awakening levels", id="2000"),
    ],
)
def test_display_bands(conc, label):
    assert band_for(conc).label == label


def test_bands_and_ranges_carry_sources_and_tile_the_axis():
    assert all(b.source for b in DEFAULT_BANDS)
    assert all(r.source for r in LITERATURE_RANGES)
    for lower, upper in itertools.pairwise(DEFAULT_BANDS):
        assert lower.upper == upper.lower


def test_threshold_and_sample_time_metrics():
    result = simulate(
        "domino",
        70,
        Regimen.single(Dose.infusion(35.0, 40.0)),
        [0.0, 20.0, 40.0, 60.0, 120.0],
        thresholds_ng_per_ml=[100.0, 10_000.0],
        sample_times_min=[40.0, 45.5],
    )
    metrics = result.metrics["ketamine"]
    assert metrics.time_above_min[10_000.0] == 0.0
    assert 40.0 < metrics.time_above_min[100.0] < 120.0
    assert metrics.at_times_ng_per_ml[40.0] == pytest.approx(metrics.cmax_ng_per_ml)
    assert metrics.tmax_min == 40.0
    assert set(metrics.at_times_ng_per_ml) == {40.0, 45.5}
