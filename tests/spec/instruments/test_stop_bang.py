"""STOP-Bang: 8 yes/no items, 0-8; low 0-2, intermediate 3-4, high 5-8, and the raise to high.

A score of 3-4 is high risk when at least 2 of the 4 STOP items are yes together with male sex,
BMI > 35 kg/m2 or neck circumference > 40 cm. Sources: Chung et al., Anesthesiology 2008;108:812
(PMID 18431116); Br J Anaesth 2012;108:768 (PMID 22401881); J Clin Sleep Med 2014;10:951
(PMID 25142767); Chest 2016;149:631 (PMID 26378880); docs/clinical/instruments.md#stop-bang.

Item order: 1 snoring, 2 tired, 3 observed apnoea, 4 pressure, 5 BMI > 35, 6 age > 50,
7 neck > 40 cm, 8 male.
"""

from __future__ import annotations

import itertools

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.instruments import load_catalogue, score, severity_band

Y, N = "yes", "no"


def form(*yes_items: int) -> str:
    """Answers with the given item numbers (1-8) yes and the others no."""
    return ",".join(Y if i in yes_items else N for i in range(1, 9))


CASES = [
    # answers, total, risk, raised_by
    pytest.param(form(), 0, "low", [], id="all-no-0-low"),
    pytest.param(form(1, 2), 2, "low", [], id="edge-2-low"),
    pytest.param(form(6, 8), 2, "low", [], id="2-bang-only-low"),
    pytest.param(form(1, 2, 3), 3, "intermediate", [], id="edge-3-stop-only-intermediate"),
    pytest.param(form(1, 6, 8), 3, "intermediate", [], id="3-one-stop-plus-male-intermediate"),
    pytest.param(form(1, 2, 6), 3, "intermediate", [], id="3-two-stop-plus-age-intermediate"),
    pytest.param(form(1, 2, 3, 4), 4, "intermediate", [], id="edge-4-all-stop-intermediate"),
    pytest.param(form(1, 2, 8), 3, "high", ["male"], id="3-two-stop-plus-male-high"),
    pytest.param(form(3, 4, 5), 3, "high", ["bmi_over_35"], id="3-two-stop-plus-bmi-high"),
    pytest.param(form(2, 4, 7), 3, "high", ["neck_over_40cm"], id="3-two-stop-plus-neck-high"),
    pytest.param(
        form(1, 2, 7, 8), 4, "high", ["neck_over_40cm", "male"], id="4-two-stop-neck-male-high"
    ),
    pytest.param(form(1, 2, 3, 4, 6), 5, "high", [], id="edge-5-high-by-score"),
    pytest.param(form(*range(1, 9)), 8, "high", [], id="all-yes-8-high"),
]


@pytest.mark.parametrize(("answers", "total", "risk", "raised_by"), CASES)
def test_risk(run, answers, total, risk, raised_by):
    result = run("stop_bang", answers)
    assert (result.valid, result.total, result.severity) == (True, total, risk)
    assert list(result.derived["raised_by"]) == raised_by


def test_every_form_is_the_band_of_its_total_or_raised_to_high():
    stop_bang = load_catalogue().get("stop_bang")
    seen = set()
    for answers in itertools.product([True, False], repeat=8):
        result = score(stop_bang, list(answers))
        assert result.total is not None
        band = severity_band(stop_bang, result.total)
        stop = sum(answers[:4])
        raiser = answers[4] or answers[6] or answers[7]
        expected = "high" if band == "intermediate" and stop >= 2 and raiser else band
        assert result.severity == expected, answers
        assert result.subscales["stop"] == stop
        seen.add((band, result.severity))
    assert seen == {("low", "low"), ("intermediate", "intermediate"), ("intermediate", "high"),
                    ("high", "high")}  # fmt: skip


def test_stop_count_is_a_subscale(run):
    assert run("stop_bang", form(1, 3, 6)).subscales["stop"] == 2


def test_missing_item_is_not_valid_and_has_no_risk(run):
    result = run("stop_bang", "yes,yes,yes,,no,no,no,no")
    assert (result.valid, result.total, result.severity) == (False, None, None)


@pytest.mark.parametrize("answers", [form()[:-3], "2,no,no,no,no,no,no,no", "maybe," + form()[3:]])
def test_rejects(run, answers):
    with pytest.raises(Invalid):
        run("stop_bang", answers)


def test_the_cli_spelling_finds_the_catalogue_id():
    catalogue = load_catalogue()
    assert catalogue.get("stop-bang") is catalogue.get("stop_bang")
    assert catalogue.get("stop-bang").id == "stop_bang"


def test_ships_no_item_wording():
    stop_bang = load_catalogue().get("stop_bang")
    assert not stop_bang.licence.ships_text
    assert all(item.text is None and item.label == f"Item {item.id}" for item in stop_bang.items)
