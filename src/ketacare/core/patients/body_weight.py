"""Body-weight formulas used to choose the dosing weight: IBW (Devine), adjusted weight, BMI.

Sources (see docs/clinical/dosing.md#body-weight-basis, docs/clinical/dosing.md#rule-13):
- Ideal body weight, Devine 1974: 50 kg (men) or 45.5 kg (women) + 2.3 kg per inch over 60 in.
  [recall: standard pharmacy formulas, Devine BJ. Drug Intell Clin Pharm 1974;8:650]
- Adjusted body weight: AdjBW = IBW + 0.4 x (TBW - IBW). [recall: standard pharmacy formula]
- Trials dose per kg of *actual* body weight; the platform defaults to actual weight and makes the
  basis an explicit, recorded choice. [found: Freeman et al. 2020 J Clin Psychopharmacol 40:287]

The Devine formula is only defined from 60 in (152.4 cm) upward ("per inch over 60 in"); the
reference gives no rule for shorter patients, so ``ideal_body_weight`` refuses them rather than
extrapolating (a linear extrapolation goes negative near 100 cm).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from ketacare.core.codes import SexAtBirth
from ketacare.core.errors import Invalid
from ketacare.core.units import round_down

DEVINE_SOURCE = "Devine BJ. Drug Intell Clin Pharm 1974;8:650 [recall: standard pharmacy formula]"
DEVINE_BASE_KG_MALE = Decimal("50")
DEVINE_BASE_KG_FEMALE = Decimal("45.5")
DEVINE_KG_PER_INCH = Decimal("2.3")
DEVINE_BASE_HEIGHT_IN = Decimal("60")
CM_PER_INCH = Decimal("2.54")  # exact by definition (international inch, 1959)

ADJUSTED_BW_SOURCE = "AdjBW = IBW + 0.4 x (TBW - IBW) [recall: standard pharmacy formula]"
ADJUSTED_BW_FACTOR = Decimal("0.4")

# Input plausibility bounds (KetaCare issue requirement, not clinical thresholds): anything outside
# is treated as a data-entry error and refused.
WEIGHT_MAX_KG = Decimal("400")
HEIGHT_MIN_CM = Decimal("100")
HEIGHT_MAX_CM = Decimal("250")

# Computed (ideal, adjusted) weights are rounded down to the gram: far below any clinical
# difference, and the dose that follows them is rounded down again to the draw-up precision.
KG_PRECISION = Decimal("0.001")

# The Devine formula is defined on female and male sex at birth only; for any other recorded
# value the ideal and adjusted bases are refused (naming the field) rather than guessed.
DEVINE_SEXES: frozenset[SexAtBirth] = frozenset({SexAtBirth.FEMALE, SexAtBirth.MALE})


class WeightBasis(StrEnum):
    """Which body weight a weight-based dose is calculated on (docs/clinical/dosing.md#rule-13)."""

    ACTUAL = "actual"
    IDEAL = "ideal"
    ADJUSTED = "adjusted"


def check_weight_kg(value: Decimal, *, field: str = "weight_kg") -> Decimal:
    """Return ``value`` if it is a plausible body weight (> 0 and <= 400 kg).

    Raises:
        Invalid: ``patient.weight_out_of_range`` naming ``field``.
    """
    if value <= 0 or value > WEIGHT_MAX_KG:
        raise Invalid(
            "patient.weight_out_of_range",
            f"weight must be > 0 and <= {WEIGHT_MAX_KG} kg, got {value}",
            field=field,
        )
    return value


def check_height_cm(value: Decimal, *, field: str = "height_cm") -> Decimal:
    """Return ``value`` if it is a plausible height (100-250 cm inclusive).

    Raises:
        Invalid: ``patient.height_out_of_range`` naming ``field``.
    """
    if not HEIGHT_MIN_CM <= value <= HEIGHT_MAX_CM:
        raise Invalid(
            "patient.height_out_of_range",
            f"height must be {HEIGHT_MIN_CM}-{HEIGHT_MAX_CM} cm, got {value}",
            field=field,
        )
    return value


def ideal_body_weight(height_cm: Decimal, sex: SexAtBirth) -> Decimal:
    """Ideal body weight in kg by Devine (1974), unrounded.

    IBW = 50 kg (male) or 45.5 kg (female) + 2.3 kg x (height in inches - 60).

    Raises:
        Invalid: height implausible, or below 60 in where the formula is undefined
            (``patient.height_below_devine_range``); a sex the formula is not defined on
            (``patient.sex_required``).
    """
    check_height_cm(height_cm)
    if sex not in DEVINE_SEXES:
        raise Invalid(
            "patient.sex_required",
            "the Devine formula is defined for female or male sex at birth",
            field="sex_at_birth",
        )
    inches = height_cm / CM_PER_INCH
    if inches < DEVINE_BASE_HEIGHT_IN:
        raise Invalid(
            "patient.height_below_devine_range",
            "the Devine ideal-body-weight formula is defined from 60 in (152.4 cm); "
            "use the actual weight basis",
            field="height_cm",
        )
    base = DEVINE_BASE_KG_MALE if sex is SexAtBirth.MALE else DEVINE_BASE_KG_FEMALE
    return base + DEVINE_KG_PER_INCH * (inches - DEVINE_BASE_HEIGHT_IN)


def adjusted_body_weight(
    actual_kg: Decimal, ideal_kg: Decimal, *, factor: Decimal = ADJUSTED_BW_FACTOR
) -> Decimal:
    """Adjusted body weight in kg: IBW + factor x (actual - IBW), unrounded.

    ``factor`` defaults to 0.4 (docs/clinical/dosing.md#rule-13); it is a parameter so a clinic can
    follow a
    different published convention.
    """
    check_weight_kg(actual_kg)
    return ideal_kg + factor * (actual_kg - ideal_kg)


def body_mass_index(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    """BMI in kg/m2 rounded half-up to one decimal (weight / height in metres squared)."""
    check_weight_kg(weight_kg)
    check_height_cm(height_cm)
    metres = height_cm / Decimal(100)
    return (weight_kg / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class BodyMeasurements:
    """What the dosing core needs to know about the patient's body on the day of the order.

    Attributes:
        weight_kg: actual (total) body weight.
        weight_measured_on: date the weight was measured; stale weights block weight-based orders.
        height_cm: needed for the ideal and adjusted bases.
        sex_at_birth: needed for the ideal and adjusted bases.
    """

    weight_kg: Decimal
    weight_measured_on: date
    height_cm: Decimal | None = None
    sex_at_birth: SexAtBirth | None = None

    def __post_init__(self) -> None:
        """Validate ranges so an implausible measurement can never reach a calculation."""
        check_weight_kg(self.weight_kg)
        if self.height_cm is not None:
            check_height_cm(self.height_cm)


def dosing_weight(body: BodyMeasurements, basis: WeightBasis) -> Decimal:
    """The weight in kg a dose is calculated on for ``basis``.

    The actual weight is used as measured. Ideal and adjusted weights are computed values and are
    rounded *down* to 0.1 kg, the safe direction (a dose is never calculated on more kilograms than
    the formula gives).

    Raises:
        Invalid: ideal/adjusted basis without height (``field="height_cm"``) or sex
            (``field="sex_at_birth"``), or height outside the Devine range.
    """
    if basis is WeightBasis.ACTUAL:
        return body.weight_kg
    if body.height_cm is None:
        raise Invalid(
            "patient.height_required", f"the {basis} weight basis needs a height", field="height_cm"
        )
    sex = body.sex_at_birth
    if sex is None or sex not in DEVINE_SEXES:
        raise Invalid(
            "patient.sex_required",
            f"the {basis} weight basis needs the sex at birth",
            field="sex_at_birth",
        )
    ideal = ideal_body_weight(body.height_cm, sex)
    value = ideal if basis is WeightBasis.IDEAL else adjusted_body_weight(body.weight_kg, ideal)
    return round_down(value, KG_PRECISION)
