from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import IdempotencyRecord


def get_idempotency_record(db: Session, *, user_id: int, key: str) -> IdempotencyRecord | None:
    stmt = select(IdempotencyRecord).where(
        IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
    )
    return db.scalar(stmt)


def add_idempotency_record(db: Session, record: IdempotencyRecord) -> IdempotencyRecord:
    db.add(record)
    db.flush()
    return record
