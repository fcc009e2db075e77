"""Medication orders (dose calculations a prescriber signs) and clinic-defined protocols."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.core.codes import Drug, Route
from ketacare.core.orders import OrderStatus
from ketacare.db.base import Base
from ketacare.db.types import StrEnumType, UTCDateTime


class Order(Base):
    """One medication order, with the inputs and the full calculation it was signed on.

    The calculation is stored whole (JSON, as the core returned it) so that what the nurse sees
    at the chair is exactly what the prescriber signed, even if a protocol changes later; the
    headline numbers are also columns so other features can query and display them.
    """

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    protocol_id: Mapped[str] = mapped_column(String(80))
    protocol_version: Mapped[int] = mapped_column(Integer)
    drug: Mapped[Drug] = mapped_column(StrEnumType(Drug, 20))
    route: Mapped[Route] = mapped_column(StrEnumType(Route, 20))
    status: Mapped[OrderStatus] = mapped_column(StrEnumType(OrderStatus, 12), index=True)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    calculation: Mapped[dict[str, Any]] = mapped_column(JSON)
    dose_mg: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    weight_basis: Mapped[str | None] = mapped_column(String(10))
    weight_used_kg: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    weight_measured_on: Mapped[date | None] = mapped_column(Date)
    weight_measurement_id: Mapped[int | None] = mapped_column(ForeignKey("body_measurements.id"))
    concentration_mg_per_ml: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    final_volume_ml: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    rate_ml_per_h: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    duration_min: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    requires_override: Mapped[bool] = mapped_column(Boolean)
    override_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Optimistic concurrency: two prescribers acting on one order get a conflict, not a race.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API


class OrderStatusChange(Base):
    """Append-only history of an order's status transitions (who, when, why)."""

    __tablename__ = "order_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    from_status: Mapped[OrderStatus | None] = mapped_column(StrEnumType(OrderStatus, 12))
    to_status: Mapped[OrderStatus] = mapped_column(StrEnumType(OrderStatus, 12))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CustomProtocol(Base):
    """A clinic's own protocol, stored as ``Protocol.to_dict()`` JSON and re-validated on load."""

    __tablename__ = "custom_protocols"
    __table_args__ = (UniqueConstraint("organisation_id", "protocol_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    protocol_id: Mapped[str] = mapped_column(String(80))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
