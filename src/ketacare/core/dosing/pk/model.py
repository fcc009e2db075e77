"""PK models as data: parameters with units, scaling, variability and sources.

A ``PKModel`` is a table of published parameters plus the name of a structure (the compartment
layout). Parameters are stored in the units the source uses and converted once, here, into the
simulator's internal units: minutes, litres, milligrams (docs/clinical/pk.md#conventions: "store
everything internally
in one unit and convert at model load").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ketacare.core.codes import Route
from ketacare.core.errors import Invalid, NotFound

#: Internal units: time in min, volume in L, amount in mg. Factor = internal value per unit.
UNIT_FACTORS: Mapping[str, float] = {
    "1/min": 1.0,
    "1/h": 1.0 / 60.0,
    "L": 1.0,
    "L/kg": 1.0,
    "L/min": 1.0,
    "L/h": 1.0 / 60.0,
    "L/h/year": 1.0 / 60.0,
    "min": 1.0,
    "h": 60.0,
    "fraction": 1.0,
    "factor": 1.0,
    "mg": 1.0,
    "years": 1.0,
}

#: Upper age accepted. Perez-Ruixo's Qh falls 2.19 L/h per year over 60 and would reach zero
#: near 129 y; 120 y keeps it positive (the model was fitted at 18-86 y and warns outside that).
MAX_AGE_YEARS = 120.0

#: Reference weight of allometric models (docs/clinical/pk.md#racemic-population-models: "per 70
#: kg").
REFERENCE_WEIGHT_KG = 70.0


class Scaling(StrEnum):
    """How a parameter scales with body weight."""

    NONE = "none"
    PER_KG = "per_kg"
    ALLOMETRIC = "allometric"


class Transform(StrEnum):
    """Scale on which inter-individual variability is normal."""

    LOG = "log"
    LOGIT = "logit"


class Structure(StrEnum):
    """Compartment layouts the simulator can build."""

    MICRO = "mammillary_micro_constants"
    CLEARANCE = "mammillary_clearances"
    PARENT_METABOLITE = "parent_2cmt_metabolite_1cmt"
    ESKETAMINE_NASAL = "esketamine_3cmt_liver_noresketamine_2cmt"


def omega2_from_cv(cv: float) -> float:
    """Return the log-normal variance for a coefficient of variation: ln(1 + CV^2).

    Sources: docs/clinical/pk.md#closed-form-maths.
    """
    return math.log1p(cv * cv)


@dataclass(frozen=True)
class Parameter:
    """One model parameter as published.

    Attributes:
        name: Key used by the structure (``cl``, ``v1``, ``k10``...).
        value: Typical value in ``unit`` (for weight-scaled parameters: per kg or per 70 kg).
        unit: One of ``UNIT_FACTORS``.
        description: Human label.
        source: Citation of the value.
        scaling: Weight scaling rule.
        exponent: Allometric exponent (used when ``scaling`` is allometric).
        iiv_omega2: Variance of the individual random effect, or None if none is reported.
        iiv_transform: Scale on which the random effect is additive.
        iiv_note: How the variance was obtained (e.g. "CV 38.1%").
    """

    name: str
    value: float
    unit: str
    description: str
    source: str
    scaling: Scaling = Scaling.NONE
    exponent: float = 1.0
    iiv_omega2: float | None = None
    iiv_transform: Transform = Transform.LOG
    iiv_note: str = ""

    def internal(self, weight_kg: float) -> float:
        """Return the typical value for ``weight_kg`` in internal units."""
        value = self.value * UNIT_FACTORS[self.unit]
        if self.scaling is Scaling.PER_KG:
            return value * weight_kg
        if self.scaling is Scaling.ALLOMETRIC:
            return value * math.pow(weight_kg / REFERENCE_WEIGHT_KG, self.exponent)
        return value


@dataclass(frozen=True)
class Correlation:
    """A reported correlation between two random effects."""

    first: str
    second: str
    r: float
    source: str


@dataclass(frozen=True)
class Covariates:
    """Patient covariates used by some models (only Perez-Ruixo 2021 uses these).

    Attributes:
        age_years: Age; the default 45 y is the median age of the Perez-Ruixo 2021 data set and
            the "typical" subject of its Table 4 (docs/clinical/pk.md#validation-cases).
        asian: Asian race (Perez-Ruixo 2021 kel and CLn/F effects).
        japanese: Japanese heritage (FRn effect); implies ``asian`` as in the source coding.
    """

    age_years: float = 45.0
    asian: bool = False
    japanese: bool = False

    def __post_init__(self) -> None:
        """Reject an impossible age."""
        if not (math.isfinite(self.age_years) and 0 <= self.age_years <= MAX_AGE_YEARS):
            raise Invalid(
                "pk.age_out_of_range", f"age must be 0-{MAX_AGE_YEARS:g} years", field="age_years"
            )

    @property
    def is_asian(self) -> bool:
        """Asian covariate, true for Japanese subjects too."""
        return self.asian or self.japanese


@dataclass(frozen=True)
class PKModel:
    """A published PK model: metadata, parameter table and structure.

    Attributes:
        id: Stable identifier used by the API and the CLI.
        name: Display name.
        drug: What the model predicts (racemic ketamine, esketamine...).
        analytes: Output analytes; the first is the primary one.
        population: Who the model was fitted in.
        structure: Compartment layout.
        routes: Supported routes.
        parameters: Parameter table.
        sampling: Which plasma the model predicts (arterial / venous / not stated).
        source: Main citation.
        correlations: Reported correlations between random effects.
        approximate: True where the reference says the parameters are incomplete or borrowed.
        notes: Caveats to show with the output.
        weight_range_kg: Weight range studied (None if not stated); outside it the output warns.
        age_range_years: Age range studied (None if not stated); outside it the output warns.
    """

    id: str
    name: str
    drug: str
    analytes: tuple[str, ...]
    population: str
    structure: Structure
    routes: frozenset[Route]
    parameters: tuple[Parameter, ...]
    sampling: str
    source: str
    correlations: tuple[Correlation, ...] = ()
    approximate: bool = False
    notes: tuple[str, ...] = field(default=())
    weight_range_kg: tuple[float, float] | None = None
    age_range_years: tuple[float, float] | None = None

    def parameter(self, name: str) -> Parameter:
        """Return the parameter called ``name``."""
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise NotFound("pk.unknown_parameter", f"{self.id} has no parameter {name!r}", field=name)

    def has(self, name: str) -> bool:
        """Return whether the model has a parameter called ``name``."""
        return any(p.name == name for p in self.parameters)

    @property
    def has_variability(self) -> bool:
        """Whether any inter-individual variability is reported for this model."""
        return any(p.iiv_omega2 is not None for p in self.parameters)

    def typical(self, weight_kg: float) -> dict[str, float]:
        """Return all typical values for ``weight_kg`` in internal units (min, L, mg)."""
        return {p.name: p.internal(weight_kg) for p in self.parameters}
