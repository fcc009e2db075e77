"""Pregnancy and breastfeeding (rule 8), screening blood pressure (rule 21) and age."""

from __future__ import annotations

import pytest

from ketacare.core.eligibility import (
    Decision,
    ProtocolId,
    ScreeningConfig,
    Severity,
    SexAtBirth,
    screen,
)
from ketacare.core.errors import Invalid

IV_MOOD = ProtocolId.IV_KETAMINE_DEPRESSION
IV_PAIN = ProtocolId.IV_KETAMINE_PAIN
ESK = ProtocolId.ESKETAMINE_NASAL
F, M, X, U = SexAtBirth.FEMALE, SexAtBirth.MALE, SexAtBirth.INTERSEX, SexAtBirth.UNKNOWN


def codes(result):
    return {reason.code: reason.severity for reason in result.reasons}


PREGNANCY_TABLE = [
    # (protocol, sex, pregnant, breastfeeding, expected {code: severity} among pregnancy codes)
    ("male-not-asked", IV_MOOD, M, None, None, {}),
    (
        "female-not-recorded",
        IV_MOOD,
        F,
        None,
        None,
        {"pregnancy.status_not_recorded": Severity.REVIEW},
    ),
    (
        "intersex-not-recorded",
        ESK,
        X,
        None,
        None,
        {"pregnancy.status_not_recorded": Severity.REVIEW},
    ),
    (
        "unknown-sex-not-recorded",
        IV_PAIN,
        U,
        None,
        None,
        {"pregnancy.status_not_recorded": Severity.REVIEW},
    ),
    (
        "sex-not-recorded",
        IV_PAIN,
        None,
        None,
        None,
        {"pregnancy.status_not_recorded": Severity.REVIEW},
    ),
    ("female-not-pregnant", IV_MOOD, F, False, None, {}),
    ("pregnant-iv", IV_MOOD, F, True, None, {"contraindication.pregnancy": Severity.REVIEW}),
    ("pregnant-pain", IV_PAIN, F, True, None, {"contraindication.pregnancy": Severity.REVIEW}),
    ("pregnant-esketamine", ESK, F, True, None, {"contraindication.pregnancy": Severity.REVIEW}),
    (
        "breastfeeding-esketamine",
        ESK,
        F,
        False,
        True,
        {"breastfeeding.not_advised": Severity.REVIEW},
    ),
    ("breastfeeding-iv", IV_MOOD, F, False, True, {"breastfeeding.discuss": Severity.INFO}),
    ("not-breastfeeding", ESK, F, False, False, {}),
]


@pytest.mark.parametrize(
    ("protocol", "sex", "pregnant", "breastfeeding", "expected"),
    [r[1:] for r in PREGNANCY_TABLE],
    ids=[r[0] for r in PREGNANCY_TABLE],
)
def test_pregnancy_and_breastfeeding(make_input, protocol, sex, pregnant, breastfeeding, expected):
    inp = make_input(protocol, sex_at_birth=sex, pregnant=pregnant, breastfeeding=breastfeeding)
    found = {
        code: severity
        for code, severity in codes(screen(inp)).items()
        if code.split(".")[0] in {"pregnancy", "breastfeeding"} or code.endswith(".pregnancy")
    }
    assert found == expected


def test_pregnancy_sources_differ_by_protocol(make_input):
    def source(protocol):
        result = screen(make_input(protocol, sex_at_birth=F, pregnant=True))
        return next(r.source for r in result.reasons if r.code == "contraindication.pregnancy")

    assert "embryo-fetal" in source(ESK)
    assert "Cohen" in source(IV_MOOD)


BP_TABLE = [
    # columns: systolic, diastolic, flagged
    (120, 80, False),
    (140, 90, False),  # "above 140/90": equal is not above
    (141, 90, True),
    (140, 91, True),
    (139, 95, True),
    (180, 110, True),
]


@pytest.mark.parametrize(
    ("systolic", "diastolic", "flagged"), BP_TABLE, ids=[f"{s}-{d}" for s, d, _ in BP_TABLE]
)
@pytest.mark.parametrize("protocol", list(ProtocolId), ids=[p.value for p in ProtocolId])
def test_bp_above_threshold_needs_acknowledgement(
    make_input, protocol, systolic, diastolic, flagged
):
    result = screen(make_input(protocol, bp_systolic=systolic, bp_diastolic=diastolic))
    assert ("bp.above_threshold" in codes(result)) is flagged
    expected = Decision.NEEDS_REVIEW if flagged else Decision.ELIGIBLE
    assert result.decision is expected


def test_bp_threshold_is_configurable(make_input):
    config = ScreeningConfig(bp_systolic_above=130, bp_diastolic_above=85)
    assert "bp.above_threshold" in codes(screen(make_input(bp_systolic=135), config))
    assert "bp.above_threshold" in codes(screen(make_input(bp_diastolic=84 + 2), config))
    assert "bp.above_threshold" not in codes(screen(make_input(bp_systolic=130), config))


def test_bp_not_recorded_needs_review(make_input):
    result = screen(make_input(bp_systolic=None, bp_diastolic=None))
    assert codes(result)["bp.not_recorded"] is Severity.REVIEW


@pytest.mark.parametrize(
    ("systolic", "diastolic", "field"),
    [(120, None, "bp_diastolic"), (None, 80, "bp_systolic"), (80, 80, "bp_diastolic")],
    ids=["diastolic-missing", "systolic-missing", "diastolic-not-below-systolic"],
)
def test_inconsistent_bp_is_invalid(make_input, systolic, diastolic, field):
    with pytest.raises(Invalid) as caught:
        screen(make_input(bp_systolic=systolic, bp_diastolic=diastolic))
    assert caught.value.field == field


AGE_TABLE = [
    # (protocol, age, expected {code: severity} among age codes)
    (IV_MOOD, 17, {"age.below_adult": Severity.REVIEW}),
    (ESK, 17, {"age.below_adult": Severity.REVIEW}),
    (IV_MOOD, 18, {}),
    (ESK, 64, {}),
    (ESK, 65, {"esketamine.elderly_start_dose": Severity.INFO}),
    (IV_MOOD, 80, {}),
    (IV_MOOD, None, {}),
]


@pytest.mark.parametrize(
    ("protocol", "age", "expected"), AGE_TABLE, ids=[f"{p.value}-{a}" for p, a, _ in AGE_TABLE]
)
def test_age_rules(make_input, protocol, age, expected):
    found = {
        code: severity
        for code, severity in codes(screen(make_input(protocol, age_years=age))).items()
        if code in {"age.below_adult", "esketamine.elderly_start_dose"}
    }
    assert found == expected
