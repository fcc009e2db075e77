"""JSON input: schema, validator (field named in every error) and parser."""

from __future__ import annotations

import pytest

from ketacare.core.eligibility import (
    INPUT_SCHEMA,
    AntidepressantTrial,
    EpisodeSeverity,
    ProtocolId,
    ScreenResult,
    SexAtBirth,
    StopReason,
    parse_screening_input,
    validate,
)
from ketacare.core.eligibility.conditions import CONDITIONS
from ketacare.core.eligibility.indications import INDICATIONS
from ketacare.core.errors import Invalid
from ketacare.core.medications import MedicationClass

FULL = {
    "protocol": "esketamine-nasal",
    "indication": "depression",
    "age_years": 52,
    "sex_at_birth": "female",
    "pregnant": False,
    "breastfeeding": None,
    "conditions": ["cardiovascular_risk"],
    "bp_systolic": 132,
    "bp_diastolic": 84,
    "episode_duration_months": 14,
    "episode_severity": "severe_without_psychosis",
    "antidepressant_trials": [
        {
            "drug": "sertraline",
            "weeks": 8,
            "adequate_dose": True,
            "improvement_percent": 10.5,
            "current_episode": True,
            "stopped_early_reason": None,
        },
        {"drug": "bupropion", "weeks": 3, "stopped_early_reason": "non_response"},
    ],
    "augmentation": True,
    "ect": False,
    "dast10_total": 1,
    "auditc_total": 2.0,
}


def test_parse_full_document():
    inp = parse_screening_input(FULL)
    assert inp.protocol is ProtocolId.ESKETAMINE_NASAL
    assert inp.sex_at_birth is SexAtBirth.FEMALE
    assert inp.episode_severity is EpisodeSeverity.SEVERE_WITHOUT_PSYCHOSIS
    assert inp.conditions == frozenset({"cardiovascular_risk"})
    assert inp.auditc_total == 2
    assert isinstance(inp.auditc_total, int)
    assert inp.antidepressant_trials == (
        AntidepressantTrial("sertraline", 8, True, 10.5, True, None),
        AntidepressantTrial("bupropion", 3, stopped_early_reason=StopReason.NON_RESPONSE),
    )


def test_only_protocol_is_required():
    inp = parse_screening_input({"protocol": "iv-ketamine-pain"})
    assert inp.indication is None
    assert inp.antidepressant_trials is None
    assert inp.conditions == frozenset()


def test_parse_medicines_and_long_term_checks():
    inp = parse_screening_input(
        {
            "protocol": "iv-ketamine-pain",
            "medication_classes": ["opioid", "benzodiazepine", "opioid"],
            "lft_x_uln": 2.5,
            "long_term_course": True,
            "bladder_screen": "negative",
            "cognition_check": "positive",
        }
    )
    assert inp.medication_classes == {MedicationClass.OPIOID, MedicationClass.BENZODIAZEPINE}
    assert inp.lft_x_uln == 2.5
    assert inp.long_term_course is True
    assert inp.bladder_screen is ScreenResult.NEGATIVE
    assert inp.cognition_check is ScreenResult.POSITIVE


def test_schema_enums_follow_the_catalogues():
    props = INPUT_SCHEMA["properties"]
    assert set(props["conditions"]["items"]["enum"]) == set(CONDITIONS)
    assert set(props["indication"]["enum"]) == {*INDICATIONS, None}
    assert INPUT_SCHEMA["additionalProperties"] is False
    assert INPUT_SCHEMA["required"] == ["protocol"]
    classes = props["medication_classes"]["items"]["enum"]
    assert classes == [klass.value for klass in MedicationClass]
    assert {"bipolar_disorder", "mania_history", "sleep_apnoea"} <= set(CONDITIONS)


ERROR_TABLE = [
    (
        "unknown-medication-class",
        {"protocol": "esketamine-nasal", "medication_classes": ["ssri"]},
        "medication_classes[0]",
    ),
    ("lft-negative", {"protocol": "iv-ketamine-pain", "lft_x_uln": -1}, "lft_x_uln"),
    ("lft-string", {"protocol": "iv-ketamine-pain", "lft_x_uln": "3x"}, "lft_x_uln"),
    ("bladder-yes", {"protocol": "iv-ketamine-pain", "bladder_screen": "yes"}, "bladder_screen"),
    ("long-term-int", {"protocol": "iv-ketamine-pain", "long_term_course": 1}, "long_term_course"),
    # (document, field named)
    ("not-an-object", [1, 2], None),
    ("protocol-missing", {}, "protocol"),
    ("unknown-protocol", {"protocol": "oral-ketamine"}, "protocol"),
    ("unknown-field", {"protocol": "iv-ketamine-pain", "weight_kg": 70}, "weight_kg"),
    ("unknown-indication", {"protocol": "iv-ketamine-pain", "indication": "gout"}, "indication"),
    (
        "unknown-condition",
        {"protocol": "iv-ketamine-pain", "conditions": ["gout"]},
        "conditions[0]",
    ),
    (
        "conditions-not-list",
        {"protocol": "iv-ketamine-pain", "conditions": "active_psychosis"},
        "conditions",
    ),
    ("age-string", {"protocol": "iv-ketamine-pain", "age_years": "40"}, "age_years"),
    ("age-fraction", {"protocol": "iv-ketamine-pain", "age_years": 40.5}, "age_years"),
    ("age-negative", {"protocol": "iv-ketamine-pain", "age_years": -1}, "age_years"),
    ("pregnant-string", {"protocol": "iv-ketamine-pain", "pregnant": "no"}, "pregnant"),
    ("pregnant-int", {"protocol": "iv-ketamine-pain", "pregnant": 0}, "pregnant"),
    ("bp-bool", {"protocol": "iv-ketamine-pain", "bp_systolic": True}, "bp_systolic"),
    ("dast-11", {"protocol": "iv-ketamine-pain", "dast10_total": 11}, "dast10_total"),
    ("auditc-13", {"protocol": "iv-ketamine-pain", "auditc_total": 13}, "auditc_total"),
    (
        "bad-severity",
        {"protocol": "iv-ketamine-pain", "episode_severity": "awful"},
        "episode_severity",
    ),
    (
        "trial-not-object",
        {"protocol": "iv-ketamine-pain", "antidepressant_trials": ["x"]},
        "antidepressant_trials[0]",
    ),
    (
        "trial-without-weeks",
        {"protocol": "iv-ketamine-pain", "antidepressant_trials": [{"drug": "x"}]},
        "antidepressant_trials[0].weeks",
    ),
    (
        "trial-unknown-field",
        {
            "protocol": "iv-ketamine-pain",
            "antidepressant_trials": [{"drug": "x", "weeks": 4, "colour": "blue"}],
        },
        "antidepressant_trials[0].colour",
    ),
    (
        "trial-blank-drug",
        {"protocol": "iv-ketamine-pain", "antidepressant_trials": [{"drug": " ", "weeks": 4}]},
        "antidepressant_trials[0].drug",
    ),
    (
        "trial-bad-stop-reason",
        {
            "protocol": "iv-ketamine-pain",
            "antidepressant_trials": [{"drug": "x", "weeks": 4, "stopped_early_reason": "bored"}],
        },
        "antidepressant_trials[0].stopped_early_reason",
    ),
    (
        "trial-improvement-over-100",
        {
            "protocol": "iv-ketamine-pain",
            "antidepressant_trials": [{"drug": "x", "weeks": 4, "improvement_percent": 101}],
        },
        "antidepressant_trials[0].improvement_percent",
    ),
]


@pytest.mark.parametrize(
    ("document", "field"), [r[1:] for r in ERROR_TABLE], ids=[r[0] for r in ERROR_TABLE]
)
def test_invalid_documents_name_the_field(document, field):
    with pytest.raises(Invalid) as caught:
        parse_screening_input(document)
    assert caught.value.code == "eligibility.input_invalid"
    assert caught.value.field == field
    if field is not None:
        assert field in caught.value.message


@pytest.mark.parametrize("value", [float("nan"), float("inf")], ids=["nan", "infinity"])
def test_non_finite_numbers_are_refused(value):
    document = {"protocol": "iv-ketamine-pain", "episode_duration_months": value}
    with pytest.raises(Invalid) as caught:
        parse_screening_input(document)
    assert caught.value.field == "episode_duration_months"


def test_validator_subset_on_an_open_schema():
    schema = {"properties": {"a": {"type": "null"}}}
    validate({"a": None, "extra": 1}, schema)  # additional properties allowed by default
    with pytest.raises(Invalid, match="expected null, got boolean"):
        validate({"a": True}, schema)
    with pytest.raises(Invalid, match="expected null, got string"):
        validate({"a": "x"}, schema)
