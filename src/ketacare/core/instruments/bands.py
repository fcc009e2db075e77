"""Severity bands on continuous totals.

Published bands are written on integers ("0-23 remission; 24-40 mild"), but prorated sums,
means and domain divisors give fractional totals (FIQR 23.33), which fall between two integer
edges. Each band therefore has one continuous lower edge: ``value >= min`` (a closed lower
edge, the default), or ``value > above`` when the band starts strictly above the previous
band's top (an open lower edge). The edge is chosen so that the band agrees with the outcome
rule that uses the same cut: FIQR remission is "<= 23", so mild starts above 23 and 23.33 is
mild, not remission; PHQ-9 remission is "< 5", so mild starts at 5. A value belongs to the last
band (in data order) whose lower edge admits it; below the first band there is no band.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from ketacare.core.instruments.answers import Params, resolve_parameters
from ketacare.core.instruments.model import Band, BandSet, Instrument, ParamValue

#: An exact value to classify (engine numbers are ``int`` or ``Fraction``; floats are accepted).
Value = int | float | Fraction


def as_number(value: ParamValue) -> float:
    """Return a numeric band edge or flag threshold.

    Raises:
        TypeError: the value is a string (an unresolved target, not a number).
    """
    if isinstance(value, str):
        msg = f"expected a number, got {value!r}"
        raise TypeError(msg)
    return value


def lower_edge(band: Band, params: Params) -> tuple[float, bool]:
    """Return the band's continuous lower edge and whether the edge itself is in the band."""
    if band.above is not None:
        return as_number(params.resolve(band.above)), False
    return as_number(params.resolve(band.min)), True


def admits(band: Band, value: Value, params: Params) -> bool:
    """Whether ``value`` is at or above the band's lower edge (strictly above an open edge)."""
    edge, closed = lower_edge(band, params)
    return value >= edge if closed else value > edge


def band_of(bands: BandSet, value: Value, params: Params) -> str | None:
    """Return the id of the band ``value`` falls in, or ``None`` below the first band."""
    chosen: str | None = None
    for band in bands.bands:
        if admits(band, value, params):
            chosen = band.id
    return chosen


def band_edges(
    instrument: Instrument, context: Mapping[str, str] | None = None
) -> tuple[tuple[Band, float], ...]:
    """Return each band of the total with its continuous lower edge (parameters resolved).

    For drawing bands (a trajectory chart): ``context`` defaults to the instrument's defaults,
    so a band starting at a screening cut-off (``param:cutoff``) is drawn at the default cut.
    """
    bands = instrument.bands
    params = resolve_parameters(instrument, context or {})
    if bands is None or params.resolve(bands.on) != "total":
        return ()
    return tuple((band, lower_edge(band, params)[0]) for band in bands.bands)


def severity_band(
    instrument: Instrument, value: Value, context: Mapping[str, str] | None = None
) -> str | None:
    """Return the severity band of a total ``value`` (``None`` without bands on the total).

    The same lookup the engine uses, so a page, report or test can classify any value,
    including fractional totals, without building a form.
    """
    bands = instrument.bands
    if bands is None:
        return None
    params = resolve_parameters(instrument, context or {})
    if params.resolve(bands.on) != "total":
        return None
    return band_of(bands, value, params)
