from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditChainHead, AuditEvent


def lock_chain_head(db: Session, chain_key: str, *, genesis_hash: str) -> AuditChainHead:
    """Return the chain's head row, locked until the transaction ends (PostgreSQL).

    A missing head is created with INSERT ... ON CONFLICT DO NOTHING so that two first writers
    of a new chain cannot both succeed.
    """
    head = db.scalar(
        select(AuditChainHead).where(AuditChainHead.chain_key == chain_key).with_for_update()
    )
    if head is not None:
        return head
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        db.execute(
            pg_insert(AuditChainHead)
            .values(chain_key=chain_key, last_seq=0, last_hash=genesis_hash)
            .on_conflict_do_nothing()
        )
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        db.execute(
            sqlite_insert(AuditChainHead)
            .values(chain_key=chain_key, last_seq=0, last_hash=genesis_hash)
            .on_conflict_do_nothing()
        )
    head = db.scalar(
        select(AuditChainHead)
        .where(AuditChainHead.chain_key == chain_key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert head is not None  # noqa: S101 - just inserted or existed
    return head


def add_audit_event(db: Session, event: AuditEvent) -> AuditEvent:
    db.add(event)
    db.flush()
    return event


def list_chain_heads(db: Session) -> list[AuditChainHead]:
    return list(db.scalars(select(AuditChainHead).order_by(AuditChainHead.chain_key)))


def iter_chain(db: Session, chain_key: str, *, batch: int = 1000) -> Iterator[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.chain_key == chain_key)
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=batch)
    )
    yield from db.scalars(stmt)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    organisation_id: int
    user_id: int | None = None
    patient_id: int | None = None
    entity_type: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_audit_events(
    db: Session, flt: AuditFilter, *, limit: int, offset: int
) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.organisation_id == flt.organisation_id)
    for column, value in (
        (AuditEvent.user_id, flt.user_id),
        (AuditEvent.patient_id, flt.patient_id),
        (AuditEvent.entity_type, flt.entity_type),
        (AuditEvent.action, flt.action),
        (AuditEvent.outcome, flt.outcome),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if flt.since is not None:
        stmt = stmt.where(AuditEvent.recorded_at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AuditEvent.recorded_at < flt.until)
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    return list(db.scalars(stmt))


def count_audit_events(db: Session, *, chain_key: str | None = None) -> int:
    stmt = select(func.count()).select_from(AuditEvent)
    if chain_key is not None:
        stmt = stmt.where(AuditEvent.chain_key == chain_key)
    return db.scalar(stmt) or 0
