"""The day's schedule: every booked treatment session of the organisation, by chair.

"Today" is the location's calendar day in its own timezone (``Location.timezone``; an unknown
zone name falls back to UTC so a typo never hides a clinic's day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.session.note import SIGNABLE_STATES
from ketacare.core.session.states import SessionState
from ketacare.db.models import Chair, Location, TreatmentSession
from ketacare.db.repositories import organisation as org_repo
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import session as session_repo
from ketacare.db.repositories import session_schedule as repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext, authorize, record_event

ENTITY = AuditEntity.SESSION_SCHEDULE


@dataclass(frozen=True)
class ScheduledSession:
    session: TreatmentSession
    patient_name: str
    local_start: datetime
    # An ended session whose note no prescriber has signed yet (the day's loose ends).
    note_unsigned: bool = False


@dataclass(frozen=True)
class ChairDay:
    chair_name: str
    sessions: list[ScheduledSession]


@dataclass(frozen=True)
class LocationDay:
    location_name: str
    timezone: str
    day: date
    chairs: list[ChairDay]


def location_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def day_window(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants at which a local calendar day starts and the next one starts."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _patient_name(db: Session, patient_id: int) -> str:
    patient = patient_repo.get_patient(db, patient_id)
    return f"{patient.family_name}, {patient.given_name}" if patient else "?"


def _location_day(
    db: Session, location: Location, *, chairs: dict[int, Chair], day: date | None, at: datetime
) -> LocationDay:
    zone = location_zone(location.timezone)
    local_day = day or at.astimezone(zone).date()
    start, end = day_window(local_day, zone)
    rows = repo.list_location_sessions_between(db, location_id=location.id, start=start, end=end)
    ended = [r.id for r in rows if SessionState(r.state) in SIGNABLE_STATES]
    signed = {s.session_id for s in session_repo.list_note_signatures(db, session_ids=ended)}
    by_chair: dict[int, list[ScheduledSession]] = {}
    for row in rows:
        entry = ScheduledSession(
            row,
            _patient_name(db, row.patient_id),
            row.starts_at.astimezone(zone),
            note_unsigned=row.id in ended and row.id not in signed,
        )
        by_chair.setdefault(row.chair_id, []).append(entry)
    for chair_id in by_chair:
        if chair_id not in chairs:  # a retired chair still shows its bookings
            found = session_repo.get_chair(db, chair_id)
            if found is not None:
                chairs[chair_id] = found
    named = [
        ChairDay(chairs[c].name if c in chairs else f"Chair #{c}", sessions)
        for c, sessions in by_chair.items()
    ]
    named.sort(key=lambda c: c.chair_name)
    return LocationDay(location.name, str(zone), local_day, named)


def todays_schedule(
    db: Session, *, at: datetime, ctx: AuditContext, day: date | None = None
) -> list[LocationDay]:
    """Each location's booked sessions for its day (today unless ``day`` is given), by chair.

    Nurses and prescribers only (SESSION_RUN); one audit event lists the session ids shown.
    """
    actor = require_actor(ctx)
    authorize(actor, Action.SESSION_RUN, None, audit_action=AuditAction.READ, entity_type=ENTITY)
    chairs = {c.id: c for c in session_repo.list_chairs(db, organisation_id=actor.organisation_id)}
    days = [
        _location_day(db, location, chairs=chairs, day=day, at=at)
        for location in org_repo.list_locations(db, organisation_id=actor.organisation_id)
    ]
    ids = ",".join(str(s.session.id) for d in days for c in d.chairs for s in c.sessions)
    # Ids only, never names: the audit trail must not hold PHI in free text.
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type=ENTITY,
        entity_id=None,
        detail=f"sessions={ids}"[:900],
    )
    return days
