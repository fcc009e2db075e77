"""The result of scoring one form, and its JSON view."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

#: A value reported in ``derived`` (classifications that are not scores).
Derived = str | bool | int | float | None | tuple[str, ...]

#: Reported scores keep this many decimals (means and prorated sums); bands use exact values.
DISPLAY_DECIMALS = 2


def to_output(value: int | Fraction | None) -> int | float | None:
    """Convert an exact engine number to an int, or a float rounded for display."""
    if value is None:
        return None
    if isinstance(value, int) or value.denominator == 1:
        return int(value)
    return round(float(value), DISPLAY_DECIMALS)


@dataclass(frozen=True)
class ScoreResult:
    """Everything the engine concluded about one form.

    ``valid`` is false when the instrument's missing-data rule refuses to score the form;
    ``flags`` are still computed from the answered items (a safety flag never waits for
    a complete form). ``errors`` explain an invalid form, ``warnings`` a valid but
    imperfect one (e.g. a prorated total).
    """

    instrument: str
    valid: bool
    total: int | float | None
    severity: str | None
    flags: tuple[str, ...]
    subscales: Mapping[str, int | float | None]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    missing_items: tuple[str, ...]
    prorated: bool
    derived: Mapping[str, Derived]
    parameters: Mapping[str, str]
    loinc: Mapping[str, str | None]
    engine_version: str
    catalogue_version: str
    instrument_version: str

    def as_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable dict (the CLI and API contract)."""
        return {
            "instrument": self.instrument,
            "valid": self.valid,
            "total": self.total,
            "severity": self.severity,
            "flags": list(self.flags),
            "subscales": dict(self.subscales),
            "errors": list(self.errors),
            "warnings": list(self.warnings),
            "missing_items": list(self.missing_items),
            "prorated": self.prorated,
            "derived": {k: list(v) if isinstance(v, tuple) else v for k, v in self.derived.items()},
            "parameters": dict(self.parameters),
            "loinc": dict(self.loinc),
            "engine_version": self.engine_version,
            "catalogue_version": self.catalogue_version,
            "instrument_version": self.instrument_version,
        }
