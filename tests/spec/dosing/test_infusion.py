"""IV ketamine dose calculation: worked examples, limits, weight basis and pump settings.

Each row is a worked example a clinician can check by hand (Andrade 2017; Cohen et al. 2018;
Schwartzman et al. 2009). The limit tables at every bound live in ``test_limits.py``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ketacare.core.codes import SexAtBirth
from ketacare.core.dosing.calculator import calculate_dose
from ketacare.core.dosing.config import DosingConfig
from ketacare.core.dosing.infusion import bolus_limit_mg
from ketacare.core.dosing.library import get_protocol
from ketacare.core.dosing.order import DoseCalculation, DoseRequest
from ketacare.core.dosing.rules import InfusionRule
from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.patients.body_weight import (
    BodyMeasurements,
    WeightBasis,
)

D = Decimal  # short alias keeps the worked-example tables readable

TODAY = date(2025, 3, 3)
DEPRESSION, CRPS, PAIN = "iv-ketamine-depression", "iv-ketamine-crps", "iv-ketamine-pain"


def order(
    protocol_id: str = DEPRESSION,
    weight: str = "80",
    *,
    height: str | None = None,
    sex: SexAtBirth | None = None,
    measured_on: date = TODAY,
    **kwargs: Any,
) -> DoseCalculation:
    body = BodyMeasurements(D(weight), measured_on, D(height) if height else None, sex)
    converted: dict[str, Any] = {k: D(v) if type(v) is str else v for k, v in kwargs.items()}
    return calculate_dose(
        DoseRequest(protocol=get_protocol(protocol_id), today=TODAY, body=body, **converted)
    )


def codes(result: DoseCalculation) -> list[str]:
    return [f.code for f in result.findings]


@pytest.mark.parametrize(
    ("protocol_id", "weight", "kwargs", "dose", "per_min", "per_h", "duration"),
    [
        pytest.param(DEPRESSION, "80", {}, "40", "1", "60", 40, id="rule11-80kg-40mg-1mg/min"),
        pytest.param(DEPRESSION, "73.3", {}, "36.6", "0.915", "54.9", 40, id="36.65-rounds-down"),
        pytest.param(
            DEPRESSION, "60", {"dose_mg_per_kg": "0.1"}, "6", "0.15", "9", 40, id="0.1mg/kg"
        ),
        pytest.param(
            DEPRESSION,
            "80",
            {"dose_mg_per_kg": "0.75", "duration_min": 45},
            "60",
            "1.333333",
            "80",
            45,
            id="0.75mg/kg-over-45min-at-ceiling",
        ),
        pytest.param(CRPS, "60", {}, "84", "0.35", "21", 240, id="crps-0.35mg/kg/h-x4h"),
        pytest.param(CRPS, "100", {}, "100", "0.416666", "25", 240, id="crps-capped-25mg/h"),
        pytest.param(
            PAIN,
            "70",
            {"rate_mg_per_kg_per_h": "0.5", "duration_min": 240},
            "140",
            "0.583333",
            "35",
            240,
            id="pain-0.5mg/kg/h-x4h",
        ),
        pytest.param(
            PAIN,
            "70",
            {"dose_mg_per_kg": "2", "duration_min": 180},
            "140",
            "0.777777",
            "46.666666",
            180,
            id="pain-2mg/kg-over-3h",
        ),
    ],
)
def test_worked_examples(
    protocol_id: str,
    weight: str,
    kwargs: dict[str, Any],
    dose: str,
    per_min: str,
    per_h: str,
    duration: int,
) -> None:
    result = order(protocol_id, weight, **kwargs)
    assert result.dose.value == D(dose)
    assert result.rate_per_min is not None
    assert result.rate_per_min.value == D(per_min)
    assert result.rate_per_h is not None
    assert result.rate_per_h.value == D(per_h)
    assert result.duration.value == duration
    assert result.weight_basis is WeightBasis.ACTUAL
    assert result.weight_used is not None
    assert result.weight_used.value == D(weight)


@pytest.mark.parametrize(
    ("protocol_id", "kwargs", "weight", "expected_codes", "override"),
    [
        pytest.param(DEPRESSION, {}, "80", [], False, id="default-no-findings"),
        pytest.param(
            DEPRESSION,
            {"dose_mg_per_kg": "0.05"},
            "80",
            ["dose.mg_per_kg_below_soft_limit"],
            True,
            id="below-0.1mg/kg",
        ),
        pytest.param(
            DEPRESSION,
            {"dose_mg_per_kg": "0.8", "duration_min": 60},
            "80",
            ["dose.mg_per_kg_above_soft_limit"],
            True,
            id="above-0.75mg/kg",
        ),
        pytest.param(
            DEPRESSION,
            {"duration_min": 110},
            "80",
            ["dose.duration_above_soft_limit"],
            True,
            id="over-100min",
        ),
        pytest.param(DEPRESSION, {"duration_min": 100}, "80", [], False, id="100min-inclusive"),
        pytest.param(
            DEPRESSION,
            {"dose_mg_per_kg": "0.75", "duration_min": 45},
            "80",
            [],
            False,
            id="0.75mg/kg-inclusive",
        ),
        pytest.param(CRPS, {}, "60", [], False, id="crps-60kg-84mg"),
        pytest.param(
            CRPS,
            {},
            "50",
            ["dose.total_below_guideline"],
            False,
            id="crps-70mg-below-80mg",
        ),
        pytest.param(CRPS, {}, "100", ["dose.rate_capped"], False, id="crps-cap-warns"),
        pytest.param(
            CRPS,
            {"rate_mg_per_kg_per_h": "0.4"},
            "50",
            ["dose.rate_above_soft_limit"],
            True,
            id="crps-above-0.35mg/kg/h",
        ),
        pytest.param(
            PAIN,
            {"rate_mg_per_kg_per_h": "0.3", "duration_min": 240},
            "70",
            ["dose.rate_below_guideline"],
            False,
            id="pain-below-0.5mg/kg/h",
        ),
        pytest.param(
            PAIN,
            {"rate_mg_per_kg_per_h": "1", "duration_min": 120},
            "70",
            ["dose.duration_below_guideline"],
            False,
            id="pain-2h-not-over-2h",
        ),
        pytest.param(
            PAIN,
            {"rate_mg_per_kg_per_h": "0.6", "duration_min": 121},
            "70",
            [],
            False,
            id="pain-84.7mg-over-121min-no-warning",
        ),
        pytest.param(
            PAIN,
            {"rate_mg_per_kg_per_h": "0.5", "duration_min": 121},
            "70",
            ["dose.total_below_guideline"],
            False,
            id="pain-70.58mg-below-80mg",
        ),
        pytest.param(
            PAIN,
            {"rate_mg_per_kg_per_h": "0.5", "duration_min": 180},
            "50",
            ["dose.total_below_guideline"],
            False,
            id="pain-75mg-below-80mg",
        ),
    ],
)
def test_soft_limits_and_warnings(
    protocol_id: str, kwargs: dict[str, Any], weight: str, expected_codes: list[str], override: bool
) -> None:
    result = order(protocol_id, weight, **kwargs)
    assert codes(result) == expected_codes
    assert result.requires_override is override


@pytest.mark.parametrize(
    ("protocol_id", "kwargs", "weight"),
    [
        pytest.param(DEPRESSION, {"dose_mg_per_kg": "1.01"}, "80", id="above-1.0mg/kg"),
        pytest.param(DEPRESSION, {"duration_min": 241}, "80", id="over-4h"),
        pytest.param(
            PAIN,
            {"rate_mg_per_kg_per_h": "2", "duration_min": 1440},
            "70",
            id="pain-2mg/kg/h-x-1440min",
        ),
        pytest.param(CRPS, {"rate_mg_per_kg_per_h": "0.5"}, "60", id="crps-30mg/h-over-25"),
        pytest.param(
            PAIN,
            {"rate_mg_per_kg_per_h": "2.5", "duration_min": 240},
            "70",
            id="pain-over-2mg/kg/h",
        ),
    ],
)
def test_hard_limits_block_the_order(protocol_id: str, kwargs: dict[str, Any], weight: str) -> None:
    with pytest.raises(RuleViolation) as info:
        order(protocol_id, weight, **kwargs)
    assert info.value.code == "dose.hard_limit"


def test_hard_ceiling_is_inclusive() -> None:
    # 1.0 mg/kg over 40 min (Fava 2020 top arm, 1.5 mg/kg/h): at the hard ceiling, with a reason.
    result = order(dose_mg_per_kg="1.0", duration_min=40)
    assert result.rate_per_kg_per_h is not None
    assert result.rate_per_kg_per_h.value == D("1.5")
    assert result.override_reasons_required == ["dose.mg_per_kg_above_soft_limit"]


@pytest.mark.parametrize(
    ("basis", "weight", "height", "sex", "used", "dose"),
    [
        pytest.param(
            WeightBasis.ACTUAL, "120", "180.34", SexAtBirth.MALE, "120", "60", id="actual"
        ),
        pytest.param(
            WeightBasis.IDEAL, "120", "180.34", SexAtBirth.MALE, "75.3", "37.6", id="ideal"
        ),
        pytest.param(
            WeightBasis.ADJUSTED, "120", "180.34", SexAtBirth.MALE, "93.18", "46.5", id="adjusted"
        ),
        pytest.param(
            WeightBasis.IDEAL, "120", "165", SexAtBirth.FEMALE, "56.909", "28.4", id="ideal-female"
        ),
    ],
)
def test_weight_basis(
    basis: WeightBasis, weight: str, height: str, sex: SexAtBirth, used: str, dose: str
) -> None:
    result = order(weight=weight, height=height, sex=sex, weight_basis=basis)
    assert result.weight_basis is basis
    assert result.weight_used is not None
    assert result.weight_used.value == D(used)
    assert result.dose.value == D(dose)
    assert result.weight_measured_on == TODAY


def test_basis_above_actual_weight_warns_and_limits_use_actual_weight() -> None:
    # 50 kg, 175 cm woman: IBW 65.964 kg > actual. 0.5 mg/kg IBW = 32.9 mg = 0.658 mg/kg actual.
    result = order(weight="50", height="175", sex=SexAtBirth.FEMALE, weight_basis=WeightBasis.IDEAL)
    assert result.dose.value == D("32.9")
    assert codes(result) == ["dose.basis_above_actual_weight"]
    # 0.8 mg/kg IBW is inside the 1.0 mg/kg ceiling on IBW but 1.055 mg/kg on the actual 50 kg.
    with pytest.raises(RuleViolation) as info:
        order(
            weight="50",
            height="175",
            sex=SexAtBirth.FEMALE,
            weight_basis=WeightBasis.IDEAL,
            dose_mg_per_kg="0.8",
            duration_min=45,
        )
    assert info.value.field == "dose_mg_per_kg"
    assert info.value.extra["limit"] == "mg_per_kg"


@pytest.mark.parametrize(
    ("age_days", "blocked"),
    [
        pytest.param(0, False, id="today"),
        pytest.param(30, False, id="30-days-inclusive"),
        pytest.param(31, True, id="31-days-blocks"),
    ],
)
def test_weight_older_than_limit_blocks(age_days: int, blocked: bool) -> None:
    measured = TODAY - timedelta(days=age_days)
    if blocked:
        with pytest.raises(RuleViolation) as info:
            order(measured_on=measured)
        assert (info.value.code, info.value.field) == ("dose.weight_too_old", "weight_measured_on")
    else:
        assert order(measured_on=measured).weight_measured_on == measured


def test_weight_age_limit_is_configurable() -> None:
    request = DoseRequest(
        protocol=get_protocol(DEPRESSION),
        today=TODAY,
        body=BodyMeasurements(D(80), TODAY - timedelta(days=10), None, None),
    )
    with pytest.raises(RuleViolation):
        calculate_dose(request, DosingConfig(max_weight_age_days=7))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param(
            {"measured_on": TODAY + timedelta(days=1)}, "weight_measured_on", id="future-weight"
        ),
        pytest.param({"weight_basis": WeightBasis.IDEAL}, "height_cm", id="ideal-without-height"),
        pytest.param(
            {"weight_basis": WeightBasis.ADJUSTED, "height": "170"},
            "sex_at_birth",
            id="adjusted-without-sex",
        ),
        pytest.param({"dose_mg": "40"}, "dose_mg", id="fixed-dose-on-iv"),
        pytest.param(
            {"dose_mg_per_kg": "0.5", "rate_mg_per_kg_per_h": "0.5"},
            "rate_mg_per_kg_per_h",
            id="dose-and-rate",
        ),
        pytest.param({"dose_mg_per_kg": "-0.5"}, "dose_mg_per_kg", id="negative-dose"),
        pytest.param({"rate_mg_per_kg_per_h": "0"}, "rate_mg_per_kg_per_h", id="zero-rate"),
        pytest.param({"dose_mg_per_kg": "0.0001"}, "dose_mg_per_kg", id="dose-rounds-to-0"),
        pytest.param({"duration_min": 0}, "duration_min", id="zero-duration"),
        pytest.param({"final_volume_ml": "100"}, "concentration_mg_per_ml", id="bag-without-conc"),
        pytest.param({"concentration_mg_per_ml": "0"}, "concentration_mg_per_ml", id="zero-conc"),
        pytest.param(
            {"concentration_mg_per_ml": "10", "final_volume_ml": "3"},
            "final_volume_ml",
            id="bag-smaller-than-drug",
        ),
        pytest.param(
            {"concentration_mg_per_ml": "1000", "dose_mg_per_kg": "0.1"},
            "concentration_mg_per_ml",
            id="below-one-draw-step",
        ),
    ],
)
def test_missing_or_implausible_input_is_invalid(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as info:
        order(**kwargs)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"duration_min": 240}, "dose_mg_per_kg", id="pain-needs-a-dose"),
        pytest.param({"rate_mg_per_kg_per_h": "1"}, "duration_min", id="pain-needs-a-duration"),
    ],
)
def test_pain_protocol_has_no_default_dose(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as info:
        order(PAIN, "70", **kwargs)
    assert info.value.field == field


def test_weight_based_order_needs_a_weight() -> None:
    with pytest.raises(Invalid) as info:
        calculate_dose(DoseRequest(protocol=get_protocol(DEPRESSION), today=TODAY))
    assert info.value.field == "weight_kg"


@pytest.mark.parametrize(
    ("weight", "kwargs", "drug_ml", "drawn_mg", "vtbi_ml", "rate_ml_h", "run_min"),
    [
        pytest.param(
            "80",
            {"concentration_mg_per_ml": "10"},
            "4",
            "40",
            "4",
            "6",
            "40",
            id="40mg-10mg/mL-syringe-6mL/h",
        ),
        pytest.param(
            "80",
            {"concentration_mg_per_ml": "10", "final_volume_ml": "100"},
            "4",
            "40",
            "100",
            "150",
            "40",
            id="40mg-in-100mL-bag-150mL/h",
        ),
        pytest.param(
            "70",
            {"concentration_mg_per_ml": "50"},
            "0.7",
            "35",
            "0.7",
            "1.0",
            "42",
            id="1.05mL/h-rounds-down-to-1.0",
        ),
        pytest.param(
            "73.3",
            {"concentration_mg_per_ml": "100", "final_volume_ml": "10"},
            "0.36",
            "36",
            "10",
            "15",
            "40",
            id="0.366mL-draws-0.36mL",
        ),
        pytest.param(
            "73.3",
            {"concentration_mg_per_ml": "10", "final_volume_ml": "50"},
            "3.66",
            "36.6",
            "50",
            "75",
            "40",
            id="36.6mg-in-50mL-75mL/h",
        ),
        pytest.param(
            "60",
            {"concentration_mg_per_ml": "10", "final_volume_ml": "250", "duration_min": 45},
            "3",
            "30",
            "250",
            "333.3",
            "45.1",
            id="333.33mL/h-rounds-down",
        ),
    ],
)
def test_pump_settings(
    weight: str,
    kwargs: dict[str, Any],
    drug_ml: str,
    drawn_mg: str,
    vtbi_ml: str,
    rate_ml_h: str,
    run_min: str,
) -> None:
    pump = order(weight=weight, **kwargs).pump
    assert pump is not None
    assert pump.drug_volume.value == D(drug_ml)
    assert pump.drawn_dose.value == D(drawn_mg)
    assert pump.volume_to_infuse.value == D(vtbi_ml)
    assert pump.rate.value == D(rate_ml_h)
    assert pump.run_time_min == D(run_min)


def test_as_dict_has_the_cli_contract_keys() -> None:
    data = order(concentration_mg_per_ml="10").as_dict()
    assert data["dose_mg"] == 40.0
    assert data["weight_basis"] == "actual"
    assert data["weight_used_kg"] == 80.0
    assert data["duration_min"] == 40.0
    assert data["rate_mg_per_min"] == 1.0
    assert data["rate_ml_per_h"] == 6.0
    assert data["volume_ml"] == 4.0
    assert data["warnings"] == []
    assert data["requires_override"] is False
    assert data["chair_time_min"] == 100


def test_bolus_limit_is_0_35_mg_per_kg() -> None:
    rule = get_protocol(PAIN).dose_rule
    assert isinstance(rule, InfusionRule)
    assert bolus_limit_mg(rule, D(70)) == D("24.5")
    depression = get_protocol(DEPRESSION).dose_rule
    assert isinstance(depression, InfusionRule)
    assert bolus_limit_mg(depression, D(70)) is None
