"""Misuse risk: DAST-10 bands, the sex-specific AUDIT-C cut-off, and how they feed the decision."""

from __future__ import annotations

import pytest

from ketacare.core.eligibility import Decision, ScreeningConfig, Severity, SexAtBirth, screen
from ketacare.core.eligibility.config import DEFAULT_CONFIG
from ketacare.core.eligibility.misuse import (
    Dast10Band,
    auditc_cutoff,
    auditc_positive,
    dast10_band,
)
from ketacare.core.errors import Invalid
from ketacare.core.instruments import load_catalogue, score_by_id

DAST_TABLE = [
    (0, Dast10Band.NONE),
    (1, Dast10Band.LOW),
    (2, Dast10Band.LOW),
    (3, Dast10Band.MODERATE),
    (5, Dast10Band.MODERATE),
    (6, Dast10Band.SUBSTANTIAL),
    (8, Dast10Band.SUBSTANTIAL),
    (9, Dast10Band.SEVERE),
    (10, Dast10Band.SEVERE),
]


@pytest.mark.parametrize(("total", "band"), DAST_TABLE, ids=[f"dast-{t}" for t, _ in DAST_TABLE])
def test_dast10_bands(total, band):
    assert dast10_band(total) is band


AUDITC_TABLE = [
    # columns: sex, total, positive
    (SexAtBirth.MALE, 3, False),
    (SexAtBirth.MALE, 4, True),
    (SexAtBirth.FEMALE, 2, False),
    (SexAtBirth.FEMALE, 3, True),
    (SexAtBirth.INTERSEX, 3, True),
    (SexAtBirth.UNKNOWN, 3, True),
    (None, 2, False),
    (None, 3, True),
    (SexAtBirth.MALE, 12, True),
    (SexAtBirth.FEMALE, 0, False),
]


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    AUDITC_TABLE,
    ids=[f"{s.value if s else 'unrecorded'}-{t}" for s, t, _ in AUDITC_TABLE],
)
def test_auditc_cutoff_depends_on_sex(sex, total, positive):
    assert auditc_positive(total, sex) is positive


def test_auditc_cutoffs_are_configurable():
    config = ScreeningConfig(auditc_positive_male=5)
    assert auditc_cutoff(SexAtBirth.MALE, config) == 5
    assert auditc_positive(4, SexAtBirth.MALE, config) is False


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: dast10_band(11), "misuse.dast10_out_of_range"),
        (lambda: dast10_band(-1), "misuse.dast10_out_of_range"),
        (lambda: auditc_positive(13, None), "misuse.auditc_out_of_range"),
    ],
    ids=["dast-11", "dast-negative", "auditc-13"],
)
def test_out_of_range_totals_are_invalid(call, code):
    with pytest.raises(Invalid) as caught:
        call()
    assert caught.value.code == code


SCREEN_TABLE = [
    # (dast10, auditc, sex, {misuse code: severity}, decision)
    ("clean", 0, 0, SexAtBirth.MALE, {}, Decision.ELIGIBLE),
    ("dast-low", 2, 0, SexAtBirth.MALE, {"misuse.dast10_result": Severity.INFO}, Decision.ELIGIBLE),
    (
        "dast-moderate",
        3,
        0,
        SexAtBirth.MALE,
        {"misuse.dast10_positive": Severity.REVIEW},
        Decision.NEEDS_REVIEW,
    ),
    (
        "dast-severe",
        10,
        0,
        SexAtBirth.MALE,
        {"misuse.dast10_positive": Severity.REVIEW},
        Decision.NEEDS_REVIEW,
    ),
    (
        "auditc-male-positive",
        0,
        4,
        SexAtBirth.MALE,
        {"misuse.auditc_positive": Severity.REVIEW},
        Decision.NEEDS_REVIEW,
    ),
    (
        "dast-missing",
        None,
        0,
        SexAtBirth.MALE,
        {"misuse.screen_incomplete": Severity.REVIEW},
        Decision.NEEDS_REVIEW,
    ),
    (
        "auditc-missing",
        0,
        None,
        SexAtBirth.MALE,
        {"misuse.screen_incomplete": Severity.REVIEW},
        Decision.NEEDS_REVIEW,
    ),
]


@pytest.mark.parametrize(
    ("dast", "auditc", "sex", "expected", "decision"),
    [r[1:] for r in SCREEN_TABLE],
    ids=[r[0] for r in SCREEN_TABLE],
)
def test_misuse_screens_feed_the_decision(make_input, dast, auditc, sex, expected, decision):
    result = screen(make_input(dast10_total=dast, auditc_total=auditc, sex_at_birth=sex))
    found = {r.code: r.severity for r in result.reasons if r.code.startswith("misuse.")}
    assert found == expected
    assert result.decision is decision


def test_missing_screen_can_be_made_optional(make_input):
    config = ScreeningConfig(require_misuse_screen=False)
    result = screen(make_input(dast10_total=None, auditc_total=None), config)
    assert result.decision is Decision.ELIGIBLE


def test_dast_threshold_is_configurable(make_input):
    config = ScreeningConfig(dast10_review_from=6)
    result = screen(make_input(dast10_total=5), config)
    assert {r.code for r in result.reasons} >= {"misuse.dast10_result"}
    assert result.decision is Decision.ELIGIBLE


@pytest.mark.parametrize("total", range(11))
def test_dast10_band_agrees_with_the_instrument_scoring(total: int) -> None:
    """Screening reads its bands from the DAST-10 catalogue entry: the two cannot drift apart."""
    # Item 3 is reverse-scored ("no" scores 1), so answer "no" there and "yes" elsewhere as needed.
    answers: list[bool] = [False] * 10
    answers[2] = True
    for index in [i for i in range(10) if i != 2][:total]:
        answers[index] = True
    if total == 10:
        answers[2] = False
    scored = score_by_id("dast10", answers)
    assert scored.total == total
    assert dast10_band(total).value == scored.severity


@pytest.mark.parametrize(
    ("sex", "config_field"),
    [
        ("male", "auditc_positive_male"),
        ("female", "auditc_positive_female"),
        ("unknown", "auditc_positive_other"),
    ],
)
def test_auditc_cut_offs_agree_with_the_instrument_catalogue(sex: str, config_field: str) -> None:
    """The screening config and the AUDIT-C catalogue entry state the same sex cut-offs."""
    parameter = load_catalogue().get("auditc").parameter("sex")
    assert parameter is not None
    assert getattr(DEFAULT_CONFIG, config_field) == parameter.values[sex]
