"""A treatment session charted from booking to discharge with something in every part of
its note: checks, an acknowledged alert, a raised pre-dose BP acknowledged by the prescriber,
a pause with a reason, an adverse event, a CADSS rating, the discharge checklist."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ketacare.core.session.model import Symptom
from ketacare.core.session.states import SessionState
from ketacare.db.models import TreatmentSession
from ketacare.services.session import lifecycle as svc
from ketacare.services.session import records as records_service
from ketacare.services.session import vitals as vitals_service
from ketacare.services.session.gates import CHECKLIST_ITEMS
from tests.factories.world import World, ctx

S = SessionState


def move(db: Session, world: World, row: TreatmentSession, to: S, at: datetime, **kw: Any) -> None:
    persona = kw.pop("persona", "nurse")
    svc.transition_session(
        db,
        session_id=row.id,
        to=to,
        reason=kw.get("reason"),
        expected_version=None,
        at=at,
        ctx=ctx(world, persona),
    )


def vitals(db: Session, world: World, row: TreatmentSession, at: datetime, **values: Any) -> Any:
    base = {"systolic": 120, "diastolic": 78, "heart_rate": 72, "spo2": 98, "respiratory_rate": 14}
    base.update(values)
    return vitals_service.record_vitals(
        db, session_id=row.id, measured_at=at, values=base, at=at, ctx=ctx(world, "nurse")
    )


def run_to_discharge(
    db: Session, world: World, row: TreatmentSession, *, start: datetime
) -> datetime:
    """An IV session with something in every section of the note; returns the discharge time."""
    t = start
    move(db, world, row, S.CHECKED_IN, t)
    records_service.record_checks(
        db,
        session_id=row.id,
        npo_confirmed=True,
        escort_arranged=True,
        pregnancy_status="negative",
        expected_version=None,
        at=t,
        ctx=ctx(world, "nurse"),
    )
    chest = vitals_service.record_vitals(
        db,
        session_id=row.id,
        measured_at=None,
        values={},
        symptoms=[Symptom.CHEST_PAIN],
        at=t,
        ctx=ctx(world, "nurse"),
    ).alerts[0]
    vitals_service.acknowledge_alert(
        db,
        session_id=row.id,
        alert_id=chest.id,
        note="ECG normal",
        at=t + timedelta(minutes=1),
        ctx=ctx(world, "prescriber"),
    )
    vitals(db, world, row, t + timedelta(minutes=2), systolic=150)  # raised pre-dose BP
    vitals_service.acknowledge_predose_bp(
        db,
        session_id=row.id,
        note="benefit outweighs",
        at=t + timedelta(minutes=3),
        ctx=ctx(world, "prescriber"),
    )
    t += timedelta(minutes=5)
    move(db, world, row, S.READY, t)
    move(db, world, row, S.INFUSING, t)
    move(db, world, row, S.PAUSED, t + timedelta(minutes=10), reason="nausea")
    records_service.record_adverse_event(
        db,
        session_id=row.id,
        entry=records_service.AdverseEventEntry(
            category="nausea",
            severity="mild",
            serious=False,
            onset_at=t + timedelta(minutes=9),
            actions_taken="paused, ondansetron",
            outcome="resolved",
        ),
        at=t + timedelta(minutes=10),
        ctx=ctx(world, "nurse"),
    )
    move(db, world, row, S.INFUSING, t + timedelta(minutes=15))
    records_service.record_observation(
        db,
        session_id=row.id,
        instrument_id="cadss",
        answers=[1] * 23,
        text="mild dissociation",
        observed_at=t + timedelta(minutes=40),
        at=t + timedelta(minutes=40),
        ctx=ctx(world, "nurse"),
    )
    end = t + timedelta(minutes=45)
    vitals(db, world, row, end - timedelta(minutes=5))
    move(db, world, row, S.RECOVERING, end)
    records_service.record_discharge_checklist(
        db,
        session_id=row.id,
        items=dict.fromkeys(CHECKLIST_ITEMS, True),
        on_supplemental_oxygen=False,
        escort_confirmed=True,
        no_driving_acknowledged=True,
        expected_version=None,
        at=end + timedelta(minutes=10),
        ctx=ctx(world, "nurse"),
    )
    later = end + timedelta(minutes=60)
    vitals(db, world, row, later, systolic=128)
    move(db, world, row, S.DISCHARGED, later)
    return later
