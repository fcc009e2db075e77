"""The session note: everything charted appears, in the location's time; signed once by a
prescriber, append-only in the database too."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ketacare.core.errors import Conflict
from ketacare.core.session.model import AdministrationKind
from ketacare.core.session.note import content_digest
from ketacare.core.session.states import SessionState
from ketacare.db.models import (
    AuditEvent,
    Location,
    SessionNoteSignature,
    TreatmentSession,
)
from ketacare.services.audit import AccessDenied
from ketacare.services.session import administration as admin_service
from ketacare.services.session import demo as demo_service
from ketacare.services.session import note as note_service
from ketacare.services.session import note_sign as sign_service
from ketacare.services.session.gates import CHECKLIST_ITEMS
from tests.factories.session_note import move, run_to_discharge
from tests.factories.world import NOW, World, ctx

S = SessionState
START = NOW + timedelta(minutes=30)
ZONE = "America/New_York"  # UTC-5 in winter: 09:30 UTC is 04:30 at the clinic


@pytest.fixture
def booked(db: Session, world: World) -> TreatmentSession:
    assert world.patient is not None
    for location in db.scalars(select(Location).where(Location.organisation_id == world.org.id)):
        location.timezone = ZONE
    return demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
    )


def test_the_note_shows_everything_charted_in_the_location_time(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    ended = run_to_discharge(db, world, booked, start=START)
    note = note_service.get_session_note(
        db, session_id=booked.id, at=ended, ctx=ctx(world, "nurse")
    )
    assert world.patient is not None
    assert note.mrn == world.patient.mrn
    assert note.patient_name == f"{world.patient.family_name}, {world.patient.given_name}"
    assert (note.state, note.timezone) == ("discharged", ZONE)
    # Times are the clinic's: 09:30 UTC is 04:30 in New York in November.
    assert note.starts_at.utcoffset() == timedelta(hours=-5)
    assert (note.starts_at.hour, note.starts_at.minute) == (4, 30)
    assert note.ended_at is not None
    assert note.ended_at.astimezone(ended.tzinfo) == ended
    # Vitals: every set, with its date and time, values and who charted it.
    assert [(v.systolic, v.phase) for v in note.vitals] == [
        (None, "checked_in"),
        (150, "checked_in"),
        (120, "infusing"),
        (128, "recovering"),
    ]
    assert note.vitals[0].symptoms == ("chest_pain",)
    assert {v.recorded_by for v in note.vitals} == {"nurse A"}
    # The administration record and its total (45 minutes less the 5-minute pause).
    assert [e.kind for e in note.administration] == ["start", "pause", "resume", "stop"]
    assert note.totals is not None
    assert note.totals.running_minutes == Decimal("40.0")
    assert note.totals.total_mg > 0
    assert note.order is not None
    # Ratings with their totals, the adverse event, alerts with who acknowledged them.
    assert [(r.instrument_id, r.total, r.text) for r in note.ratings] == [
        ("cadss", Decimal(23), "mild dissociation")
    ]
    assert [(e.category, e.outcome) for e in note.adverse_events] == [("nausea", "resolved")]
    (alert,) = note.alerts
    assert (alert.tier, alert.acknowledged_by, alert.ack_note) == (
        "emergency",
        "prescriber A",
        "ECG normal",
    )
    assert alert.acknowledged_at is not None
    assert note.bp_acknowledgement is not None
    assert (note.bp_acknowledgement.by, note.bp_acknowledgement.note) == (
        "prescriber A",
        "benefit outweighs",
    )
    assert (note.npo_confirmed, note.escort_arranged, note.pregnancy_status) == (
        True,
        True,
        "negative",
    )
    assert dict(note.checklist) == dict.fromkeys(CHECKLIST_ITEMS, True)
    assert (note.escort_confirmed, note.no_driving_acknowledged) == (True, True)
    # The state log with reasons.
    assert [(t.to_state, t.reason) for t in note.transitions] == [
        ("scheduled", None),
        ("checked_in", None),
        ("ready", None),
        ("infusing", None),
        ("paused", "nausea"),
        ("infusing", None),
        ("recovering", None),
        ("discharged", None),
    ]
    assert note.rems is None  # IV ketamine has no REMS form
    assert (note.signature, note.signable) == (None, True)
    reads = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "SessionNote", AuditEvent.action == "R")
    ).all()
    assert [r.entity_id for r in reads] == [str(booked.id)]


def test_a_prescriber_signs_once_and_the_signature_is_append_only(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    with pytest.raises(Conflict) as caught:
        sign_service.sign_session_note(
            db, session_id=booked.id, at=START, ctx=ctx(world, "prescriber")
        )
    assert caught.value.code == "session_note.session_open"
    ended = run_to_discharge(db, world, booked, start=START)
    with pytest.raises(AccessDenied):
        sign_service.sign_session_note(db, session_id=booked.id, at=ended, ctx=ctx(world, "nurse"))
    signed_at = ended + timedelta(minutes=5)
    note = sign_service.sign_session_note(
        db, session_id=booked.id, at=signed_at, ctx=ctx(world, "prescriber")
    )
    assert note.signature is not None
    assert note.signature.signed_by == "prescriber A"
    assert note.signature.signed_at == signed_at
    assert note.signature.content_sha256 == content_digest(note)
    assert not note.signable
    with pytest.raises(Conflict) as caught:
        sign_service.sign_session_note(
            db, session_id=booked.id, at=signed_at, ctx=ctx(world, "prescriber")
        )
    assert caught.value.code == "session_note.already_signed"
    audited = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "SessionNoteSignature")
    ).all()
    assert [(a.action, a.patient_id) for a in audited] == [("C", booked.patient_id)]
    # The database refuses to edit or remove a signature, whatever the application does.
    for statement in (
        update(SessionNoteSignature).values(signed_at=START),
        delete(SessionNoteSignature),
    ):
        with pytest.raises(DBAPIError), db.begin_nested():
            db.execute(statement)
    assert len(db.scalars(select(SessionNoteSignature)).all()) == 1


def test_an_aborted_esketamine_session_shows_its_rems_form_status(
    db: Session, world: World
) -> None:
    assert world.patient is not None
    # A signed esketamine order: the chairside record is bound by it.
    row = demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
        protocol_id="esketamine-nasal",
    )
    # The gates are tested elsewhere; here only what the note shows.
    row.state = SessionState.INFUSING
    db.flush()
    admin_service.record_administration(
        db,
        session_id=row.id,
        entry=admin_service.AdministrationEntry(
            kind=AdministrationKind.DEVICE, occurred_at=START, lot_number="L7"
        ),
        expected_version=None,
        at=START,
        ctx=ctx(world, "nurse"),
    )
    move(db, world, row, S.ABORTED, START + timedelta(minutes=3), reason="patient declined")
    note = note_service.get_session_note(
        db, session_id=row.id, at=START + timedelta(minutes=4), ctx=ctx(world, "prescriber")
    )
    assert [(e.kind, e.amount, e.lot_number) for e in note.administration] == [
        ("device", Decimal(28), "L7")
    ]
    assert note.totals is not None
    assert note.totals.device_mg == 28
    assert note.rems is not None
    assert note.rems.status == "incomplete"
    assert "hcp_phone" in note.rems.missing
    assert note.transitions[-1].reason == "patient declined"
    assert note.signable
    signed = sign_service.sign_session_note(
        db, session_id=row.id, at=START + timedelta(minutes=5), ctx=ctx(world, "prescriber")
    )
    assert signed.signature is not None


def test_front_desk_cannot_read_the_note(
    db: Session, world: World, booked: TreatmentSession
) -> None:
    with pytest.raises(AccessDenied):
        note_service.get_session_note(
            db, session_id=booked.id, at=START, ctx=ctx(world, "frontdesk")
        )
