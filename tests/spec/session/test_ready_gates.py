"""Spec: the gates before a session may become ``ready``; each one failing alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from ketacare.core.codes import SessionDrug
from ketacare.core.errors import Invalid
from ketacare.core.session.config import ReadyGateConfig
from ketacare.core.session.gates import (
    BpAcknowledgement,
    ConsentEvidence,
    EligibilityEvidence,
    PregnancyEvidence,
    PregnancyStatus,
    ReadyGateInputs,
    SignedOrder,
    StaffOnSite,
    check_ready_gates,
)
from ketacare.core.session.model import VitalsReading
from ketacare.core.session.predose import (
    ESKETAMINE_NASAL_MEDICINES_BEFORE,
    ESKETAMINE_NO_FOOD_BEFORE,
    ESKETAMINE_NO_LIQUIDS_BEFORE,
    PredoseInstruction,
    check_instruction_ids,
    instructions_for,
)

AT = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
IV = SessionDrug.KETAMINE_IV
ESK = SessionDrug.ESKETAMINE_NASAL


def _vitals(minutes_ago: int = 5, sbp: int = 128, dbp: int = 82) -> VitalsReading:
    return VitalsReading(
        at=AT - timedelta(minutes=minutes_ago), sbp=sbp, dbp=dbp, hr=72, spo2=98, rr=14
    )


def passing(drug: SessionDrug = IV) -> ReadyGateInputs:
    """Inputs that pass every gate, for a patient of child-bearing potential."""
    return ReadyGateInputs(
        drug=drug,
        eligibility=EligibilityEvidence("el-1", True, AT - timedelta(days=3)),
        consent=ConsentEvidence("co-1", AT - timedelta(days=3)),
        order=SignedOrder("or-1", drug, AT - timedelta(days=1), "rx-1"),
        predose_vitals=(_vitals(),),
        npo_confirmed=True,
        predose_instructions=frozenset(i.value for i in PredoseInstruction),
        escort_arranged=True,
        childbearing_potential=True,
        course_started_at=AT - timedelta(days=7),
        pregnancy=PregnancyEvidence(PregnancyStatus.NEGATIVE, AT - timedelta(days=7)),
        staff_on_site=(
            StaffOnSite("rn-1", frozenset({"nurse"}), date(2025, 12, 31)),
            StaffOnSite("rx-1", frozenset({"prescriber"}), None),
        ),
        rems_patient_enrolled=True,
        rems_setting_certified=True,
    )


def codes(inputs: ReadyGateInputs, config: ReadyGateConfig | None = None) -> list[str]:
    return [f.code for f in check_ready_gates(inputs, at=AT, config=config or ReadyGateConfig())]


@pytest.mark.parametrize("drug", [IV, ESK], ids=["iv", "esketamine"])
def test_all_gates_pass(drug: SessionDrug) -> None:
    assert codes(passing(drug)) == []


Change = Callable[[ReadyGateInputs], ReadyGateInputs]
G = "session.gate."

SINGLE_FAILURES: list[tuple[str, SessionDrug, Change, list[str]]] = [
    (
        "no eligibility decision",
        IV,
        lambda i: replace(i, eligibility=None),
        [G + "eligibility_missing"],
    ),
    (
        "eligibility unsigned",
        IV,
        lambda i: replace(i, eligibility=EligibilityEvidence("e", True, None)),
        [G + "eligibility_unsigned"],
    ),
    (
        "eligibility says ineligible",
        IV,
        lambda i: replace(i, eligibility=EligibilityEvidence("e", False, AT)),
        [G + "eligibility_not_eligible"],
    ),
    (
        "eligibility expired (valid_until == at)",
        IV,
        lambda i: replace(
            i, eligibility=EligibilityEvidence("e", True, AT - timedelta(days=1), AT)
        ),
        [G + "eligibility_stale"],
    ),
    ("no consent", IV, lambda i: replace(i, consent=None), [G + "consent_missing"]),
    (
        "consent signed in the future",
        IV,
        lambda i: replace(i, consent=ConsentEvidence("c", AT + timedelta(minutes=1))),
        [G + "consent_missing"],
    ),
    (
        "consent withdrawn",
        IV,
        lambda i: replace(i, consent=ConsentEvidence("c", AT - timedelta(days=9), None, AT)),
        [G + "consent_withdrawn"],
    ),
    (
        "consent expired",
        IV,
        lambda i: replace(i, consent=ConsentEvidence("c", AT - timedelta(days=9), AT)),
        [G + "consent_expired"],
    ),
    ("no order", IV, lambda i: replace(i, order=None), [G + "order_unsigned"]),
    (
        "order not signed",
        IV,
        lambda i: replace(i, order=SignedOrder("o", IV, None, None)),
        [G + "order_unsigned"],
    ),
    (
        "order for the other drug",
        IV,
        lambda i: replace(i, order=SignedOrder("o", ESK, AT, "rx")),
        [G + "order_drug_mismatch"],
    ),
    (
        "open safety alert",
        IV,
        lambda i: replace(i, open_safety_alert_ids=("al-9",)),
        [G + "open_safety_alert"],
    ),
    (
        "no pre-dose vitals at all",
        IV,
        lambda i: replace(i, predose_vitals=()),
        [
            G + "predose_bp_missing",
            G + "predose_hr_missing",
            G + "predose_spo2_missing",
            G + "predose_rr_missing",
        ],
    ),
    (
        "vitals 31 min old",
        IV,
        lambda i: replace(i, predose_vitals=(_vitals(minutes_ago=31),)),
        [
            G + "predose_bp_missing",
            G + "predose_hr_missing",
            G + "predose_spo2_missing",
            G + "predose_rr_missing",
        ],
    ),
    (
        "no BP (diastolic missing)",
        IV,
        lambda i: replace(i, predose_vitals=(replace(_vitals(), dbp=None),)),
        [G + "predose_bp_missing"],
    ),
    (
        "no HR",
        IV,
        lambda i: replace(i, predose_vitals=(replace(_vitals(), hr=None),)),
        [G + "predose_hr_missing"],
    ),
    (
        "no SpO2",
        IV,
        lambda i: replace(i, predose_vitals=(replace(_vitals(), spo2=None),)),
        [G + "predose_spo2_missing"],
    ),
    (
        "no RR",
        IV,
        lambda i: replace(i, predose_vitals=(replace(_vitals(), rr=None),)),
        [G + "predose_rr_missing"],
    ),
    (
        "BP 141/80 not acknowledged",
        IV,
        lambda i: replace(i, predose_vitals=(_vitals(sbp=141, dbp=80),)),
        [G + "predose_bp_unacknowledged"],
    ),
    (
        "BP 141/80 acknowledged before the reading",
        IV,
        lambda i: replace(
            i,
            predose_vitals=(_vitals(sbp=141, dbp=80),),
            bp_acknowledgement=BpAcknowledgement("rx-1", AT - timedelta(minutes=20)),
        ),
        [G + "predose_bp_unacknowledged"],
    ),
    ("NPO not confirmed", IV, lambda i: replace(i, npo_confirmed=False), [G + "npo_unconfirmed"]),
    ("no escort", IV, lambda i: replace(i, escort_arranged=False), [G + "escort_missing"]),
    (
        "no pregnancy status",
        IV,
        lambda i: replace(i, pregnancy=None),
        [G + "pregnancy_status_missing"],
    ),
    (
        "pregnancy status from a previous course",
        IV,
        lambda i: replace(
            i, pregnancy=PregnancyEvidence(PregnancyStatus.NEGATIVE, AT - timedelta(days=30))
        ),
        [G + "pregnancy_status_missing"],
    ),
    (
        "pregnant without override",
        IV,
        lambda i: replace(i, pregnancy=PregnancyEvidence(PregnancyStatus.POSITIVE, AT)),
        [G + "pregnancy_positive"],
    ),
    (
        "ACLS expired yesterday",
        IV,
        lambda i: replace(
            i,
            staff_on_site=(
                StaffOnSite("rn-1", frozenset({"nurse"}), date(2025, 3, 3)),
                StaffOnSite("rx-1", frozenset({"prescriber"}), None),
            ),
        ),
        [G + "acls_clinician_missing"],
    ),
    (
        "ACLS holder is front desk, not a clinician",
        IV,
        lambda i: replace(
            i, staff_on_site=(StaffOnSite("fd-1", frozenset({"frontdesk"}), date(2026, 1, 1)),)
        ),
        [G + "acls_clinician_missing"],
    ),
    (
        "Spravato without prescriber on site",
        ESK,
        lambda i: replace(
            i, staff_on_site=(StaffOnSite("rn-1", frozenset({"nurse"}), date(2026, 1, 1)),)
        ),
        [G + "prescriber_missing"],
    ),
    (
        "Spravato without REMS enrolment",
        ESK,
        lambda i: replace(i, rems_patient_enrolled=False),
        [G + "rems_patient_not_enrolled"],
    ),
    (
        "Spravato setting not certified",
        ESK,
        lambda i: replace(i, rems_setting_certified=False),
        [G + "rems_setting_not_certified"],
    ),
]


@pytest.mark.parametrize(
    ("drug", "change", "expected"),
    [pytest.param(d, c, e, id=name) for name, d, c, e in SINGLE_FAILURES],
)
def test_each_gate_fails_alone(drug: SessionDrug, change: Change, expected: list[str]) -> None:
    assert codes(change(passing(drug))) == expected


PASSING_VARIANTS: list[tuple[str, SessionDrug, Change]] = [
    (
        "BP 140/90 exactly needs no acknowledgement",
        IV,
        lambda i: replace(i, predose_vitals=(_vitals(sbp=140, dbp=90),)),
    ),
    (
        "BP 150/95 acknowledged after the reading",
        IV,
        lambda i: replace(
            i,
            predose_vitals=(_vitals(sbp=150, dbp=95),),
            bp_acknowledgement=BpAcknowledgement("rx-1", AT - timedelta(minutes=1)),
        ),
    ),
    (
        "vitals exactly 30 min old",
        IV,
        lambda i: replace(i, predose_vitals=(_vitals(minutes_ago=30),)),
    ),
    (
        "vitals split over two readings in the window",
        IV,
        lambda i: replace(
            i,
            predose_vitals=(
                VitalsReading(AT - timedelta(minutes=20), sbp=120, dbp=80),
                VitalsReading(AT - timedelta(minutes=2), hr=70, spo2=97, rr=12),
            ),
        ),
    ),
    (
        "ACLS expires today (last valid day)",
        IV,
        lambda i: replace(
            i, staff_on_site=(StaffOnSite("rn-1", frozenset({"nurse"}), date(2025, 3, 4)),)
        ),
    ),
    (
        "not of child-bearing potential",
        IV,
        lambda i: replace(i, childbearing_potential=False, pregnancy=None),
    ),
    (
        "pregnant with prescriber override",
        IV,
        lambda i: replace(i, pregnancy=PregnancyEvidence(PregnancyStatus.POSITIVE, AT, "rx-1")),
    ),
    (
        "IV needs no REMS enrolment",
        IV,
        lambda i: replace(i, rems_patient_enrolled=False, rems_setting_certified=False),
    ),
    (
        "inpatient Spravato needs no patient enrolment",
        ESK,
        lambda i: replace(
            i, inpatient_setting=True, rems_patient_enrolled=False, rems_setting_certified=False
        ),
    ),
]


@pytest.mark.parametrize(
    ("drug", "change"), [pytest.param(d, c, id=n) for n, d, c in PASSING_VARIANTS]
)
def test_boundary_cases_that_pass(drug: SessionDrug, change: Change) -> None:
    assert codes(change(passing(drug))) == []


def test_eligibility_max_age_is_configurable() -> None:
    cfg = ReadyGateConfig(eligibility_max_age=timedelta(days=2))
    assert codes(passing(), cfg) == ["session.gate.eligibility_stale"]
    assert codes(passing(), ReadyGateConfig(eligibility_max_age=timedelta(days=3))) == []


def test_predose_window_is_configurable() -> None:
    inputs = replace(passing(), predose_vitals=(_vitals(minutes_ago=45),))
    assert codes(inputs, ReadyGateConfig(predose_vitals_max_age=timedelta(minutes=60))) == []


def test_every_failure_names_what_is_missing() -> None:
    empty = ReadyGateInputs(drug=ESK, eligibility=None, consent=None, order=None, predose_vitals=())
    failures = check_ready_gates(empty, at=AT)
    assert len(failures) == len({f.code for f in failures}) >= 10
    assert all(f.code.startswith("session.gate.") and f.message for f in failures)


# --- Esketamine pre-dose instructions ------------------------------------------------------
# No food for at least 2 hours, no liquids for at least 30 minutes, and any nasal corticosteroid
# or nasal decongestant at least 1 hour before the dose: the Spravato PI section 2, Medication
# Guide and the reference page (session.md, esketamine pre-dose instructions). Each unconfirmed
# one is its own refusal, so the chair shows exactly what is missing; IV ketamine is not asked.

ALL = frozenset(i.value for i in PredoseInstruction)

INSTRUCTION_GATE = [
    # drug, confirmed instructions, refusals
    pytest.param(ESK, ALL, [], id="esketamine-all-confirmed-passes"),
    pytest.param(
        ESK,
        frozenset(),
        [
            "session.gate.no_food_2h_unconfirmed",
            "session.gate.no_liquids_30min_unconfirmed",
            "session.gate.nasal_medicines_1h_unconfirmed",
        ],
        id="esketamine-none-confirmed-three-refusals",
    ),
    pytest.param(
        ESK, ALL - {"no_food_2h"}, ["session.gate.no_food_2h_unconfirmed"], id="food-missing"
    ),
    pytest.param(
        ESK,
        ALL - {"no_liquids_30min"},
        ["session.gate.no_liquids_30min_unconfirmed"],
        id="liquids-missing",
    ),
    pytest.param(
        ESK,
        ALL - {"nasal_medicines_1h"},
        ["session.gate.nasal_medicines_1h_unconfirmed"],
        id="nasal-medicines-missing",
    ),
    pytest.param(IV, frozenset(), [], id="iv-ketamine-is-not-asked"),
]


@pytest.mark.parametrize(("drug", "confirmed", "refusals"), INSTRUCTION_GATE)
def test_esketamine_instruction_gate(drug, confirmed, refusals):
    inputs = replace(passing(drug), predose_instructions=confirmed)
    assert codes(inputs) == refusals


def test_the_label_numbers():
    label = (timedelta(hours=2), timedelta(minutes=30), timedelta(hours=1))
    ours = (
        ESKETAMINE_NO_FOOD_BEFORE,
        ESKETAMINE_NO_LIQUIDS_BEFORE,
        ESKETAMINE_NASAL_MEDICINES_BEFORE,
    )
    assert ours == label


def test_the_chair_shows_each_instruction_with_its_number_and_the_label_as_source():
    checks = instructions_for(SessionDrug.ESKETAMINE_NASAL)
    assert [c.instruction for c in checks] == list(PredoseInstruction)
    labels = [c.label for c in checks]
    assert "2 hours" in labels[0]
    assert "30 minutes" in labels[1]
    assert "1 hour" in labels[2]
    assert "corticosteroid" in labels[2]
    assert "decongestant" in labels[2]
    assert all("Spravato PI section 2" in c.source for c in checks)
    assert instructions_for(SessionDrug.KETAMINE_IV) == ()


def test_unknown_instruction_is_refused_naming_it():
    with pytest.raises(Invalid) as excinfo:
        check_instruction_ids(SessionDrug.ESKETAMINE_NASAL, {"no_food_2h": True, "no_gum": True})
    assert (excinfo.value.code, excinfo.value.field) == (
        "session.predose_instruction_unknown",
        "no_gum",
    )


def test_an_iv_session_has_no_instructions_to_record():
    with pytest.raises(Invalid) as excinfo:
        check_instruction_ids(SessionDrug.KETAMINE_IV, {"no_food_2h": True})
    assert excinfo.value.field == "no_food_2h"


def test_answers_are_kept_as_given():
    answers = {"no_food_2h": True, "no_liquids_30min": False}
    assert check_instruction_ids(SessionDrug.ESKETAMINE_NASAL, answers) == answers
