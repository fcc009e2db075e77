from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import CustomProtocol, Order, OrderStatusChange


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
