from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from ketacare.core.codes import Timepoint
from ketacare.services.assessments.links import MAX_INSTRUMENTS
from ketacare.web.schemas.common import Input

InstrumentId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class PatientLinkCreate(Input):
    model_config = ConfigDict(extra="forbid")

    instruments: Annotated[list[InstrumentId], Field(min_length=1, max_length=MAX_INSTRUMENTS)]
    timepoint: Timepoint
    expires_at: AwareDatetime | None = Field(
        default=None, description="Default: now + the clinic's patient_link_days."
    )
    send_email: bool = Field(
        default=False, description="Queue the link to the patient's portal e-mail address."
    )


class PatientLinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    instruments: list[str]
    timepoint: str
    status: str
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None
    revoked_at: datetime | None
    emailed: bool
    assessment_ids: list[int]


class PatientLinkIssued(PatientLinkRead):
    url: str = Field(description="The link to give the patient. Shown once; not retrievable.")
