"""``ketacare screen``: JSON in on stdin, decision out; malformed input exits 2 on stderr."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ketacare.cli.main import app
from ketacare.core.eligibility import RULESET_VERSION

runner = CliRunner()

CLEAN = {
    "protocol": "iv-ketamine-depression",
    "indication": "depression",
    "age_years": 45,
    "sex_at_birth": "male",
    "bp_systolic": 128,
    "bp_diastolic": 82,
    "episode_duration_months": 18,
    "episode_severity": "severe_without_psychosis",
    "antidepressant_trials": [
        {
            "drug": "sertraline",
            "weeks": 8,
            "adequate_dose": True,
            "improvement_percent": 10,
            "current_episode": True,
        },
        {
            "drug": "venlafaxine",
            "weeks": 6,
            "adequate_dose": True,
            "improvement_percent": 15,
            "current_episode": True,
        },
        {
            "drug": "mirtazapine",
            "weeks": 2,
            "adequate_dose": True,
            "current_episode": True,
            "stopped_early_reason": "intolerance",
        },
        {
            "drug": "bupropion",
            "weeks": 8,
            "adequate_dose": True,
            "improvement_percent": 0,
            "current_episode": True,
        },
        {
            "drug": "escitalopram",
            "weeks": 10,
            "adequate_dose": True,
            "improvement_percent": 5,
            "current_episode": True,
        },
    ],
    "augmentation": True,
    "ect": False,
    "dast10_total": 0,
    "auditc_total": 1,
}


def run_json(document):
    return runner.invoke(app, ["screen", "--json"], input=json.dumps(document))


def test_clean_screening_is_eligible_with_the_output_contract():
    result = run_json(CLEAN)
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"decision", "reasons", "trd", "msm", "ruleset_version"}
    assert out["decision"] == "eligible"
    assert out["trd"] == {"adequate_failed_trials": 4, "met": True}
    # 18 months (2) + severe without psychosis (4) + 4 failures (2) + augmentation (1) = 9
    assert out["msm"] == {"score": 9, "band": "moderate"}
    assert out["ruleset_version"] == RULESET_VERSION
    for reason in out["reasons"]:
        assert set(reason) == {"code", "severity", "message", "source"}
        assert reason["severity"] == "info"


DECISION_TABLE = [
    # (changes, decision, code expected among reasons)
    (
        {"protocol": "esketamine-nasal", "conditions": ["aneurysmal_vascular_disease"]},
        "ineligible",
        "contraindication.aneurysmal_vascular_disease",
    ),
    ({"conditions": ["active_psychosis"]}, "needs_review", "contraindication.active_psychosis"),
    ({"bp_systolic": 150}, "needs_review", "bp.above_threshold"),
    ({"sex_at_birth": "female"}, "needs_review", "pregnancy.status_not_recorded"),
    ({"sex_at_birth": "female", "pregnant": True}, "needs_review", "contraindication.pregnancy"),
    ({"dast10_total": 4}, "needs_review", "misuse.dast10_positive"),
    (
        {"sex_at_birth": "female", "pregnant": False, "auditc_total": 3},
        "needs_review",
        "misuse.auditc_positive",
    ),
    ({"antidepressant_trials": []}, "needs_review", "trd.not_met"),
    (
        {
            "protocol": "iv-ketamine-pain",
            "indication": "crps",
            "conditions": ["uncontrolled_hypertension"],
        },
        "ineligible",
        "contraindication.uncontrolled_hypertension",
    ),
    (
        {"protocol": "esketamine-nasal", "conditions": ["uncontrolled_hypertension"]},
        "needs_review",
        "contraindication.uncontrolled_hypertension",
    ),
    ({"conditions": ["bipolar_disorder"]}, "needs_review", "contraindication.bipolar_disorder"),
    ({"conditions": ["mania_history"]}, "needs_review", "contraindication.mania_history"),
    ({"conditions": ["sleep_apnoea"]}, "needs_review", "caution.sleep_apnoea"),
    ({"medication_classes": ["maoi"]}, "needs_review", "interaction.maoi.bp_risk"),
    (
        {"medication_classes": ["lamotrigine"]},
        "eligible",
        "interaction.lamotrigine.blunted_response",
    ),
    (
        {"protocol": "iv-ketamine-pain", "indication": "crps", "lft_x_uln": 3},
        "ineligible",
        "liver.enzymes_3x_uln",
    ),
    ({"long_term_course": True}, "needs_review", "bladder.screen_not_recorded"),
]


@pytest.mark.parametrize(
    ("changes", "decision", "code"),
    DECISION_TABLE,
    ids=[
        "absolute-esk",
        "psychosis",
        "bp",
        "pregnancy-unknown",
        "pregnant",
        "dast",
        "auditc-f",
        "no-trd",
        "htn-iv",
        "htn-esk",
        "bipolar",
        "mania",
        "sleep-apnoea",
        "maoi",
        "lamotrigine",
        "lft-3x-pain",
        "long-term",
    ],
)
def test_decisions(changes, decision, code):
    result = run_json({**CLEAN, **changes})
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["decision"] == decision
    assert code in {reason["code"] for reason in out["reasons"]}


def test_minimal_input_has_null_msm():
    result = run_json({"protocol": "iv-ketamine-pain"})
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert out["msm"] == {"score": None, "band": None}
    assert out["trd"] == {"adequate_failed_trials": 0, "met": False}
    assert out["decision"] == "needs_review"


BAD_INPUT_TABLE = [
    ("not-json", "{protocol:", "not valid JSON"),
    ("not-object", "[]", "expected object"),
    ("protocol-missing", json.dumps({"indication": "depression"}), "protocol"),
    ("unknown-protocol", json.dumps({"protocol": "oral"}), "protocol"),
    ("unknown-field", json.dumps({**CLEAN, "weight": 80}), "weight"),
    ("unknown-indication", json.dumps({**CLEAN, "indication": "gout"}), "indication"),
    ("unknown-condition", json.dumps({**CLEAN, "conditions": ["gout"]}), "conditions[0]"),
    ("wrong-type", json.dumps({**CLEAN, "age_years": "45"}), "age_years"),
    ("wrong-bool", json.dumps({**CLEAN, "ect": "no"}), "ect"),
    (
        "trial-wrong-type",
        json.dumps({**CLEAN, "antidepressant_trials": [{"drug": "x", "weeks": "six"}]}),
        "antidepressant_trials[0].weeks",
    ),
    ("bp-half", json.dumps({**CLEAN, "bp_diastolic": None}), "bp_diastolic"),
    (
        "unknown-medication-class",
        json.dumps({**CLEAN, "medication_classes": ["maoi", "ssri"]}),
        "medication_classes[1]",
    ),
    ("empty-stdin", "", "not valid JSON"),
]


@pytest.mark.parametrize(
    ("stdin", "named"), [r[1:] for r in BAD_INPUT_TABLE], ids=[r[0] for r in BAD_INPUT_TABLE]
)
def test_malformed_input_exits_2_naming_the_field(stdin, named):
    result = runner.invoke(app, ["screen", "--json"], input=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert named in result.stderr


def test_schema_option_prints_the_input_schema():
    result = runner.invoke(app, ["screen", "--schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["required"] == ["protocol"]
    props = schema["properties"]
    conditions = props["conditions"]["items"]["enum"]
    assert {"aneurysmal_vascular_disease", "bipolar_disorder", "mania_history"} <= set(conditions)
    assert "sleep_apnoea" in conditions
    assert props["medication_classes"]["items"]["enum"] == [
        "maoi",
        "psychostimulant",
        "benzodiazepine",
        "z_drug_hypnotic",
        "opioid",
        "lamotrigine",
        "other",
    ]
    assert {"lft_x_uln", "long_term_course", "bladder_screen", "cognition_check"} <= set(props)
    assert schema["additionalProperties"] is False


def test_every_new_reason_carries_a_source():
    document = {
        **CLEAN,
        "conditions": ["bipolar_disorder", "mania_history", "sleep_apnoea"],
        "medication_classes": ["maoi", "psychostimulant", "benzodiazepine", "opioid"],
        "long_term_course": True,
        "lft_x_uln": 3.5,
    }
    result = run_json(document)
    assert result.exit_code == 0, result.stderr
    reasons = json.loads(result.stdout)["reasons"]
    new = [r for r in reasons if r["code"].split(".")[0] in {"interaction", "liver", "bladder"}]
    assert len(new) >= 7
    assert all("docs/clinical/eligibility.md#" in r["source"] for r in new)


def test_human_output_shows_decision_and_sources():
    document = {**CLEAN, "conditions": ["active_psychosis"]}
    result = runner.invoke(app, ["screen"], input=json.dumps(document), env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "needs_review" in result.stdout
    assert "contraindication.active_psychosis" in result.stdout
    assert "[found:" in result.stdout  # citation tags are printed, not eaten as markup
