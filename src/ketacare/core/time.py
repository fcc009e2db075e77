"""Time helpers. The core never reads the clock: callers pass ``at``/``today`` in."""

from __future__ import annotations

from datetime import UTC, date, datetime


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime; naive values are refused.

    Raises:
        ValueError: if ``value`` has no timezone.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        msg = "datetime must be timezone-aware"
        raise ValueError(msg)
    return value.astimezone(UTC)


def age_in_years(birth_date: date, *, today: date) -> int:
    """Whole years between ``birth_date`` and ``today`` (birthday counts on the day)."""
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
