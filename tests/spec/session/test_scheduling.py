"""Spec: chair time and double-booking detection (half-open intervals)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.codes import SessionDrug
from ketacare.core.errors import Invalid
from ketacare.core.session.config import DischargeConfig
from ketacare.core.session.scheduling import (
    Booking,
    BookingConflict,
    ConflictKind,
    chair_time,
    find_booking_conflicts,
    overlaps,
)

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
IV, ESK = SessionDrug.KETAMINE_IV, SessionDrug.ESKETAMINE_NASAL


def m(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


CHAIR_TIME = [
    ("IV 40 min infusion + 60 min observation", IV, 40, 100),
    ("esketamine 10 min devices within 120 min observation", ESK, 10, 120),
    ("esketamine: observation runs from the first device", ESK, 0, 120),
    ("IV 4 h pain infusion + 60 min", IV, 240, 300),
]


@pytest.mark.parametrize(
    ("drug", "admin", "expected"), [pytest.param(d, a, e, id=i) for i, d, a, e in CHAIR_TIME]
)
def test_chair_time(drug: SessionDrug, admin: int, expected: int) -> None:
    assert chair_time(drug, administration=timedelta(minutes=admin)) == timedelta(minutes=expected)


def test_chair_time_uses_the_clinic_observation() -> None:
    cfg = DischargeConfig(iv_min_observation_after_end=timedelta(minutes=90))
    assert chair_time(IV, administration=timedelta(minutes=40), config=cfg) == timedelta(
        minutes=130
    )


def test_negative_administration_is_invalid() -> None:
    with pytest.raises(Invalid):
        chair_time(IV, administration=timedelta(minutes=-1))


EXISTING = Booking("b1", "chair-1", "pat-1", m(0), m(100))

CONFLICTS = [
    ("touching after: no overlap", Booking("c", "chair-1", "pat-2", m(100), m(200)), []),
    ("touching before: no overlap", Booking("c", "chair-1", "pat-2", m(-100), m(0)), []),
    (
        "one minute overlap on the chair",
        Booking("c", "chair-1", "pat-2", m(99), m(200)),
        [ConflictKind.CHAIR],
    ),
    ("inside, same chair", Booking("c", "chair-1", "pat-2", m(10), m(20)), [ConflictKind.CHAIR]),
    (
        "other chair, same patient",
        Booking("c", "chair-2", "pat-1", m(50), m(150)),
        [ConflictKind.PATIENT],
    ),
    (
        "same chair and patient",
        Booking("c", "chair-1", "pat-1", m(50), m(150)),
        [ConflictKind.CHAIR, ConflictKind.PATIENT],
    ),
    ("other chair, other patient", Booking("c", "chair-2", "pat-2", m(0), m(100)), []),
    ("the same booking rescheduled", Booking("b1", "chair-1", "pat-1", m(30), m(130)), []),
]


@pytest.mark.parametrize(
    ("candidate", "kinds"), [pytest.param(c, k, id=i) for i, c, k in CONFLICTS]
)
def test_double_booking(candidate: Booking, kinds: list[ConflictKind]) -> None:
    assert find_booking_conflicts(candidate, [EXISTING]) == [
        BookingConflict(k, "b1") for k in kinds
    ]


def test_empty_booking_is_invalid() -> None:
    with pytest.raises(Invalid):
        Booking("x", "chair-1", "pat-1", m(10), m(10))


starts = st.integers(min_value=0, max_value=500)
lengths = st.integers(min_value=1, max_value=300)


@given(a=starts, la=lengths, b=starts, lb=lengths)
def test_overlap_is_symmetric_and_matches_interval_arithmetic(
    a: int, la: int, b: int, lb: int
) -> None:
    x = Booking("x", "c", "p", m(a), m(a + la))
    y = Booking("y", "c", "q", m(b), m(b + lb))
    assert overlaps(x, y) == overlaps(y, x) == (max(a, b) < min(a + la, b + lb))
