"""Engine details: answer tokens, context checking, overlays and the JSON view."""

from __future__ import annotations

import json

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.instruments import load_catalogue, parse_token, score, score_by_id
from ketacare.core.instruments.describe import definition, summary
from ketacare.core.instruments.overlay import apply_overlay, apply_overlays

TOKENS = [
    pytest.param("phq9", "", None, id="blank"),
    pytest.param("phq9", "-", None, id="dash"),
    pytest.param("phq9", " 2 ", 2, id="spaces"),
    pytest.param("phq9", "2.0", 2.0, id="float"),
    pytest.param("dn4", "YES", True, id="yes-any-case"),
    pytest.param("dn4", "n", False, id="n"),
    pytest.param("bdi2", "3b", 3, id="bdi-option-code"),
]


@pytest.mark.parametrize(("instrument_id", "token", "expected"), TOKENS)
def test_parse_token(instrument_id, token, expected):
    items = load_catalogue().get(instrument_id).items
    item = items[15] if instrument_id == "bdi2" else items[0]
    assert parse_token(item, token) == expected


def test_parse_token_rejects_text():
    with pytest.raises(Invalid, match="item 1"):
        parse_token(load_catalogue().get("phq9").items[0], "often")


@pytest.mark.parametrize(
    "answers",
    [
        pytest.param([True] + [0] * 8, id="bool-on-scale-item"),
        pytest.param([float("nan")] + [0] * 8, id="nan"),
        pytest.param(["1"] + [0] * 8, id="string"),
    ],
)
def test_score_rejects_non_numbers(answers):
    with pytest.raises(Invalid, match="item 1"):
        score(load_catalogue().get("phq9"), answers)


def test_integral_float_is_accepted():
    assert score_by_id("phq9", [1.0] * 9).total == 9


def test_unused_context_keys_change_nothing_and_are_reported():
    plain = score_by_id("phq9", [1] * 9)
    with_sex = score_by_id("phq9", [1] * 9, {"sex": "female"})
    assert (with_sex.total, with_sex.severity, with_sex.flags) == (
        plain.total,
        plain.severity,
        plain.flags,
    )
    assert with_sex.warnings == (
        "context 'sex' is not used by phq9 and was ignored (it uses: max_prorated_missing)",
    )


def test_used_context_keys_are_checked():
    with pytest.raises(Invalid) as excinfo:
        score_by_id("auditc", [1, 1, 1], {"sex": "robot"})
    assert excinfo.value.code == "instrument.bad_context"


def test_result_is_json_serialisable():
    result = score_by_id("pcl5", [2] * 20, {"criterion_a": "yes"})
    data = json.loads(json.dumps(result.as_dict()))
    assert data["instrument"] == "pcl5"
    assert data["subscales"]["cluster_b"] == 10


def test_overlay_adds_wording_without_touching_scoring():
    madrs = load_catalogue().get("madrs")
    licensed = apply_overlay(madrs, {"stem": "S", "items": {"1": {"text": "licensed 1"}}})
    assert licensed.items[0].text == "licensed 1"
    assert licensed.stem == "S"
    assert licensed.scoring == madrs.scoring
    assert madrs.items[0].text is None


def test_overlay_rejects_unknown_items_and_instruments():
    with pytest.raises(Invalid):
        apply_overlay(load_catalogue().get("madrs"), {"items": {"11": {"text": "x"}}})
    with pytest.raises(Invalid):
        apply_overlays(load_catalogue(), {"nope": {}})


def test_definition_strips_licensed_text_unless_asked():
    madrs = apply_overlays(load_catalogue(), {"madrs": {"items": {"1": {"text": "secret"}}}}).get(
        "madrs"
    )
    assert "secret" not in json.dumps(definition(madrs))
    assert "secret" in json.dumps(definition(madrs, include_licensed_text=True))


def test_summary_contract_fields():
    entry = summary(load_catalogue().get("phq9"))
    assert {"id", "name", "items", "rater", "licence", "ships_text", "loinc_panel"} <= set(entry)
    assert (entry["items"], entry["loinc_panel"], entry["ships_text"]) == (9, "44249-1", True)
