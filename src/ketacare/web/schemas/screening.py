"""Screening, consent and REMS schemas.

The screening input itself is not a pydantic model: it is validated by the core's JSON Schema
validator (``ketacare.core.eligibility.validate``) so the API, the CLI and the pages agree on
one contract and every error names the field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ketacare.services.screening.consent import WithdrawalReason
from ketacare.services.screening.eligibility import ScreeningView
from ketacare.web.schemas.common import MAX_ID, Id, Input

Justification = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]


class ScreeningSign(Input):
    model_config = ConfigDict(extra="forbid")

    overrides: dict[Annotated[str, StringConstraints(max_length=100)], Justification] = Field(
        default_factory=dict, description="Justification per review-reason code."
    )


class ScreeningRead(BaseModel):
    id: int
    patient_id: int
    protocol: str
    status: str
    decision: str
    signed_decision: str | None
    stale: bool
    ruleset_version: str
    input_fingerprint: str
    input: dict[str, Any]
    result: dict[str, Any]
    overrides: dict[str, str] | None
    signed_by: int | None
    signed_at: datetime | None
    created_by: int
    created_at: datetime

    @classmethod
    def of(cls, view: ScreeningView) -> ScreeningRead:
        row = view.screening
        return cls(
            id=row.id,
            patient_id=row.patient_id,
            protocol=row.protocol,
            status=row.status,
            decision=row.decision,
            signed_decision=row.signed_decision,
            stale=view.stale,
            ruleset_version=row.ruleset_version,
            input_fingerprint=row.input_fingerprint,
            input=row.input,
            result=row.result,
            overrides=row.overrides,
            signed_by=row.signed_by,
            signed_at=row.signed_at,
            created_by=row.created_by,
            created_at=row.created_at,
        )


class ConsentDocumentCreate(Input):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(min_length=1, max_length=100_000)]


class ConsentDocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    text: str
    created_by: int | None
    created_at: datetime


class ConsentCreate(Input):
    model_config = ConfigDict(extra="forbid")

    document_version: Annotated[int, Field(ge=1, le=MAX_ID)]
    typed_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    agreed: Literal[True] = Field(description="The patient ticked the agreement box.")
    witness_user_id: Id | None = None


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    document_version: int
    typed_name: str
    agreed: bool
    signed_at: datetime
    witness_user_id: int
    recorded_by: int
    withdrawn_at: datetime | None


class ConsentList(BaseModel):
    current_version: int
    status: str
    consents: list[ConsentRead]


class RemsEnrolmentCreate(Input):
    model_config = ConfigDict(extra="forbid")

    enrolment_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)
    ]
    enrolled_on: date


class RemsEnrolmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    enrolment_id: str
    enrolled_on: date
    recorded_by: int
    recorded_at: datetime


class ConsentWithdraw(Input):
    model_config = ConfigDict(extra="forbid")

    reason: WithdrawalReason = Field(
        description="Why consent is withdrawn: a code, never free text (it is audited)."
    )
