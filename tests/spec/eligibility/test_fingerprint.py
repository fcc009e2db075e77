"""Input fingerprint: stable for the same clinical input, different when anything changes."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.eligibility import (
    AntidepressantTrial,
    ScreeningConfig,
    fingerprint,
    is_stale,
    screen,
)

SHA = re.compile(r"^sha256:[0-9a-f]{64}$")


def test_fingerprint_format_and_result_field(make_input):
    inp = make_input()
    assert SHA.match(fingerprint(inp))
    assert screen(inp).input_fingerprint == fingerprint(inp)


def test_equivalent_inputs_have_the_same_fingerprint(make_input):
    a = make_input(conditions={"liver_risk", "cardiovascular_risk"}, bp_systolic=130)
    trials = tuple(reversed(a.antidepressant_trials))
    b = make_input(conditions={"cardiovascular_risk", "liver_risk"}, bp_systolic=130)
    b = dataclasses.replace(b, antidepressant_trials=trials, episode_duration_months=18.0)
    assert fingerprint(a) == fingerprint(b)


CHANGE_TABLE = [
    ("new-condition", {"conditions": {"active_psychosis"}}),
    ("bp-changed", {"bp_systolic": 121}),
    ("pregnancy-recorded", {"pregnant": False}),
    ("trial-removed", {"antidepressant_trials": ()}),
    ("history-unknown", {"antidepressant_trials": None}),
    ("dast-changed", {"dast10_total": 1}),
    ("duration-changed", {"episode_duration_months": 18.5}),
]


@pytest.mark.parametrize("changes", [r[1] for r in CHANGE_TABLE], ids=[r[0] for r in CHANGE_TABLE])
def test_any_clinical_change_makes_a_stored_decision_stale(make_input, changes):
    stored = screen(make_input()).input_fingerprint
    assert is_stale(stored, make_input(**changes))
    assert not is_stale(stored, make_input())


def test_config_change_makes_a_stored_decision_stale(make_input):
    stored = screen(make_input()).input_fingerprint
    assert is_stale(stored, make_input(), ScreeningConfig(trd_non_response_below_percent=50))


trial_strategy = st.builds(
    AntidepressantTrial,
    drug=st.sampled_from(["sertraline", "bupropion", "venlafaxine", "mirtazapine"]),
    weeks=st.integers(0, 20),
    adequate_dose=st.sampled_from([True, False, None]),
    improvement_percent=st.one_of(st.none(), st.integers(-50, 100)),
    current_episode=st.sampled_from([True, False, None]),
)


@given(trials=st.lists(trial_strategy, max_size=5), data=st.data())
def test_fingerprint_ignores_trial_order(make_input, trials, data):
    shuffled = data.draw(st.permutations(trials))
    a = make_input(antidepressant_trials=tuple(trials))
    b = make_input(antidepressant_trials=tuple(shuffled))
    assert fingerprint(a) == fingerprint(b)
    assert screen(a).as_dict() == screen(b).as_dict()
