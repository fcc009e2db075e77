"""Every dose limit of every protocol, just below, at and just above its bound.

Outcome ``ok`` = orderable without a reason; a finding code = orderable with the prescriber's
reason (``requires_override``); ``refused: <field>`` = hard limit, ``RuleViolation`` naming the
limit. Sources: Andrade 2017 J Clin Psychiatry 78:e852; Fava et al. 2020 Mol Psychiatry 25:1592;
Cohen et al. 2018 Reg Anesth Pain Med 43:521; Schwartzman et al. 2009 Pain 147:107; Spravato PI
section 2; Ketalar PI section 2. Derived ceilings are documented in docs/clinical/dosing-limits.md.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ketacare.core.codes import SexAtBirth
from ketacare.core.dosing.calculator import calculate_dose
from ketacare.core.dosing.config import DosingConfig
from ketacare.core.dosing.library import get_protocol
from ketacare.core.dosing.limits import PriorDose
from ketacare.core.dosing.order import DoseCalculation, DoseRequest
from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.patients.body_weight import (
    BodyMeasurements,
    WeightBasis,
)

D = Decimal  # short alias keeps the tables readable
TODAY = date(2025, 3, 3)
DEPRESSION, CRPS, PAIN = "iv-ketamine-depression", "iv-ketamine-crps", "iv-ketamine-pain"
TRD, MDSI = "esketamine-nasal", "esketamine-nasal-mdsi"
OK = "ok"


def calc(protocol_id: str, weight: str | None = "80", **kwargs: Any) -> DoseCalculation:
    converted: dict[str, Any] = {k: D(v) if isinstance(v, str) else v for k, v in kwargs.items()}
    body = None if weight is None else BodyMeasurements(D(weight), TODAY)
    request = DoseRequest(protocol=get_protocol(protocol_id), today=TODAY, body=body, **converted)
    return calculate_dose(request)


def outcome(protocol_id: str, weight: str | None, **kwargs: Any) -> str:
    try:
        result = calc(protocol_id, weight, **kwargs)
    except RuleViolation as error:
        return f"refused: {error.extra['limit']}" if error.code == "dose.hard_limit" else error.code
    needed = result.override_reasons_required
    return OK if not needed else " ".join(needed)


def others(*pairs: tuple[int, str]) -> tuple[PriorDose, ...]:
    """Other sessions as (days from today, mg)."""
    return tuple(PriorDose(TODAY + timedelta(days=days), D(mg)) for days, mg in pairs)


ABOVE_KG = "dose.mg_per_kg_above_soft_limit"
CRPS_SESSION, CRPS_DAY = "dose.mg_per_session_above_soft_limit", "dose.mg_per_day_above_soft_limit"
# Pain at every hard ceiling at 150 kg: 2 mg/kg/h x 4 h + 0.35 mg/kg bolus = 1252.5 mg.
MAX_PAIN = {"rate_mg_per_kg_per_h": "2", "duration_min": 240, "bolus_mg_per_kg": "0.35"}
WEEK_OF_MAX = [(days, "1252.5") for days in range(-6, 0)]
BELOW_KG = "dose.mg_per_kg_below_soft_limit"

LIMIT_TABLE = [
    # --- depression: mg/kg (soft 0.1-0.75, Andrade 2017; hard 1.0, Fava 2020) at 40 min, 80 kg
    (DEPRESSION, "80", {"dose_mg_per_kg": "0.09"}, BELOW_KG, "below-soft-min"),
    (DEPRESSION, "80", {"dose_mg_per_kg": "0.1"}, OK, "at-soft-min"),
    (DEPRESSION, "80", {"dose_mg_per_kg": "0.74"}, OK, "below-soft-max"),
    (DEPRESSION, "80", {"dose_mg_per_kg": "0.75"}, OK, "0.75/40-at-soft-max-no-reason"),
    (DEPRESSION, "80", {"dose_mg_per_kg": "0.76"}, ABOVE_KG, "above-soft-max"),
    (DEPRESSION, "80", {"dose_mg_per_kg": "0.99"}, ABOVE_KG, "below-hard"),
    (DEPRESSION, "80", {"dose_mg_per_kg": "1.0"}, ABOVE_KG, "1.0/40-at-hard-needs-reason"),
    (DEPRESSION, "80", {"dose_mg_per_kg": "1.01"}, "refused: mg_per_kg", "above-hard"),
    # --- depression: duration (soft 2-100 min, Andrade 2017; hard 240 min, derived)
    (DEPRESSION, "80", {"duration_min": 1}, "dose.duration_below_soft_limit", "1-min"),
    (DEPRESSION, "80", {"duration_min": 2}, OK, "2-min-at-soft-min"),
    (DEPRESSION, "80", {"duration_min": 100}, OK, "100-min-at-soft-max"),
    (DEPRESSION, "80", {"duration_min": 101}, "dose.duration_above_soft_limit", "101-min"),
    (DEPRESSION, "80", {"duration_min": 240}, "dose.duration_above_soft_limit", "240-min"),
    (DEPRESSION, "80", {"duration_min": 241}, "refused: duration_min", "241-min"),
    # --- depression: mg per session (soft 112.5, hard 150; derived x 150 kg)
    (DEPRESSION, "150", {"dose_mg_per_kg": "0.75"}, OK, "112.5mg-at-soft"),
    (
        DEPRESSION,
        "150.2",
        {"dose_mg_per_kg": "0.75"},
        "dose.mg_per_session_above_soft_limit dose.mg_per_day_above_soft_limit",
        "112.65mg",
    ),
    (
        DEPRESSION,
        "200",
        {"dose_mg_per_kg": "0.75"},
        "dose.mg_per_session_above_soft_limit dose.mg_per_day_above_soft_limit",
        "150mg-at-hard",
    ),
    (DEPRESSION, "200.2", {"dose_mg_per_kg": "0.75"}, "refused: mg_per_session", "150.15mg"),
    # --- depression: mg per day (other sessions today; soft 112.5, hard 150)
    (DEPRESSION, "80", {"other_sessions": others((0, "72.4"))}, OK, "day-112.4mg"),
    (DEPRESSION, "80", {"other_sessions": others((0, "72.5"))}, OK, "day-112.5mg-at-soft"),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((0, "72.6"))},
        "dose.mg_per_day_above_soft_limit",
        "day-112.6mg",
    ),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((0, "110"))},
        "dose.mg_per_day_above_soft_limit",
        "day-150mg-at-hard",
    ),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((0, "110.1"))},
        "refused: mg_per_day",
        "day-150.1mg",
    ),
    # --- depression: mg per 7 days (soft 337.5 = 3 x 112.5, hard 450 = 3 x 150; Murrough 3x/wk)
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((-6, "148.75"), (-3, "148.75"))},
        OK,
        "week-337.5mg-at-soft",
    ),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((-6, "148.8"), (-3, "148.8"))},
        "dose.mg_per_7_days_above_soft_limit",
        "week-337.6mg",
    ),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((-7, "148.8"), (-3, "148.8"))},
        OK,
        "7-days-ago-is-outside",
    ),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((3, "148.8"), (6, "148.8"))},
        "dose.mg_per_7_days_above_soft_limit",
        "booked-ahead-counts",
    ),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((-2, "150"), (2, "150"), (4, "150"))},
        "refused: mg_per_7_days",
        "window-ending-day-4",
    ),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((-6, "150"), (-3, "150"))},
        "dose.mg_per_7_days_above_soft_limit",
        "week-340mg",
    ),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((-6, "150"), (-3, "150"), (-1, "110"))},
        "dose.mg_per_7_days_above_soft_limit",
        "week-450mg-at-hard",
    ),
    (
        DEPRESSION,
        "80",
        {"other_sessions": others((-6, "150"), (-3, "150"), (-1, "110.1"))},
        "refused: mg_per_7_days",
        "week-450.1mg",
    ),
    # --- pain: rate (hard 2 mg/kg/h, Cohen 2018), duration (hard 240 min outpatient), bolus 0.35
    (PAIN, "70", {"rate_mg_per_kg_per_h": "1.99", "duration_min": 180}, OK, "rate-1.99"),
    (PAIN, "70", {"rate_mg_per_kg_per_h": "2", "duration_min": 180}, OK, "rate-2-at-hard"),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "2.01", "duration_min": 180},
        "refused: rate_mg_per_kg_per_h",
        "rate-2.01",
    ),
    (PAIN, "70", {"rate_mg_per_kg_per_h": "1", "duration_min": 239}, OK, "239-min"),
    (PAIN, "70", {"rate_mg_per_kg_per_h": "1", "duration_min": 240}, OK, "240-min-at-hard"),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "1", "duration_min": 241},
        "refused: duration_min",
        "241-min",
    ),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "2", "duration_min": 1440},
        "refused: duration_min",
        "2mg/kg/h-x-1440min",
    ),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "1", "duration_min": 180, "bolus_mg_per_kg": "0.34"},
        OK,
        "bolus-0.34",
    ),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "1", "duration_min": 180, "bolus_mg_per_kg": "0.35"},
        OK,
        "bolus-0.35-at-hard",
    ),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "1", "duration_min": 180, "bolus_mg_per_kg": "0.36"},
        "refused: bolus_mg_per_kg",
        "bolus-0.36",
    ),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "1", "duration_min": 180, "bolus_mg": "24.5"},
        OK,
        "bolus-24.5mg-at-hard",
    ),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "1", "duration_min": 180, "bolus_mg": "24.6"},
        "refused: bolus_mg_per_kg",
        "bolus-24.6mg",
    ),
    # --- pain: mg per session (hard 1252.5 derived) and mg per day / 7 days
    (
        PAIN,
        "150",
        {"rate_mg_per_kg_per_h": "2", "duration_min": 240, "bolus_mg_per_kg": "0.35"},
        OK,
        "1252.5mg-at-hard",
    ),
    (
        PAIN,
        "150.1",
        {"rate_mg_per_kg_per_h": "2", "duration_min": 240, "bolus_mg_per_kg": "0.35"},
        "refused: mg_per_session",
        "1253.3mg",
    ),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "1", "duration_min": 240, "other_sessions": others((0, "972.5"))},
        OK,
        "day-1252.5mg-at-hard",
    ),
    (
        PAIN,
        "70",
        {"rate_mg_per_kg_per_h": "1", "duration_min": 240, "other_sessions": others((0, "972.6"))},
        "refused: mg_per_day",
        "day-1252.6mg",
    ),
    (PAIN, "150", {**MAX_PAIN, "other_sessions": others(*WEEK_OF_MAX)}, OK, "week-8767.5-at-hard"),
    (
        PAIN,
        "150",
        {**MAX_PAIN, "other_sessions": others(*WEEK_OF_MAX[1:], (-1, "1252.6"))},
        "refused: mg_per_7_days",
        "week-8767.6mg",
    ),
    # --- CRPS: rate (soft 0.35 mg/kg/h, hard 2), mg/h (hard 25), duration (hard 240)
    (CRPS, "60", {"rate_mg_per_kg_per_h": "0.35"}, OK, "0.35-at-soft"),
    (CRPS, "60", {"rate_mg_per_kg_per_h": "0.36"}, "dose.rate_above_soft_limit", "0.36"),
    (CRPS, "10", {"rate_mg_per_kg_per_h": "2"}, "dose.rate_above_soft_limit", "2-at-hard"),
    (CRPS, "10", {"rate_mg_per_kg_per_h": "2.01"}, "refused: rate_mg_per_kg_per_h", "2.01"),
    (CRPS, "71", {"rate_mg_per_kg_per_h": "0.35"}, OK, "24.85mg/h"),
    (CRPS, "50", {"rate_mg_per_kg_per_h": "0.5"}, "dose.rate_above_soft_limit", "25mg/h-at-hard"),
    (CRPS, "50", {"rate_mg_per_kg_per_h": "0.51"}, "refused: rate_mg_per_h", "25.5mg/h"),
    (CRPS, "60", {"duration_min": 240}, OK, "240-min-at-hard"),
    (CRPS, "60", {"duration_min": 241}, "refused: duration_min", "241-min"),
    # --- CRPS: mg per session (soft 100 Schwartzman, hard 152.5 derived), bolus counted
    (CRPS, "100", {}, OK, "capped-100mg-at-soft"),
    (CRPS, "100", {"bolus_mg": "0.1"}, f"{CRPS_SESSION} {CRPS_DAY}", "100.1mg"),
    (
        CRPS,
        "150",
        {"bolus_mg_per_kg": "0.35"},
        "dose.mg_per_session_above_soft_limit dose.mg_per_day_above_soft_limit",
        "152.5mg-at-hard",
    ),
    (CRPS, "60", {"other_sessions": others((0, "16"))}, OK, "day-100mg-at-soft"),
    (
        CRPS,
        "60",
        {"other_sessions": others((0, "16.1"))},
        "dose.mg_per_day_above_soft_limit",
        "day-100.1mg",
    ),
    (
        CRPS,
        "60",
        {"other_sessions": others((0, "68.5"))},
        "dose.mg_per_day_above_soft_limit",
        "day-152.5mg-at-hard",
    ),
    (CRPS, "60", {"other_sessions": others((0, "68.6"))}, "refused: mg_per_day", "day-152.6mg"),
    (CRPS, "60", {"other_sessions": others(*[(d, "100") for d in range(-6, 0)])}, OK, "week-684mg"),
    (
        CRPS,
        "60",
        {"other_sessions": others(*[(d, "102.7") for d in range(-6, 0)])},
        "dose.mg_per_7_days_above_soft_limit",
        "week-700.2mg",
    ),
    # --- esketamine: mg per session/day 84 (Spravato PI), per 7 days 168 (derived, 2 x 84)
    (TRD, None, {"dose_mg": "84"}, OK, "84-at-hard"),
    (TRD, None, {"dose_mg": "56", "other_sessions": others((0, "28"))}, OK, "day-84-at-hard"),
    (
        TRD,
        None,
        {"dose_mg": "56", "other_sessions": others((0, "56"))},
        "refused: mg_per_day",
        "day-112",
    ),
    (TRD, None, {"dose_mg": "84", "other_sessions": others((-3, "84"))}, OK, "week-168-at-hard"),
    (
        TRD,
        None,
        {"dose_mg": "84", "other_sessions": others((-7, "84"), (-3, "84"))},
        OK,
        "8-days-back-outside",
    ),
    (
        TRD,
        None,
        {"dose_mg": "56", "other_sessions": others((-6, "84"), (-3, "56"))},
        "refused: mg_per_7_days",
        "week-196",
    ),
    (MDSI, None, {"dose_mg": "84", "other_sessions": others((-4, "84"))}, OK, "mdsi-week-168"),
    (
        MDSI,
        None,
        {"dose_mg": "56", "other_sessions": others((-4, "84"), (-1, "56"))},
        "refused: mg_per_7_days",
        "mdsi-week-196",
    ),
]


@pytest.mark.parametrize(
    ("protocol_id", "weight", "kwargs", "expected"),
    [pytest.param(p, w, k, e, id=f"{p}:{i}") for p, w, k, e, i in LIMIT_TABLE],
)
def test_limit_table(
    protocol_id: str, weight: str | None, kwargs: dict[str, Any], expected: str
) -> None:
    assert outcome(protocol_id, weight, **kwargs) == expected


def test_the_three_examples_of_the_issue() -> None:
    assert calc(DEPRESSION, dose_mg_per_kg="0.75", duration_min=40).requires_override is False
    needs = calc(DEPRESSION, dose_mg_per_kg="1.0", duration_min=40)
    assert needs.override_reasons_required == [ABOVE_KG]
    with pytest.raises(RuleViolation) as refused:
        calc(DEPRESSION, dose_mg_per_kg="1.05", duration_min=40)
    assert refused.value.field == "dose_mg_per_kg"
    assert refused.value.extra["limit"] == "mg_per_kg"
    with pytest.raises(RuleViolation) as pain:
        calc(PAIN, "70", rate_mg_per_kg_per_h="2", duration_min=1440)
    assert pain.value.field == "duration_min"
    assert pain.value.extra["limit"] == "duration_min"
    assert "3360 mg" in pain.value.message  # 2 mg/kg/h x 70 kg x 24 h


@pytest.mark.parametrize(
    ("config", "per_kg", "duration", "expected"),
    [
        pytest.param(DosingConfig(), "0.75", 40, OK, id="off-by-default"),
        pytest.param(DosingConfig(low_dose_rate_ceiling=True), "0.5", 30, OK, id="on-1.0/h-at"),
        pytest.param(
            DosingConfig(low_dose_rate_ceiling=True),
            "0.75",
            40,
            "refused: rate_mg_per_kg_per_h",
            id="on-1.125/h-refused",
        ),
    ],
)
def test_pennsylvania_low_dose_figure_is_an_optional_jurisdiction_setting(
    config: DosingConfig, per_kg: str, duration: int, expected: str
) -> None:
    request = DoseRequest(
        protocol=get_protocol(DEPRESSION),
        today=TODAY,
        body=BodyMeasurements(D(80), TODAY),
        dose_mg_per_kg=D(per_kg),
        duration_min=duration,
    )
    try:
        calculate_dose(request, config)
        got = OK
    except RuleViolation as error:
        got = f"refused: {error.extra['limit']}"
    assert got == expected


def test_the_pennsylvania_setting_keeps_a_lower_protocol_ceiling() -> None:
    # CRPS's soft 0.35 mg/kg/h stays; the jurisdiction ceiling replaces only the looser hard 2.
    on = DosingConfig(low_dose_rate_ceiling=True)
    request = DoseRequest(
        protocol=get_protocol(CRPS),
        today=TODAY,
        body=BodyMeasurements(D(10), TODAY),
        rate_mg_per_kg_per_h=D("1.01"),
    )
    with pytest.raises(RuleViolation) as refused:
        calculate_dose(request, on)
    assert refused.value.field == "rate_mg_per_kg_per_h"


@pytest.mark.parametrize(
    ("weight", "height", "basis", "prompted"),
    [
        pytest.param("149.9", None, WeightBasis.ACTUAL, False, id="149.9kg"),
        pytest.param("150", None, WeightBasis.ACTUAL, True, id="150kg-at"),
        pytest.param("115", "170", WeightBasis.ACTUAL, False, id="bmi-39.8"),
        pytest.param("115.6", "170", WeightBasis.ACTUAL, True, id="bmi-40.0-at"),
        pytest.param("150", "180", WeightBasis.ADJUSTED, False, id="already-adjusted"),
    ],
)
def test_high_weight_prompt_suggests_adjusted_weight_without_needing_a_reason(
    weight: str, height: str | None, basis: WeightBasis, prompted: bool
) -> None:
    body = BodyMeasurements(D(weight), TODAY, D(height) if height else None, SexAtBirth.MALE)
    result = calculate_dose(
        DoseRequest(protocol=get_protocol(DEPRESSION), today=TODAY, body=body, weight_basis=basis)
    )
    codes = [f.code for f in result.findings]
    assert ("dose.high_weight_consider_adjusted" in codes) is prompted
    assert result.requires_override is False


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param(
            {"protocol": DEPRESSION, "bolus_mg_per_kg": "0.2"},
            "bolus_mg_per_kg",
            id="no-bolus-in-depression",
        ),
        pytest.param(
            {"protocol": PAIN, "bolus_mg_per_kg": "0.1", "bolus_mg": "5"},
            "bolus_mg_per_kg",
            id="both",
        ),
        pytest.param({"protocol": PAIN, "bolus_mg": "0.01"}, "bolus_mg", id="rounds-to-0"),
        pytest.param({"protocol": TRD, "bolus_mg": "5"}, "bolus_mg", id="not-for-esketamine"),
    ],
)
def test_bolus_input_errors_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    protocol = kwargs.pop("protocol")
    extra = {"rate_mg_per_kg_per_h": "1", "duration_min": 180} if protocol == PAIN else {}
    weight = None if protocol == TRD else "70"
    with pytest.raises(Invalid) as info:
        calc(protocol, weight, **kwargs, **extra)
    assert info.value.field == field


def test_a_bolus_is_counted_in_the_session_total() -> None:
    result = calc(PAIN, "70", rate_mg_per_kg_per_h="1", duration_min=180, bolus_mg_per_kg="0.35")
    assert result.dose.value == D(210)  # the infusion: 1 mg/kg/h x 70 kg x 3 h
    assert result.bolus is not None
    assert result.bolus.value == D("24.5")
    assert result.session_total.value == D("234.5")
    data = result.as_dict()
    assert (data["bolus_mg"], data["session_total_mg"]) == (24.5, 234.5)
    session = next(c for c in result.limits if c.name == "mg_per_session")
    assert session.value == D("234.5")


@pytest.mark.parametrize(
    ("stock", "final_volume", "expected"),
    [
        pytest.param("100", None, "refused", id="100-undiluted"),
        pytest.param("100", "0.4", "refused", id="100-final-equals-drug-volume"),
        pytest.param("100", "0.79", "refused", id="50.6mg/mL"),
        pytest.param("100", "0.8", OK, id="50mg/mL-equal-volume-at"),
        pytest.param("100", "100", OK, id="0.4mg/mL-bag"),
        pytest.param("50", None, OK, id="50-listed"),
        pytest.param("10", None, OK, id="10-listed"),
        pytest.param("25", "100", "dose.unlisted_concentration", id="25-unlisted"),
    ],
)
def test_preparation_stock_and_dilution(
    stock: str, final_volume: str | None, expected: str
) -> None:
    kwargs: dict[str, Any] = {"concentration_mg_per_ml": stock}
    if final_volume is not None:
        kwargs["final_volume_ml"] = final_volume
    try:
        needed = calc(DEPRESSION, **kwargs).override_reasons_required  # 40 mg over 40 min
        got = OK if not needed else " ".join(needed)
    except RuleViolation as error:
        got = (
            "refused"
            if (error.code, error.field) == ("dose.undiluted_stock", "final_volume_ml")
            else error.code
        )
    assert got == expected


def test_dilution_gives_the_infusion_concentration_and_pump_rate() -> None:
    # 40 mg from the 100 mg/mL vial (0.4 mL) made up to 100 mL: 0.4 mg/mL, 150 mL/h over 40 min.
    data = calc(DEPRESSION, concentration_mg_per_ml="100", final_volume_ml="100").as_dict()
    assert data["drug_volume_ml"] == 0.4
    assert data["volume_ml"] == 100.0
    assert data["infusion_concentration_mg_per_ml"] == 0.4
    assert data["rate_ml_per_h"] == 150.0
