"""Chair scheduling rules: chair time, double-booking detection and one order per session.

Chair time is administration plus observation: the chair stays occupied until the patient may be
discharged. For esketamine the observation runs from the *first* device (label: at least 2 h),
so it overlaps the administration; for IV ketamine it starts when the infusion ends (CONFIG).

Bookings are half-open intervals ``[start, end)``: a booking that ends at 10:00 and one that
starts at 10:00 touch but do not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ketacare.core.codes import SessionDrug
from ketacare.core.errors import Invalid
from ketacare.core.session.config import DischargeConfig
from ketacare.core.session.model import require_aware
from ketacare.core.session.states import SessionState

DEFAULT_DISCHARGE_CONFIG = DischargeConfig()


def chair_time(
    drug: SessionDrug,
    *,
    administration: timedelta,
    config: DischargeConfig = DEFAULT_DISCHARGE_CONFIG,
) -> timedelta:
    """Planned chair time for a session.

    IV ketamine: the infusion plus the minimum observation after it ends. Esketamine: the longer
    of the device administration and the minimum observation from the first device.

    Raises:
        Invalid: ``scheduling.negative_duration`` for a negative administration time.
    """
    if administration < timedelta(0):
        raise Invalid("scheduling.negative_duration", "administration time cannot be negative")
    if drug is SessionDrug.ESKETAMINE_NASAL:
        return max(administration, config.esketamine_min_observation)
    return administration + config.iv_min_observation_after_end


@dataclass(frozen=True)
class Booking:
    """A chair booking for a patient over ``[start, end)``."""

    booking_id: str
    chair_id: str
    patient_id: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        """Refuse naive times and bookings that end before they start."""
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if self.end <= self.start:
            raise Invalid(
                "scheduling.empty_booking", "a booking must end after it starts", field="end"
            )


class ConflictKind(StrEnum):
    """What is double-booked."""

    CHAIR = "chair"
    PATIENT = "patient"


@dataclass(frozen=True)
class BookingConflict:
    """The candidate clashes with ``booking_id`` on a chair or a patient."""

    kind: ConflictKind
    booking_id: str


def overlaps(a: Booking, b: Booking) -> bool:
    """Whether two half-open intervals overlap (touching ends do not)."""
    return a.start < b.end and b.start < a.end


def find_booking_conflicts(
    candidate: Booking, existing: Iterable[Booking]
) -> list[BookingConflict]:
    """Conflicts of ``candidate`` with ``existing`` bookings (itself excluded, by id).

    A booking on the same chair that overlaps is a chair conflict; one for the same patient on any
    chair is a patient conflict; both can apply to the same booking. The caller passes only live
    bookings (not cancelled ones).
    """
    conflicts: list[BookingConflict] = []
    for other in existing:
        if other.booking_id == candidate.booking_id or not overlaps(candidate, other):
            continue
        if other.chair_id == candidate.chair_id:
            conflicts.append(BookingConflict(ConflictKind.CHAIR, other.booking_id))
        if other.patient_id == candidate.patient_id:
            conflicts.append(BookingConflict(ConflictKind.PATIENT, other.booking_id))
    return conflicts


@dataclass(frozen=True)
class OrderUse:
    """Another session bound to the same prescriber order, as booking sees it."""

    session_id: str
    state: SessionState
    administered: bool


def blocking_order_use(uses: Iterable[OrderUse]) -> OrderUse | None:
    """The session that already holds the order, or ``None`` when the order is free to book.

    One signed order is given in one session: an order is held by any session that is not
    aborted (booked, in progress or discharged; a booked-but-not-given session holds it too, so
    two bookings can never both give it), and by an aborted session in which any drug was
    administered. Only a session aborted before its first dose frees its order. This is a
    prescribing-safety rule of the product (a signed order is a single administration), not a
    clinical number.
    """
    return next((u for u in uses if u.state is not SessionState.ABORTED or u.administered), None)
