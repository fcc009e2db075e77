"""The assessments service on both databases: the interface other features call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.core.errors import Invalid, NotFound
from ketacare.db.models import Assessment, AuditEvent, TreatmentEvent
from ketacare.services.assessments import outcomes as outcome_svc
from ketacare.services.assessments import records as svc
from ketacare.services.assessments import safety_alerts as alert_svc
from ketacare.services.audit import AccessDenied
from tests.factories.world import NOW, World, ctx


def _record(
    db: Session, world: World, answers: Sequence[object], *, days: float = 0, **kw: object
) -> Assessment:
    assert world.patient is not None
    values: dict[str, object] = {
        "patient_id": world.patient.id,
        "instrument_id": "phq9",
        "answers": answers,
        "administered_at": NOW - timedelta(days=30) + timedelta(days=days),
        "timepoint": "follow-up",
    }
    values.update(kw)
    at = values.pop("at", NOW)
    actor = values.pop("ctx", ctx(world, "nurse"))
    entry = svc.AssessmentEntry(**values)  # type: ignore[arg-type]
    return svc.record_assessment(db, entry, at=at, ctx=actor)  # type: ignore[arg-type]


def test_record_assessment_scores_stores_and_raises_alerts_in_one_go(
    db: Session, world: World
) -> None:
    row = _record(db, world, [0, 0, 0, 0, 0, 0, 0, 0, 3], session_id=12, timepoint="pre-session")
    assert (row.total, row.severity, row.valid) == (3.0, "none_minimal", True)
    assert row.flags == ["suicidal_ideation"]
    assert row.session_id == 12
    # The session feature reads alerts through ``assessments``; it is the alerts module's function.
    assert svc.open_safety_alerts is alert_svc.open_safety_alerts
    open_alerts = svc.open_safety_alerts(db, patient_id=row.patient_id)
    assert [(a.code, a.assessment_id, a.status) for a in open_alerts] == [
        ("suicidal_ideation", row.id, "open")
    ]
    kinds = {
        (e.entity_type, e.action)
        for e in db.scalars(select(AuditEvent).where(AuditEvent.patient_id == row.patient_id))
    }
    assert {("Assessment", "C"), ("SafetyAlert", "C")} <= kinds


def test_unanswered_item_9_is_an_alert_not_a_zero(db: Session, world: World) -> None:
    row = _record(db, world, [1, 1, 1, 1, 1, 1, 1, 1, None])
    # Item 9 is never prorated away: no valid total, and a flag naming the item.
    assert (row.valid, row.total, row.severity) == (False, None, None)
    assert row.flags == ["item_9_missing"]
    assert [a.code for a in svc.open_safety_alerts(db, patient_id=row.patient_id)] == [
        "suicidality_item_unanswered"
    ]


@pytest.mark.parametrize(
    ("answers", "alerts"),
    [
        pytest.param([False, False, None, None, None, False], [], id="all-no-none"),
        pytest.param(
            [True, False, None, None, None, False],
            [("cssrs_risk_low", "advisory")],
            id="q1-only-low-referral",
        ),
        pytest.param(
            [True, True, False, False, False, False],
            [("cssrs_risk_low", "advisory")],
            id="q1-q2-low-referral",
        ),
        pytest.param(
            [True, True, True, False, False, False],
            [("cssrs_risk_moderate", "warning")],
            id="q3-moderate",
        ),
    ],
)
def test_cssrs_low_tier_opens_a_referral_alert_a_prescriber_closes(
    db: Session, world: World, answers: list[object], alerts: list[tuple[str, str]]
) -> None:
    row = _record(db, world, answers, instrument_id="cssrs-screener")
    opened = svc.open_safety_alerts(db, patient_id=row.patient_id)
    assert [(a.code, a.severity) for a in opened] == alerts
    for alert in opened:
        closed = alert_svc.close_alert(
            db,
            alert_id=alert.id,
            action_note="Referred to behavioural health",
            at=NOW,
            ctx=ctx(world, "prescriber"),
        )
        assert closed.status == "closed"
    assert svc.open_safety_alerts(db, patient_id=row.patient_id) == []


def test_malformed_answers_name_the_item(db: Session, world: World) -> None:
    with pytest.raises(Invalid) as bad:
        _record(db, world, [1, 1, 1, 1, 1, 1, 1, 1, 9])
    assert bad.value.field == "item 9"
    with pytest.raises(Invalid) as bad_type:
        _record(db, world, [1, 1, 1, 1, 1, {"x": 1}, 1, 1, 1])
    assert bad_type.value.field == "item 6"


def test_nurse_cannot_close_and_prescriber_needs_a_note(db: Session, world: World) -> None:
    row = _record(db, world, [0] * 8 + [1])
    alert = svc.open_safety_alerts(db, patient_id=row.patient_id)[0]
    with pytest.raises(AccessDenied):
        alert_svc.close_alert(
            db, alert_id=alert.id, action_note="x", at=NOW, ctx=ctx(world, "nurse")
        )
    with pytest.raises(Invalid) as blank:
        alert_svc.close_alert(
            db, alert_id=alert.id, action_note="\n ", at=NOW, ctx=ctx(world, "prescriber")
        )
    assert blank.value.field == "action_note"
    closed = alert_svc.close_alert(
        db, alert_id=alert.id, action_note="Reviewed", at=NOW, ctx=ctx(world, "prescriber")
    )
    assert (closed.status, closed.closed_at, closed.action_note) == ("closed", NOW, "Reviewed")
    assert svc.open_safety_alerts(db, patient_id=row.patient_id) == []
    with pytest.raises(NotFound):
        alert_svc.close_alert(
            db, alert_id=10**9, action_note="x", at=NOW, ctx=ctx(world, "prescriber")
        )


def test_treatment_events_are_idempotent_per_source(db: Session, world: World) -> None:
    assert world.patient is not None
    pid = world.patient.id
    first = svc.record_treatment_event(
        db, patient_id=pid, at=NOW - timedelta(days=2), kind="ketamine_session", source_id=3
    )
    again = svc.record_treatment_event(
        db, patient_id=pid, at=NOW - timedelta(days=1), kind="ketamine_session", source_id=3
    )
    assert again.id == first.id
    assert again.at == NOW - timedelta(days=1)
    svc.record_treatment_event(
        db, patient_id=pid, at=NOW, kind="esketamine_session", source_id=None
    )
    assert len(db.scalars(select(TreatmentEvent)).all()) == 2
    with pytest.raises(Invalid):
        svc.record_treatment_event(db, patient_id=pid, at=NOW, kind=" ", source_id=None)
    with pytest.raises(NotFound):
        svc.record_treatment_event(db, patient_id=10**9, at=NOW, kind="k", source_id=None)


def test_outcomes_use_the_correction_not_the_superseded_form(db: Session, world: World) -> None:
    assert world.patient is not None
    pid = world.patient.id
    _record(db, world, [2] * 8 + [0], days=0)
    wrong = _record(db, world, [2] * 8 + [0], days=5)
    _record(db, world, [1] * 8 + [0], days=5, supersedes_id=wrong.id)
    svc.record_treatment_event(
        db, patient_id=pid, at=NOW - timedelta(days=29), kind="ketamine_session", source_id=1
    )
    report = outcome_svc.get_outcomes(
        db, patient_id=pid, instrument_id="phq9", at=NOW, ctx=ctx(world, "prescriber")
    )
    assert report.summary.baseline.total == 16
    assert report.summary.latest.total == 8
    assert report.summary.measurement_count == 2
    assert report.summary.response is True
    assert [line.kind for line in outcome_svc.reference_lines(report)] == ["response", "remission"]
    assert outcome_svc.reference_lines(report)[0].value == pytest.approx(8.0)


def test_untreated_patient_is_measured_from_the_first_score(db: Session, world: World) -> None:
    assert world.patient is not None
    _record(db, world, [2] * 8 + [0])
    report = outcome_svc.get_outcomes(
        db, patient_id=world.patient.id, instrument_id="phq9", at=NOW, ctx=ctx(world, "nurse")
    )
    assert report.summary.response is None  # one score: nothing to compare yet
    assert "not_treated" in report.as_dict()["notes"]
    lines = outcome_svc.reference_lines(report)
    assert [line.kind for line in lines] == ["response", "remission"]
    assert lines[0].value == pytest.approx(8.0)  # 50 % below the baseline of 16


def test_outsider_is_refused_and_patient_submits_own(db: Session, world: World) -> None:
    with pytest.raises(AccessDenied):
        _record(db, world, [0] * 9, ctx=ctx(world, "outsider"))
    own = _record(db, world, [0] * 9, ctx=ctx(world, "patient"))
    assert own.recorded_by == world.user("patient").id
