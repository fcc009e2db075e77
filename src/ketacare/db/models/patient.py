from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.core.codes import MeasurementKind, SexAtBirth
from ketacare.db.base import Base
from ketacare.db.types import StrEnumType, UTCDateTime


class Patient(Base):
    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("organisation_id", "mrn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    mrn: Mapped[str] = mapped_column(String(40))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100), index=True)
    # Lower-cased "given family" for case-insensitive search on both databases.
    search_name: Mapped[str] = mapped_column(String(201), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date, index=True)
    sex_at_birth: Mapped[SexAtBirth] = mapped_column(StrEnumType(SexAtBirth, 10))
    gender_identity: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(400))
    emergency_contact_name: Mapped[str | None] = mapped_column(String(200))
    emergency_contact_phone: Mapped[str | None] = mapped_column(String(40))
    emergency_contact_relationship: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Optimistic concurrency: two devices editing the same chart get a conflict, not a lost write.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy declarative API


class BodyMeasurement(Base):
    """A dated weight or height; dosing needs to know how old a weight is."""

    __tablename__ = "body_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[MeasurementKind] = mapped_column(StrEnumType(MeasurementKind, 10))  # kg / cm
    value: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
