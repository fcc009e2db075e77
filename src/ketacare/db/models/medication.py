"""The patient's medication and allergy lists.

A medicine is never deleted: stopping it sets ``stop_date`` (and who stopped it), so the list
keeps what the patient took when a past screening or session was made. The class drives the
interaction rules (``ketacare.core.eligibility.interactions``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.core.medications import MedicationClass
from ketacare.db.base import Base
from ketacare.db.types import StrEnumType, UTCDateTime


class PatientMedication(Base):
    __tablename__ = "patient_medications"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    medication_class: Mapped[MedicationClass] = mapped_column(StrEnumType(MedicationClass, 30))
    dose: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    stop_date: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stopped_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PatientAllergy(Base):
    __tablename__ = "patient_allergies"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    substance: Mapped[str] = mapped_column(String(200))
    reaction: Mapped[str | None] = mapped_column(String(400))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
