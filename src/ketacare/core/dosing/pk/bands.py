"""Concentration bands and literature ranges for display, as data.

These are labelled literature ranges, not targets (docs/clinical/pk.md#gaps-and-recommendations:
"keep clinical thresholds
configurable and labelled as literature ranges"). Values are racemic ketamine, ng/mL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_BANDS_SOURCE = (
    "docs/clinical/pk.md#concentration-thresholds 'Suggested default display bands': a synthesis "
    "of Zanos 2018 Table 1, Bowdle 1998, "
    "Krystal 1994, Idvall 1979 and Herd 2007 - not a published standard (CONFIG default)"
)


@dataclass(frozen=True)
class Band:
    """A display band [lower, upper) in ng/mL."""

    lower: float
    upper: float
    label: str
    source: str


@dataclass(frozen=True)
class LiteratureRange:
    """A concentration range associated with an effect in the literature."""

    effect: str
    lower: float
    upper: float
    source: str


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(0.0, 50.0, "minimal", _BANDS_SOURCE),
    Band(50.0, 100.0, "sub-dissociative / analgesic range begins", _BANDS_SOURCE),
    Band(100.0, 250.0, "dissociative / antidepressant-infusion range", _BANDS_SOURCE),
    Band(250.0, 700.0, "above the antidepressant-infusion range", _BANDS_SOURCE),
    Band(700.0, math.inf, "approaching anaesthetic / awakening levels", _BANDS_SOURCE),
)

LITERATURE_RANGES: tuple[LiteratureRange, ...] = (
    LiteratureRange(
        "analgesia",
        70.0,
        160.0,
        "Zanos 2018 Table 1; Herd 2007 (docs/clinical/pk.md#concentration-thresholds)",
    ),
    LiteratureRange(
        "dissociation during 0.5 mg/kg over 40 min",
        100.0,
        250.0,
        "Zanos 2018 Table 1 citing Krystal 1994 (docs/clinical/pk.md#concentration-thresholds)",
    ),
    LiteratureRange(
        "psychedelic effects rise linearly",
        50.0,
        200.0,
        "Bowdle 1998 (docs/clinical/pk.md#concentration-thresholds)",
    ),
    LiteratureRange("awakening after anaesthesia", 640.0, 750.0, "Idvall 1979; Herd 2007"),
    LiteratureRange(
        "anaesthesia",
        1000.0,
        2500.0,
        "Zanos 2018; Idvall 1979 (docs/clinical/pk.md#concentration-thresholds)",
    ),
)


def band_for(concentration_ng_per_ml: float, bands: tuple[Band, ...] = DEFAULT_BANDS) -> Band:
    """Return the band containing a concentration (values below 0 fall in the first band)."""
    for band in bands:
        if concentration_ng_per_ml < band.upper:
            return band
    return bands[-1]
