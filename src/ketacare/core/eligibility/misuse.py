"""Misuse-risk screens used at intake: DAST-10 bands and the sex-specific AUDIT-C cut-off.

Bands and cut-offs are from docs/clinical/instruments.md#dast-10 and #audit-c. The DAST-10 bands
are read from the
instrument catalogue (``core/instruments/catalogue/dast10.json``), the one place they are
written, so screening and scoring can never disagree; only totals are needed here.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Final

from ketacare.core.codes import SexAtBirth
from ketacare.core.eligibility.config import DEFAULT_CONFIG, ScreeningConfig
from ketacare.core.errors import Invalid
from ketacare.core.instruments import load_catalogue

DAST10_MAX: Final = 10
AUDITC_MAX: Final = 12


@cache
def dast10_bands() -> tuple[tuple[int, str], ...]:
    """DAST-10 levels as (lowest total, band id), from the instrument catalogue [F:DAST-CDE]."""
    band_set = load_catalogue().get("dast10").bands
    if band_set is None:  # pragma: no cover - the catalogue ships DAST-10 bands
        msg = "the DAST-10 catalogue entry has no bands"
        raise RuntimeError(msg)
    return tuple((int(str(b.min)), b.id) for b in band_set.bands)


class Dast10Band(StrEnum):
    """DAST-10 level of problems related to drug use."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SUBSTANTIAL = "substantial"
    SEVERE = "severe"


def dast10_band(total: int) -> Dast10Band:
    """Band for a DAST-10 total: 0 none, 1-2 low, 3-5 moderate, 6-8 substantial, 9-10 severe.

    Raises:
        Invalid: if the total is outside 0-10.
    """
    if not 0 <= total <= DAST10_MAX:
        raise Invalid("misuse.dast10_out_of_range", "DAST-10 total must be 0-10", field="dast10")
    chosen = Dast10Band.NONE
    for lowest, band in dast10_bands():
        if total >= lowest:
            chosen = Dast10Band(band)
    return chosen


def auditc_cutoff(sex: SexAtBirth | None, config: ScreeningConfig = DEFAULT_CONFIG) -> int:
    """AUDIT-C positive cut-off: >=4 men, >=3 women, the lower one for other or unrecorded sex."""
    if sex is SexAtBirth.MALE:
        return config.auditc_positive_male
    if sex is SexAtBirth.FEMALE:
        return config.auditc_positive_female
    return config.auditc_positive_other


def auditc_positive(
    total: int, sex: SexAtBirth | None, config: ScreeningConfig = DEFAULT_CONFIG
) -> bool:
    """Whether an AUDIT-C total is a positive screen for hazardous drinking.

    Raises:
        Invalid: if the total is outside 0-12.
    """
    if not 0 <= total <= AUDITC_MAX:
        raise Invalid("misuse.auditc_out_of_range", "AUDIT-C total must be 0-12", field="auditc")
    return total >= auditc_cutoff(sex, config)
