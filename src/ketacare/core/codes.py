"""Small coded vocabularies shared across domains."""

from __future__ import annotations

from enum import StrEnum


class SexAtBirth(StrEnum):
    """Sex assigned at birth (HL7 administrative-gender style codes, plus intersex).

    Dosing formulas (Devine ideal body weight) and pregnancy prompts need it; gender identity is
    recorded separately and is what the pages use to address the patient.
    """

    FEMALE = "female"
    MALE = "male"
    INTERSEX = "intersex"
    UNKNOWN = "unknown"


class MeasurementKind(StrEnum):
    """Body measurements kept with their dates (weight in kg, height in cm)."""

    WEIGHT = "weight"
    HEIGHT = "height"
