"""Maudsley Staging Method: every band edge (Fekadu 2018 BMC Psychiatry Table 3)."""

from __future__ import annotations

import pytest

from ketacare.core.eligibility import AntidepressantTrial, EpisodeSeverity, screen
from ketacare.core.eligibility.staging import (
    MsmBand,
    band_for,
    duration_points,
    failure_points,
    msm_score,
)
from ketacare.core.errors import Invalid

DURATION_TABLE = [
    (0, 1),
    (1, 1),
    (12, 1),
    (12.5, 2),
    (13, 2),
    (24, 2),
    (24.5, 3),
    (25, 3),
    (120, 3),
]


@pytest.mark.parametrize(
    ("months", "points"), DURATION_TABLE, ids=[f"{m}mo" for m, _ in DURATION_TABLE]
)
def test_duration_points(months, points):
    assert duration_points(months) == points


SEVERITY_TABLE = [
    (EpisodeSeverity.SUBSYNDROMAL, 1),
    (EpisodeSeverity.MILD, 2),
    (EpisodeSeverity.MODERATE, 3),
    (EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS, 4),
    (EpisodeSeverity.SEVERE_WITH_PSYCHOSIS, 5),
]


@pytest.mark.parametrize(
    ("severity", "points"), SEVERITY_TABLE, ids=[s.value for s, _ in SEVERITY_TABLE]
)
def test_severity_points(severity, points):
    score = msm_score(
        duration_months=1,
        severity=severity,
        failed_antidepressants=1,
        augmentation=False,
        ect=False,
    )
    assert score.severity_points == points
    assert score.score == 1 + points + 1


FAILURE_TABLE = [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (10, 4), (11, 5), (30, 5)]


@pytest.mark.parametrize(
    ("count", "points"), FAILURE_TABLE, ids=[f"{c}-failed" for c, _ in FAILURE_TABLE]
)
def test_failure_points(count, points):
    assert failure_points(count) == points


BAND_TABLE = [
    (3, MsmBand.MILD),
    (6, MsmBand.MILD),
    (7, MsmBand.MODERATE),
    (10, MsmBand.MODERATE),
    (11, MsmBand.SEVERE),
    (15, MsmBand.SEVERE),
]


@pytest.mark.parametrize(("score", "band"), BAND_TABLE, ids=[f"score-{s}" for s, _ in BAND_TABLE])
def test_band_edges(score, band):
    assert band_for(score) is band


SCORE_TABLE = [
    # columns: id, months, severity, failures, augmentation, ect, total, band
    (
        "reference-example",
        18,
        EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS,
        4,
        True,
        False,
        9,
        MsmBand.MODERATE,
    ),
    ("minimum", 6, EpisodeSeverity.SUBSYNDROMAL, 1, False, False, 3, MsmBand.MILD),
    ("maximum", 36, EpisodeSeverity.SEVERE_WITH_PSYCHOSIS, 11, True, True, 15, MsmBand.SEVERE),
    ("mild-top", 12, EpisodeSeverity.MODERATE, 2, True, False, 6, MsmBand.MILD),
    ("moderate-bottom", 12, EpisodeSeverity.MODERATE, 2, True, True, 7, MsmBand.MODERATE),
    (
        "moderate-top",
        24,
        EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS,
        4,
        True,
        True,
        10,
        MsmBand.MODERATE,
    ),
    (
        "severe-bottom",
        25,
        EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS,
        4,
        True,
        True,
        11,
        MsmBand.SEVERE,
    ),
]


@pytest.mark.parametrize(
    ("months", "severity", "failures", "augmentation", "ect", "total", "band"),
    [r[1:] for r in SCORE_TABLE],
    ids=[r[0] for r in SCORE_TABLE],
)
def test_msm_total(months, severity, failures, augmentation, ect, total, band):
    score = msm_score(
        duration_months=months,
        severity=severity,
        failed_antidepressants=failures,
        augmentation=augmentation,
        ect=ect,
    )
    assert (score.score, score.band) == (total, band)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: duration_points(-1), "msm.duration_invalid"),
        (lambda: failure_points(0), "msm.no_failed_trials"),
        (lambda: band_for(2), "msm.score_out_of_range"),
        (lambda: band_for(16), "msm.score_out_of_range"),
    ],
    ids=["negative-duration", "zero-failures", "score-2", "score-16"],
)
def test_out_of_domain_is_invalid(call, code):
    with pytest.raises(Invalid) as caught:
        call()
    assert caught.value.code == code


def failed(drug):
    return AntidepressantTrial(drug, 8, True, 0, True)


MISSING_TABLE = [
    ("duration-missing", {"episode_duration_months": None}),
    ("severity-missing", {"episode_severity": None}),
    ("trials-missing", {"antidepressant_trials": None}),
    ("no-failed-trial", {"antidepressant_trials": ()}),
]


@pytest.mark.parametrize(
    "changes", [r[1] for r in MISSING_TABLE], ids=[r[0] for r in MISSING_TABLE]
)
def test_msm_is_null_when_inputs_are_missing(make_input, changes):
    result = screen(make_input(**changes))
    assert result.msm is None
    assert result.as_dict()["msm"] == {"score": None, "band": None}


def test_msm_in_screening_uses_adequate_failed_trials(make_input):
    trials = tuple(failed(d) for d in ("a", "b", "c", "d"))
    inp = make_input(
        episode_duration_months=18,
        episode_severity=EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS,
        antidepressant_trials=trials,
        augmentation=True,
        ect=False,
    )
    assert screen(inp).as_dict()["msm"] == {"score": 9, "band": "moderate"}
