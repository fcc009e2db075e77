"""The treatment session services on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ketacare.core.errors import Conflict, Invalid, RuleViolation
from ketacare.core.session.model import AdministrationKind, Symptom
from ketacare.core.session.states import SessionState
from ketacare.db.models import (
    Assessment,
    AuditEvent,
    Chair,
    NotificationJob,
    SessionTransition,
    StaffCredential,
    TreatmentEvent,
    TreatmentSession,
)
from ketacare.db.repositories import session as session_repo
from ketacare.services.audit import AccessDenied
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.session import administration as admin_service
from ketacare.services.session import booking as booking_service
from ketacare.services.session import demo as demo_service
from ketacare.services.session import floor as floor_service
from ketacare.services.session import lifecycle as svc
from ketacare.services.session import records as records_service
from ketacare.services.session import vitals as vitals_service
from ketacare.services.session.booking import BookingRequest
from ketacare.services.session.gates import CHECKLIST_ITEMS, GateRefused
from tests.factories.world import NOW, World, ctx, make_patient, pid

S = SessionState
START = NOW + timedelta(minutes=30)


@pytest.fixture
def booked(db: Session, world: World) -> TreatmentSession:
    """An IV-depression session with signed screening, consent and order, booked for START."""
    return demo_service.prepare_demo_session(
        db,
        patient_id=pid(world),
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
    )


def move(
    db: Session,
    world: World,
    row: TreatmentSession,
    to: S,
    at: datetime,
    persona: str = "nurse",
    reason: str | None = None,
) -> TreatmentSession:
    return svc.transition_session(
        db,
        session_id=row.id,
        to=to,
        reason=reason,
        expected_version=None,
        at=at,
        ctx=ctx(world, persona),
    )


def vitals(
    db: Session, world: World, row: TreatmentSession, at: datetime, **values: Any
) -> vitals_service.VitalsResult:
    base = {"systolic": 120, "diastolic": 78, "heart_rate": 72, "spo2": 98, "respiratory_rate": 14}
    base.update(values)
    return vitals_service.record_vitals(
        db, session_id=row.id, measured_at=at, values=base, at=at, ctx=ctx(world, "nurse")
    )


def checks(db: Session, world: World, row: TreatmentSession, at: datetime, **kw: Any) -> None:
    fields: dict[str, Any] = {"npo_confirmed": True, "escort_arranged": True}
    fields.update(kw)
    records_service.record_checks(
        db,
        session_id=row.id,
        npo_confirmed=fields["npo_confirmed"],
        escort_arranged=fields["escort_arranged"],
        pregnancy_status=fields.get("pregnancy_status"),
        expected_version=None,
        at=at,
        ctx=ctx(world, "nurse"),
    )


def to_ready(db: Session, world: World, row: TreatmentSession) -> datetime:
    t = START
    move(db, world, row, S.CHECKED_IN, t)
    checks(db, world, row, t)
    vitals(db, world, row, t + timedelta(minutes=2))
    move(db, world, row, S.READY, t + timedelta(minutes=5))
    return t + timedelta(minutes=5)


def codes(caught: pytest.ExceptionInfo[GateRefused]) -> set[str]:
    return {f.code for f in caught.value.failures}


# --- booking -----------------------------------------------------------------------------------


def test_booking_takes_chair_time_from_the_order_and_protocol(
    db: Session, booked: TreatmentSession
) -> None:
    # 40-minute infusion (order) + 60 minutes' observation (protocol) = 100 minutes of chair.
    assert booked.ends_at - booked.starts_at == timedelta(minutes=100)
    assert booked.state == "scheduled"
    assert booked.drug == "ketamine_iv"
    first = db.scalars(select(SessionTransition)).all()
    assert [(t.from_state, t.to_state) for t in first] == [(None, "scheduled")]


def test_double_booking_a_chair_or_a_patient_is_a_conflict(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    nurse = world.user("nurse")
    chairs = db.scalars(select(Chair).order_by(Chair.id)).all()
    other_chair = next(c for c in chairs if c.id != booked.chair_id)

    def book(chair_id: int, starts_at: datetime, patient_id: int) -> TreatmentSession:
        return booking_service.book_session(
            db,
            BookingRequest(
                patient_id=patient_id,
                protocol_id="iv-ketamine-depression",
                chair_id=chair_id,
                starts_at=starts_at,
                staff_user_id=nurse.id,
                order_id=None,
            ),
            at=NOW,
            ctx=ctx(world, "frontdesk"),
        )

    second = make_patient(
        db,
        by=world.user("frontdesk"),
        given_name="Blake",
        mrn="A0002",
        weighed_by=world.user("nurse"),
    )
    with pytest.raises(Conflict) as caught:
        book(booked.chair_id, START + timedelta(minutes=99), second.id)
    assert caught.value.code == "session.double_booked_chair"
    with pytest.raises(Conflict) as caught:
        book(other_chair.id, START + timedelta(minutes=30), pid(world))
    assert caught.value.code == "session.double_booked_patient"
    # Touching ends do not overlap: the chair is free from the minute the booking ends.
    touching = book(booked.chair_id, booked.ends_at, second.id)
    assert touching.starts_at == booked.ends_at


def test_frontdesk_books_but_outsider_cannot(db: Session, world: World) -> None:
    demo_service.ensure_demo_chairs(db, organisation_id=world.org.id, at=NOW)
    chair = db.scalars(select(Chair)).first()
    assert chair is not None
    with pytest.raises(AccessDenied):
        booking_service.book_session(
            db,
            BookingRequest(
                patient_id=pid(world),
                protocol_id="iv-ketamine-depression",
                chair_id=chair.id,
                starts_at=START,
                staff_user_id=world.user("nurse").id,
                order_id=None,
            ),
            at=NOW,
            ctx=ctx(world, "outsider"),
        )
    with pytest.raises(Invalid) as caught:
        booking_service.book_session(
            db,
            BookingRequest(
                patient_id=pid(world),
                protocol_id="iv-ketamine-depression",
                chair_id=chair.id,
                starts_at=START,
                staff_user_id=world.user("frontdesk").id,
                order_id=None,
            ),
            at=NOW,
            ctx=ctx(world, "frontdesk"),
        )
    assert caught.value.field == "staff_user_id"


def test_proposed_dates_follow_the_protocol_template(db: Session, world: World) -> None:
    dates = booking_service.proposed_dates(
        db,
        patient_id=pid(world),
        protocol_id="iv-ketamine-depression",
        start=date(2026, 12, 1),
        template_id=None,
        ctx=ctx(world, "frontdesk"),
    )
    assert dates[:3] == [date(2026, 12, 1), date(2026, 12, 4), date(2026, 12, 8)]
    assert len(dates) == 6


# --- transitions and gates --------------------------------------------------------------------


def test_illegal_transition_is_a_conflict(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    with pytest.raises(Conflict) as caught:
        move(db, world, booked, S.INFUSING, START)
    assert caught.value.code == "session.illegal_transition"


def test_every_transition_is_stored_with_actor_time_and_reason(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    move(db, world, booked, S.CHECKED_IN, START, persona="frontdesk")
    with pytest.raises(Invalid):
        move(db, world, booked, S.ABORTED, START + timedelta(minutes=1))
    move(db, world, booked, S.ABORTED, START + timedelta(minutes=2), reason="patient unwell")
    rows = db.scalars(select(SessionTransition).order_by(SessionTransition.id)).all()
    assert [(r.from_state, r.to_state) for r in rows] == [
        (None, "scheduled"),
        ("scheduled", "checked_in"),
        ("checked_in", "aborted"),
    ]
    assert rows[1].actor_id == world.user("frontdesk").id
    assert rows[2].reason == "patient unwell"
    assert rows[2].at == START + timedelta(minutes=2)
    assert booked.ended_at == START + timedelta(minutes=2)


def test_frontdesk_cannot_run_a_session(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    move(db, world, booked, S.CHECKED_IN, START, persona="frontdesk")
    with pytest.raises(AccessDenied):
        move(db, world, booked, S.READY, START, persona="frontdesk")
    with pytest.raises(AccessDenied):
        vitals_service.record_vitals(
            db,
            session_id=booked.id,
            measured_at=None,
            values={"heart_rate": 70},
            at=START,
            ctx=ctx(world, "frontdesk"),
        )


def test_all_gates_pass_with_the_paperwork_and_chair_checks(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    to_ready(db, world, booked)
    assert booked.state == "ready"
    assert booked.order_id is not None


def _fail_alone(db: Session, world: World, row: TreatmentSession, breaker: str) -> set[str]:
    t = START
    move(db, world, row, S.CHECKED_IN, t)
    checks(
        db,
        world,
        row,
        t,
        npo_confirmed=breaker != "npo",
        escort_arranged=breaker != "escort",
        pregnancy_status="positive" if breaker == "pregnancy" else None,
    )
    if breaker != "vitals":
        vitals(db, world, row, t, **({"systolic": 150} if breaker == "bp" else {}))
    if breaker == "acls":
        db.execute(delete(StaffCredential))
        db.add(
            StaffCredential(
                user_id=world.user("nurse").id,
                credential="acls",
                expires_on=date(2026, 11, 28),
                recorded_at=NOW,
            )
        )
        db.flush()
    if breaker == "order":
        assert row.order_id is not None
        order_service.cancel_order(
            db, order_id=row.order_id, reason="changed plan", at=t, ctx=ctx(world, "prescriber")
        )
    with pytest.raises(GateRefused) as caught:
        move(db, world, row, S.READY, t + timedelta(minutes=5))
    assert caught.value.code == "session.gate_refused"
    assert row.state == "checked_in"
    return codes(caught)


@pytest.mark.parametrize(
    ("breaker", "expected"),
    [
        ("npo", {"session.gate.npo_unconfirmed"}),
        ("escort", {"session.gate.escort_missing"}),
        ("pregnancy", {"session.gate.pregnancy_positive"}),
        ("bp", {"session.gate.predose_bp_unacknowledged"}),
        ("acls", {"session.gate.acls_clinician_missing"}),
        ("order", {"session.gate.order_unsigned"}),
        (
            "vitals",
            {
                "session.gate.predose_bp_missing",
                "session.gate.predose_hr_missing",
                "session.gate.predose_spo2_missing",
                "session.gate.predose_rr_missing",
            },
        ),
    ],
)
def test_each_gate_fails_alone_naming_what_is_missing(
    db: Session, world: World, booked: TreatmentSession, breaker: str, expected: set[str]
) -> None:
    assert _fail_alone(db, world, booked, breaker) == expected


def test_raised_predose_bp_passes_once_a_prescriber_acknowledges_it(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    move(db, world, booked, S.CHECKED_IN, START)
    checks(db, world, booked, START)
    vitals(db, world, booked, START, systolic=150)
    # The prescriber is told: the floor view flags the chair, in the ready gate's words.
    board = floor_service.floor_board(db, at=START, ctx=ctx(world, "prescriber"))
    assert [c.session.id for c in board.waiting_for_prescriber] == [booked.id]
    waiting = board.waiting_for_prescriber[0].bp_ack_needed
    assert waiting is not None
    assert waiting.code == "session.gate.predose_bp_unacknowledged"
    assert "150/78" in waiting.message
    with pytest.raises(AccessDenied):
        vitals_service.acknowledge_predose_bp(
            db, session_id=booked.id, note="ok", at=START, ctx=ctx(world, "nurse")
        )
    vitals_service.acknowledge_predose_bp(
        db, session_id=booked.id, note="benefit outweighs", at=START, ctx=ctx(world, "prescriber")
    )
    board = floor_service.floor_board(db, at=START, ctx=ctx(world, "prescriber"))
    assert board.waiting_for_prescriber == []
    move(db, world, booked, S.READY, START + timedelta(minutes=1))
    assert booked.state == "ready"


def test_pending_bp_acknowledgement_follows_the_ready_gate(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    def pending(at: datetime) -> str | None:
        rows = session_repo.list_vitals(db, session_id=booked.id)
        found = vitals_service.pending_bp_acknowledgement(booked, rows, at=at)
        return None if found is None else found.code

    move(db, world, booked, S.CHECKED_IN, START)
    vitals(db, world, booked, START, systolic=140, diastolic=90)  # at the threshold: fine
    assert pending(START) is None
    vitals(db, world, booked, START + timedelta(minutes=1), diastolic=91)
    assert pending(START + timedelta(minutes=1)) == "session.gate.predose_bp_unacknowledged"
    # An acknowledgement counts only for readings before it: a later raised BP asks again.
    vitals_service.acknowledge_predose_bp(
        db,
        session_id=booked.id,
        note=None,
        at=START + timedelta(minutes=2),
        ctx=ctx(world, "prescriber"),
    )
    assert pending(START + timedelta(minutes=2)) is None
    vitals(db, world, booked, START + timedelta(minutes=3), systolic=160)
    assert pending(START + timedelta(minutes=3)) is not None
    # A normal reading afterwards is the one the gate looks at.
    vitals(db, world, booked, START + timedelta(minutes=4))
    assert pending(START + timedelta(minutes=4)) is None


def test_stale_version_is_a_conflict(db: Session, world: World, booked: TreatmentSession) -> None:
    old = booked.version
    move(db, world, booked, S.CHECKED_IN, START)
    with pytest.raises(Conflict) as caught:
        svc.transition_session(
            db,
            session_id=booked.id,
            to=S.ABORTED,
            reason="x",
            expected_version=old,
            at=START,
            ctx=ctx(world, "nurse"),
        )
    assert caught.value.code == "session.version_conflict"


# --- vitals and alerts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"systolic": 159, "diastolic": 99}, []),
        ({"systolic": 160}, ["vitals.bp.tier_1"]),
        ({"diastolic": 100}, ["vitals.bp.tier_1"]),
        ({"systolic": 180}, ["vitals.bp.tier_2"]),
        ({"heart_rate": 131}, ["vitals.hr.high.tier_2"]),
        ({"spo2": 74}, ["vitals.spo2.sentinel"]),
        ({"respiratory_rate": 8}, ["vitals.rr.low.tier_2"]),
    ],
)
def test_vitals_raise_alerts_at_the_core_thresholds(
    db: Session, world: World, booked: TreatmentSession, values: dict[str, int], expected: list[str]
) -> None:
    move(db, world, booked, S.CHECKED_IN, START)
    result = vitals(db, world, booked, START, **values)
    assert [a.code for a in result.alerts] == expected
    assert all(a.acknowledged_at is None for a in result.alerts)


def test_spo2_desaturation_over_60_seconds_is_a_sentinel_event(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    move(db, world, booked, S.CHECKED_IN, START)
    first = vitals(db, world, booked, START, spo2=88)
    assert [a.code for a in first.alerts] == ["vitals.spo2.minor"]
    later = vitals(db, world, booked, START + timedelta(seconds=61), spo2=89)
    assert [a.code for a in later.alerts] == ["vitals.spo2.sentinel"]


def test_symptom_raises_an_emergency_alert_that_only_a_prescriber_acknowledges(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    move(db, world, booked, S.CHECKED_IN, START)
    result = vitals_service.record_vitals(
        db,
        session_id=booked.id,
        measured_at=None,
        values={},
        symptoms=[Symptom.CHEST_PAIN],
        at=START,
        ctx=ctx(world, "nurse"),
    )
    alert = result.alerts[0]
    assert (alert.tier, alert.recommended_action) == ("emergency", "stop")
    with pytest.raises(AccessDenied):
        vitals_service.acknowledge_alert(
            db,
            session_id=booked.id,
            alert_id=alert.id,
            note=None,
            at=START,
            ctx=ctx(world, "nurse"),
        )
    acked = vitals_service.acknowledge_alert(
        db,
        session_id=booked.id,
        alert_id=alert.id,
        note="ECG normal",
        at=START,
        ctx=ctx(world, "prescriber"),
    )
    assert acked.acknowledged_by == world.user("prescriber").id


def test_bad_vitals_are_refused_and_nothing_is_saved(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    move(db, world, booked, S.CHECKED_IN, START)
    with pytest.raises(Invalid) as caught:
        vitals(db, world, booked, START, spo2=101)
    assert caught.value.field == "spo2"
    with pytest.raises(Invalid) as caught:
        vitals_service.record_vitals(
            db, session_id=booked.id, measured_at=None, values={}, at=START, ctx=ctx(world, "nurse")
        )
    assert caught.value.code == "vitals.empty"
    with pytest.raises(Invalid) as caught:
        vitals_service.record_vitals(
            db,
            session_id=booked.id,
            measured_at=START + timedelta(hours=1),
            values={"heart_rate": 70},
            at=START,
            ctx=ctx(world, "nurse"),
        )
    assert caught.value.field == "measured_at"
    detail = svc.get_session_detail(db, session_id=booked.id, at=START, ctx=ctx(world, "nurse"))
    assert detail.vitals == []


def test_unacknowledged_alert_blocks_starting_the_infusion(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    t = to_ready(db, world, booked)
    alert = vitals(db, world, booked, t, heart_rate=115).alerts[0]
    with pytest.raises(GateRefused) as caught:
        move(db, world, booked, S.INFUSING, t)
    assert codes(caught) == {"session.gate.alert_unacknowledged"}
    vitals_service.acknowledge_alert(
        db, session_id=booked.id, alert_id=alert.id, note="anxious", at=t, ctx=ctx(world, "nurse")
    )
    vitals(db, world, booked, t + timedelta(minutes=1))
    move(db, world, booked, S.INFUSING, t + timedelta(minutes=2))
    assert booked.state == "infusing"


# --- administration and discharge -------------------------------------------------------------


def test_full_iv_session_totals_and_discharge_refused_until_criteria_met(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    t = to_ready(db, world, booked)
    move(db, world, booked, S.INFUSING, t)
    assert booked.first_administration_at == t
    events = db.scalars(select(TreatmentEvent)).all()
    assert [(e.kind, e.source_id) for e in events] == [("ketamine_session", booked.id)]
    with pytest.raises(Invalid):
        move(db, world, booked, S.PAUSED, t + timedelta(minutes=10))  # a pause needs a reason
    move(db, world, booked, S.PAUSED, t + timedelta(minutes=10), reason="nausea")
    move(db, world, booked, S.INFUSING, t + timedelta(minutes=15))
    end = t + timedelta(minutes=45)
    vitals(db, world, booked, end - timedelta(minutes=5))
    move(db, world, booked, S.RECOVERING, end)
    detail = svc.get_session_detail(db, session_id=booked.id, at=end, ctx=ctx(world, "nurse"))
    assert detail.totals is not None
    assert detail.totals.running_time == timedelta(minutes=40)
    # The pump ran the diluted bag for the whole 40 minutes: the total is the ordered dose
    # (the rate is of the diluted solution, not of the stock).
    assert detail.order is not None
    assert detail.totals.total_ml == detail.order.final_volume_ml
    assert abs(detail.totals.total_mg - detail.order.dose_mg) < Decimal("0.1")
    assert detail.order is not None
    assert detail.order.status == "given"

    early = end + timedelta(minutes=10)
    vitals(db, world, booked, early)
    with pytest.raises(GateRefused) as caught:
        move(db, world, booked, S.DISCHARGED, early)
    assert caught.value.code == "session.discharge_refused"
    assert "session.discharge.observation_too_short" in codes(caught)
    assert "session.discharge.escort_unconfirmed" in codes(caught)

    records_service.record_discharge_checklist(
        db,
        session_id=booked.id,
        items=dict.fromkeys(CHECKLIST_ITEMS, True),
        on_supplemental_oxygen=False,
        escort_confirmed=True,
        no_driving_acknowledged=True,
        expected_version=None,
        at=early,
        ctx=ctx(world, "nurse"),
    )
    later = end + timedelta(minutes=60)
    vitals(db, world, booked, later)
    move(db, world, booked, S.DISCHARGED, later)
    assert booked.state == "discharged"
    assert booked.ended_at == later


def test_chair_ratings_use_the_in_session_timepoints(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    def rate(instrument: str, answers: list[int], at: datetime) -> str:
        obs = records_service.record_observation(
            db,
            session_id=booked.id,
            instrument_id=instrument,
            answers=answers,
            text=None,
            observed_at=at,
            at=at,
            ctx=ctx(world, "nurse"),
        )
        assessment = db.get(Assessment, obs.assessment_id)
        assert assessment is not None
        assert assessment.session_id == booked.id
        return assessment.timepoint

    t = to_ready(db, world, booked)
    assert rate("cadss", [0] * 23, t) == "pre-session"
    move(db, world, booked, S.INFUSING, t)
    # CADSS about 40 minutes into the infusion, and again before discharge.
    assert rate("cadss", [1] * 23, t + timedelta(minutes=40)) == "intra-session"
    move(db, world, booked, S.RECOVERING, t + timedelta(minutes=45))
    assert rate("cadss", [0] * 23, t + timedelta(minutes=90)) == "pre-discharge"
    # Discharge scores always belong before discharge.
    assert rate("aldrete", [2] * 5, t + timedelta(minutes=91)) == "pre-discharge"


def test_esketamine_devices_must_be_five_minutes_apart(db: Session, world: World) -> None:
    row = demo_service.prepare_demo_session(
        db,
        patient_id=pid(world),
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
        protocol_id="esketamine-nasal",
    )
    assert row.ends_at - row.starts_at == timedelta(minutes=120)
    # The gates are tested above; here only the device chart matters.
    row.state = SessionState.INFUSING
    db.flush()

    def device(at: datetime) -> None:
        admin_service.record_administration(
            db,
            session_id=row.id,
            entry=admin_service.AdministrationEntry(
                kind=AdministrationKind.DEVICE, occurred_at=at, lot_number="L1"
            ),
            expected_version=None,
            at=START + timedelta(minutes=30),
            ctx=ctx(world, "nurse"),
        )

    device(START)
    with pytest.raises(RuleViolation) as caught:
        device(START + timedelta(minutes=4, seconds=59))
    assert caught.value.code == "administration.device_interval_too_short"
    device(START + timedelta(minutes=5))
    detail = svc.get_session_detail(
        db, session_id=row.id, at=START + timedelta(minutes=10), ctx=ctx(world, "nurse")
    )
    assert detail.totals is not None
    assert detail.totals.device_mg == 56
    assert row.first_administration_at == START


def test_serious_adverse_event_raises_a_prescriber_alert_on_the_floor(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    move(db, world, booked, S.CHECKED_IN, START)
    records_service.record_adverse_event(
        db,
        session_id=booked.id,
        entry=records_service.AdverseEventEntry(
            category="hypertension",
            severity="severe",
            serious=True,
            onset_at=START,
            actions_taken="paused",
            outcome="ongoing",
        ),
        at=START,
        ctx=ctx(world, "nurse"),
    )
    board = floor_service.floor_board(db, at=START, ctx=ctx(world, "prescriber"))
    assert [c.session.id for c in board.chairs] == [booked.id]
    alert = board.chairs[0].open_alerts[0]
    assert alert.kind == "adverse_event"
    assert alert.call_prescriber
    with pytest.raises(AccessDenied):
        floor_service.floor_board(db, at=START, ctx=ctx(world, "frontdesk"))
    # The organisation's prescriber is e-mailed too: one queued job, no patient data in it.
    jobs = db.scalars(
        select(NotificationJob).where(NotificationJob.organisation_id == world.org.id)
    ).all()
    assert [j.recipient_user_id for j in jobs] == [world.user("prescriber").id]
    assert "Quinn" not in jobs[0].body
    assert jobs[0].link_path == "/floor"


def test_reads_and_writes_are_audited(db: Session, world: World, booked: TreatmentSession) -> None:
    move(db, world, booked, S.CHECKED_IN, START)
    vitals(db, world, booked, START)
    svc.get_session_detail(db, session_id=booked.id, at=START, ctx=ctx(world, "nurse"))
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.patient_id == pid(world)).order_by(AuditEvent.id)
    ).all()
    kinds = {(e.entity_type, e.action) for e in events}
    assert {("TreatmentSession", "C"), ("TreatmentSession", "U"), ("SessionVitals", "C")} <= kinds
    assert ("TreatmentSession", "R") in kinds


def test_a_device_entered_in_error_is_kept_but_no_longer_counts(db: Session, world: World) -> None:
    row = demo_service.prepare_demo_session(
        db,
        patient_id=pid(world),
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
        protocol_id="esketamine-nasal",
    )
    # The gates are tested above; here only the device chart matters.
    row.state = SessionState.INFUSING
    db.flush()
    later = START + timedelta(minutes=30)

    def chart(entry: admin_service.AdministrationEntry) -> None:
        admin_service.record_administration(
            db,
            session_id=row.id,
            entry=entry,
            expected_version=None,
            at=later,
            ctx=ctx(world, "nurse"),
        )

    chart(admin_service.AdministrationEntry(kind=AdministrationKind.DEVICE, occurred_at=START))
    chart(
        admin_service.AdministrationEntry(
            kind=AdministrationKind.DEVICE, occurred_at=START + timedelta(minutes=6)
        )
    )
    first_device = min(
        (e for e in session_repo.list_administration(db, session_id=row.id) if e.kind == "device"),
        key=lambda e: e.at,
    )
    assert first_device.at == START
    chart(
        admin_service.AdministrationEntry(
            kind=AdministrationKind.ENTERED_IN_ERROR,
            corrects_id=first_device.id,
            reason="charted twice",
        )
    )
    kinds = [e.kind for e in session_repo.list_administration(db, session_id=row.id)]
    assert kinds.count(AdministrationKind.DEVICE) == 2  # the original is kept
    assert "entered_in_error" in kinds
    # The 2-hour observation now runs from the device that was really given.
    assert row.first_administration_at == START + timedelta(minutes=6)
    detail = svc.get_session_detail(db, session_id=row.id, at=later, ctx=ctx(world, "nurse"))
    assert detail.totals is not None
    assert detail.totals.device_mg == 28
