from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from ketacare.core.codes import Timepoint
from ketacare.core.outcomes.model import AssessmentSource
from ketacare.web.schemas.common import Id, Input

# A yes/no item takes true/false or "yes"/"no"; a scale item a number (or its option code).
AnswerIn = bool | int | float | Annotated[str, StringConstraints(max_length=20)] | None
ContextKey = Annotated[str, StringConstraints(min_length=1, max_length=40)]
ContextValue = Annotated[str, StringConstraints(max_length=40)]


class AssessmentCreate(Input):
    model_config = ConfigDict(extra="forbid")

    instrument: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
    ]
    answers: Annotated[list[AnswerIn], Field(max_length=200, description="null = unanswered")]
    context: dict[ContextKey, ContextValue] | None = None
    administered_at: AwareDatetime
    timepoint: Timepoint
    session_id: Id | None = None
    supersedes_id: Id | None = None

    @field_validator("answers", mode="before")
    @classmethod
    def _answers_as_text(cls, value: Any) -> Any:
        """Accept the CLI's form too: "v1,v2,..." with an empty value or "-" for unanswered."""
        if isinstance(value, str):
            return [
                None if part.strip() in ("", "-") else part.strip() for part in value.split(",")
            ]
        return value


class SafetyAlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    assessment_id: int
    code: str
    severity: str
    message: str
    source: str
    raised_at: datetime
    status: str
    closed_by: int | None
    closed_at: datetime | None
    action_note: str | None


class AssessmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    instrument: str = Field(validation_alias="instrument_id")
    answers: list[Any]
    context: dict[str, str]
    administered_at: datetime
    timepoint: str
    session_id: int | None
    valid: bool
    total: float | None
    severity: str | None
    flags: list[str]
    result: dict[str, Any]
    engine_version: str
    catalogue_version: str
    instrument_version: str
    loinc_panel: str | None
    loinc_total: str | None
    # NULL when the patient answered a questionnaire link without a portal account.
    recorded_by: int | None
    recorded_at: datetime
    source: AssessmentSource = Field(
        description="staff, patient_link (self-report via link) or portal (patient account)"
    )
    patient_link_id: int | None
    supersedes_id: int | None
    superseded: bool = False
    alerts: list[SafetyAlertRead] = Field(default_factory=list)


class AlertClose(Input):
    model_config = ConfigDict(extra="forbid")

    # Blank notes are refused by the service after the role check (403 before 422).
    action_note: Annotated[str, StringConstraints(max_length=4000)]
