"""The audit trail on a real database: append, verify, tamper, delete, concurrent writers."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity, AuditOutcome
from ketacare.db.models import AuditChainHead, AuditEvent, Organisation
from ketacare.services.accounts.organisations import create_organisation
from ketacare.services.audit import AuditContext, chain_key_for, record_event, verify_audit_trail
from tests.factories.tamper import lift_append_only, restore_append_only
from tests.factories.world import NOW, World

CTX = AuditContext(actor=None, client_address="127.0.0.1")


def _events(db: Session, org_id: int) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.chain_key == chain_key_for(org_id))
    return list(db.scalars(stmt.order_by(AuditEvent.seq)))


def test_world_writes_an_intact_chain_per_organisation(db: Session, world: World) -> None:
    report = verify_audit_trail(db)
    assert report.intact, report.breaks
    ours = _events(db, world.org.id)
    assert [e.seq for e in ours] == list(range(1, len(ours) + 1))
    assert ours[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(ours))
    # Registration of the patient was audited with who, role, action and entity.
    created = [e for e in ours if e.entity_type == "Patient" and e.action == "C"]
    assert created[0].role == "frontdesk"
    assert created[0].patient_id == world.patient.id  # type: ignore[union-attr]


def test_altered_event_is_named(db: Session, world: World) -> None:
    victim = _events(db, world.org.id)[3]
    lift_append_only(db)
    db.execute(update(AuditEvent).where(AuditEvent.id == victim.id).values(outcome="0", action="D"))
    db.expire_all()
    report = verify_audit_trail(db)
    assert not report.intact
    assert [(b.chain_key, b.event_id) for b in report.breaks] == [
        (chain_key_for(world.org.id), victim.id)
    ]


def test_deleted_event_is_found(db: Session, world: World) -> None:
    victim = _events(db, world.org.id)[2]
    lift_append_only(db)
    db.execute(delete(AuditEvent).where(AuditEvent.id == victim.id))
    db.expire_all()
    report = verify_audit_trail(db)
    assert not report.intact
    assert "sequence gap" in report.breaks[0].problem


def test_deleted_tail_is_found(db: Session, world: World) -> None:
    last = _events(db, world.org.id)[-1]
    lift_append_only(db)
    db.execute(delete(AuditEvent).where(AuditEvent.id == last.id))
    db.expire_all()
    report = verify_audit_trail(db)
    assert not report.intact
    assert "end deleted" in report.breaks[0].problem


def test_failure_outcome_recorded(db: Session, world: World) -> None:
    event = record_event(
        db,
        ctx=CTX,
        at=NOW,
        action=AuditAction.READ,
        entity_type=AuditEntity.PATIENT,
        entity_id=1,
        outcome=AuditOutcome.MINOR_FAILURE,
        organisation_id=world.org.id,
    )
    assert event.outcome == "4"
    assert verify_audit_trail(db).intact


def test_concurrent_writers_keep_every_chain_intact(engine: Engine) -> None:
    """Four threads, two organisations, real commits: no lost or duplicated positions."""
    with Session(engine) as setup, setup.begin():
        orgs = [
            create_organisation(setup, name=f"Concurrent {i}", location_name="x", at=NOW, ctx=CTX)[
                0
            ].id
            for i in range(2)
        ]
    errors: list[BaseException] = []

    def writer(org_id: int, n: int) -> None:
        try:
            for i in range(n):
                with Session(engine) as db, db.begin():
                    record_event(
                        db,
                        ctx=CTX,
                        at=NOW + timedelta(seconds=i),
                        action=AuditAction.READ,
                        entity_type=AuditEntity.PATIENT,
                        entity_id=i,
                        organisation_id=org_id,
                    )
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(orgs[i % 2], 15)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        with Session(engine) as db:
            for org_id in orgs:
                seqs = [e.seq for e in _events(db, org_id)]
                assert seqs == list(range(1, 32))  # 1 creation + 2 threads x 15
            assert verify_audit_trail(db).intact
    finally:
        with Session(engine) as db, db.begin():
            keys = [chain_key_for(o) for o in orgs]
            lift_append_only(db)
            db.execute(delete(AuditEvent).where(AuditEvent.chain_key.in_(keys)))
            db.execute(delete(AuditChainHead).where(AuditChainHead.chain_key.in_(keys)))
            db.execute(
                text("DELETE FROM locations WHERE organisation_id IN (:a, :b)"),
                {"a": orgs[0], "b": orgs[1]},
            )
            db.execute(delete(Organisation).where(Organisation.id.in_(orgs)))
            restore_append_only(db)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'D'", "DELETE FROM audit_events"],
    ids=["update", "delete"],
)
def test_database_refuses_to_rewrite_history(db: Session, world: World, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement))
    assert verify_audit_trail(db).intact
