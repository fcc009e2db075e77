"""Limits agree: no dose inside every soft range is refused, and nothing outside passes silently.

The walk goes through each IV protocol's default duration (the pain protocol has none: it walks
121 min, just over Cohen et al. 2018's 2 h, and 240 min, the outpatient ceiling) over weights and
doses, and decides "inside the soft ranges" from the protocol data alone (a limit without a soft
range allows everything up to its hard ceiling without a reason). The property test checks the
other direction: whatever the calculator accepts without a reason lies inside every soft range
and under every hard ceiling.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from ketacare.core.dosing.calculator import calculate_dose
from ketacare.core.dosing.library import get_protocol
from ketacare.core.dosing.limits import LimitName, PriorDose
from ketacare.core.dosing.order import DoseCalculation, DoseRequest
from ketacare.core.dosing.rules import InfusionRule
from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.patients.body_weight import BodyMeasurements

D = Decimal  # short alias
TODAY = date(2025, 3, 3)
IV = ("iv-ketamine-depression", "iv-ketamine-crps", "iv-ketamine-pain")
WEIGHTS = [D(w) for w in range(40, 201, 10)] + [D("149.9"), D("150.1")]
STEP = D("0.01")


def _inside(rule: InfusionRule, name: LimitName, value: Decimal) -> bool:
    limit = rule.limits.get(name)
    if limit is None:
        return True
    if limit.soft is not None:
        return limit.soft.contains(value)
    return limit.hard is None or value <= limit.hard.value


def inside_every_soft_range(rule: InfusionRule, weight: Decimal, mg: Decimal, minutes: int) -> bool:
    """Decided from the protocol data, not from the calculator."""
    per_hour = mg * 60 / minutes
    figures = {
        LimitName.MG_PER_KG: mg / weight,
        LimitName.RATE_MG_PER_KG_PER_H: per_hour / weight,
        LimitName.RATE_MG_PER_H: per_hour,
        LimitName.DURATION_MIN: D(minutes),
        LimitName.MG_PER_SESSION: mg,
        LimitName.MG_PER_DAY: mg,
        LimitName.MG_PER_7_DAYS: mg,
    }
    return all(_inside(rule, name, value) for name, value in figures.items())


def _durations(rule: InfusionRule) -> list[int]:
    return [rule.default_duration_min] if rule.default_duration_min else [121, 240]


def _per_kg_grid(rule: InfusionRule) -> list[tuple[str, Decimal]]:
    """Doses to walk: mg/kg across the mg/kg soft range, or rates up to the rate ceiling."""
    per_kg = rule.limits.get(LimitName.MG_PER_KG)
    if per_kg is not None and per_kg.soft is not None:
        low, high = per_kg.soft.low or STEP, per_kg.soft.high or D(1)
        count = int((high - low) / STEP)
        return [("dose_mg_per_kg", low + STEP * i) for i in range(count + 1)]
    top = rule.hard(LimitName.RATE_MG_PER_KG_PER_H) or D(2)
    count = int(top / STEP)
    return [("rate_mg_per_kg_per_h", STEP * i) for i in range(1, count + 1)]


def test_no_dose_inside_the_soft_ranges_is_refused_or_needs_a_reason() -> None:
    for protocol_id in IV:
        protocol = get_protocol(protocol_id)
        rule = protocol.dose_rule
        assert isinstance(rule, InfusionRule)
        walked = 0
        for minutes in _durations(rule):
            for weight in WEIGHTS:
                for key, value in _per_kg_grid(rule):
                    mg = (
                        value * weight if key == "dose_mg_per_kg" else value * weight * minutes / 60
                    )
                    if not inside_every_soft_range(rule, weight, mg, minutes):
                        continue
                    walked += 1
                    result = calculate_dose(
                        DoseRequest(
                            protocol=protocol,
                            today=TODAY,
                            body=BodyMeasurements(weight, TODAY),
                            duration_min=minutes,
                            **cast("dict[str, Any]", {key: value}),
                        )
                    )  # a RuleViolation here is a disagreement between limits
                    assert not result.requires_override, (protocol_id, weight, key, value)
        assert walked > 100, protocol_id  # the walk is not vacuous


def test_depression_soft_range_at_the_default_duration_is_never_refused() -> None:
    # The case the issue reported: the whole 0.1-0.75 mg/kg range over 40 min, 40-200 kg.
    protocol = get_protocol("iv-ketamine-depression")
    for weight in WEIGHTS:
        for tenths in range(10, 76):
            per_kg = D(tenths) / 100
            result = calculate_dose(
                DoseRequest(
                    protocol=protocol,
                    today=TODAY,
                    body=BodyMeasurements(weight, TODAY),
                    dose_mg_per_kg=per_kg,
                )
            )
            mg = per_kg * weight
            assert result.requires_override is (mg > D("112.5")), (weight, per_kg)


def _accepted_lies_inside(result: DoseCalculation) -> None:
    for check in result.limits:
        if check.value is None:
            continue
        if check.soft is not None:
            low, high = check.soft
            assert low is None or check.value >= low, check
            assert high is None or check.value <= high, check
        if check.hard is not None and check.hard[1] is not None:
            assert check.value <= check.hard[1], check


prior = st.builds(
    PriorDose,
    st.integers(min_value=-10, max_value=10).map(lambda d: TODAY + timedelta(days=d)),
    st.decimals(min_value=D(1), max_value=D(200), places=1),
)


@settings(max_examples=300)
@given(
    protocol_id=st.sampled_from(IV),
    weight=st.decimals(min_value=D(30), max_value=D(250), places=1),
    amount=st.decimals(min_value=D("0.01"), max_value=D(3), places=2),
    as_rate=st.booleans(),
    duration=st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
    bolus=st.one_of(st.none(), st.decimals(min_value=D("0.01"), max_value=D("0.5"), places=2)),
    others=st.lists(prior, max_size=4),
)
def test_an_order_accepted_without_a_reason_lies_inside_every_soft_limit(
    protocol_id: str,
    weight: Decimal,
    amount: Decimal,
    as_rate: bool,
    duration: int | None,
    bolus: Decimal | None,
    others: list[PriorDose],
) -> None:
    kwargs: dict[str, Any] = {"rate_mg_per_kg_per_h" if as_rate else "dose_mg_per_kg": amount}
    try:
        result = calculate_dose(
            DoseRequest(
                protocol=get_protocol(protocol_id),
                today=TODAY,
                body=BodyMeasurements(weight, TODAY),
                duration_min=duration,
                bolus_mg_per_kg=bolus,
                other_sessions=tuple(others),
                **kwargs,
            )
        )
    except (Invalid, RuleViolation):
        return
    if result.requires_override:
        return
    _accepted_lies_inside(result)
    rule = get_protocol(protocol_id).dose_rule
    assert isinstance(rule, InfusionRule)
    if bolus is None:
        # Limits are checked on the dose as ordered (rounding down only lowers it by < 0.1 mg).
        minutes = int(result.duration.value)
        ordered = amount * weight if not as_rate else amount * weight * minutes / 60
        assert inside_every_soft_range(rule, weight, ordered, minutes)
        assert D(0) <= ordered - result.dose.value < D("0.1")


@given(
    protocol_id=st.sampled_from(("esketamine-nasal", "esketamine-nasal-mdsi")),
    dose=st.sampled_from([D(28), D(56), D(84)]),
    others=st.lists(prior, max_size=4),
)
def test_an_esketamine_order_accepted_lies_inside_every_limit(
    protocol_id: str, dose: Decimal, others: list[PriorDose]
) -> None:
    try:
        result = calculate_dose(
            DoseRequest(
                protocol=get_protocol(protocol_id),
                today=TODAY,
                dose_mg=dose,
                other_sessions=tuple(others),
            )
        )
    except (Invalid, RuleViolation):
        return
    _accepted_lies_inside(result)
    day = dose + sum((o.mg for o in others if o.on == TODAY), D(0))
    assert day <= 84  # Spravato PI section 2
