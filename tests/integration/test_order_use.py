"""One order, one session: booking and the ready-time order lookup, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ketacare.core.errors import Conflict
from ketacare.core.session.model import AdministrationKind
from ketacare.db.models import Order, TreatmentSession
from ketacare.services.session import administration as admin_service
from ketacare.services.session import booking as booking_service
from ketacare.services.session import demo as demo_service
from ketacare.services.session import lifecycle as svc
from ketacare.services.session.booking import BookingRequest
from tests.factories.world import NOW, World, ctx, pid
from tests.integration.test_session_gates import CHECK_IN, S, book, chair_checks, refused


def second_booking(
    db: Session, world: World, first: TreatmentSession, *, order_id: int | None
) -> TreatmentSession:
    return booking_service.book_session(
        db,
        BookingRequest(
            patient_id=pid(world),
            protocol_id=first.protocol_id,
            chair_id=first.chair_id,
            starts_at=CHECK_IN + timedelta(hours=6),
            staff_user_id=world.user("nurse").id,
            order_id=order_id,
        ),
        at=NOW,
        ctx=ctx(world, "nurse"),
    )


def test_a_booked_order_cannot_be_booked_again(db: Session, world: World) -> None:
    first = book(db, world)
    with pytest.raises(Conflict) as caught:
        second_booking(db, world, first, order_id=first.order_id)
    assert caught.value.code == "booking.order_already_used"
    assert caught.value.field == "order_id"


def test_the_ready_time_order_lookup_skips_an_order_another_session_holds(
    db: Session, world: World
) -> None:
    first = book(db, world)
    second = second_booking(db, world, first, order_id=None)
    nurse = ctx(world, "nurse")
    chair_checks(db, second, nurse)
    # The patient's only signed order belongs to the first booking: the second has none.
    assert refused(db, second, nurse) == {"session.gate.order_unsigned"}
    svc.transition_session(
        db,
        session_id=first.id,
        to=S.ABORTED,
        reason="rebooked",
        expected_version=None,
        at=CHECK_IN,
        ctx=nurse,
    )
    # Aborted before any dose: the order is free and the second session takes it.
    svc.transition_session(
        db,
        session_id=second.id,
        to=S.READY,
        reason=None,
        expected_version=None,
        at=CHECK_IN + timedelta(minutes=5),
        ctx=nurse,
    )
    assert second.order_id == first.order_id


def test_an_esketamine_order_is_given_with_its_first_device_not_at_dosing_start(
    db: Session, world: World
) -> None:
    """Aborted after "dosing started" but before any device: nothing was given, so the order
    stays signed and can be booked again; the first device is what gives it."""
    nurse, prescriber = ctx(world, "nurse"), ctx(world, "prescriber")
    first = demo_service.prepare_demo_session(
        db,
        patient_id=pid(world),
        nurse_ctx=nurse,
        prescriber_ctx=prescriber,
        starts_at=CHECK_IN,
        at=NOW,
        protocol_id="esketamine-nasal",
    )
    first.state = S.READY  # the ready gates are tested elsewhere
    db.flush()
    order = db.get(Order, first.order_id)
    assert order is not None
    svc.transition_session(
        db,
        session_id=first.id,
        to=S.INFUSING,
        reason=None,
        expected_version=None,
        at=CHECK_IN,
        ctx=nurse,
    )
    assert order.status == "signed"
    svc.transition_session(
        db,
        session_id=first.id,
        to=S.ABORTED,
        reason="patient declined",
        expected_version=None,
        at=CHECK_IN + timedelta(minutes=2),
        ctx=nurse,
    )
    again = second_booking(db, world, first, order_id=first.order_id)
    assert again.order_id == order.id
    again.state = S.READY
    db.flush()
    svc.transition_session(
        db,
        session_id=again.id,
        to=S.INFUSING,
        reason=None,
        expected_version=None,
        at=CHECK_IN + timedelta(hours=6),
        ctx=nurse,
    )
    admin_service.record_administration(
        db,
        session_id=again.id,
        entry=admin_service.AdministrationEntry(kind=AdministrationKind.DEVICE, lot_number="L1"),
        expected_version=None,
        at=CHECK_IN + timedelta(hours=6, minutes=1),
        ctx=nurse,
    )
    assert order.status == "given"
