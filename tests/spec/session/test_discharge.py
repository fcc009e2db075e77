"""Spec: recovery and discharge rules.

Sources: docs/clinical/session.md#rule-24, docs/clinical/session.md#rule-29,
docs/clinical/session.md#rule-31, docs/clinical/session.md#rule-34.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ketacare.core.codes import SessionDrug
from ketacare.core.errors import Invalid
from ketacare.core.session.config import DischargeAssessment, DischargeConfig, SessionConfig
from ketacare.core.session.discharge import DischargeChecklist, DischargeInputs, check_discharge
from ketacare.core.session.model import VitalsReading

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)  # first device / infusion start
IV, ESK = SessionDrug.KETAMINE_IV, SessionDrug.ESKETAMINE_NASAL
BASELINE = VitalsReading(T0 - timedelta(minutes=10), sbp=120, dbp=80, hr=70, spo2=98, rr=14)
ALL_DONE = DischargeChecklist(True, True, True, True, True)
D = "session.discharge."


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def vit(
    minutes: float, sbp: int = 124, dbp: int = 82, hr: int = 74, spo2: int = 98
) -> VitalsReading:
    return VitalsReading(m(minutes), sbp=sbp, dbp=dbp, hr=hr, spo2=spo2, rr=14)


def ready(drug: SessionDrug = IV) -> DischargeInputs:
    """Inputs that allow discharge at T0 + 120 min for either drug."""
    return DischargeInputs(
        drug=drug,
        first_administration_at=T0,
        administration_ended_at=m(40) if drug is IV else m(10),
        readings=(BASELINE, vit(41, sbp=150), vit(110), vit(118)),
        baseline=BASELINE,
        checklist=ALL_DONE,
        escort_confirmed=True,
        no_driving_acknowledged=True,
    )


def codes(
    inputs: DischargeInputs, at_min: float = 120, config: SessionConfig | None = None
) -> list[str]:
    return [f.code for f in check_discharge(inputs, at=m(at_min), config=config or SessionConfig())]


@pytest.mark.parametrize("drug", [IV, ESK], ids=["iv", "esketamine"])
def test_discharge_allowed(drug: SessionDrug) -> None:
    assert codes(ready(drug)) == []


OBSERVATION = [
    ("esketamine 119:59 after first device", ESK, 120 - 1 / 60, [D + "observation_too_short"]),
    ("esketamine 120:00 after first device", ESK, 120, []),
    ("IV 59 min after the infusion ended", IV, 40 + 59, [D + "observation_too_short"]),
    ("IV 60 min after the infusion ended", IV, 40 + 60, []),
]


@pytest.mark.parametrize(
    ("drug", "at_min", "expected"), [pytest.param(d, a, e, id=i) for i, d, a, e in OBSERVATION]
)
def test_minimum_observation(drug: SessionDrug, at_min: float, expected: list[str]) -> None:
    inputs = replace(ready(drug), readings=(BASELINE, vit(41), vit(at_min - 5), vit(at_min - 1)))
    assert codes(inputs, at_min) == expected


def test_iv_observation_is_configurable() -> None:
    cfg = SessionConfig(
        discharge=DischargeConfig(iv_min_observation_after_end=timedelta(minutes=90))
    )
    assert codes(ready(IV), 120, cfg) == [D + "observation_too_short"]


def test_esketamine_observation_cannot_be_configured_below_the_label() -> None:
    with pytest.raises(Invalid) as err:
        DischargeConfig(esketamine_min_observation=timedelta(minutes=119))
    assert err.value.code == "session.config.observation_below_label"


Change = Callable[[DischargeInputs], DischargeInputs]

SINGLE = [
    (
        "IV infusion end not recorded",
        IV,
        lambda i: replace(i, administration_ended_at=None),
        [D + "administration_time_missing"],
    ),
    (
        "not alert and oriented",
        IV,
        lambda i: replace(i, checklist=replace(ALL_DONE, alert_and_oriented=False)),
        [D + "checklist.alert_and_oriented"],
    ),
    (
        "unsteady gait",
        IV,
        lambda i: replace(i, checklist=replace(ALL_DONE, walking_steadily=False)),
        [D + "checklist.walking_steadily"],
    ),
    (
        "nausea not controlled",
        IV,
        lambda i: replace(i, checklist=replace(ALL_DONE, nausea_controlled=False)),
        [D + "checklist.nausea_controlled"],
    ),
    (
        "dissociation not resolved",
        IV,
        lambda i: replace(i, checklist=replace(ALL_DONE, dissociation_resolved=False)),
        [D + "checklist.dissociation_resolved"],
    ),
    (
        "sedation not resolved",
        ESK,
        lambda i: replace(i, checklist=replace(ALL_DONE, sedation_resolved=False)),
        [D + "checklist.sedation_resolved"],
    ),
    (
        "no recent vitals (last 16 min ago)",
        IV,
        lambda i: replace(i, readings=(BASELINE, vit(41), vit(104))),
        [D + "final_vitals_missing"],
    ),
    ("no baseline", IV, lambda i: replace(i, baseline=None), [D + "baseline_missing"]),
    (
        "SBP 145 is 21 % above 120",
        IV,
        lambda i: replace(i, readings=(BASELINE, vit(41), vit(118, sbp=145))),
        [D + "sbp_not_near_baseline"],
    ),
    (
        "HR 55 is 21 % below 70",
        IV,
        lambda i: replace(i, readings=(BASELINE, vit(41), vit(118, hr=55))),
        [D + "hr_not_near_baseline"],
    ),
    (
        "latest reading still alerts (SpO2 88)",
        IV,
        lambda i: replace(i, readings=(BASELINE, vit(41), vit(118, spo2=88))),
        [D + "vitals_alert_active"],
    ),
    ("still on oxygen", IV, lambda i: replace(i, on_supplemental_oxygen=True), [D + "on_oxygen"]),
    (
        "escort not confirmed",
        IV,
        lambda i: replace(i, escort_confirmed=False),
        [D + "escort_unconfirmed"],
    ),
    (
        "no-driving not acknowledged",
        IV,
        lambda i: replace(i, no_driving_acknowledged=False),
        [D + "no_driving_unacknowledged"],
    ),
    (
        "Spravato first device not recorded",
        ESK,
        lambda i: replace(i, first_administration_at=None),
        [D + "administration_time_missing"],
    ),
    (
        "Spravato without any SpO2 after dosing",
        ESK,
        lambda i: replace(
            i, readings=tuple(replace(r, spo2=None) if r.at >= T0 else r for r in i.readings)
        ),
        [D + "spo2_missing"],
    ),
    (
        # The first BP at or after 40 min is the 40-min BP, so a late one still counts and a
        # further reading is needed for the end of the session: the gate can always be met.
        "Spravato: one BP after 40 min serves as the 40-min BP; end BP still needed",
        ESK,
        lambda i: replace(i, readings=(BASELINE, vit(20), vit(118))),
        [D + "bp_session_end_missing"],
    ),
    (
        "Spravato without an end-of-session BP",
        ESK,
        lambda i: replace(i, readings=(BASELINE, vit(118))),
        [D + "bp_session_end_missing"],
    ),
]


@pytest.mark.parametrize(
    ("drug", "change", "expected"), [pytest.param(d, c, e, id=i) for i, d, c, e in SINGLE]
)
def test_each_discharge_rule_fails_alone(
    drug: SessionDrug, change: Change, expected: list[str]
) -> None:
    assert codes(change(ready(drug))) == expected


def test_exactly_20_percent_from_baseline_is_near() -> None:
    inputs = replace(ready(), readings=(BASELINE, vit(41), vit(118, sbp=144, dbp=64, hr=56)))
    assert codes(inputs) == []


NOT_DONE = DischargeChecklist(alert_and_oriented=True)
ASSESSMENT = [
    ("checklist mode ignores the score", DischargeAssessment.CHECKLIST, ALL_DONE, None, []),
    ("score mode: 9 passes", DischargeAssessment.SCORE, NOT_DONE, 9, []),
    ("score mode: 8 fails", DischargeAssessment.SCORE, ALL_DONE, 8, [D + "score_below_threshold"]),
    ("score mode: missing score", DischargeAssessment.SCORE, ALL_DONE, None, [D + "score_missing"]),
    ("either: checklist done, no score", DischargeAssessment.EITHER, ALL_DONE, None, []),
    ("either: score 10, checklist not done", DischargeAssessment.EITHER, NOT_DONE, 10, []),
    (
        "both: score 9 but checklist incomplete",
        DischargeAssessment.BOTH,
        replace(ALL_DONE, walking_steadily=False),
        9,
        [D + "checklist.walking_steadily"],
    ),
    ("both: all done and score 9", DischargeAssessment.BOTH, ALL_DONE, 9, []),
]


@pytest.mark.parametrize(
    ("mode", "checklist", "score", "expected"),
    [pytest.param(a, c, s, e, id=i) for i, a, c, s, e in ASSESSMENT],
)
def test_assessment_modes(
    mode: DischargeAssessment, checklist: DischargeChecklist, score: int | None, expected: list[str]
) -> None:
    cfg = SessionConfig(discharge=DischargeConfig(assessment=mode))
    inputs = replace(ready(), checklist=checklist, discharge_score=score)
    assert codes(inputs, config=cfg) == expected


def test_either_mode_reports_both_when_neither_passes() -> None:
    cfg = SessionConfig(discharge=DischargeConfig(assessment=DischargeAssessment.EITHER))
    inputs = replace(
        ready(), checklist=replace(ALL_DONE, nausea_controlled=False), discharge_score=7
    )
    assert codes(inputs, config=cfg) == [
        D + "checklist.nausea_controlled",
        D + "score_below_threshold",
    ]


@pytest.mark.parametrize("score", [-1, 11], ids=["negative", "above-10"])
def test_impossible_score_is_invalid(score: int) -> None:
    cfg = SessionConfig(discharge=DischargeConfig(assessment=DischargeAssessment.SCORE))
    with pytest.raises(Invalid):
        check_discharge(replace(ready(), discharge_score=score), at=m(120), config=cfg)


def test_spravato_without_any_bp_after_40_minutes() -> None:
    no_bp = VitalsReading(m(118), hr=74, spo2=98, rr=14)
    inputs = replace(ready(ESK), readings=(BASELINE, vit(20), no_bp))
    assert codes(inputs) == [
        D + "sbp_not_near_baseline",
        D + "dbp_not_near_baseline",
        D + "bp_40_min_missing",
        D + "bp_session_end_missing",
    ]
