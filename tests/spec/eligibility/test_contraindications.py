"""Contraindications: absolute ones block, relative ones need review, and protocols differ.

docs/clinical/eligibility.md#contraindications, docs/clinical/eligibility.md#rule-3,
docs/clinical/eligibility.md#rule-4: the Spravato label list is absolute for esketamine and, by
default, for IV ketamine; the Cohen 2018 list is relative (prescriber override with a reason).
"""

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
from ketacare.core.eligibility.conditions import CONDITIONS, ConditionKind
from ketacare.core.errors import Invalid

IV_MOOD = ProtocolId.IV_KETAMINE_DEPRESSION
IV_PAIN = ProtocolId.IV_KETAMINE_PAIN
ESK = ProtocolId.ESKETAMINE_NASAL
BLOCK, REVIEW, INFO = Severity.BLOCK, Severity.REVIEW, Severity.INFO

# (condition, protocol, expected severity of contraindication.<condition>, expected decision)
CONTRAINDICATION_TABLE = [
    ("aneurysmal_vascular_disease", ESK, BLOCK, Decision.INELIGIBLE),
    ("aneurysmal_vascular_disease", IV_MOOD, BLOCK, Decision.INELIGIBLE),
    ("aneurysmal_vascular_disease", IV_PAIN, BLOCK, Decision.INELIGIBLE),
    ("arteriovenous_malformation", ESK, BLOCK, Decision.INELIGIBLE),
    ("arteriovenous_malformation", IV_MOOD, BLOCK, Decision.INELIGIBLE),
    ("intracerebral_hemorrhage_history", ESK, BLOCK, Decision.INELIGIBLE),
    ("intracerebral_hemorrhage_history", IV_PAIN, BLOCK, Decision.INELIGIBLE),
    ("ketamine_hypersensitivity", ESK, BLOCK, Decision.INELIGIBLE),
    ("ketamine_hypersensitivity", IV_MOOD, BLOCK, Decision.INELIGIBLE),
    ("active_psychosis", IV_MOOD, REVIEW, Decision.NEEDS_REVIEW),
    ("active_psychosis", ESK, REVIEW, Decision.NEEDS_REVIEW),
    ("psychosis_history", IV_MOOD, REVIEW, Decision.NEEDS_REVIEW),
    ("psychosis_history", ESK, REVIEW, Decision.NEEDS_REVIEW),
    ("unstable_cardiovascular_disease", IV_PAIN, REVIEW, Decision.NEEDS_REVIEW),
    ("unstable_cardiovascular_disease", ESK, REVIEW, Decision.NEEDS_REVIEW),
    ("severe_hepatic_disease", IV_PAIN, REVIEW, Decision.NEEDS_REVIEW),
    ("severe_hepatic_disease", ESK, REVIEW, Decision.NEEDS_REVIEW),
    ("raised_intracranial_pressure", IV_MOOD, REVIEW, Decision.NEEDS_REVIEW),
    ("raised_intracranial_pressure", ESK, REVIEW, Decision.NEEDS_REVIEW),
    ("raised_intraocular_pressure", IV_PAIN, REVIEW, Decision.NEEDS_REVIEW),
    ("raised_intraocular_pressure", ESK, REVIEW, Decision.NEEDS_REVIEW),
    ("active_substance_use_disorder", IV_MOOD, REVIEW, Decision.NEEDS_REVIEW),
    ("active_substance_use_disorder", ESK, REVIEW, Decision.NEEDS_REVIEW),
    ("prior_ketamine_misuse", IV_MOOD, REVIEW, Decision.NEEDS_REVIEW),
    ("prior_ketamine_misuse", ESK, REVIEW, Decision.NEEDS_REVIEW),
    # Ketalar PI §4 [recall] makes uncontrolled hypertension a hard stop for IV by default;
    # the Spravato label lists it as a warning, not a contraindication.
    ("uncontrolled_hypertension", IV_MOOD, BLOCK, Decision.INELIGIBLE),
    ("uncontrolled_hypertension", IV_PAIN, BLOCK, Decision.INELIGIBLE),
    ("uncontrolled_hypertension", ESK, REVIEW, Decision.NEEDS_REVIEW),
]


@pytest.mark.parametrize(
    ("condition", "protocol", "severity", "decision"),
    CONTRAINDICATION_TABLE,
    ids=[f"{row[0]}-{row[1].value}" for row in CONTRAINDICATION_TABLE],
)
def test_contraindication(make_input, condition, protocol, severity, decision):
    result = screen(make_input(protocol, conditions={condition}))
    reasons = {reason.code: reason for reason in result.reasons}
    reason = reasons[f"contraindication.{condition}"]
    assert reason.severity is severity
    assert reason.source
    assert result.decision is decision


def test_clean_input_is_eligible_for_every_protocol(make_input):
    for protocol in ProtocolId:
        result = screen(make_input(protocol))
        assert result.decision is Decision.ELIGIBLE, [r.code for r in result.reasons]
        assert all(reason.severity is INFO for reason in result.reasons)


CAUTION_TABLE = [
    ("moderate_hepatic_disease", "caution.moderate_hepatic_disease"),
    ("substance_use_history", "caution.substance_use_history"),
]


@pytest.mark.parametrize(("condition", "code"), CAUTION_TABLE, ids=[r[0] for r in CAUTION_TABLE])
def test_cautions_are_information(make_input, condition, code):
    result = screen(make_input(IV_PAIN, conditions={condition}))
    assert {r.code: r.severity for r in result.reasons}[code] is INFO


CONFIG_TABLE = [
    # (config change, condition, protocol, expected severity)
    ({"iv_mirrors_esketamine_absolute": False}, "ketamine_hypersensitivity", IV_MOOD, REVIEW),
    ({"iv_mirrors_esketamine_absolute": False}, "aneurysmal_vascular_disease", IV_PAIN, REVIEW),
    ({"iv_mirrors_esketamine_absolute": False}, "ketamine_hypersensitivity", ESK, BLOCK),
    ({"iv_uncontrolled_hypertension_blocks": False}, "uncontrolled_hypertension", IV_MOOD, REVIEW),
    ({"iv_uncontrolled_hypertension_blocks": False}, "uncontrolled_hypertension", ESK, REVIEW),
]


@pytest.mark.parametrize(
    ("change", "condition", "protocol", "severity"),
    CONFIG_TABLE,
    ids=["iv-hypersensitivity", "iv-aneurysm", "esk-always-absolute", "iv-htn", "esk-htn"],
)
def test_clinic_configuration_changes_iv_classification(
    make_input, change, condition, protocol, severity
):
    result = screen(make_input(protocol, conditions={condition}), ScreeningConfig(**change))
    assert {r.code: r.severity for r in result.reasons}[f"contraindication.{condition}"] is severity


def test_iv_source_says_the_label_list_is_mirrored(make_input):
    iv = screen(make_input(IV_MOOD, conditions={"arteriovenous_malformation"}))
    esk = screen(make_input(ESK, conditions={"arteriovenous_malformation"}))
    code = "contraindication.arteriovenous_malformation"
    iv_reason = next(r for r in iv.reasons if r.code == code)
    esk_reason = next(r for r in esk.reasons if r.code == code)
    assert "mirrored" in iv_reason.source
    assert "applied to IV ketamine" in iv_reason.message
    assert "mirrored" not in esk_reason.source


PROMPT_TABLE = [
    # (conditions, protocol, auditc, sex, expected prompt codes)
    (set(), IV_PAIN, 0, "male", set()),
    ({"cardiovascular_risk"}, IV_PAIN, 0, "male", {"prompt.baseline_ecg"}),
    ({"unstable_cardiovascular_disease"}, ESK, 0, "male", {"prompt.baseline_ecg"}),
    ({"uncontrolled_hypertension"}, IV_MOOD, 0, "male", {"prompt.baseline_ecg"}),
    ({"liver_risk"}, IV_MOOD, 0, "male", {"prompt.baseline_lft"}),
    ({"moderate_hepatic_disease"}, IV_PAIN, 0, "male", {"prompt.baseline_lft"}),
    ({"severe_hepatic_disease"}, IV_PAIN, 0, "male", {"prompt.baseline_lft"}),
    ({"repeat_high_dose_pain_course"}, IV_PAIN, 0, "male", {"prompt.baseline_lft"}),
    (set(), IV_PAIN, 4, "male", {"prompt.baseline_lft"}),  # positive AUDIT-C = alcohol risk
    (set(), IV_PAIN, 3, "male", set()),
    (set(), IV_PAIN, 3, "female", {"prompt.baseline_lft"}),
    (
        {"cardiovascular_risk", "liver_risk"},
        IV_PAIN,
        0,
        "male",
        {"prompt.baseline_ecg", "prompt.baseline_lft"},
    ),
]


@pytest.mark.parametrize(
    ("conditions", "protocol", "auditc", "sex", "prompts"),
    PROMPT_TABLE,
    ids=[
        "none",
        "cv-risk-ecg",
        "unstable-cv-ecg",
        "uncontrolled-htn-ecg",
        "liver-risk-lft",
        "moderate-hepatic-lft",
        "severe-hepatic-lft",
        "repeat-pain-course-lft",
        "auditc-male-4-lft",
        "auditc-male-3-no-lft",
        "auditc-female-3-lft",
        "both",
    ],
)
def test_conditional_test_prompts(make_input, conditions, protocol, auditc, sex, prompts):
    inp = make_input(
        protocol,
        conditions=conditions,
        auditc_total=auditc,
        sex_at_birth=SexAtBirth(sex),
        pregnant=False,
    )
    result = screen(inp)
    found = {r.code for r in result.reasons if r.code.startswith("prompt.")}
    assert found == prompts
    assert all(r.severity is REVIEW for r in result.reasons if r.code in prompts)


def test_unknown_condition_is_invalid(make_input):
    with pytest.raises(Invalid) as caught:
        screen(make_input(conditions={"broken_leg"}))
    assert caught.value.field == "conditions"


def test_every_catalogue_condition_has_a_source_and_message():
    for condition in CONDITIONS.values():
        assert condition.source
        assert condition.message
        assert isinstance(condition.kind, ConditionKind)
