"""Eligibility screenings, consent documents and signatures, and REMS patient enrolment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.core.eligibility.model import Decision, ScreeningStatus
from ketacare.db.base import Base
from ketacare.db.types import StrEnumType, UTCDateTime


class Screening(Base):
    """One eligibility screening of a patient for a protocol.

    Why the input is stored whole: a signed decision must be reproducible and its fingerprint
    re-checkable after the chart or the rules change. A signed row is never edited; a newer
    signed screening marks it ``superseded``.
    """

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    protocol: Mapped[str] = mapped_column(String(40))
    input: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    decision: Mapped[Decision] = mapped_column(StrEnumType(Decision, 20))
    ruleset_version: Mapped[str] = mapped_column(String(60))
    input_fingerprint: Mapped[str] = mapped_column(String(80))
    status: Mapped[ScreeningStatus] = mapped_column(StrEnumType(ScreeningStatus, 12), index=True)
    overrides: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # The decision after the prescriber's overrides (always "eligible" once signed).
    signed_decision: Mapped[Decision | None] = mapped_column(StrEnumType(Decision, 20))
    signed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsentDocument(Base):
    """A version of the clinic's consent wording; a new wording is a new version, never an edit."""

    __tablename__ = "consent_documents"
    __table_args__ = (UniqueConstraint("organisation_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: seeded
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PatientConsent(Base):
    """A patient's signature (typed name + agreement) on one consent version, staff-witnessed."""

    __tablename__ = "patient_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("consent_documents.id"))
    document_version: Mapped[int] = mapped_column(Integer)
    typed_name: Mapped[str] = mapped_column(String(200))
    agreed: Mapped[bool] = mapped_column(Boolean)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    witness_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RemsEnrolment(Base):
    """The patient's Spravato REMS enrolment on file (one per patient)."""

    __tablename__ = "rems_enrolments"
    __table_args__ = (UniqueConstraint("patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    enrolment_id: Mapped[str] = mapped_column(String(60))
    enrolled_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
