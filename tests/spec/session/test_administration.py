"""Spec: administration record maths and esketamine device spacing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.session.administration import (
    AdministrationRecord,
    AmountUnit,
    Bolus,
    DeviceUse,
    Pause,
    RateSegment,
    RateUnit,
    add_device,
    check_device_times,
    total_administered,
)

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
MG_MIN, ML_H = RateUnit.MG_PER_MIN, RateUnit.ML_PER_H


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def seg(start: float, stop: float | None, rate: str, unit: RateUnit = MG_MIN) -> RateSegment:
    return RateSegment(m(start), None if stop is None else m(stop), Decimal(rate), unit)


TOTALS = [
    # (id, record, at (minutes from T0), total mg, total mL)
    (
        "rule 11: 80 kg x 0.5 mg/kg = 40 mg at 1.0 mg/min over 40 min",
        AdministrationRecord(segments=(seg(0, 40, "1.0"),)),
        60,
        "40.00",
        None,
    ),
    (
        "40 mg in 40 mL (1 mg/mL) at 60 mL/h for 40 min",
        AdministrationRecord(Decimal(1), segments=(seg(0, 40, "60", ML_H),)),
        60,
        "40.00",
        "40.00",
    ),
    (
        "10 mg/mL at 6 mL/h for 40 min = 4 mL",
        AdministrationRecord(Decimal(10), segments=(seg(0, 40, "6", ML_H),)),
        40,
        "40.00",
        "4.00",
    ),
    (
        "rate change: 1.0 mg/min x 20 then 0.5 mg/min x 20",
        AdministrationRecord(segments=(seg(0, 20, "1.0"), seg(20, 40, "0.5"))),
        60,
        "30.00",
        None,
    ),
    (
        "10-min pause inside a 40-min segment",
        AdministrationRecord(segments=(seg(0, 40, "1.0"),), pauses=(Pause(m(10), m(20)),)),
        60,
        "30.00",
        None,
    ),
    (
        "overlapping pauses are not subtracted twice",
        AdministrationRecord(
            segments=(seg(0, 40, "1.0"),), pauses=(Pause(m(10), m(20)), Pause(m(15), m(25)))
        ),
        60,
        "25.00",
        None,
    ),
    (
        "a pause across a rate change",
        AdministrationRecord(
            segments=(seg(0, 20, "1.0"), seg(20, 40, "2.0")), pauses=(Pause(m(15), m(25)),)
        ),
        60,
        "45.00",
        None,
    ),
    (
        "open segment runs until at",
        AdministrationRecord(segments=(seg(0, None, "1.0"),)),
        25,
        "25.00",
        None,
    ),
    (
        "open pause runs until at",
        AdministrationRecord(segments=(seg(0, None, "1.0"),), pauses=(Pause(m(10), None),)),
        25,
        "10.00",
        None,
    ),
    (
        "gap between segments delivers nothing",
        AdministrationRecord(segments=(seg(0, 10, "1.0"), seg(20, 30, "1.0"))),
        60,
        "20.00",
        None,
    ),
    (
        "segment charted after at is ignored",
        AdministrationRecord(segments=(seg(0, 10, "1.0"), seg(30, 40, "1.0"))),
        20,
        "10.00",
        None,
    ),
    (
        "boluses in mg and in mL (10 mg/mL) plus an infusion",
        AdministrationRecord(
            Decimal(10),
            segments=(seg(0, 40, "1.0"),),
            boluses=(
                Bolus(m(0), Decimal(5), AmountUnit.MG),
                Bolus(m(1), Decimal("0.5"), AmountUnit.ML),
            ),
        ),
        60,
        "50.00",
        "5.00",
    ),
    (
        "20 s at 1 mg/min rounds to 0.33 mg",
        AdministrationRecord(
            segments=(RateSegment(T0, T0 + timedelta(seconds=20), Decimal(1), MG_MIN),)
        ),
        1,
        "0.33",
        None,
    ),
    (
        "two esketamine devices = 56 mg",
        AdministrationRecord(devices=(DeviceUse(m(0)), DeviceUse(m(5)))),
        10,
        "56.00",
        None,
    ),
    (
        "three esketamine devices = 84 mg",
        AdministrationRecord(devices=(DeviceUse(m(0)), DeviceUse(m(5)), DeviceUse(m(10)))),
        30,
        "84.00",
        None,
    ),
    (
        "device not yet given at `at` is not counted",
        AdministrationRecord(devices=(DeviceUse(m(0)), DeviceUse(m(5)))),
        4,
        "28.00",
        None,
    ),
]


@pytest.mark.parametrize(
    ("record", "at_min", "mg", "ml"), [pytest.param(r, a, g, v, id=i) for i, r, a, g, v in TOTALS]
)
def test_total_mg(record: AdministrationRecord, at_min: float, mg: str, ml: str | None) -> None:
    totals = total_administered(record, at=m(at_min))
    assert totals.total_mg == Decimal(mg)
    assert totals.total_ml == (None if ml is None else Decimal(ml))
    assert totals.total_mg == totals.infusion_mg + totals.bolus_mg + totals.device_mg


def test_running_time_excludes_pauses() -> None:
    record = AdministrationRecord(segments=(seg(0, 40, "1.0"),), pauses=(Pause(m(10), m(20)),))
    assert total_administered(record, at=m(60)).running_time == timedelta(minutes=30)


INVALID = [
    (
        "overlapping segments",
        AdministrationRecord(segments=(seg(0, 20, "1"), seg(19, 40, "1"))),
        "administration.overlapping_segments",
    ),
    (
        "mL/h without concentration",
        AdministrationRecord(segments=(seg(0, 20, "60", ML_H),)),
        "administration.concentration_required",
    ),
    (
        "zero concentration",
        AdministrationRecord(Decimal(0), segments=(seg(0, 20, "60", ML_H),)),
        "administration.concentration_required",
    ),
    (
        "negative rate",
        AdministrationRecord(segments=(seg(0, 20, "-1"),)),
        "administration.negative_rate",
    ),
    (
        "segment stops before it starts",
        AdministrationRecord(segments=(seg(20, 10, "1"),)),
        "administration.segment_ends_before_start",
    ),
    (
        "pause ends before it starts",
        AdministrationRecord(segments=(seg(0, 40, "1"),), pauses=(Pause(m(20), m(10)),)),
        "administration.pause_ends_before_start",
    ),
    (
        "zero bolus",
        AdministrationRecord(boluses=(Bolus(m(0), Decimal(0), AmountUnit.MG),)),
        "administration.bolus_not_positive",
    ),
    (
        "bolus in mL without concentration",
        AdministrationRecord(boluses=(Bolus(m(0), Decimal(1), AmountUnit.ML),)),
        "administration.concentration_required",
    ),
]


@pytest.mark.parametrize(("record", "code"), [pytest.param(r, c, id=i) for i, r, c in INVALID])
def test_invalid_records(record: AdministrationRecord, code: str) -> None:
    with pytest.raises(Invalid) as err:
        total_administered(record, at=m(60))
    assert err.value.code == code


def test_touching_segments_are_not_overlapping() -> None:
    record = AdministrationRecord(segments=(seg(0, 20, "1"), seg(20, 40, "1")))
    assert total_administered(record, at=m(40)).total_mg == Decimal("40.00")


SPACING = [
    ("4:59 apart is refused", timedelta(minutes=4, seconds=59), False),
    ("5:00 apart is allowed", timedelta(minutes=5), True),
    ("5:01 apart is allowed", timedelta(minutes=5, seconds=1), True),
    ("same minute is refused", timedelta(0), False),
]


@pytest.mark.parametrize(("gap", "allowed"), [pytest.param(g, a, id=i) for i, g, a in SPACING])
def test_device_spacing(gap: timedelta, allowed: bool) -> None:
    first = DeviceUse(T0, "LOT1")
    second = DeviceUse(T0 + gap, "LOT1")
    if allowed:
        assert add_device((first,), second) == (first, second)
    else:
        with pytest.raises(RuleViolation) as err:
            add_device((first,), second)
        assert err.value.code == "administration.device_interval_too_short"


def test_device_spacing_is_checked_whatever_the_charting_order() -> None:
    with pytest.raises(RuleViolation):
        check_device_times([DeviceUse(m(10)), DeviceUse(m(0)), DeviceUse(m(6))])


def test_a_fourth_device_is_refused() -> None:
    three = (DeviceUse(m(0)), DeviceUse(m(5)), DeviceUse(m(10)))
    with pytest.raises(RuleViolation) as err:
        add_device(three, DeviceUse(m(15)))
    assert err.value.code == "administration.too_many_devices"


rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5), places=2)
seconds = st.integers(min_value=1, max_value=4 * 3600)


@given(rate=rates, length=seconds, data=st.data())
def test_splitting_a_segment_does_not_change_the_total(
    rate: Decimal, length: int, data: st.DataObject
) -> None:
    cut = data.draw(st.integers(min_value=0, max_value=length))
    end, mid = T0 + timedelta(seconds=length), T0 + timedelta(seconds=cut)
    whole = AdministrationRecord(segments=(RateSegment(T0, end, rate, MG_MIN),))
    split = AdministrationRecord(
        segments=(RateSegment(T0, mid, rate, MG_MIN), RateSegment(mid, end, rate, MG_MIN))
    )
    assert total_administered(whole, at=end) == total_administered(split, at=end)


@given(rate=rates, first=seconds, later=seconds)
def test_total_never_decreases_with_time(rate: Decimal, first: int, later: int) -> None:
    record = AdministrationRecord(segments=(RateSegment(T0, None, rate, MG_MIN),))
    t1 = T0 + timedelta(seconds=min(first, later))
    t2 = T0 + timedelta(seconds=max(first, later))
    assert total_administered(record, at=t1).total_mg <= total_administered(record, at=t2).total_mg


def test_device_refusal_tells_the_nurse_when_the_next_device_may_be_given() -> None:
    first = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    devices = [DeviceUse(at=first), DeviceUse(at=first + timedelta(minutes=2, seconds=5))]
    with pytest.raises(RuleViolation) as refused:
        check_device_times(devices)
    assert refused.value.message == (
        "Wait 5 min between devices: only 2 min 05 s since the previous one. "
        "The next device may be given from 10:05:00 UTC."
    )
