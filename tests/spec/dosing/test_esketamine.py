"""Esketamine nasal spray: fixed doses in 28 mg devices.

Sources: docs/clinical/dosing.md#rule-18, docs/clinical/dosing.md#rule-19,
docs/clinical/session.md#rule-31.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ketacare.core.dosing.calculator import calculate_dose
from ketacare.core.dosing.config import DosingConfig
from ketacare.core.dosing.esketamine import check_device_times
from ketacare.core.dosing.library import get_protocol
from ketacare.core.dosing.order import DoseCalculation, DoseRequest
from ketacare.core.dosing.rules import DeviceRule
from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.patients.body_weight import BodyMeasurements

D = Decimal  # short alias keeps the worked-example tables readable

TODAY = date(2025, 3, 3)
TRD, MDSI = "esketamine-nasal", "esketamine-nasal-mdsi"
ELDERLY_VARIANT = DosingConfig(esketamine_elderly_start=True)


def order(
    protocol_id: str = TRD,
    dose_mg: str | None = None,
    *,
    first_dose: bool = False,
    age_years: int | None = None,
    config: DosingConfig | None = None,
) -> DoseCalculation:
    request = DoseRequest(
        protocol=get_protocol(protocol_id),
        today=TODAY,
        body=BodyMeasurements(D(70), TODAY - timedelta(days=400)),  # weight irrelevant, never stale
        dose_mg=D(dose_mg) if dose_mg else None,
        first_dose=first_dose,
        age_years=age_years,
    )
    return calculate_dose(request, config or DosingConfig())


@pytest.mark.parametrize(
    ("protocol_id", "dose_mg", "first", "devices", "span_min", "override"),
    [
        pytest.param(TRD, None, True, 2, 5, False, id="trd-day1-default-56mg"),
        pytest.param(TRD, None, False, 2, 5, False, id="trd-default-56mg"),
        pytest.param(TRD, "56", True, 2, 5, False, id="trd-day1-56mg"),
        pytest.param(TRD, "84", False, 3, 10, False, id="trd-84mg-after-first"),
        pytest.param(TRD, "28", True, 1, 0, True, id="trd-day1-28mg-needs-reason"),
        pytest.param(TRD, "28", False, 1, 0, True, id="trd-28mg-needs-reason"),
        pytest.param(MDSI, None, True, 3, 10, False, id="mdsi-day1-84mg"),
        pytest.param(MDSI, "56", False, 2, 5, False, id="mdsi-reduced-56mg"),
    ],
)
def test_fixed_device_doses(
    protocol_id: str, dose_mg: str | None, first: bool, devices: int, span_min: int, override: bool
) -> None:
    result = order(protocol_id, dose_mg, first_dose=first)
    assert result.devices == devices
    assert result.dose.value == devices * 28
    assert result.duration.value == span_min
    assert result.minutes_between_devices == 5
    assert result.requires_override is override
    assert result.weight_basis is None
    assert result.weight_used is None
    assert (result.observation_min, result.chair_time_min) == (120, 120)


def test_84mg_as_first_trd_dose_is_blocked() -> None:
    with pytest.raises(RuleViolation) as info:
        order(TRD, "84", first_dose=True)
    assert (info.value.code, info.value.field) == ("dose.first_dose_too_high", "dose_mg")


@pytest.mark.parametrize(
    ("protocol_id", "dose_mg"),
    [
        pytest.param(TRD, "70", id="not-whole-devices"),
        pytest.param(TRD, "112", id="four-devices"),
        pytest.param(MDSI, "28", id="mdsi-28mg-not-allowed"),
    ],
)
def test_doses_outside_the_allowed_set_are_invalid(protocol_id: str, dose_mg: str) -> None:
    with pytest.raises(Invalid) as info:
        order(protocol_id, dose_mg)
    assert info.value.field == "dose_mg"


@pytest.mark.parametrize(
    ("age", "dose_mg", "expected_dose", "override"),
    [
        pytest.param(70, None, 28, False, id="70y-starts-28mg"),
        pytest.param(65, None, 28, False, id="65y-inclusive"),
        pytest.param(64, None, 56, False, id="64y-starts-56mg"),
        pytest.param(70, "56", 56, True, id="70y-56mg-needs-reason"),
    ],
)
def test_elderly_start_variant(
    age: int, dose_mg: str | None, expected_dose: int, override: bool
) -> None:
    result = order(TRD, dose_mg, first_dose=True, age_years=age, config=ELDERLY_VARIANT)
    assert result.dose.value == expected_dose
    assert result.requires_override is override


def test_elderly_variant_needs_the_age_on_the_first_dose() -> None:
    with pytest.raises(Invalid) as info:
        order(TRD, first_dose=True, config=ELDERLY_VARIANT)
    assert info.value.field == "age_years"


def test_elderly_variant_does_not_apply_to_mdsi() -> None:
    result = order(MDSI, first_dose=True, config=ELDERLY_VARIANT)
    assert result.dose.value == 84


def test_dosing_config_refuses_nonsense_steps() -> None:
    with pytest.raises(ValueError, match="steps must be > 0"):
        DosingConfig(dose_step_mg=D(0))


def test_elderly_variant_is_off_by_default() -> None:
    assert order(TRD, first_dose=True, age_years=80).dose.value == 56


@pytest.mark.parametrize(
    "field",
    ["dose_mg_per_kg", "rate_mg_per_kg_per_h", "concentration_mg_per_ml", "final_volume_ml"],
)
def test_weight_based_inputs_are_refused(field: str) -> None:
    extra: dict[str, Any] = {field: D(1)}
    request = DoseRequest(protocol=get_protocol(TRD), today=TODAY, **extra)
    with pytest.raises(Invalid) as info:
        calculate_dose(request)
    assert info.value.field == field


T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("gaps_min", "ok"),
    [
        pytest.param([5, 5], True, id="5-min-apart"),
        pytest.param([6, 10], True, id="longer-gaps"),
        pytest.param([5, 4.9], False, id="second-gap-too-short"),
        pytest.param([0], False, id="same-time"),
    ],
)
def test_minutes_between_devices(gaps_min: list[float], ok: bool) -> None:
    rule = get_protocol(TRD).dose_rule
    assert isinstance(rule, DeviceRule)
    times = [T0]
    for gap in gaps_min:
        times.append(times[-1] + timedelta(minutes=gap))
    if ok:
        check_device_times(rule, times)
    else:
        with pytest.raises(RuleViolation) as info:
            check_device_times(rule, times)
        assert info.value.code == "dose.devices_too_close"
