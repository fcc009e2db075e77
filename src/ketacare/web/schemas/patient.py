from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from ketacare.core.codes import MeasurementKind, SexAtBirth
from ketacare.core.medications import MedicationClass
from ketacare.core.plausibility import (
    MEASUREMENT_RANGES,
    check_birth_date_floor,
    check_measurement,
)
from ketacare.web.schemas.common import (
    Input,
    Version,
    VisibleName,
    bounds,
    core_rule,
    run_rule,
)

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), VisibleName
]
BirthDate = Annotated[
    date,
    AfterValidator(core_rule(lambda value, field: check_birth_date_floor(value, field=field))),
]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+() .\-]{3,40}$")
]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
Mrn = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9\-_/.]+$"
    ),
]


class PatientCreate(Input):
    model_config = ConfigDict(extra="forbid")

    mrn: Mrn | None = None
    given_name: Name
    family_name: Name
    date_of_birth: BirthDate
    sex_at_birth: SexAtBirth
    gender_identity: Short | None = None
    phone: Phone | None = None
    email: EmailStr | None = None
    address: Annotated[str, StringConstraints(max_length=400)] | None = None
    emergency_contact_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    emergency_contact_phone: Phone | None = None
    emergency_contact_relationship: Short | None = None


class PatientUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    version: Version | None = Field(
        default=None, description="Optimistic lock: the version you read."
    )
    mrn: Mrn | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: BirthDate | None = None
    sex_at_birth: SexAtBirth | None = None
    gender_identity: Short | None = None
    phone: Phone | None = None
    email: EmailStr | None = None
    address: Annotated[str, StringConstraints(max_length=400)] | None = None
    emergency_contact_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    emergency_contact_phone: Phone | None = None
    emergency_contact_relationship: Short | None = None


class MeasurementCreate(Input):
    model_config = ConfigDict(extra="forbid")

    kind: MeasurementKind
    # Plausibility bounds from the core (per kind), not clinical limits: they catch unit slips
    # (lb for kg, m or inches for cm). The column holds 6 digits, 2 after the point.
    value: Annotated[
        Decimal,
        Field(
            max_digits=6,
            decimal_places=2,
            json_schema_extra={
                "minimum": min(bounds(r)["minimum"] for r in MEASUREMENT_RANGES.values()),
                "maximum": max(bounds(r)["maximum"] for r in MEASUREMENT_RANGES.values()),
            },
        ),
    ]
    measured_at: AwareDatetime

    @field_validator("value")
    @classmethod
    def _plausible(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        kind = info.data.get("kind")
        if kind is not None:
            run_rule(lambda: check_measurement(kind, value, field="value"))
        return value


class MeasurementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    value: Decimal
    measured_at: datetime


class PatientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: BirthDate
    sex_at_birth: str
    gender_identity: str | None
    phone: str | None
    email: str | None
    address: str | None
    emergency_contact_name: str | None
    emergency_contact_phone: str | None
    emergency_contact_relationship: str | None
    version: int
    created_at: datetime
    updated_at: datetime


MedicineText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]


class MedicationCreate(Input):
    """A medicine on the patient's list; ``medication_class`` drives the interaction rules."""

    model_config = ConfigDict(extra="forbid")
    single_line: ClassVar[frozenset[str]] = frozenset({"name", "dose"})

    name: MedicineText
    medication_class: MedicationClass
    dose: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    start_date: date | None = None
    stop_date: date | None = None


class MedicationStop(Input):
    model_config = ConfigDict(extra="forbid")

    stop_date: date | None = Field(default=None, description="Last day taken (default: today).")


class MedicationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    name: str
    medication_class: MedicationClass
    dose: str | None
    start_date: date | None
    stop_date: date | None
    recorded_at: datetime
    stopped_at: datetime | None


class AllergyCreate(Input):
    model_config = ConfigDict(extra="forbid")
    single_line: ClassVar[frozenset[str]] = frozenset({"substance"})

    substance: MedicineText
    reaction: Annotated[str, StringConstraints(strip_whitespace=True, max_length=400)] | None = None


class AllergyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patient_id: int
    substance: str
    reaction: str | None
    recorded_at: datetime
