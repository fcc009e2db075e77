"""Invariants of the dose calculator, checked with Hypothesis."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.dosing.calculator import calculate_dose
from ketacare.core.dosing.config import DEFAULT_CONFIG
from ketacare.core.dosing.library import get_protocol
from ketacare.core.dosing.order import DoseRequest
from ketacare.core.dosing.pump import pump_settings
from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.patients.body_weight import BodyMeasurements
from ketacare.core.units import Quantity, Unit

D = Decimal  # short alias keeps the worked-example tables readable

TODAY = date(2025, 3, 3)
STEP = DEFAULT_CONFIG.dose_step_mg
weights = st.decimals(min_value=D(20), max_value=D(200), places=1)
per_kg = st.decimals(min_value=D("0.05"), max_value=D(3), places=2)
durations = st.integers(min_value=1, max_value=300)


def request(weight: D, protocol: str = "iv-ketamine-depression", **kwargs: Any) -> DoseRequest:
    return DoseRequest(
        protocol=get_protocol(protocol),
        today=TODAY,
        body=BodyMeasurements(weight, TODAY),
        **kwargs,
    )


# Doubling stays within the derived 150 mg per session ceiling (0.75 mg/kg x 200 kg).
@given(
    st.decimals(min_value=D(20), max_value=D(100), places=1),
    st.sampled_from([D("0.1"), D("0.5"), D("0.75")]),
)
def test_dose_is_linear_in_weight_within_one_rounding_step(weight: D, mg_per_kg: D) -> None:
    result = calculate_dose(request(weight, dose_mg_per_kg=mg_per_kg, duration_min=100))
    exact = mg_per_kg * weight
    assert D(0) <= exact - result.dose.value < STEP
    double = calculate_dose(request(weight * 2, dose_mg_per_kg=mg_per_kg, duration_min=100))
    assert abs(double.dose.value - 2 * result.dose.value) < 2 * STEP


@given(weights, per_kg, st.integers(min_value=1, max_value=240))
def test_dose_never_exceeds_the_hard_ceiling(weight: D, mg_per_kg: D, duration: int) -> None:
    ordered = request(weight, dose_mg_per_kg=mg_per_kg, duration_min=duration)
    if mg_per_kg > 1 or mg_per_kg * weight > 150:
        with pytest.raises(RuleViolation, match="exceeds the hard limit"):
            calculate_dose(ordered)
        return
    result = calculate_dose(ordered)
    assert result.dose.value <= weight  # 1.0 mg/kg, Fava et al. 2020 top arm
    assert result.dose.value <= 150  # derived mg per session ceiling
    assert result.dose.value <= mg_per_kg * weight


@given(weights, st.decimals(min_value=D("0.05"), max_value=D(3), places=2))
def test_crps_rate_never_exceeds_25_mg_per_h(weight: D, rate: D) -> None:
    try:
        result = calculate_dose(
            request(weight, protocol="iv-ketamine-crps", rate_mg_per_kg_per_h=rate)
        )
    except RuleViolation:
        return
    assert result.rate_per_h is not None
    assert result.rate_per_h.value <= 25


@given(
    st.decimals(min_value=D(1), max_value=D(300), places=1),
    st.sampled_from([D(10), D(50), D(100)]),
    st.one_of(st.none(), st.sampled_from([D(50), D(100), D(250), D(500)])),
    durations,
)
def test_pump_rate_times_duration_is_the_volume_within_rounding(
    dose: D, concentration: D, bag: D | None, duration: int
) -> None:
    try:
        pump = pump_settings(
            Quantity(dose, Unit.MG),
            duration,
            concentration_mg_per_ml=concentration,
            final_volume_ml=bag,
            config=DEFAULT_CONFIG,
        )
    except Invalid:
        return  # bag smaller than the drug volume, or a rate below the pump's precision
    step = DEFAULT_CONFIG.pump_rate_step_ml_per_h
    delivered = pump.rate.value * duration / 60  # multiply first: 1/60 is inexact in Decimal
    assert delivered <= pump.volume_to_infuse.value < delivered + step * duration / 60
    assert pump.drawn_dose.value <= dose
    assert pump.run_time_min >= duration
