from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ketacare.db.models import CustomProtocol, Order, OrderStatusChange, TreatmentSession


def get_order(db: Session, order_id: int) -> Order | None:
    return db.get(Order, order_id)


def add_order(db: Session, order: Order) -> Order:
    db.add(order)
    db.flush()
    return order


def list_orders(db: Session, *, patient_id: int, status: str | None = None) -> list[Order]:
    """A patient's orders, newest first (ties broken by id so the order is stable)."""
    stmt = select(Order).where(Order.patient_id == patient_id)
    if status is not None:
        stmt = stmt.where(Order.status == status)
    stmt = stmt.order_by(Order.created_at.desc(), Order.id.desc())
    return list(db.scalars(stmt))


def add_status_change(db: Session, change: OrderStatusChange) -> OrderStatusChange:
    db.add(change)
    db.flush()
    return change


def list_status_changes(db: Session, *, order_id: int) -> list[OrderStatusChange]:
    stmt = (
        select(OrderStatusChange)
        .where(OrderStatusChange.order_id == order_id)
        .order_by(OrderStatusChange.changed_at, OrderStatusChange.id)
    )
    return list(db.scalars(stmt))


def list_custom_protocols(db: Session, *, organisation_id: int) -> list[CustomProtocol]:
    stmt = (
        select(CustomProtocol)
        .where(CustomProtocol.organisation_id == organisation_id)
        .order_by(CustomProtocol.protocol_id)
    )
    return list(db.scalars(stmt))


def add_custom_protocol(db: Session, row: CustomProtocol) -> CustomProtocol:
    db.add(row)
    db.flush()
    return row


def list_session_orders(
    db: Session,
    *,
    patient_id: int,
    drug: str,
    start: datetime,
    end: datetime,
    skip_states: Iterable[str],
    exclude_order_id: int | None = None,
) -> list[tuple[datetime, Order]]:
    """The patient's sessions of ``drug`` starting in ``[start, end)`` with their orders.

    Sessions in ``skip_states`` are left out unless administration had started (an aborted
    session may still have given part of its dose). Sessions without an order have no known dose
    and are not listed.
    """
    stmt = (
        select(TreatmentSession.starts_at, Order)
        .join(Order, Order.id == TreatmentSession.order_id)
        .where(
            TreatmentSession.patient_id == patient_id,
            Order.patient_id == patient_id,
            Order.drug == drug,
            TreatmentSession.starts_at >= start,
            TreatmentSession.starts_at < end,
            or_(
                TreatmentSession.state.not_in(list(skip_states)),
                TreatmentSession.first_administration_at.is_not(None),
            ),
        )
        .order_by(TreatmentSession.starts_at, TreatmentSession.id)
    )
    if exclude_order_id is not None:
        stmt = stmt.where(Order.id != exclude_order_id)
    return [(row[0], row[1]) for row in db.execute(stmt)]
