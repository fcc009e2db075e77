"""Questionnaire links: a patient completes self-report forms from a secret URL, no account.

Only the SHA-256 of the link's random token is stored (as for login sessions and API tokens),
so a copy of the database does not let anyone answer in a patient's name. A link is single
use: ``completed_at`` is set in the same transaction as the assessments it produced.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ketacare.core.codes import Timepoint
from ketacare.db.base import Base
from ketacare.db.types import StrEnumType, UTCDateTime


class PatientLink(Base):
    __tablename__ = "patient_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Catalogue ids in the order the patient answers them.
    instruments: Mapped[list[str]] = mapped_column(JSON)
    timepoint: Mapped[Timepoint] = mapped_column(StrEnumType(Timepoint, 30))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The assessments the submission produced (a retried POST shows the same confirmation).
    assessment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Whether the confirmation showed the crisis notice (kept so a retry shows it again).
    crisis_notice: Mapped[bool] = mapped_column(Boolean, default=False)
