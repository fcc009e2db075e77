"""Spec: vital-sign alert rules at their thresholds (just below / at / above)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.session.config import VitalsAlertConfig
from ketacare.core.session.model import Symptom, VitalsReading
from ketacare.core.session.vitals import (
    AlertTier,
    RecommendedAction,
    evaluate_vitals,
    most_urgent,
)

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
NORMAL = {"sbp": 125, "dbp": 80, "hr": 75, "spo2": 98, "rr": 14}


def reading(seconds: int = 0, **values: int) -> VitalsReading:
    v = NORMAL | values
    return VitalsReading(
        T0 + timedelta(seconds=seconds),
        sbp=v["sbp"],
        dbp=v["dbp"],
        hr=v["hr"],
        spo2=v["spo2"],
        rr=v["rr"],
    )


def codes(
    r: VitalsReading,
    *,
    history: Sequence[VitalsReading] = (),
    baseline: VitalsReading | None = None,
) -> list[str]:
    return [a.code for a in evaluate_vitals(r, history=history, baseline=baseline)]


def test_normal_reading_raises_nothing() -> None:
    assert evaluate_vitals(reading()) == []


# (id, changed values, expected codes) -- rule 25 tiers; NEWS2 bands for HR, RR and low SBP.
THRESHOLDS = [
    ("SBP 159 below tier 1", {"sbp": 159}, []),
    ("SBP 160 at tier 1", {"sbp": 160}, ["vitals.bp.tier_1"]),
    ("SBP 161 above tier 1", {"sbp": 161}, ["vitals.bp.tier_1"]),
    ("DBP 99 below tier 1", {"dbp": 99}, []),
    ("DBP 100 at tier 1", {"dbp": 100}, ["vitals.bp.tier_1"]),
    ("SBP 179 still tier 1", {"sbp": 179}, ["vitals.bp.tier_1"]),
    ("SBP 180 at tier 2", {"sbp": 180}, ["vitals.bp.tier_2"]),
    ("SBP 181 above tier 2", {"sbp": 181}, ["vitals.bp.tier_2"]),
    ("DBP 109 still tier 1", {"dbp": 109}, ["vitals.bp.tier_1"]),
    ("DBP 110 at tier 2", {"dbp": 110}, ["vitals.bp.tier_2"]),
    ("DBP 120 (ACC/AHA crisis) is tier 2", {"dbp": 120}, ["vitals.bp.tier_2"]),
    ("SBP 101 above NEWS2 low band", {"sbp": 101}, []),
    ("SBP 100 NEWS2 score 2", {"sbp": 100}, ["vitals.sbp.low.tier_1"]),
    ("SBP 91 NEWS2 score 2", {"sbp": 91}, ["vitals.sbp.low.tier_1"]),
    ("SBP 90 NEWS2 score 3", {"sbp": 90}, ["vitals.sbp.low.tier_2"]),
    ("HR 110 NEWS2 score 1: no alert", {"hr": 110}, []),
    ("HR 111 NEWS2 score 2", {"hr": 111}, ["vitals.hr.high.tier_1"]),
    ("HR 130 NEWS2 score 2", {"hr": 130}, ["vitals.hr.high.tier_1"]),
    ("HR 131 NEWS2 score 3", {"hr": 131}, ["vitals.hr.high.tier_2"]),
    ("HR 41 no alert", {"hr": 41}, []),
    ("HR 40 NEWS2 score 3", {"hr": 40}, ["vitals.hr.low.tier_2"]),
    ("RR 20 no alert", {"rr": 20}, []),
    ("RR 21 NEWS2 score 2", {"rr": 21}, ["vitals.rr.high.tier_1"]),
    ("RR 24 NEWS2 score 2", {"rr": 24}, ["vitals.rr.high.tier_1"]),
    ("RR 25 NEWS2 score 3", {"rr": 25}, ["vitals.rr.high.tier_2"]),
    ("RR 9 no alert", {"rr": 9}, []),
    ("RR 8 NEWS2 score 3", {"rr": 8}, ["vitals.rr.low.tier_2"]),
    ("SpO2 93 no alert", {"spo2": 93}, []),
    ("SpO2 92 just above NEWS2 band: no alert", {"spo2": 92}, []),
    ("SpO2 91 at NEWS2 score 3", {"spo2": 91}, ["vitals.spo2.low.tier_1"]),
    ("SpO2 90 NEWS2 score 3", {"spo2": 90}, ["vitals.spo2.low.tier_1"]),
    ("SpO2 89 minor desaturation supersedes NEWS2", {"spo2": 89}, ["vitals.spo2.minor"]),
    ("SpO2 75 still minor", {"spo2": 75}, ["vitals.spo2.minor"]),
    ("SpO2 74 sentinel at any time", {"spo2": 74}, ["vitals.spo2.sentinel"]),
]


@pytest.mark.parametrize(
    ("values", "expected"), [pytest.param(v, e, id=i) for i, v, e in THRESHOLDS]
)
def test_thresholds(values: dict[str, int], expected: list[str]) -> None:
    assert codes(reading(**values)) == expected


ACTIONS = [
    ("BP tier 1: repeat in 5 min", {"sbp": 165}, AlertTier.TIER_1, RecommendedAction.REPEAT, False),
    (
        "BP tier 2: pause, prescriber review",
        {"sbp": 185},
        AlertTier.TIER_2,
        RecommendedAction.PAUSE,
        True,
    ),
    (
        "HR score 3: call prescriber",
        {"hr": 135},
        AlertTier.TIER_2,
        RecommendedAction.CALL_PRESCRIBER,
        True,
    ),
    (
        "SpO2 NEWS2 band: notify and repeat",
        {"spo2": 91},
        AlertTier.TIER_1,
        RecommendedAction.REPEAT,
        False,
    ),
    ("SpO2 minor: pause", {"spo2": 85}, AlertTier.TIER_1, RecommendedAction.PAUSE, False),
    ("SpO2 sentinel: stop", {"spo2": 70}, AlertTier.EMERGENCY, RecommendedAction.STOP, True),
]


@pytest.mark.parametrize(
    ("values", "tier", "action", "call"),
    [pytest.param(v, t, a, c, id=i) for i, v, t, a, c in ACTIONS],
)
def test_tier_and_action(
    values: dict[str, int], tier: AlertTier, action: RecommendedAction, call: bool
) -> None:
    (alert,) = evaluate_vitals(reading(**values))
    assert (alert.tier, alert.recommended_action, alert.call_prescriber) == (tier, action, call)
    assert alert.source  # every alert names its source


def test_bp_tier_1_asks_for_a_repeat_within_5_minutes() -> None:
    (alert,) = evaluate_vitals(reading(sbp=165))
    assert alert.repeat_within == timedelta(minutes=5)
    assert alert.value == "165/80"


@pytest.mark.parametrize("symptom", list(Symptom), ids=[s.value for s in Symptom])
def test_symptom_overrides_normal_numbers(symptom: Symptom) -> None:
    (alert,) = evaluate_vitals(replace(reading(), symptoms=frozenset({symptom})))
    assert alert.code == f"vitals.symptom.{symptom.value}"
    assert alert.tier is AlertTier.EMERGENCY
    assert alert.recommended_action is RecommendedAction.STOP
    assert alert.call_prescriber


# The Spravato label's emergency symptoms (PI §5.4), each with the words staff read at the chair.
LABEL_SYMPTOMS = [
    (Symptom.CHEST_PAIN, "chest pain"),
    (Symptom.DYSPNOEA, "shortness of breath (dyspnoea)"),
    (Symptom.SEVERE_HEADACHE, "sudden severe headache"),
    (Symptom.VISUAL_DISTURBANCE, "visual disturbance"),
    (Symptom.SEIZURE, "seizure"),
    (Symptom.REDUCED_CONSCIOUSNESS, "reduced consciousness"),
    (Symptom.NEUROLOGICAL_DEFICIT, "focal neurological deficit"),
]


@pytest.mark.parametrize(("symptom", "label"), LABEL_SYMPTOMS, ids=[s for s, _ in LABEL_SYMPTOMS])
def test_label_emergency_symptom_raises_the_emergency_alert_by_name(
    symptom: Symptom, label: str
) -> None:
    (alert,) = evaluate_vitals(replace(reading(), symptoms=frozenset({symptom})))
    assert symptom.label == label
    assert alert.message.startswith(f"{label} reported: stop")
    assert "Spravato PI §5.4" in alert.source


def test_every_symptom_is_an_emergency_symptom_by_default() -> None:
    assert VitalsAlertConfig().emergency_symptoms == frozenset(Symptom)


def test_symptom_alert_leads_even_with_abnormal_numbers() -> None:
    r = VitalsReading(
        T0, sbp=165, dbp=80, hr=120, spo2=98, rr=14, symptoms=frozenset({Symptom.CHEST_PAIN})
    )
    alerts = evaluate_vitals(r)
    assert alerts[0].code == "vitals.symptom.chest_pain"
    assert [a.code for a in alerts[1:]] == ["vitals.bp.tier_1", "vitals.hr.high.tier_1"]
    assert most_urgent(alerts) == alerts[0]


def test_symptoms_outside_the_configured_set_are_ignored() -> None:
    cfg = VitalsAlertConfig(emergency_symptoms=frozenset({Symptom.CHEST_PAIN}))
    r = VitalsReading(T0, symptoms=frozenset({Symptom.CONFUSION}))
    assert evaluate_vitals(r, config=cfg) == []


# SpO2 duration rule: sentinel = below 90 % for more than 60 s, measured over consecutive readings.
DURATION = [
    ("two low readings 60 s apart: still minor", [(0, 88)], 60, 88, "vitals.spo2.minor"),
    ("two low readings 61 s apart: sentinel", [(0, 88)], 61, 88, "vitals.spo2.sentinel"),
    ("run of three low readings over 90 s", [(0, 89), (45, 87)], 90, 88, "vitals.spo2.sentinel"),
    ("a normal reading breaks the run", [(0, 88), (30, 95)], 90, 88, "vitals.spo2.minor"),
    ("a reading without SpO2 does not break the run", [(0, 88)], 90, 88, "vitals.spo2.sentinel"),
    ("later readings in history are ignored", [(200, 80)], 30, 88, "vitals.spo2.minor"),
]


@pytest.mark.parametrize(
    ("earlier", "now_s", "now_spo2", "code"),
    [pytest.param(e, n, s, c, id=i) for i, e, n, s, c in DURATION],
)
def test_spo2_duration_rule(
    earlier: list[tuple[int, int]], now_s: int, now_spo2: int, code: str
) -> None:
    history = [reading(s, spo2=v) for s, v in earlier] + [
        VitalsReading(T0 + timedelta(seconds=50), hr=80)
    ]
    assert codes(reading(now_s, spo2=now_spo2), history=history) == [code]


RISES = [
    ("SBP +39 from baseline", {"sbp": 139}, []),
    ("SBP +40 from baseline", {"sbp": 140}, ["vitals.sbp.rise_from_baseline"]),
    ("DBP +24 from baseline", {"dbp": 94}, []),
    ("DBP +25 from baseline", {"dbp": 95}, ["vitals.dbp.rise_from_baseline"]),
]


@pytest.mark.parametrize(("values", "expected"), [pytest.param(v, e, id=i) for i, v, e in RISES])
def test_rise_from_pre_dose_baseline(values: dict[str, int], expected: list[str]) -> None:
    baseline = VitalsReading(T0 - timedelta(minutes=30), sbp=100, dbp=70, hr=70, spo2=98, rr=14)
    assert codes(reading(**values), baseline=baseline) == expected


SPO2_LADDER = [
    ("92: nothing", 92, []),
    ("91: NEWS2 notify and repeat", 91, ["vitals.spo2.low.tier_1"]),
    ("90: NEWS2 notify and repeat", 90, ["vitals.spo2.low.tier_1"]),
    ("89: World SIVA minor only", 89, ["vitals.spo2.minor"]),
    ("75: World SIVA minor only", 75, ["vitals.spo2.minor"]),
    ("74: World SIVA sentinel only", 74, ["vitals.spo2.sentinel"]),
]


@pytest.mark.parametrize(
    ("spo2", "expected"), [pytest.param(v, e, id=i) for i, v, e in SPO2_LADDER]
)
def test_one_spo2_alert_per_reading_the_most_urgent(spo2: int, expected: list[str]) -> None:
    assert codes(reading(spo2=spo2)) == expected


def test_spo2_91_after_a_desaturation_is_the_news2_alert() -> None:
    history = [reading(0, spo2=85)]
    assert codes(reading(30, spo2=91), history=history) == ["vitals.spo2.low.tier_1"]


def test_spo2_news2_alert_names_threshold_and_source() -> None:
    (alert,) = evaluate_vitals(reading(spo2=91))
    assert (
        alert.message
        == "SpO2 91 % at or below 91 % (NEWS2 score 3): notify the clinician and repeat"
    )
    assert "NEWS2" in alert.source
    assert "Royal College of Physicians 2017" in alert.source
    assert not alert.call_prescriber


def test_spo2_news2_band_can_be_switched_off() -> None:
    cfg = VitalsAlertConfig(spo2_news2_low=None)
    assert evaluate_vitals(reading(spo2=91), config=cfg) == []


@given(spo2=st.integers(0, 100), earlier=st.lists(st.integers(0, 100), max_size=4))
def test_at_most_one_spo2_alert(spo2: int, earlier: list[int]) -> None:
    history = [reading(i * 20, spo2=v) for i, v in enumerate(earlier)]
    now = reading(100, spo2=spo2)
    spo2_alerts = [a for a in evaluate_vitals(now, history=history) if a.parameter == "spo2"]
    assert len(spo2_alerts) == (1 if spo2 <= 91 else 0)


def test_rules_can_be_switched_off() -> None:
    cfg = VitalsAlertConfig(hr_tier1_high=None, hr_tier2_high=None)
    assert evaluate_vitals(reading(hr=150), config=cfg) == []


def test_missing_values_raise_no_numeric_alert() -> None:
    assert evaluate_vitals(VitalsReading(T0)) == []


vital = st.integers(min_value=0, max_value=300)


@given(sbp=vital, dbp=vital, hr=vital, spo2=st.integers(0, 100), rr=st.integers(0, 60))
def test_alerts_come_most_urgent_first(sbp: int, dbp: int, hr: int, spo2: int, rr: int) -> None:
    alerts = evaluate_vitals(VitalsReading(T0, sbp=sbp, dbp=dbp, hr=hr, spo2=spo2, rr=rr))
    rank = {AlertTier.TIER_1: 1, AlertTier.TIER_2: 2, AlertTier.EMERGENCY: 3}
    ranks = [rank[a.tier] for a in alerts]
    assert ranks == sorted(ranks, reverse=True)
    assert len({a.code for a in alerts}) == len(alerts)


@pytest.mark.parametrize(
    ("sbp", "dbp", "code", "value"),
    [(185, None, "vitals.bp.tier_2", "185/?"), (None, 102, "vitals.bp.tier_1", "?/102")],
    ids=["systolic-only", "diastolic-only"],
)
def test_one_pressure_alone_still_alerts(
    sbp: int | None, dbp: int | None, code: str, value: str
) -> None:
    (alert,) = evaluate_vitals(VitalsReading(T0, sbp=sbp, dbp=dbp))
    assert (alert.code, alert.value) == (code, value)
