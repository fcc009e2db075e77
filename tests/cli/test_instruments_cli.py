"""CLI contract: ``ketacare instruments list|show`` and ``ketacare score``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ketacare.cli.main import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_list_json_contract():
    result = invoke("instruments", "list", "--json")
    assert result.exit_code == 0
    entries = json.loads(result.stdout)
    assert len(entries) == 28
    by_id = {e["id"]: e for e in entries}
    for entry in entries:
        assert {"id", "name", "items", "rater", "licence", "ships_text", "loinc_panel"} <= set(
            entry
        )
    assert by_id["phq9"]["items"] == 9
    assert by_id["phq9"]["loinc_panel"] == "44249-1"
    assert by_id["madrs"]["ships_text"] is False
    assert by_id["madrs"]["loinc_panel"] is None


def test_list_human_output():
    result = invoke("instruments", "list")
    assert result.exit_code == 0
    assert "phq9" in result.stdout


def test_show_json_has_no_licensed_text(tmp_path):
    overlay = {"instrument": "madrs", "items": {"1": {"text": "LICENSED WORDING"}}}
    (tmp_path / "madrs.json").write_text(json.dumps(overlay))
    plain = runner.invoke(
        app,
        ["instruments", "show", "madrs", "--json"],
        env={"KETACARE_LICENSED_TEXT_DIR": str(tmp_path)},
    )
    assert plain.exit_code == 0
    data = json.loads(plain.stdout)
    assert data["id"] == "madrs"
    assert len(data["items"]) == 10
    assert "LICENSED WORDING" not in plain.stdout
    licensed = runner.invoke(
        app,
        ["instruments", "show", "madrs", "--json", "--with-licensed-text"],
        env={"KETACARE_LICENSED_TEXT_DIR": str(tmp_path)},
    )
    assert licensed.exit_code == 0
    assert json.loads(licensed.stdout)["items"][0]["text"] == "LICENSED WORDING"


def test_show_human_and_unknown():
    assert invoke("instruments", "show", "phq9").exit_code == 0
    result = invoke("instruments", "show", "phq10", "--json")
    assert result.exit_code == 2
    assert "phq10" in result.stderr
    assert result.stdout == ""


SCORES = [
    pytest.param(["phq9", "2,2,2,2,1,1,2,0,0"], 12, "moderate", [], True, id="phq9-uscore"),
    pytest.param(
        ["phq9", "3,3,3,3,3,3,3,3,3"], 27, "severe", ["suicidal_ideation"], True, id="phq9-max"
    ),
    pytest.param(
        ["phq9", "1,1,1,,,,1,1,1"],
        None,
        None,
        ["suicidal_ideation"],
        False,
        id="phq9-too-many-missing",
    ),
    pytest.param(
        ["cssrs-screener", "no,yes,no,yes,no,no"], None, "high", None, True, id="cssrs-high"
    ),
    pytest.param(["cssrs-screener", "no,no,-,-,-,no,-"], None, "none", [], True, id="cssrs-dashes"),
    pytest.param(
        ["auditc", "1,1,1", "--context", "sex=male"], 3, "negative", [], True, id="auditc-male"
    ),
    pytest.param(
        ["auditc", "1,1,1", "--context", "sex=female"], 3, "positive", [], True, id="auditc-female"
    ),
    pytest.param(
        ["whodas12", "0,0,0,0,0,0,0,0,0,0,0,0", "--context", "coding=0-4"],
        0,
        None,
        [],
        True,
        id="whodas-coding",
    ),
    pytest.param(["ymrs", "4,4,4,4,8,8,4,8,8,4,4"], 60, None, [], True, id="ymrs-max"),
    pytest.param(["ymrs", "0,0,0,0,1,3,0,5,7,0,0"], 16, None, [], True, id="ymrs-odd-values"),
    pytest.param(
        ["stop_bang", "yes,yes,no,no,no,no,no,yes"], 3, "high", [], True, id="stop-bang-raised"
    ),
    pytest.param(
        ["pcl5", ",".join(["2"] * 20), "--context", "criterion_a=yes"],
        40,
        None,
        None,
        True,
        id="pcl5",
    ),
]


@pytest.mark.parametrize(("args", "total", "severity", "flags", "valid"), SCORES)
def test_score_json(args, total, severity, flags, valid):
    instrument, answers, *rest = args
    result = invoke("score", instrument, "--answers", answers, *rest, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"instrument", "valid", "total", "severity", "flags", "subscales", "errors"} <= set(data)
    assert (data["instrument"], data["valid"], data["total"], data["severity"]) == (
        instrument,
        valid,
        total,
        severity,
    )
    if flags is not None:
        assert data["flags"] == flags
    if not valid:
        assert data["errors"]


def test_score_stop_bang_by_its_cli_name():
    result = invoke("score", "stop-bang", "--answers", "yes,yes,yes,no,no,no,no,no", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["instrument"], data["total"], data["severity"]) == ("stop_bang", 3, "intermediate")
    assert data["subscales"] == {"stop": 3}
    assert data["derived"]["raised_by"] == []


def test_score_ymrs_human_output_shows_the_total():
    result = invoke("score", "ymrs", "--answers", "1,1,1,1,2,2,1,2,2,1,1")
    assert result.exit_code == 0, result.stderr
    assert "YMRS" in result.stdout
    assert "total: 15" in result.stdout


MALFORMED = [
    pytest.param(["score", "nope", "--answers", "1"], "nope", id="unknown-instrument"),
    pytest.param(["score", "phq9", "--answers", "0,0,0,0,0,0,0,0,4"], "item 9", id="out-of-range"),
    pytest.param(["score", "phq9", "--answers", "0,0,0"], "expects 9", id="wrong-count"),
    pytest.param(["score", "phq9", "--answers", "0,0,x,0,0,0,0,0,0"], "item 3", id="not-a-number"),
    pytest.param(
        ["score", "auditc", "--answers", "0,0,0", "--context", "sex"],
        "key=value",
        id="context-no-equals",
    ),
    pytest.param(
        ["score", "auditc", "--answers", "0,0,0", "--context", "sex=x"],
        "sex",
        id="context-bad-value",
    ),
    pytest.param(["score", "ymrs", "--answers", "0,0,0,0,9,0,0,0,0,0,0"], "item 5", id="ymrs-9"),
    pytest.param(["score", "ymrs", "--answers", "5,0,0,0,0,0,0,0,0,0,0"], "item 1", id="ymrs-5"),
    pytest.param(
        ["score", "stop-bang", "--answers", "yes,no,no,no,no,no,no,2"], "item 8", id="stop-bang-2"
    ),
    pytest.param(
        ["score", "cssrs-screener", "--answers", "no,no,yes,,,no"],
        "item 3",
        id="skipped-branch-answered",
    ),
]


@pytest.mark.parametrize(("args", "message"), MALFORMED)
def test_malformed_input_exits_2_with_stderr(args, message):
    result = invoke(*args, "--json")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_score_human_output():
    result = invoke("score", "phq9", "--answers", "0,0,0,0,0,0,0,0,1")
    assert result.exit_code == 0
    assert "suicidal_ideation" in result.stdout


def test_unused_context_key_is_ignored_with_a_warning() -> None:
    result = runner.invoke(
        app,
        ["score", "madrs", "--answers", "3,3,3,3,3,3,3,3,3,0", "--context", "sex=male", "--json"],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["total"] == 27
    assert any("'sex' is not used by madrs" in w for w in out["warnings"])


def test_phq9_with_item9_blank_is_not_valid_and_names_item9():
    result = invoke("score", "phq9", "--answers", "3,3,3,3,3,3,3,3,", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert data["total"] is None
    assert data["flags"] == ["item_9_missing"]
    assert data["missing_items"] == ["9"]
    assert any("item 9" in e for e in data["errors"])


def test_phq9_with_another_item_blank_is_still_prorated():
    result = invoke("score", "phq9", "--answers", "3,3,,3,3,3,3,3,0", "--json")
    data = json.loads(result.stdout)
    assert (data["valid"], data["total"], data["prorated"]) == (True, 23.62, True)
    assert "item_9_missing" not in data["flags"]
