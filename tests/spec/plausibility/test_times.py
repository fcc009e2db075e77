"""Spec: plausible dates and times at their edges (ketacare.core.plausibility.times)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.plausibility import (
    BOOKING,
    CHARTED,
    Window,
    as_utc,
    check_birth_date,
    check_duration,
    check_event_time,
)

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)

# Columns: offset from now, window, refusal code (None = accepted).
EVENTS = [
    (timedelta(0), CHARTED, None),
    (-timedelta(days=365), CHARTED, None),
    (-timedelta(days=365, seconds=1), CHARTED, "plausibility.time_too_early"),
    (timedelta(minutes=5), CHARTED, None),  # a tablet clock running fast
    (timedelta(minutes=5, seconds=1), CHARTED, "plausibility.time_too_late"),
    (-timedelta(days=7), BOOKING, None),
    (-timedelta(days=7, seconds=1), BOOKING, "plausibility.time_too_early"),
    (timedelta(days=548), BOOKING, None),  # 18 months ahead
    (timedelta(days=548, seconds=1), BOOKING, "plausibility.time_too_late"),
]


@pytest.mark.parametrize(("offset", "window", "code"), EVENTS)
def test_event_windows(offset: timedelta, window: Window, code: str | None) -> None:
    when = NOW + offset
    if code is None:
        check_event_time(when, at=NOW, window=window, field="at")
        return
    with pytest.raises(Invalid) as refused:
        check_event_time(when, at=NOW, window=window, field="at")
    assert (refused.value.code, refused.value.field) == (code, "at")


@pytest.mark.parametrize(
    "when",
    [
        datetime(1800, 1, 1, 10, 0, tzinfo=UTC),
        datetime(2100, 1, 1, 10, 0, tzinfo=UTC),
    ],
)
def test_wrong_centuries_are_refused_for_events_and_bookings(when: datetime) -> None:
    for window in (CHARTED, BOOKING):
        with pytest.raises(Invalid):
            check_event_time(when, at=NOW, window=window, field="starts_at")


# Valid ISO 8601 whose UTC value falls outside year 1-9999.
@pytest.mark.parametrize(
    "when",
    [
        datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_times_utc_cannot_hold_are_refused(when: datetime) -> None:
    with pytest.raises(Invalid) as refused:
        as_utc(when, field="measured_at")
    assert refused.value.code == "plausibility.time_out_of_range"
    assert refused.value.field == "measured_at"


def test_naive_times_are_refused_and_aware_ones_converted() -> None:
    with pytest.raises(Invalid):
        as_utc(datetime(2026, 1, 1, 9, 0), field="at")  # noqa: DTZ001 - the case under test
    east = datetime(2026, 1, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert as_utc(east, field="at") == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


# Columns: date of birth, accepted.
BIRTHS = [
    (date(1900, 1, 1), True),
    (date(1899, 12, 31), False),
    (date(2026, 11, 29), True),  # born today
    (date(2026, 11, 30), False),
    (date(1, 1, 1), False),
]


@pytest.mark.parametrize(("born", "accepted"), BIRTHS)
def test_birth_dates(born: date, accepted: bool) -> None:
    if accepted:
        check_birth_date(born, today=NOW.date())
        return
    with pytest.raises(Invalid) as refused:
        check_birth_date(born, today=NOW.date())
    assert refused.value.field == "date_of_birth"


@pytest.mark.parametrize(
    ("minutes", "accepted"), [(0, True), (240, True), (241, False), (-1, False)]
)
def test_durations(minutes: int, accepted: bool) -> None:
    value, maximum = timedelta(minutes=minutes), timedelta(hours=4)
    if accepted:
        check_duration(value, maximum=maximum, field="duration_min")
        return
    with pytest.raises(Invalid) as refused:
        check_duration(value, maximum=maximum, field="duration_min")
    assert refused.value.field == "duration_min"
