"""Plausible dates and times: clinical events near now, bookings ahead, birth dates, durations.

Time is an input: every check takes ``at`` (now) from the caller. The windows are product
defaults (CONFIG), overridable in Settings; they refuse a wrong year or century, not late
charting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ketacare.core.errors import Invalid

# Charted events (vitals, measurements, administration, observations, adverse events) may be
# entered up to a year late (CONFIG) and a few minutes "ahead" to tolerate a tablet's clock
# running fast (CONFIG).
CHARTED_BACK = timedelta(days=365)
CHARTED_AHEAD = timedelta(minutes=5)
# Bookings: a session may be entered up to a week after it took place (CONFIG) and booked up
# to 18 months ahead (CONFIG: longer than any maintenance schedule we ship).
BOOKING_BACK = timedelta(days=7)
BOOKING_AHEAD = timedelta(days=548)
# No living patient was born before 1900 (the oldest living people were born in the
# 1900s-1910s); CONFIG.
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class Window:
    """How far before and after ``at`` an event may lie."""

    back: timedelta
    ahead: timedelta


CHARTED = Window(back=CHARTED_BACK, ahead=CHARTED_AHEAD)
BOOKING = Window(back=BOOKING_BACK, ahead=BOOKING_AHEAD)


@dataclass(frozen=True, slots=True)
class Windows:
    """The deployment's windows (Settings), passed to every service that takes a time."""

    charted: Window = CHARTED
    booking: Window = BOOKING


DEFAULT_WINDOWS = Windows()


def as_utc(value: datetime, *, field: str) -> datetime:
    """Return ``value`` in UTC, refusing naive times and times UTC cannot hold.

    ``0001-01-01T00:00+14:00`` and ``9999-12-31T23:00-05:00`` are valid ISO 8601 but fall
    outside year 1-9999 once converted, so they are refused here rather than overflowing later.

    Raises:
        Invalid: ``plausibility.time_zone`` or ``plausibility.time_out_of_range``.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid("plausibility.time_zone", "Give the time with its time zone.", field=field)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise Invalid(
            "plausibility.time_out_of_range",
            "This date and time is outside the calendar that can be stored.",
            field=field,
        ) from None


def check_event_time(value: datetime, *, at: datetime, window: Window, field: str) -> None:
    """Raise ``Invalid`` unless ``value`` lies within ``window`` around ``at``.

    Raises:
        Invalid: ``plausibility.time_too_early`` / ``plausibility.time_too_late``.
    """
    when = as_utc(value, field=field)
    if when < at - window.back:
        raise Invalid(
            "plausibility.time_too_early",
            f"This time is more than {_days(window.back)} before now; check the date and year.",
            field=field,
        )
    if when > at + window.ahead:
        raise Invalid(
            "plausibility.time_too_late",
            f"This time is more than {_span(window.ahead)} after now; check the date and year.",
            field=field,
        )


def check_birth_date(value: date, *, today: date, field: str = "date_of_birth") -> None:
    """Raise ``Invalid`` unless ``value`` is on or after 1900-01-01 and not after ``today``."""
    check_birth_date_floor(value, field=field)
    if value > today:
        raise Invalid("patient.birth_in_future", "Date of birth is in the future.", field=field)


def check_birth_date_floor(value: date, *, field: str = "date_of_birth") -> None:
    """The part of the birth-date rule that needs no clock: not before 1900-01-01."""
    if value < EARLIEST_BIRTH:
        raise Invalid(
            "plausibility.birth_too_early",
            f"Date of birth cannot be before {EARLIEST_BIRTH.isoformat()}.",
            field=field,
        )


def check_duration(value: timedelta, *, maximum: timedelta, field: str) -> None:
    """Raise ``Invalid`` unless ``0 <= value <= maximum``."""
    if not timedelta(0) <= value <= maximum:
        raise Invalid(
            "plausibility.duration",
            f"The duration must be between 0 and {_span(maximum)}.",
            field=field,
        )


def _days(value: timedelta) -> str:
    return f"{value.days} days" if value.days != 1 else "1 day"


def _span(value: timedelta) -> str:
    if value >= timedelta(days=1):
        return _days(value)
    minutes = int(value.total_seconds() // 60)
    return f"{minutes} minutes" if minutes != 1 else "1 minute"
