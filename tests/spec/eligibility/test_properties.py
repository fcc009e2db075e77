"""Property tests: invariants of the screening over random valid inputs."""

from __future__ import annotations

import dataclasses
import json

from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.eligibility import (
    AntidepressantTrial,
    Decision,
    EpisodeSeverity,
    ProtocolId,
    ScreeningInput,
    Severity,
    SexAtBirth,
    StopReason,
    apply_overrides,
    parse_screening_input,
    screen,
)
from ketacare.core.eligibility.conditions import CONDITIONS, ConditionKind

RANK = {Decision.ELIGIBLE: 0, Decision.NEEDS_REVIEW: 1, Decision.INELIGIBLE: 2}
ABSOLUTE = sorted(c.id for c in CONDITIONS.values() if c.kind is ConditionKind.ABSOLUTE)


def optional(strategy):
    return st.one_of(st.none(), strategy)


trials = st.builds(
    AntidepressantTrial,
    drug=st.sampled_from(["sertraline", "bupropion", "venlafaxine", "mirtazapine", "lithium"]),
    weeks=st.floats(0, 30, allow_nan=False),
    adequate_dose=optional(st.booleans()),
    improvement_percent=optional(st.floats(-100, 100, allow_nan=False)),
    current_episode=optional(st.booleans()),
    stopped_early_reason=optional(st.sampled_from(StopReason)),
    adherent=optional(st.booleans()),
)


@st.composite
def screening_inputs(draw):
    # Plausible pairs only (ketacare.core.plausibility.vitals: diastolic 10-200, below systolic).
    bp = draw(optional(st.tuples(st.integers(60, 250), st.integers(1, 50))))
    return ScreeningInput(
        protocol=draw(st.sampled_from(ProtocolId)),
        indication=draw(
            optional(
                st.sampled_from(
                    sorted(
                        [
                            "depression",
                            "mdd_suicidal_ideation",
                            "gad",
                            "social_anxiety",
                            "ptsd",
                            "crps",
                            "spinal_cord_injury_pain",
                            "neuropathic_pain",
                            "fibromyalgia",
                            "chronic_pain_other",
                        ]
                    )
                )
            )
        ),
        age_years=draw(optional(st.integers(0, 100))),
        sex_at_birth=draw(optional(st.sampled_from(SexAtBirth))),
        pregnant=draw(optional(st.booleans())),
        breastfeeding=draw(optional(st.booleans())),
        conditions=draw(st.frozensets(st.sampled_from(sorted(CONDITIONS)), max_size=4)),
        bp_systolic=None if bp is None else bp[0],
        bp_diastolic=None if bp is None else min(200, bp[0] - bp[1]),
        episode_duration_months=draw(optional(st.floats(0, 240, allow_nan=False))),
        episode_severity=draw(optional(st.sampled_from(EpisodeSeverity))),
        antidepressant_trials=draw(optional(st.lists(trials, max_size=6).map(tuple))),
        augmentation=draw(optional(st.booleans())),
        ect=draw(optional(st.booleans())),
        dast10_total=draw(optional(st.integers(0, 10))),
        auditc_total=draw(optional(st.integers(0, 12))),
    )


@given(screening_inputs())
def test_decision_matches_the_most_severe_reason(inp):
    result = screen(inp)
    severities = {r.severity for r in result.reasons}
    if Severity.BLOCK in severities:
        assert result.decision is Decision.INELIGIBLE
    elif Severity.REVIEW in severities:
        assert result.decision is Decision.NEEDS_REVIEW
    else:
        assert result.decision is Decision.ELIGIBLE
    assert all(r.code and r.message and r.source for r in result.reasons)
    json.dumps(result.as_dict())
    if result.msm is not None:
        assert 3 <= result.msm.score <= 15


@given(screening_inputs(), st.sampled_from(sorted(CONDITIONS)))
def test_charting_a_condition_never_improves_the_decision(inp, condition):
    before = screen(inp)
    after = screen(dataclasses.replace(inp, conditions=inp.conditions | {condition}))
    assert RANK[after.decision] >= RANK[before.decision]


@given(screening_inputs(), st.sampled_from(ABSOLUTE))
def test_absolute_contraindication_always_blocks_esketamine(inp, condition):
    inp = dataclasses.replace(
        inp, protocol=ProtocolId.ESKETAMINE_NASAL, conditions=inp.conditions | {condition}
    )
    result = screen(inp)
    assert result.decision is Decision.INELIGIBLE
    overrides = {r.code: "documented" for r in result.reasons if r.severity is Severity.REVIEW}
    assert apply_overrides(result, overrides).decision is Decision.INELIGIBLE


@given(screening_inputs())
def test_overriding_every_review_leaves_only_blocks(inp):
    result = screen(inp)
    overrides = {r.code: "justified" for r in result.reasons if r.severity is Severity.REVIEW}
    outcome = apply_overrides(result, overrides)
    assert outcome.all_reviews_covered
    has_block = any(r.severity is Severity.BLOCK for r in result.reasons)
    assert outcome.decision is (Decision.INELIGIBLE if has_block else Decision.ELIGIBLE)


@given(screening_inputs())
def test_json_round_trip_gives_the_same_decision(inp):
    document = {
        "protocol": inp.protocol.value,
        "indication": inp.indication,
        "age_years": inp.age_years,
        "sex_at_birth": inp.sex_at_birth,
        "pregnant": inp.pregnant,
        "breastfeeding": inp.breastfeeding,
        "conditions": sorted(inp.conditions),
        "bp_systolic": inp.bp_systolic,
        "bp_diastolic": inp.bp_diastolic,
        "episode_duration_months": inp.episode_duration_months,
        "episode_severity": inp.episode_severity,
        "antidepressant_trials": None
        if inp.antidepressant_trials is None
        else [
            {k: v for k, v in dataclasses.asdict(t).items() if v is not None}
            for t in inp.antidepressant_trials
        ],
        "augmentation": inp.augmentation,
        "ect": inp.ect,
        "dast10_total": inp.dast10_total,
        "auditc_total": inp.auditc_total,
    }
    parsed = parse_screening_input(json.loads(json.dumps(document)))
    assert screen(parsed).as_dict() == screen(inp).as_dict()
    assert screen(parsed).input_fingerprint == screen(inp).input_fingerprint
