"""Maudsley Staging Method (MSM) for treatment-resistant depression.

Points exactly as Fekadu et al. 2018, BMC Psychiatry, Table 3 [found]
(docs/clinical/eligibility.md#treatment-resistant-depression, docs/clinical/eligibility.md#rule-2):

- Duration of the current episode: <=12 months 1, 13-24 months 2, >24 months 3.
- Severity: subsyndromal 1, mild 2, moderate 3, severe without psychosis 4, with psychosis 5.
- Failed antidepressants: 1-2 -> 1, 3-4 -> 2, 5-6 -> 3, 7-10 -> 4, >10 -> 5.
- Augmentation used: +1. ECT used: +1.
- Total 3-15: mild 3-6, moderate 7-10, severe 11-15.

Durations between whole months (e.g. 12.5) fall in the higher band: the table's cut points are
"<=12" and "<=24".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from ketacare.core.eligibility.model import EpisodeSeverity
from ketacare.core.errors import Invalid

DURATION_BANDS_MONTHS: Final = ((12.0, 1), (24.0, 2))  # (upper bound inclusive, points)
DURATION_POINTS_ABOVE: Final = 3
SEVERITY_POINTS: Final = {
    EpisodeSeverity.SUBSYNDROMAL: 1,
    EpisodeSeverity.MILD: 2,
    EpisodeSeverity.MODERATE: 3,
    EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS: 4,
    EpisodeSeverity.SEVERE_WITH_PSYCHOSIS: 5,
}
FAILURE_BANDS: Final = ((2, 1), (4, 2), (6, 3), (10, 4))  # (upper bound inclusive, points)
FAILURE_POINTS_ABOVE: Final = 5
BAND_UPPER_BOUNDS: Final = ((6, "mild"), (10, "moderate"), (15, "severe"))


class MsmBand(StrEnum):
    """MSM severity band."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@dataclass(frozen=True, slots=True)
class MsmScore:
    """An MSM total with its band and the points per component."""

    score: int
    band: MsmBand
    duration_points: int
    severity_points: int
    failure_points: int
    augmentation_points: int
    ect_points: int


def duration_points(months: float) -> int:
    """Points for the duration of the current episode.

    Raises:
        Invalid: if ``months`` is negative.
    """
    if months < 0:
        raise Invalid("msm.duration_invalid", "episode duration must be >= 0", field="months")
    for upper, points in DURATION_BANDS_MONTHS:
        if months <= upper:
            return points
    return DURATION_POINTS_ABOVE


def failure_points(failed_antidepressants: int) -> int:
    """Points for the number of failed antidepressants (MSM needs at least one).

    Raises:
        Invalid: if the count is below 1 (MSM is defined from the first failure).
    """
    if failed_antidepressants < 1:
        raise Invalid(
            "msm.no_failed_trials",
            "MSM needs at least one failed antidepressant trial",
            field="failed_antidepressants",
        )
    for upper, points in FAILURE_BANDS:
        if failed_antidepressants <= upper:
            return points
    return FAILURE_POINTS_ABOVE


def band_for(score: int) -> MsmBand:
    """Band for an MSM total (mild 3-6, moderate 7-10, severe 11-15).

    Raises:
        Invalid: if the score is outside 3-15.
    """
    if score < 3:
        raise Invalid("msm.score_out_of_range", "MSM score must be 3-15", field="score")
    for upper, band in BAND_UPPER_BOUNDS:
        if score <= upper:
            return MsmBand(band)
    raise Invalid("msm.score_out_of_range", "MSM score must be 3-15", field="score")


def msm_score(
    *,
    duration_months: float,
    severity: EpisodeSeverity,
    failed_antidepressants: int,
    augmentation: bool,
    ect: bool,
) -> MsmScore:
    """Compute the Maudsley Staging Method score.

    Example (docs/clinical/eligibility.md#rule-2): 18 months, severe without psychosis, 4 failed
    antidepressants, augmentation, no ECT gives 2 + 4 + 2 + 1 + 0 = 9, moderate.

    Args:
        duration_months: Duration of the current episode in months.
        severity: Severity of the current episode.
        failed_antidepressants: Number of failed antidepressant trials (>= 1).
        augmentation: Whether augmentation has been used.
        ect: Whether ECT has been used.

    Returns:
        The total, its band and the component points.
    """
    parts = (
        duration_points(duration_months),
        SEVERITY_POINTS[severity],
        failure_points(failed_antidepressants),
        int(augmentation),
        int(ect),
    )
    total = sum(parts)
    return MsmScore(total, band_for(total), *parts)
