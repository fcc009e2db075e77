"""PHQ-9: sum 0-27, bands, item-9 safety flag, DSM algorithm, proration of 1-2 missing items.

Source: docs/clinical/instruments.md#phq-9, docs/clinical/instruments.md#special-scoring-rules,
docs/clinical/instruments.md#test-vectors published vectors and the SDC discrepancy.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

ID = "phq9"

SCORES = [
    # answers, total, severity, flags
    pytest.param("0,0,0,0,0,0,0,0,0", 0, "none_minimal", [], id="all-zero"),
    pytest.param("1,1,1,1,0,0,0,0,0", 4, "none_minimal", [], id="edge-4-minimal"),
    pytest.param("1,1,1,1,1,0,0,0,0", 5, "mild", [], id="edge-5-mild"),
    pytest.param("1,1,1,1,1,1,1,1,1", 9, "mild", ["suicidal_ideation"], id="edge-9-mild-flag"),
    pytest.param("2,2,2,2,1,1,0,0,0", 10, "moderate", [], id="edge-10-moderate"),
    pytest.param("2,2,2,2,2,2,2,0,0", 14, "moderate", [], id="edge-14-moderate"),
    pytest.param("2,2,2,2,2,2,2,1,0", 15, "moderately_severe", [], id="edge-15-mod-severe"),
    pytest.param("3,3,3,2,2,2,2,2,0", 19, "moderately_severe", [], id="edge-19-mod-severe"),
    pytest.param("3,3,3,3,2,2,2,2,0", 20, "severe", [], id="edge-20-severe"),
    pytest.param(
        "0,0,0,0,0,0,0,0,1", 1, "none_minimal", ["suicidal_ideation"], id="item9-flag-at-low-total"
    ),
    # published vectors
    pytest.param("2,2,2,2,1,1,2,0,0", 12, "moderate", [], id="uscore-example-12"),
    pytest.param("0,0,1,1,1,0,0,0,0", 3, "none_minimal", [], id="phr-example-3"),
    pytest.param("3,3,3,3,3,3,3,3,3", 27, "severe", ["suicidal_ideation"], id="mii-example-27"),
    # HL7 SDC example asserts 13; the answers sum to 10 (negative test)
    pytest.param(
        "0,0,0,1,2,1,3,2,1", 10, "moderate", ["suicidal_ideation"], id="sdc-example-is-10-not-13"
    ),
]


@pytest.mark.parametrize(("answers", "total", "severity", "flags"), SCORES)
def test_scores(run, answers, total, severity, flags):
    result = run(ID, answers)
    assert (result.valid, result.total, result.severity, list(result.flags)) == (
        True,
        total,
        severity,
        flags,
    )


DSM = [
    pytest.param("2,0,2,2,2,2,0,0,0", "major", id="core-plus-4-major"),
    pytest.param("0,2,2,2,2,0,0,0,1", "major", id="item9-counts-at-1"),
    pytest.param("2,0,2,0,0,0,0,0,0", "other", id="core-plus-1-other"),
    pytest.param("0,0,3,3,3,3,3,3,3", "none", id="no-core-symptom"),
    pytest.param("2,0,0,0,0,0,0,0,0", "none", id="core-alone"),
]


@pytest.mark.parametrize(("answers", "syndrome"), DSM)
def test_dsm_algorithm_is_derived_not_a_flag(run, answers, syndrome):
    result = run(ID, answers)
    assert result.derived["dsm_syndrome"] == syndrome
    assert "major" not in " ".join(result.flags)


MISSING = [
    # answers, valid, total, prorated
    pytest.param("2,2,2,2,2,2,2,,2", True, 18, True, id="one-missing-prorated-16x9/8"),
    pytest.param("1,1,1,1,1,1,,,1", True, 9, True, id="two-missing-prorated-7x9/7"),
    pytest.param(",2,2,2,2,2,2,2,0", True, 15.75, True, id="item1-missing-prorated-14x9/8"),
    pytest.param("1,1,1,1,1,1,,,", False, None, False, id="three-missing-invalid"),
    pytest.param("3,,,,,,,,", False, None, False, id="mostly-missing-invalid"),
]


@pytest.mark.parametrize(("answers", "valid", "total", "prorated"), MISSING)
def test_missing_items_prorate_or_invalidate(run, answers, valid, total, prorated):
    result = run(ID, answers)
    assert (result.valid, result.total, result.prorated) == (valid, total, prorated)
    assert result.missing_items
    if not valid:
        assert result.severity is None
        assert any("unanswered" in e for e in result.errors)


def test_prorated_total_keeps_fraction(run):
    result = run(ID, "1,1,1,1,1,1,1,,1")  # 8 x 9/8 = 9
    assert result.total == 9
    result = run(ID, "2,1,1,1,1,1,1,,1")  # 9 x 9/8 = 10.125
    assert result.total == 10.12
    assert result.severity == "moderate"


def test_proration_can_be_switched_off(run):
    result = run(ID, "2,2,2,2,2,2,2,,2", max_prorated_missing="0")
    assert not result.valid
    assert result.total is None


ITEM9_MISSING = [
    # answers, context: item 9 is never prorated away, whatever else is answered
    pytest.param("3,3,3,3,3,3,3,3,", {}, id="cli-contract-3x8-item9-blank"),
    pytest.param("0,0,0,0,0,0,0,0,", {}, id="all-zero-item9-blank"),
    pytest.param("2,2,2,2,2,2,2,,", {}, id="item8-and-item9-blank"),
    pytest.param("3,3,3,3,3,3,,,", {}, id="three-blank-including-item9"),
    pytest.param(",,,,,,,,", {}, id="all-blank"),
    pytest.param("3,3,3,3,3,3,3,3,", {"max_prorated_missing": "0"}, id="proration-off"),
    pytest.param("3,3,3,3,3,3,3,3,", {"max_prorated_missing": "1"}, id="proration-1"),
]


@pytest.mark.parametrize(("answers", "context"), ITEM9_MISSING)
def test_item9_is_never_prorated_away(run, answers, context):
    result = run(ID, answers, **context)
    assert (result.valid, result.total, result.severity) == (False, None, None)
    assert "item_9_missing" in result.flags
    assert "9" in result.missing_items
    assert any("item 9" in e and "never prorated" in e for e in result.errors)
    assert not result.prorated


def test_item9_answered_keeps_its_flags_and_no_missing_flag(run):
    result = run(ID, "3,3,3,3,3,3,3,,0")
    assert result.valid
    assert "item_9_missing" not in result.flags


def test_flag_fires_even_when_form_is_invalid(run):
    result = run(ID, ",,,,,,,,2")
    assert not result.valid
    assert result.flags == ("suicidal_ideation",)


INVALID = [
    pytest.param("4,0,0,0,0,0,0,0,0", "item 1", id="out-of-range-high"),
    pytest.param("0,0,0,0,0,0,0,0,-1", "item 9", id="out-of-range-negative"),
    pytest.param("0,0,1.5,0,0,0,0,0,0", "item 3", id="non-integer"),
    pytest.param("0,0,0,yes,0,0,0,0,0", "item 4", id="yes-for-scale-item"),
    pytest.param("0,0,0,0,0,0,0,0", "expects 9", id="too-few"),
    pytest.param("0,0,0,0,0,0,0,0,0,0", "expects 9", id="too-many"),
]


@pytest.mark.parametrize(("answers", "message"), INVALID)
def test_rejects_malformed_answers(run, answers, message):
    with pytest.raises(Invalid, match=message):
        run(ID, answers)


def test_result_carries_versions_and_loinc(run):
    result = run(ID, "0,0,0,0,0,0,0,0,0")
    assert result.loinc == {"panel": "44249-1", "total": "44261-6"}
    assert result.engine_version
    assert result.catalogue_version
