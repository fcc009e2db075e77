"""Spec: the chairside record is bound by the signed order and the protocol's hard ceilings.

The order in every row: 80 kg, 0.5 mg/kg = 40 mg over 40 min, diluted to 0.8 mg/mL, pump at
75 mL/h (60 mg/h). Ceilings: 1.0 mg/kg/h x 80 kg = 80 mg/h (100 mL/h); bolus 0.35 mg/kg x 80 kg
= 28 mg; a 50 mg session ceiling where a row needs one. Each limit is walked just below, at and
just above: "at" a limit is always allowed by that limit.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from ketacare.core.errors import Conflict, RuleViolation
from ketacare.core.session.administration_limits import (
    GivenSoFar,
    HardCeilings,
    OrderedDose,
    Shortfall,
    check_bolus,
    check_device,
    check_end_of_dosing,
    check_rate_change,
    ordered_devices,
    projected_total_mg,
)

D = Decimal
ORDER = OrderedDose(
    dose_mg=D(40),
    duration=timedelta(minutes=40),
    concentration_mg_per_ml=D("0.8"),
    rate_ml_per_h=D(75),
)
ORDER_WITH_BOLUS = OrderedDose(
    dose_mg=D(40),
    duration=timedelta(minutes=40),
    concentration_mg_per_ml=D("0.8"),
    rate_ml_per_h=D(75),
    bolus_mg=D(20),
)
CEILINGS = HardCeilings(max_rate_mg_per_h=D(80), max_bolus_mg=D(28))
WITH_TOTAL = HardCeilings(max_rate_mg_per_h=D(80), max_total_mg=D(50), max_bolus_mg=D(28))
START = GivenSoFar(total_mg=D(0), running_time=timedelta(0))


def given(mg: str, minutes: int, rate: str | None = None, devices: int = 0) -> GivenSoFar:
    return GivenSoFar(
        D(mg), timedelta(minutes=minutes), None if rate is None else D(rate), devices=devices
    )


OK = "ok"
RATE_ROWS = [
    # (id, given so far, ceilings, new rate mL/h, expected: "ok", 409 code or 422 code)
    ("just below the order", START, CEILINGS, "74.99", OK),
    ("at the order", START, CEILINGS, "75", OK),
    ("just above the order", START, CEILINGS, "75.01", "409 administration.beyond_order_rate"),
    ("1.2 x order", START, CEILINGS, "90", "409 administration.beyond_order_rate"),
    ("at the hard rate (80 mg/h)", START, CEILINGS, "100", "409 administration.beyond_order_rate"),
    ("just above the hard rate", START, CEILINGS, "100.01", "422 administration.hard_limit_rate"),
    ("the 99999 mL/h pump", START, CEILINGS, "99999", "422 administration.hard_limit_rate"),
    ("300 mL/h", START, CEILINGS, "300", "422 administration.hard_limit_rate"),
    ("slowing down", given("20", 20), CEILINGS, "30", OK),
    ("stopping the pump (0 mL/h)", given("20", 20), CEILINGS, "0", OK),
    ("behind, back to the order", given("10", 20), CEILINGS, "75", OK),
    # 45 mg given in 20 min (after an override): the rest at any rate goes beyond the order.
    (
        "ahead: total beyond order",
        given("45", 20),
        WITH_TOTAL,
        "15",
        "409 administration.beyond_order_total",
    ),
    (
        "ahead: at the hard total",
        given("45", 20),
        WITH_TOTAL,
        "18.75",
        "409 administration.beyond_order_total",
    ),
    (
        "ahead: above the hard total",
        given("45", 20),
        WITH_TOTAL,
        "19",
        "422 administration.hard_limit_total",
    ),
    ("overrun: planned time used", given("40", 40), WITH_TOTAL, "75", OK),
]


def _outcome(fn: object, *args: object, **kwargs: object) -> str:
    try:
        codes = fn(*args, **kwargs)  # type: ignore[operator]
    except RuleViolation as e:
        return f"422 {e.code}"
    except Conflict as e:
        return f"409 {e.code}"
    return OK if not codes else " ".join(codes)


@pytest.mark.parametrize(
    ("so_far", "ceilings", "rate", "expected"),
    [r[1:] for r in RATE_ROWS],
    ids=[r[0] for r in RATE_ROWS],
)
def test_rate_change(so_far: GivenSoFar, ceilings: HardCeilings, rate: str, expected: str) -> None:
    outcome = _outcome(
        check_rate_change, ORDER, so_far, ceilings, rate_ml_per_h=D(rate), overridden=False
    )
    assert outcome == expected


def test_an_override_allows_beyond_the_order_and_names_every_limit() -> None:
    codes = check_rate_change(ORDER, START, CEILINGS, rate_ml_per_h=D(90), overridden=True)
    assert codes == ("administration.beyond_order_rate", "administration.beyond_order_total")


@pytest.mark.parametrize("rate", ["100.01", "300", "99999"])
def test_an_override_never_lifts_a_hard_limit(rate: str) -> None:
    with pytest.raises(RuleViolation) as err:
        check_rate_change(ORDER, START, CEILINGS, rate_ml_per_h=D(rate), overridden=True)
    assert err.value.code == "administration.hard_limit_rate"
    assert "cannot be overridden" in err.value.message


def test_projected_total_runs_the_new_rate_for_the_rest_of_the_planned_time() -> None:
    # 20 mg in 20 min, then 90 mL/h (72 mg/h) for the remaining 20 min: 20 + 24 = 44 mg.
    assert projected_total_mg(ORDER, given("20", 20), D(90)) == D("44.00")


def test_the_signed_pump_setting_is_never_beyond_the_order() -> None:
    # 41 mg of 10 mg/mL over 45 min: 5.47 mL/h (rounded) runs to 41.03 mg, still the order.
    order = OrderedDose(D(41), timedelta(minutes=45), D(10), D("5.47"))
    assert (
        check_rate_change(order, START, HardCeilings(), rate_ml_per_h=D("5.47"), overridden=False)
        == ()
    )


BOLUS_ROWS = [
    # (id, order, given so far, ceilings, bolus mg, expected)
    ("no bolus ordered", ORDER, START, CEILINGS, "5", "409 administration.beyond_order_bolus"),
    ("at the hard bolus", ORDER, START, CEILINGS, "28", "409 administration.beyond_order_bolus"),
    (
        "just above the hard bolus",
        ORDER,
        START,
        CEILINGS,
        "28.01",
        "422 administration.hard_limit_bolus",
    ),
    ("just below the ordered bolus", ORDER_WITH_BOLUS, START, CEILINGS, "19.99", OK),
    ("at the ordered bolus", ORDER_WITH_BOLUS, START, CEILINGS, "20", OK),
    (
        "just above the ordered bolus",
        ORDER_WITH_BOLUS,
        START,
        CEILINGS,
        "20.01",
        "409 administration.beyond_order_bolus",
    ),
    (
        "ordered bolus, total beyond order",
        ORDER_WITH_BOLUS,
        given("30", 20),
        WITH_TOTAL,
        "20",
        "409 administration.beyond_order_total",
    ),
    (
        "bolus above the hard total",
        ORDER_WITH_BOLUS,
        given("30", 20),
        WITH_TOTAL,
        "20.01",
        "422 administration.hard_limit_total",
    ),
    (
        "bolus while running: at the order's total",
        ORDER_WITH_BOLUS,
        given("10", 20, rate="75"),
        CEILINGS,
        "10",
        OK,
    ),
    (
        "bolus while running: counts the pump",
        ORDER_WITH_BOLUS,
        given("10", 20, rate="75"),
        CEILINGS,
        "10.01",
        "409 administration.beyond_order_total",
    ),
]


@pytest.mark.parametrize(
    ("order", "so_far", "ceilings", "mg", "expected"),
    [r[1:] for r in BOLUS_ROWS],
    ids=[r[0] for r in BOLUS_ROWS],
)
def test_bolus(
    order: OrderedDose, so_far: GivenSoFar, ceilings: HardCeilings, mg: str, expected: str
) -> None:
    assert (
        _outcome(check_bolus, order, so_far, ceilings, bolus_mg=D(mg), overridden=False) == expected
    )


ESK = OrderedDose(dose_mg=D(56), duration=timedelta(0), devices=2)
DEVICE_ROWS = [
    ("first of two", 0, OK),
    ("second of two", 1, OK),
    ("a third device", 2, "409 administration.beyond_order_devices"),
]


@pytest.mark.parametrize(
    ("before", "expected"), [r[1:] for r in DEVICE_ROWS], ids=[r[0] for r in DEVICE_ROWS]
)
def test_device(before: int, expected: str) -> None:
    so_far = given(str(28 * before), 0, devices=before)
    assert _outcome(check_device, ESK, so_far, overridden=False) == expected


def test_a_device_beyond_the_order_with_override() -> None:
    assert check_device(ESK, given("56", 0, devices=2), overridden=True) == (
        "administration.beyond_order_devices",
    )


@pytest.mark.parametrize(("mg", "devices"), [("28", 1), ("56", 2), ("84", 3)])
def test_ordered_devices(mg: str, devices: int) -> None:
    assert ordered_devices(D(mg)) == devices


END_ROWS = [
    # (id, order, given mg, devices, esketamine, confirmed, reason, expected)
    ("IV all given", ORDER, "40", 0, False, False, None, OK),
    ("IV within 2 % of the order", ORDER, "39.2", 0, False, False, None, OK),
    (
        "IV just short",
        ORDER,
        "39.19",
        0,
        False,
        False,
        None,
        "409 administration.less_than_ordered",
    ),
    ("IV short, confirmed with a reason", ORDER, "20", 0, False, True, "nausea", "short 20.00"),
    (
        "IV short, confirmed without a reason",
        ORDER,
        "20",
        0,
        False,
        True,
        "  ",
        "409 administration.less_than_ordered",
    ),
    (
        "IV short, reason without confirming",
        ORDER,
        "20",
        0,
        False,
        False,
        "nausea",
        "409 administration.less_than_ordered",
    ),
    (
        "esketamine, no device",
        ESK,
        "0",
        0,
        True,
        True,
        "declined",
        "409 administration.no_device_given",
    ),
    ("esketamine, 1 of 2", ESK, "28", 1, True, False, None, "409 administration.less_than_ordered"),
    ("esketamine, 1 of 2 confirmed", ESK, "28", 1, True, True, "BP", "short 28.00"),
    ("esketamine, 2 of 2", ESK, "56", 2, True, False, None, OK),
]


@pytest.mark.parametrize(
    ("order", "mg", "devices", "esketamine", "confirmed", "reason", "expected"),
    [r[1:] for r in END_ROWS],
    ids=[r[0] for r in END_ROWS],
)
def test_end_of_dosing(
    order: OrderedDose,
    mg: str,
    devices: int,
    esketamine: bool,
    confirmed: bool,
    reason: str | None,
    expected: str,
) -> None:
    try:
        short = check_end_of_dosing(
            order,
            given(mg, 0, devices=devices),
            esketamine=esketamine,
            confirmed=confirmed,
            reason=reason,
        )
    except Conflict as e:
        outcome = f"409 {e.code}"
    else:
        outcome = OK if short is None else f"short {short.missing_mg}"
    assert outcome == expected


def test_shortfall_is_never_negative() -> None:
    assert Shortfall(given_mg=D(45), ordered_mg=D(40)).missing_mg == D(0)
