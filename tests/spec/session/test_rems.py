"""Spec: the Spravato REMS Patient Monitoring Form.

Sources: docs/clinical/session.md#spravato-rems, docs/clinical/session.md#rule-36.
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import pytest

from ketacare.core.errors import NotFound
from ketacare.core.session.administration import DeviceUse
from ketacare.core.session.model import VitalsReading
from ketacare.core.session.rems import (
    RemsSessionFacts,
    build_rems_form,
    load_rems_template,
    rems_form_due_at,
    rems_form_overdue,
)

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


def m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def bp(minutes: float, sbp: int, dbp: int) -> VitalsReading:
    return VitalsReading(m(minutes), sbp=sbp, dbp=dbp, hr=72, spo2=98, rr=14)


def complete_facts() -> RemsSessionFacts:
    return RemsSessionFacts(
        patient_name="Test Patient",
        patient_date_of_birth=date(1980, 5, 17),
        patient_sex="F",
        first_treatment=False,
        patient_enrolled=True,
        concomitant_benzodiazepine=False,
        concomitant_non_benzodiazepine_hypnotic=False,
        concomitant_psychostimulant=False,
        concomitant_maoi=False,
        hcp_name="Nurse Example",
        hcp_phone="555-0100",
        hcp_email="nurse@example.org",
        setting_name="Example Clinic",
        setting_address="1 Example Street",
        treatment_date=date(2025, 3, 4),
        devices=(DeviceUse(m(0), "LOT-A"), DeviceUse(m(5), "LOT-B")),
        monitoring_ended_at=m(125),
        ready_to_leave_minutes=90,
        vitals_acceptable_pre_dose=True,
        vitals_acceptable_session_end=True,
        readings=(bp(-10, 122, 78), bp(41, 148, 92), bp(120, 126, 80)),
        sedation=True,
        dissociation=True,
        respiratory_depression=False,
    )


REQUIRED = [
    "patient_name",
    "patient_date_of_birth",
    "patient_sex",
    "first_treatment",
    "patient_enrolled",
    "concomitant_benzodiazepine",
    "concomitant_non_benzodiazepine_hypnotic",
    "concomitant_psychostimulant",
    "concomitant_maoi",
    "hcp_name",
    "hcp_phone",
    "hcp_email",
    "setting_name",
    "setting_address",
    "treatment_date",
    "dose_mg",
    "lot_number",
    "total_monitoring_minutes",
    "ready_to_leave_minutes",
    "vitals_acceptable_pre_dose",
    "vitals_acceptable_session_end",
    "bp_pre_dose",
    "bp_40_min",
    "bp_session_end",
    "sedation",
    "dissociation",
    "respiratory_depression",
]


def test_template_v1_lists_the_reference_fields() -> None:
    tpl = load_rems_template("1")
    assert (tpl.template_id, tpl.version, tpl.submission_window_days) == (
        "spravato_rems_patient_monitoring_form",
        "1",
        7,
    )
    assert [f.id for f in tpl.fields if f.required] == REQUIRED
    assert [f.id for f in tpl.fields if not f.required] == ["concomitant_opioid", "adverse_events"]
    assert "manualspro.net" in tpl.source


def test_unknown_template_version() -> None:
    with pytest.raises(NotFound):
        load_rems_template("99")


def test_template_file_is_valid_json_with_unique_ids() -> None:
    path = resources.files("ketacare.core.session").joinpath(
        "data", "rems_patient_monitoring_form_v1.json"
    )
    ids = [f["id"] for f in json.loads(path.read_text(encoding="utf-8"))["fields"]]
    assert len(ids) == len(set(ids))


def test_complete_form_values() -> None:
    form = build_rems_form(complete_facts())
    assert form.complete
    assert form.missing == ()
    v = form.values
    assert v["dose_mg"] == 56
    assert v["lot_number"] == "LOT-A, LOT-B"
    assert v["total_monitoring_minutes"] == 125
    assert (v["bp_pre_dose"], v["bp_40_min"], v["bp_session_end"]) == ("122/78", "148/92", "126/80")
    assert v["patient_date_of_birth"] == "1980-05-17"
    assert v["treatment_date"] == "2025-03-04"
    assert v["concomitant_opioid"] is None
    assert v["adverse_events"] == []
    assert list(v) == [f.id for f in load_rems_template().fields]
    json.dumps(v)  # JSON-ready


TUPLE_FACTS = {"devices", "readings", "adverse_events"}


@pytest.mark.parametrize(
    "fact",
    [
        f.name
        for f in fields(RemsSessionFacts)
        if f.name not in {"concomitant_opioid", "adverse_events"}
    ],
)
def test_each_missing_fact_is_reported(fact: str) -> None:
    empty: dict[str, Any] = {fact: () if fact in TUPLE_FACTS else None}
    form = build_rems_form(replace(complete_facts(), **empty))
    assert form.missing
    assert not form.complete
    derived = {
        "devices": {
            "dose_mg",
            "lot_number",
            "total_monitoring_minutes",
            "bp_pre_dose",
            "bp_40_min",
            "bp_session_end",
        },
        "monitoring_ended_at": {"total_monitoring_minutes"},
        "readings": {"bp_pre_dose", "bp_40_min", "bp_session_end"},
    }
    assert set(form.missing) == derived.get(fact, {fact})


def test_fewer_than_120_monitoring_minutes_is_a_problem() -> None:
    form = build_rems_form(replace(complete_facts(), monitoring_ended_at=m(119)))
    assert [p.code for p in form.problems] == ["rems.total_minutes_below_minimum"]
    assert form.values["total_monitoring_minutes"] == 119
    assert not form.complete


def test_exactly_120_minutes_is_fine() -> None:
    assert build_rems_form(replace(complete_facts(), monitoring_ended_at=m(120))).complete


def test_devices_without_lot_number_leave_the_lot_missing() -> None:
    facts = replace(complete_facts(), devices=(DeviceUse(m(0)), DeviceUse(m(5))))
    assert build_rems_form(facts).missing == ("lot_number",)


ENDED = datetime(2025, 3, 4, 11, 5, tzinfo=UTC)
OVERDUE = [
    ("6 days later, not submitted", timedelta(days=6), None, False),
    ("exactly 7 days, not submitted", timedelta(days=7), None, False),
    ("7 days + 1 s, not submitted", timedelta(days=7, seconds=1), None, True),
    ("10 days, submitted on day 3", timedelta(days=10), ENDED + timedelta(days=3), False),
    ("10 days, submitted late on day 9", timedelta(days=10), ENDED + timedelta(days=9), False),
]


@pytest.mark.parametrize(
    ("after", "submitted", "overdue"), [pytest.param(a, s, o, id=i) for i, a, s, o in OVERDUE]
)
def test_form_overdue(after: timedelta, submitted: datetime | None, overdue: bool) -> None:
    assert (
        rems_form_overdue(session_ended_at=ENDED, submitted_at=submitted, at=ENDED + after)
        is overdue
    )


def test_due_date_is_seven_days_after_the_session() -> None:
    assert rems_form_due_at(ENDED) == ENDED + timedelta(days=7)
