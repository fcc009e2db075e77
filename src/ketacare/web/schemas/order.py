from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ketacare.core.codes import SexAtBirth
from ketacare.core.patients.body_weight import WeightBasis
from ketacare.services.orders.dose import DoseInputs, PatientFacts
from ketacare.web.schemas.common import Input, Version

# Plausibility bounds on the wire (the core applies the clinical limits): they keep absurd
# numbers and float overflow out; a value inside them can still be refused by the calculator.
Positive = Annotated[Decimal, Field(gt=0, le=100000, max_digits=12, decimal_places=4)]
Minutes = Annotated[int, Field(gt=0, le=24 * 60)]
ProtocolId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class DoseChoices(Input):
    """What the prescriber chooses; unset values take the protocol's defaults."""

    model_config = ConfigDict(extra="forbid")

    protocol: ProtocolId
    weight_basis: WeightBasis | None = None
    dose_mg_per_kg: Positive | None = None
    rate_mg_per_kg_per_h: Positive | None = None
    duration_min: Minutes | None = None
    concentration_mg_per_ml: Positive | None = None
    final_volume_ml: Positive | None = None
    dose_mg: Positive | None = None
    first_dose: bool = False
    bolus_mg_per_kg: Positive | None = None
    bolus_mg: Positive | None = None

    def to_inputs(self) -> DoseInputs:
        """The service's one dose question; every field but the protocol has the same name."""
        chosen = {
            f.name: getattr(self, f.name) for f in fields(DoseInputs) if f.name != "protocol_id"
        }
        return DoseInputs(protocol_id=self.protocol, **chosen)


class DoseCalculationCreate(DoseChoices):
    """The inputs of ``ketacare dose``: a preview, nothing is stored."""

    weight_kg: Annotated[Decimal, Field(gt=0, le=400, max_digits=6, decimal_places=2)]
    height_cm: Annotated[Decimal, Field(gt=0, le=300, max_digits=6, decimal_places=2)] | None = None
    sex_at_birth: SexAtBirth | None = None
    age_years: Annotated[int, Field(ge=0, le=130)] | None = None
    weight_date: date | None = Field(default=None, description="Default: the order date.")
    today: date | None = Field(default=None, description="Order date; default today.")

    def to_facts(self, today: date) -> PatientFacts:
        """The typed-in patient, weighed on the order date unless ``weight_date`` says when."""
        return PatientFacts.typed_in(
            weight_kg=self.weight_kg,
            weight_measured_on=self.weight_date or today,
            height_cm=self.height_cm,
            sex_at_birth=self.sex_at_birth,
            age_years=self.age_years,
        )


class OrderCreate(DoseChoices):
    """Weight, height, sex and age come from the chart, never from the request."""

    override_reason: Reason | None = None


class OrderSign(Input):
    model_config = ConfigDict(extra="forbid")

    override_reason: Reason | None = None
    version: Version | None = Field(
        default=None, description="Optimistic lock: the version you read."
    )


class OrderCancel(Input):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    version: Version | None = None


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organisation_id: int
    patient_id: int
    protocol_id: str
    protocol_version: int
    drug: str
    route: str
    status: str
    dose_mg: Decimal
    weight_basis: str | None
    weight_used_kg: Decimal | None
    weight_measured_on: date | None
    concentration_mg_per_ml: Decimal | None
    final_volume_ml: Decimal | None
    rate_ml_per_h: Decimal | None
    duration_min: int
    warnings: list[dict[str, Any]]
    requires_override: bool
    override_reason: str | None
    inputs: dict[str, Any]
    calculation: dict[str, Any]
    created_by: int
    created_at: datetime
    signed_by: int | None
    signed_at: datetime | None
    updated_at: datetime
    version: int


class ProtocolRead(BaseModel):
    """A protocol's summary plus whether the clinic added it."""

    id: str
    name: str
    drug: str
    route: str
    setting: str
    indications: list[str]
    dose_rule: Any
    source: str
    custom: bool
