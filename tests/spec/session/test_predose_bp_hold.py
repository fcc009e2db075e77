"""Spec: the pre-dose BP hold and acknowledgement bands (just below / at / just above each edge).

Band (defaults): <= 140/90 passes; above 140/90 and below 180/110 needs a prescriber's
acknowledgement (Spravato PI §2.1); at or above 180 systolic or 110 diastolic the session is held
whatever the acknowledgement (CONFIG, the tier that pauses an infusion; ACC/AHA 2017 crisis).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from ketacare.core.codes import SessionDrug
from ketacare.core.session.config import ReadyGateConfig, VitalsAlertConfig
from ketacare.core.session.gates import (
    HOLD_CODE,
    BpAcknowledgement,
    ConsentEvidence,
    EligibilityEvidence,
    ReadyGateInputs,
    SignedOrder,
    StaffOnSite,
    check_ready_gates,
    predose_bp_hold,
)
from ketacare.core.session.model import VitalsReading

AT = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
ACK_CODE = "session.gate.predose_bp_unacknowledged"
PASS: list[str] = []
ACK = [ACK_CODE]
HOLD = [HOLD_CODE]


def _vitals(sbp: int, dbp: int, minutes_ago: int = 5) -> VitalsReading:
    return VitalsReading(
        at=AT - timedelta(minutes=minutes_ago), sbp=sbp, dbp=dbp, hr=72, spo2=98, rr=14
    )


def inputs(*readings: VitalsReading, ack_minutes_ago: int | None = None) -> ReadyGateInputs:
    """Inputs that pass every other gate."""
    ack = (
        None
        if ack_minutes_ago is None
        else BpAcknowledgement("rx-1", AT - timedelta(minutes=ack_minutes_ago))
    )
    return ReadyGateInputs(
        drug=SessionDrug.KETAMINE_IV,
        eligibility=EligibilityEvidence("el-1", True, AT - timedelta(days=3)),
        consent=ConsentEvidence("co-1", AT - timedelta(days=3)),
        order=SignedOrder("or-1", SessionDrug.KETAMINE_IV, AT - timedelta(days=1), "rx-1"),
        predose_vitals=readings,
        bp_acknowledgement=ack,
        npo_confirmed=True,
        escort_arranged=True,
        staff_on_site=(StaffOnSite("rn-1", frozenset({"nurse"}), date(2025, 12, 31)),),
    )


def codes(inp: ReadyGateInputs, config: ReadyGateConfig | None = None) -> list[str]:
    return [f.code for f in check_ready_gates(inp, at=AT, config=config or ReadyGateConfig())]


# (id, sbp, dbp, without acknowledgement, with an acknowledgement given after the reading)
BANDS = [
    ("140/90 at the acknowledgement edge", 140, 90, PASS, PASS),
    ("141/90 just above (systolic)", 141, 90, ACK, PASS),
    ("140/91 just above (diastolic)", 140, 91, ACK, PASS),
    ("179/95 just below the systolic hold", 179, 95, ACK, PASS),
    ("180/95 at the systolic hold", 180, 95, HOLD, HOLD),
    ("181/95 just above the systolic hold", 181, 95, HOLD, HOLD),
    ("150/109 just below the diastolic hold", 150, 109, ACK, PASS),
    ("150/110 at the diastolic hold", 150, 110, HOLD, HOLD),
    ("150/111 just above the diastolic hold", 150, 111, HOLD, HOLD),
    ("185/95 (the issue's example) is held", 185, 95, HOLD, HOLD),
    ("150/95 (the issue's example) needs an acknowledgement", 150, 95, ACK, PASS),
    ("125/120 (ACC/AHA crisis diastolic) is held", 125, 120, HOLD, HOLD),
]


@pytest.mark.parametrize(
    ("sbp", "dbp", "without", "acknowledged"),
    [pytest.param(s, d, w, a, id=i) for i, s, d, w, a in BANDS],
)
def test_bands(sbp: int, dbp: int, without: list[str], acknowledged: list[str]) -> None:
    assert codes(inputs(_vitals(sbp, dbp))) == without
    assert codes(inputs(_vitals(sbp, dbp), ack_minutes_ago=1)) == acknowledged


# The most recent pre-dose reading decides: a re-measured lower BP releases the hold.
REMEASURED = [
    ("185/95 then 150/90, acknowledged after", [(185, 95, 20), (150, 90, 2)], 1, PASS),
    (
        "185/95 then 150/90, acknowledged before the re-measure",
        [(185, 95, 20), (150, 90, 2)],
        10,
        ACK,
    ),
    ("185/95 then 150/90, no acknowledgement", [(185, 95, 20), (150, 90, 2)], None, ACK),
    ("185/95 then 130/80 needs nothing", [(185, 95, 20), (130, 80, 2)], None, PASS),
    ("150/90 then 185/95 is held", [(150, 90, 20), (185, 95, 2)], 1, HOLD),
    ("185/95 then 179/109 (just below both) acknowledged", [(185, 95, 20), (179, 109, 2)], 1, PASS),
]


@pytest.mark.parametrize(
    ("readings", "ack_minutes_ago", "expected"),
    [pytest.param(r, a, e, id=i) for i, r, a, e in REMEASURED],
)
def test_the_latest_reading_decides(
    readings: list[tuple[int, int, int]], ack_minutes_ago: int | None, expected: list[str]
) -> None:
    taken = tuple(_vitals(s, d, minutes_ago=m) for s, d, m in readings)
    assert codes(inputs(*taken, ack_minutes_ago=ack_minutes_ago)) == expected


def test_a_reading_without_bp_does_not_release_the_hold() -> None:
    later = VitalsReading(AT - timedelta(minutes=1), hr=70, spo2=97, rr=12)
    assert codes(inputs(_vitals(185, 95), later)) == HOLD


def test_the_hold_message_names_reading_threshold_and_what_to_do() -> None:
    failure = predose_bp_hold([_vitals(185, 95)])
    assert failure is not None
    assert failure.code == "session.gate.predose_bp_hold"
    assert "185/95" in failure.message
    assert "hold threshold 180/110" in failure.message
    assert "even with an acknowledgement" in failure.message
    assert "re-measure" in failure.message
    assert "once a reading is below 180/110" in failure.message


def test_the_hold_defaults_to_the_tier_that_pauses_an_infusion() -> None:
    ready, alerts = ReadyGateConfig(), VitalsAlertConfig()
    assert (ready.predose_sbp_hold_at, ready.predose_dbp_hold_at) == (
        alerts.bp_tier2_sbp,
        alerts.bp_tier2_dbp,
    )


def test_the_hold_is_configurable_and_can_be_switched_off() -> None:
    stricter = ReadyGateConfig(predose_sbp_hold_at=170)
    assert codes(inputs(_vitals(170, 95), ack_minutes_ago=1), stricter) == HOLD
    assert codes(inputs(_vitals(169, 95), ack_minutes_ago=1), stricter) == PASS
    off = ReadyGateConfig(predose_sbp_hold_at=None, predose_dbp_hold_at=None)
    assert codes(inputs(_vitals(200, 115), ack_minutes_ago=1), off) == PASS
    assert codes(inputs(_vitals(200, 115)), off) == ACK


def test_no_reading_with_bp_is_no_hold() -> None:
    assert predose_bp_hold([VitalsReading(AT, hr=70)]) is None
    assert predose_bp_hold([]) is None


def test_hold_then_acknowledgement_keeps_other_failures_apart() -> None:
    held = replace(inputs(_vitals(185, 95), ack_minutes_ago=1), npo_confirmed=False)
    assert codes(held) == [HOLD_CODE, "session.gate.npo_unconfirmed"]
