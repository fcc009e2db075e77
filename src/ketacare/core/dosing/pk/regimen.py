"""Dosing regimens for the PK simulator: boluses, zero-order infusions and nasal doses.

Times are minutes from the start of the simulation; amounts are milligrams of drug **base**
unless the dose says it is the hydrochloride salt (see ``Salt``). Floats are used on purpose:
the simulator is numerical (the house rule of ``Decimal`` quantities applies outside ``pk``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from ketacare.core.codes import Route
from ketacare.core.errors import Invalid

#: Mass of base per mass of hydrochloride salt: 237.7 / 274.2 g/mol (ketamine base / HCl).
#: Source: docs/clinical/pk.md#conventions "Salt vs base" (Spravato label §11: 28 mg esketamine base
#: = 32.3 mg HCl;
#: ketamine molar mass 237.7 g/mol, Zanos 2018 Table 1).
BASE_PER_HCL = 237.7 / 274.2

MINUTES_PER_HOUR = 60.0


class Salt(StrEnum):
    """Which chemical form a dose amount refers to."""

    BASE = "base"
    HCL = "hcl"


@dataclass(frozen=True)
class Dose:
    """One administration.

    Attributes:
        amount_mg: Amount given, in mg of the form named by ``salt``.
        at_min: Start time in minutes from time zero.
        route: ``Route.IV`` or ``Route.INTRANASAL`` (spelled ``iv`` / ``nasal`` by the PK CLI).
        duration_min: 0 for a bolus (or a nasal dose); > 0 for a zero-order IV infusion.
        salt: Whether ``amount_mg`` is base or hydrochloride salt.
    """

    amount_mg: float
    at_min: float = 0.0
    route: Route = Route.IV
    duration_min: float = 0.0
    salt: Salt = Salt.BASE

    def __post_init__(self) -> None:
        """Reject amounts, times and durations outside their domain."""
        if not (math.isfinite(self.amount_mg) and self.amount_mg > 0):
            raise Invalid("pk.dose_not_positive", "dose must be > 0 mg", field="amount_mg")
        if not (math.isfinite(self.at_min) and self.at_min >= 0):
            raise Invalid("pk.dose_time_negative", "dose time must be >= 0 min", field="at_min")
        if not (math.isfinite(self.duration_min) and self.duration_min >= 0):
            raise Invalid(
                "pk.duration_negative", "infusion duration must be >= 0 min", field="duration_min"
            )
        if self.route is Route.INTRANASAL and self.duration_min > 0:
            raise Invalid(
                "pk.nasal_infusion", "a nasal dose has no infusion duration", field="duration_min"
            )

    @classmethod
    def bolus(cls, amount_mg: float, *, at_min: float = 0.0, salt: Salt = Salt.BASE) -> Dose:
        """Return an IV bolus."""
        return cls(amount_mg, at_min, Route.IV, 0.0, salt)

    @classmethod
    def infusion(
        cls, amount_mg: float, duration_min: float, *, at_min: float = 0.0, salt: Salt = Salt.BASE
    ) -> Dose:
        """Return a zero-order IV infusion of ``amount_mg`` over ``duration_min``."""
        if duration_min <= 0:
            raise Invalid(
                "pk.duration_not_positive", "infusion needs a duration > 0", field="duration_min"
            )
        return cls(amount_mg, at_min, Route.IV, duration_min, salt)

    @classmethod
    def nasal(cls, amount_mg: float, *, at_min: float = 0.0, salt: Salt = Salt.BASE) -> Dose:
        """Return an intranasal dose (first-order absorption, per the model's nasal route)."""
        return cls(amount_mg, at_min, Route.INTRANASAL, 0.0, salt)

    @property
    def base_mg(self) -> float:
        """Amount as mg of base, converting a hydrochloride amount with ``BASE_PER_HCL``."""
        return self.amount_mg * (BASE_PER_HCL if self.salt is Salt.HCL else 1.0)

    @property
    def end_min(self) -> float:
        """Time the input stops (equal to ``at_min`` for a bolus or nasal dose)."""
        return self.at_min + self.duration_min


@dataclass(frozen=True)
class Regimen:
    """An ordered schedule of doses (superposed by the solver: the system is linear)."""

    doses: tuple[Dose, ...]

    def __post_init__(self) -> None:
        """Require at least one dose and keep doses sorted by start time."""
        if not self.doses:
            raise Invalid("pk.empty_regimen", "a regimen needs at least one dose", field="doses")
        ordered = tuple(sorted(self.doses, key=lambda d: d.at_min))
        object.__setattr__(self, "doses", ordered)

    @classmethod
    def single(cls, dose: Dose) -> Regimen:
        """Return a one-dose regimen."""
        return cls((dose,))

    @classmethod
    def repeated(cls, dose: Dose, *, every_h: float, count: int) -> Regimen:
        """Return ``count`` copies of ``dose`` starting every ``every_h`` hours from its start."""
        if count < 1:
            raise Invalid("pk.count_not_positive", "repeat count must be >= 1", field="count")
        if count > 1 and not (math.isfinite(every_h) and every_h > 0):
            raise Invalid(
                "pk.interval_not_positive", "repeat interval must be > 0 h", field="every_h"
            )
        step = every_h * MINUTES_PER_HOUR
        doses = tuple(
            Dose(d.amount_mg, d.at_min + k * step, d.route, d.duration_min, d.salt)
            for k, d in enumerate([dose] * count)
        )
        return cls(doses)

    @property
    def routes(self) -> frozenset[Route]:
        """Routes used by the regimen."""
        return frozenset(d.route for d in self.doses)

    @property
    def last_end_min(self) -> float:
        """Time the last input stops."""
        return max(d.end_min for d in self.doses)
