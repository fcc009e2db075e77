"""Request and response shapes of the treatment-session API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from ketacare.core.plausibility import check_blood_pressure
from ketacare.core.plausibility.vitals import (
    DIASTOLIC,
    HEART_RATE,
    RESPIRATORY_RATE,
    SPO2,
    SYSTOLIC,
)
from ketacare.core.session.model import Symptom
from ketacare.core.session.states import SessionState
from ketacare.web.schemas.common import (
    Id,
    Input,
    Version,
    VisibleName,
    bounds,
    in_range,
    run_rule,
)

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[a-z_]+$")
]
# Plausibility bounds from the core (typing slips, swapped fields); not alert thresholds.
Systolic = Annotated[
    int, Field(json_schema_extra=bounds(SYSTOLIC)), AfterValidator(in_range(SYSTOLIC))
]
Diastolic = Annotated[
    int, Field(json_schema_extra=bounds(DIASTOLIC)), AfterValidator(in_range(DIASTOLIC))
]
HeartRate = Annotated[
    int, Field(json_schema_extra=bounds(HEART_RATE)), AfterValidator(in_range(HEART_RATE))
]
Spo2 = Annotated[int, Field(json_schema_extra=bounds(SPO2)), AfterValidator(in_range(SPO2))]
RespRate = Annotated[
    int,
    Field(json_schema_extra=bounds(RESPIRATORY_RATE)),
    AfterValidator(in_range(RESPIRATORY_RATE)),
]


class SessionCreate(Input):
    model_config = ConfigDict(extra="forbid")

    protocol_id: Annotated[str, StringConstraints(min_length=1, max_length=80)] = Field(
        validation_alias=AliasChoices("protocol_id", "protocol")
    )
    starts_at: AwareDatetime
    chair_id: Id | None = Field(default=None, description="Omit to take the first free chair.")
    staff_user_id: Id | None = Field(
        default=None, description="Nurse or prescriber running it; omit for yourself."
    )
    order_id: Id | None = None


class TransitionCreate(Input):
    model_config = ConfigDict(extra="forbid")

    to: SessionState
    reason: Reason | None = None
    version: Version | None = Field(
        default=None, description="Optimistic lock: the version you read."
    )
    # No plausibility ceiling here: the signed order and the protocol's hard limits decide, and
    # the refusal names the limit (422 ``administration.hard_limit_*``).
    rate_ml_per_h: Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)] | None = None
    confirm_less_than_ordered: bool = False


class VitalsCreate(Input):
    model_config = ConfigDict(extra="forbid")

    measured_at: AwareDatetime | None = None
    systolic: Systolic | None = None
    diastolic: Diastolic | None = None
    heart_rate: HeartRate | None = None
    spo2: Spo2 | None = None
    respiratory_rate: RespRate | None = None
    symptoms: list[Symptom] = Field(default_factory=list)

    @field_validator("diastolic")
    @classmethod
    def _below_systolic(cls, value: int | None, info: ValidationInfo) -> int | None:
        run_rule(lambda: check_blood_pressure(info.data.get("systolic"), value))
        return value


class AckCreate(Input):
    model_config = ConfigDict(extra="forbid")

    note: Reason | None = None


class ChecksUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    npo_confirmed: bool | None = None
    escort_arranged: bool | None = None
    pregnancy_status: Literal["negative", "positive"] | None = None
    # Esketamine label instructions by id (core.session.predose): no_food_2h, no_liquids_30min,
    # nasal_medicines_1h. Merged into what is recorded; an id the session has not is a 422.
    predose_instructions: dict[str, bool] | None = None
    version: Version | None = None


class ChecklistUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    alert_and_oriented: bool | None = None
    walking_steadily: bool | None = None
    nausea_controlled: bool | None = None
    dissociation_resolved: bool | None = None
    sedation_resolved: bool | None = None
    on_supplemental_oxygen: bool | None = None
    escort_confirmed: bool | None = None
    no_driving_acknowledged: bool | None = None
    version: Version | None = None


class OverrideCreate(Input):
    """A prescriber's override at the chair: re-authenticated, with a written reason.

    Without ``prescriber_email`` the signed-in user must be the prescriber.
    """

    model_config = ConfigDict(extra="forbid")

    prescriber_email: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None
    ) = None
    # SecretStr: never echoed, and hashed as "**********" by the idempotency store.
    password: Annotated[SecretStr, Field(min_length=1, max_length=200)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class AdministrationCreate(Input):
    model_config = ConfigDict(extra="forbid")

    kind: Literal[
        "start", "pause", "resume", "stop", "rate_change", "bolus", "device", "entered_in_error"
    ]
    at: AwareDatetime | None = None
    # No plausibility ceiling here: the signed order and the protocol's hard limits decide, and
    # the refusal names the limit (422 ``administration.hard_limit_rate``).
    rate_ml_per_h: Annotated[Decimal, Field(ge=0, max_digits=8, decimal_places=2)] | None = None
    amount: Annotated[Decimal, Field(gt=0, le=1000)] | None = None
    amount_unit: Literal["mg", "mL"] | None = None
    lot_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = (
        None
    )
    reason: Reason | None = None
    version: Version | None = None
    override: OverrideCreate | None = None
    confirm_less_than_ordered: bool = False
    corrects_id: Id | None = Field(
        default=None, description="For entered_in_error: the line struck out (it is kept)."
    )


class ObservationCreate(Input):
    model_config = ConfigDict(extra="forbid")

    instrument_id: Literal["cadss", "moaas", "aldrete", "padss"] | None = None
    answers: list[Any] | None = None
    text: Text | None = None
    observed_at: AwareDatetime | None = None


class AdverseEventCreate(Input):
    model_config = ConfigDict(extra="forbid")

    category: Code
    severity: Literal["mild", "moderate", "severe", "life_threatening"]
    serious: bool = False
    onset_at: AwareDatetime
    actions_taken: Text = ""
    outcome: Literal["resolved", "ongoing", "resolved_with_sequelae", "transferred", "unknown"]


class RemsAnswers(Input):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, bool | int | str | None]


class StaffCredentialCreate(Input):
    model_config = ConfigDict(extra="forbid")

    credential: Literal["acls"]
    expires_on: date


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_state: str | None
    to_state: str
    actor_id: int
    at: datetime
    reason: str | None


class VitalsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    measured_at: datetime
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    respiratory_rate: int | None
    symptoms: str
    state_at_entry: str
    recorded_by: int


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    code: str
    tier: str
    parameter: str
    value: str
    message: str
    recommended_action: str
    source: str
    call_prescriber: bool
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    ack_note: str | None


class VitalsSaved(BaseModel):
    vitals: VitalsRead
    alerts: list[AlertRead]


class AdministrationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    at: datetime
    rate_ml_per_h: Decimal | None
    amount: Decimal | None
    amount_unit: str | None
    lot_number: str | None
    reason: str | None
    recorded_by: int
    override_by: int | None = None
    override_at: datetime | None = None
    override_reason: str | None = None
    override_codes: str | None = None
    corrects_id: int | None = None


class ObservationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    instrument_id: str | None
    total: Decimal | None
    assessment_id: int | None
    text: str | None
    observed_at: datetime


class AdverseEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    category: str
    severity: str
    serious: bool
    onset_at: datetime
    actions_taken: str
    outcome: str
    alert_id: int | None


class TotalsRead(BaseModel):
    total_mg: Decimal
    infusion_mg: Decimal
    bolus_mg: Decimal
    device_mg: Decimal
    total_ml: Decimal | None
    running_minutes: Decimal


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    chair_id: int
    location_id: int
    staff_user_id: int
    protocol_id: str
    drug: str
    order_id: int | None
    starts_at: datetime
    ends_at: datetime
    state: str
    version: int
    npo_confirmed: bool
    escort_arranged: bool
    predose_instructions: dict[str, bool]
    pregnancy_status: str | None
    bp_ack_by: int | None
    bp_ack_at: datetime | None
    checklist: dict[str, Any]
    on_supplemental_oxygen: bool
    escort_confirmed: bool
    no_driving_acknowledged: bool
    first_administration_at: datetime | None
    administration_ended_at: datetime | None
    ended_at: datetime | None
    rems_submitted_at: datetime | None


class SessionDetailRead(SessionRead):
    transitions: list[TransitionRead]
    vitals: list[VitalsRead]
    alerts: list[AlertRead]
    administration: list[AdministrationRead]
    observations: list[ObservationRead]
    adverse_events: list[AdverseEventRead]
    totals: TotalsRead | None
    next_vitals_due: datetime | None
    vitals_overdue: bool


class ChairCreate(Input):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), VisibleName
    ]
    location_id: Id | None = None


class ChairRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    location_id: int
    name: str


class GateFailureRead(BaseModel):
    code: str
    message: str
