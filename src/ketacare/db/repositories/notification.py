"""Queries on the notification outbox, and the recipients it is addressed to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ketacare.core.codes import NotificationStatus
from ketacare.db.models import NotificationJob, User


def get_job(db: Session, job_id: int) -> NotificationJob | None:
    return db.get(NotificationJob, job_id)


def get_job_by_dedupe_key(db: Session, dedupe_key: str) -> NotificationJob | None:
    return db.scalar(select(NotificationJob).where(NotificationJob.dedupe_key == dedupe_key))


def add_job_once(db: Session, job: NotificationJob) -> NotificationJob:
    """Insert the job unless its dedupe key is taken; return the stored row either way.

    The insert runs in a SAVEPOINT: when a concurrent transaction inserted the same key first,
    only the savepoint is rolled back and the caller's event still commits.
    """
    existing = get_job_by_dedupe_key(db, job.dedupe_key)
    if existing is not None:
        return existing
    try:
        with db.begin_nested():
            db.add(job)
    except IntegrityError:
        found = get_job_by_dedupe_key(db, job.dedupe_key)
        if found is None:  # pragma: no cover - the integrity error had another cause
            raise
        return found
    return job


def list_jobs(
    db: Session,
    *,
    organisation_id: int | None = None,
    status: NotificationStatus | None = None,
) -> list[NotificationJob]:
    stmt = select(NotificationJob)
    if organisation_id is not None:
        stmt = stmt.where(NotificationJob.organisation_id == organisation_id)
    if status is not None:
        stmt = stmt.where(NotificationJob.status == status)
    return list(db.scalars(stmt.order_by(NotificationJob.id)))


def claim_due_jobs(db: Session, *, at: datetime, limit: int) -> list[NotificationJob]:
    """Lock up to ``limit`` due pending jobs, oldest first.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several workers claim disjoint batches at the
    same moment. SQLite has no row locks; its ``BEGIN IMMEDIATE`` (see ``db.engine``) already
    serialises the claiming transactions, so a plain select is just as safe there.
    """
    stmt = (
        select(NotificationJob)
        .where(
            NotificationJob.status == NotificationStatus.PENDING,
            NotificationJob.next_attempt_at <= at,
        )
        .order_by(NotificationJob.next_attempt_at, NotificationJob.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(db.scalars(stmt))


def count_by_status(db: Session) -> dict[NotificationStatus, int]:
    stmt = select(NotificationJob.status, func.count()).group_by(NotificationJob.status)
    return {row[0]: row[1] for row in db.execute(stmt)}


def count_due(db: Session, *, at: datetime) -> int:
    stmt = (
        select(func.count())
        .select_from(NotificationJob)
        .where(
            NotificationJob.status == NotificationStatus.PENDING,
            NotificationJob.next_attempt_at <= at,
        )
    )
    return db.scalar(stmt) or 0


def list_active_users_with_role(db: Session, *, organisation_id: int, role: str) -> list[User]:
    stmt = select(User).where(
        User.organisation_id == organisation_id,
        User.role == role,
        User.is_active.is_(True),
    )
    return list(db.scalars(stmt.order_by(User.id)))
