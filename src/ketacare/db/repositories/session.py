"""Queries for the treatment session at the chair (the only place they live)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ketacare.db.base import Base
from ketacare.db.models import (
    AdministrationEvent,
    Chair,
    LoginSession,
    Order,
    RemsSettingCertification,
    SessionAdverseEvent,
    SessionAlert,
    SessionNoteSignature,
    SessionObservation,
    SessionTransition,
    SessionVitals,
    StaffCredential,
    TreatmentSession,
    User,
)

RowT = TypeVar("RowT", bound=Base)


def add_row(db: Session, row: RowT) -> RowT:
    db.add(row)
    db.flush()
    return row


def get_session(db: Session, session_id: int) -> TreatmentSession | None:
    return db.get(TreatmentSession, session_id)


def get_chair(db: Session, chair_id: int, *, lock: bool = False) -> Chair | None:
    if lock:
        # PostgreSQL: serialise concurrent bookings of one chair (no-op on SQLite).
        return db.scalar(select(Chair).where(Chair.id == chair_id).with_for_update())
    return db.get(Chair, chair_id)


def list_chairs(db: Session, *, organisation_id: int) -> list[Chair]:
    stmt = (
        select(Chair)
        .where(Chair.organisation_id == organisation_id, Chair.active.is_(True))
        .order_by(Chair.location_id, Chair.name)
    )
    return list(db.scalars(stmt))


def get_chair_by_name(db: Session, *, location_id: int, name: str) -> Chair | None:
    return db.scalar(select(Chair).where(Chair.location_id == location_id, Chair.name == name))


def list_overlapping_sessions(
    db: Session,
    *,
    chair_id: int,
    patient_id: int,
    start: datetime,
    end: datetime,
    exclude_states: Iterable[str],
) -> list[TreatmentSession]:
    stmt = select(TreatmentSession).where(
        TreatmentSession.starts_at < end,
        TreatmentSession.ends_at > start,
        or_(TreatmentSession.chair_id == chair_id, TreatmentSession.patient_id == patient_id),
        TreatmentSession.state.not_in(list(exclude_states)),
    )
    return list(db.scalars(stmt))


def list_sessions_for_orders(db: Session, *, order_ids: Iterable[int]) -> list[TreatmentSession]:
    ids = list(order_ids)
    if not ids:
        return []
    stmt = (
        select(TreatmentSession)
        .where(TreatmentSession.order_id.in_(ids))
        .order_by(TreatmentSession.id)
    )
    return list(db.scalars(stmt))


def lock_order(db: Session, order_id: int) -> Order | None:
    """The order row, locked on PostgreSQL so two bookings of one order are serialised."""
    return db.scalar(select(Order).where(Order.id == order_id).with_for_update())


def list_patient_sessions(db: Session, *, patient_id: int) -> list[TreatmentSession]:
    stmt = (
        select(TreatmentSession)
        .where(TreatmentSession.patient_id == patient_id)
        .order_by(TreatmentSession.starts_at.desc(), TreatmentSession.id.desc())
    )
    return list(db.scalars(stmt))


def list_sessions_in_states(
    db: Session, *, organisation_id: int, states: Iterable[str]
) -> list[TreatmentSession]:
    stmt = (
        select(TreatmentSession)
        .where(
            TreatmentSession.organisation_id == organisation_id,
            TreatmentSession.state.in_(list(states)),
        )
        .order_by(TreatmentSession.starts_at, TreatmentSession.id)
    )
    return list(db.scalars(stmt))


def list_unsubmitted_rems(
    db: Session, *, organisation_id: int, drug: str, state: str
) -> list[TreatmentSession]:
    stmt = (
        select(TreatmentSession)
        .where(
            TreatmentSession.organisation_id == organisation_id,
            TreatmentSession.drug == drug,
            TreatmentSession.state == state,
            TreatmentSession.rems_submitted_at.is_(None),
        )
        .order_by(TreatmentSession.ended_at, TreatmentSession.id)
    )
    return list(db.scalars(stmt))


def list_transitions(db: Session, *, session_id: int) -> list[SessionTransition]:
    stmt = (
        select(SessionTransition)
        .where(SessionTransition.session_id == session_id)
        .order_by(SessionTransition.at, SessionTransition.id)
    )
    return list(db.scalars(stmt))


def list_vitals(db: Session, *, session_id: int) -> list[SessionVitals]:
    stmt = (
        select(SessionVitals)
        .where(SessionVitals.session_id == session_id)
        .order_by(SessionVitals.measured_at, SessionVitals.id)
    )
    return list(db.scalars(stmt))


def list_alerts(db: Session, *, session_id: int) -> list[SessionAlert]:
    stmt = (
        select(SessionAlert)
        .where(SessionAlert.session_id == session_id)
        .order_by(SessionAlert.raised_at, SessionAlert.id)
    )
    return list(db.scalars(stmt))


def get_alert(db: Session, alert_id: int) -> SessionAlert | None:
    return db.get(SessionAlert, alert_id)


def list_administration(db: Session, *, session_id: int) -> list[AdministrationEvent]:
    stmt = (
        select(AdministrationEvent)
        .where(AdministrationEvent.session_id == session_id)
        .order_by(AdministrationEvent.at, AdministrationEvent.id)
    )
    return list(db.scalars(stmt))


def list_observations(db: Session, *, session_id: int) -> list[SessionObservation]:
    stmt = (
        select(SessionObservation)
        .where(SessionObservation.session_id == session_id)
        .order_by(SessionObservation.observed_at, SessionObservation.id)
    )
    return list(db.scalars(stmt))


def list_adverse_events(db: Session, *, session_id: int) -> list[SessionAdverseEvent]:
    stmt = (
        select(SessionAdverseEvent)
        .where(SessionAdverseEvent.session_id == session_id)
        .order_by(SessionAdverseEvent.onset_at, SessionAdverseEvent.id)
    )
    return list(db.scalars(stmt))


def list_credentials(db: Session, *, user_ids: Iterable[int]) -> list[StaffCredential]:
    stmt = select(StaffCredential).where(StaffCredential.user_id.in_(list(user_ids)))
    return list(db.scalars(stmt))


def list_users(db: Session, *, user_ids: Iterable[int]) -> list[User]:
    return list(db.scalars(select(User).where(User.id.in_(list(user_ids)))))


def list_recently_signed_in(db: Session, *, organisation_id: int, since: datetime) -> list[User]:
    stmt = (
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.organisation_id == organisation_id,
            User.is_active.is_(True),
            LoginSession.ended_at.is_(None),
            LoginSession.last_seen_at >= since,
        )
        .distinct()
    )
    return list(db.scalars(stmt))


def get_rems_certification(db: Session, *, location_id: int) -> RemsSettingCertification | None:
    stmt = select(RemsSettingCertification).where(
        RemsSettingCertification.location_id == location_id
    )
    return db.scalar(stmt)


def get_note_signature(db: Session, *, session_id: int) -> SessionNoteSignature | None:
    stmt = select(SessionNoteSignature).where(SessionNoteSignature.session_id == session_id)
    return db.scalar(stmt)


def list_note_signatures(db: Session, *, session_ids: Iterable[int]) -> list[SessionNoteSignature]:
    stmt = select(SessionNoteSignature).where(
        SessionNoteSignature.session_id.in_(list(session_ids))
    )
    return list(db.scalars(stmt))
