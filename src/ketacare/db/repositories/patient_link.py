"""Queries on questionnaire links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import PatientLink, User


def add_patient_link(db: Session, link: PatientLink) -> PatientLink:
    db.add(link)
    db.flush()
    return link


def get_patient_link(db: Session, link_id: int) -> PatientLink | None:
    return db.get(PatientLink, link_id)


def get_patient_link_by_hash(
    db: Session, token_hash: str, *, for_update: bool = False
) -> PatientLink | None:
    """The link with this token hash; ``for_update`` locks it (PostgreSQL) for a submission.

    On SQLite the engine's ``BEGIN IMMEDIATE`` already serialises writers, so two submissions
    of one link cannot both see it pending.
    """
    stmt = select(PatientLink).where(PatientLink.token_hash == token_hash)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.scalar(stmt)


def list_patient_links(db: Session, *, patient_id: int) -> list[PatientLink]:
    stmt = select(PatientLink).where(PatientLink.patient_id == patient_id)
    return list(db.scalars(stmt.order_by(PatientLink.created_at.desc(), PatientLink.id.desc())))


def list_open_patient_links(db: Session, *, patient_id: int, at: datetime) -> list[PatientLink]:
    """Links neither completed, revoked nor expired at ``at``, newest first."""
    stmt = select(PatientLink).where(
        PatientLink.patient_id == patient_id,
        PatientLink.completed_at.is_(None),
        PatientLink.revoked_at.is_(None),
        PatientLink.expires_at > at,
    )
    return list(db.scalars(stmt.order_by(PatientLink.created_at.desc(), PatientLink.id.desc())))


def get_portal_user(db: Session, *, patient_id: int) -> User | None:
    """The patient's active portal account, if they have one (the oldest, if several)."""
    stmt = select(User).where(User.patient_id == patient_id, User.is_active.is_(True))
    return db.scalar(stmt.order_by(User.id).limit(1))


def get_users(db: Session, user_ids: set[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(user_ids)))}
