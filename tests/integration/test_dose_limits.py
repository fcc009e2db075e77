"""mg per day and per 7 days count the patient's other booked and given sessions (real database).

Patient of the world factory: 70 kg. Depression limits (derived, CONFIG): mg per day soft 112.5,
hard 150 (one session a day x 0.75 / 1.0 mg/kg x 150 kg; Murrough et al. 2013; Fava et al. 2020).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ketacare.core.errors import RuleViolation
from ketacare.core.session.states import SessionState
from ketacare.db.models import Order, TreatmentSession
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.orders.dose import DoseInputs
from ketacare.services.session import booking as booking_service
from ketacare.services.session import lifecycle as session_service
from ketacare.services.session.booking import BookingRequest
from tests.factories.world import NOW, World, ctx, pid

DEPRESSION = "iv-ketamine-depression"
REASON = "1.0 mg/kg arm of the dose-finding RCT after no response to 0.75 mg/kg"


def draft(db: Session, world: World, *, reason: str | None = None, **choices: Any) -> Order:
    return order_service.create_order(
        db,
        patient_id=pid(world),
        inputs=DoseInputs(protocol_id=DEPRESSION, **choices),
        override_reason=reason,
        at=NOW,
        ctx=ctx(world, "prescriber"),
    )


def booked(db: Session, world: World, starts_at: datetime) -> TreatmentSession:
    """A signed 70 mg (1.0 mg/kg, with a reason) order booked at ``starts_at``."""
    order = draft(db, world, dose_mg_per_kg=Decimal("1.0"), reason=REASON)
    order_service.sign_order(db, order_id=order.id, at=NOW, ctx=ctx(world, "prescriber"))
    return booking_service.book_session(
        db,
        BookingRequest(
            patient_id=pid(world),
            protocol_id=DEPRESSION,
            chair_id=None,
            starts_at=starts_at,
            staff_user_id=None,
            order_id=order.id,
        ),
        at=NOW,
        ctx=ctx(world, "nurse"),
    )


def test_a_third_session_on_one_day_is_refused_at_the_daily_ceiling(
    db: Session, world: World
) -> None:
    booked(db, world, NOW + timedelta(hours=1))
    booked(db, world, NOW + timedelta(hours=5))
    with pytest.raises(RuleViolation) as refused:
        draft(db, world)  # 35 mg + 2 x 70 mg = 175 mg > 150 mg
    assert (refused.value.code, refused.value.field) == ("dose.hard_limit", "dose_mg_per_kg")
    assert refused.value.extra["limit"] == "mg_per_day"


def test_the_preview_shows_the_day_total_with_other_sessions(db: Session, world: World) -> None:
    booked(db, world, NOW + timedelta(hours=1))
    preview = order_service.preview_order(
        db,
        patient_id=pid(world),
        inputs=DoseInputs(protocol_id=DEPRESSION),
        at=NOW,
        ctx=ctx(world, "prescriber"),
    )
    figures = {check.name: check.value for check in preview.limits}
    assert figures["mg_per_session"] == Decimal(35)
    assert figures["mg_per_day"] == Decimal(105)  # 35 mg + the booked 70 mg
    assert figures["mg_per_7_days"] == Decimal(105)
    assert preview.requires_override is False  # 105 mg <= 112.5 mg


def test_above_the_soft_daily_figure_needs_a_reason(db: Session, world: World) -> None:
    booked(db, world, NOW + timedelta(hours=1))
    preview = order_service.preview_order(
        db,
        patient_id=pid(world),
        inputs=DoseInputs(protocol_id=DEPRESSION, dose_mg_per_kg=Decimal("0.75")),
        at=NOW,
        ctx=ctx(world, "prescriber"),
    )
    # 52.5 + 70 = 122.5 mg: above 112.5 (soft), below 150 (hard).
    assert preview.override_reasons_required == ["dose.mg_per_day_above_soft_limit"]


def test_sessions_aborted_before_dosing_and_outside_the_week_are_not_counted(
    db: Session, world: World
) -> None:
    booked(db, world, NOW + timedelta(days=7))  # outside every 7-day window containing today
    first = booked(db, world, NOW + timedelta(hours=1))
    booked(db, world, NOW + timedelta(hours=5))
    session_service.transition_session(
        db,
        session_id=first.id,
        to=SessionState.ABORTED,
        reason="patient unwell, not dosed",
        expected_version=None,
        at=NOW,
        ctx=ctx(world, "nurse"),
    )
    order = draft(db, world)
    figures = {check["name"]: check["value"] for check in order.calculation["limits"]}
    assert figures["mg_per_day"] == 105.0
    assert figures["mg_per_7_days"] == 105.0


def test_signing_reassesses_sessions_booked_since_the_draft(db: Session, world: World) -> None:
    order = draft(db, world)
    booked(db, world, NOW + timedelta(hours=1))
    booked(db, world, NOW + timedelta(hours=5))
    with pytest.raises(RuleViolation) as refused:
        order_service.sign_order(db, order_id=order.id, at=NOW, ctx=ctx(world, "prescriber"))
    assert refused.value.extra["limit"] == "mg_per_day"
