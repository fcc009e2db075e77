"""Queries for the day's schedule of treatment sessions (the only place they live)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import TreatmentSession


def list_location_sessions_between(
    db: Session, *, location_id: int, start: datetime, end: datetime
) -> list[TreatmentSession]:
    """Sessions of one location starting in ``[start, end)``, by chair then start time."""
    stmt = (
        select(TreatmentSession)
        .where(
            TreatmentSession.location_id == location_id,
            TreatmentSession.starts_at >= start,
            TreatmentSession.starts_at < end,
        )
        .order_by(TreatmentSession.chair_id, TreatmentSession.starts_at, TreatmentSession.id)
    )
    return list(db.scalars(stmt))
