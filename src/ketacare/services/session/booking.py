"""Booking a chair for a treatment session, and the chairs, protocols and staff to book with.

The chair time comes from the protocol (and the order's duration); a chair or a patient is
never double-booked (``ketacare.core.session.scheduling``). Staff credentials (ACLS expiry),
which the ready gates check, are recorded here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Actor, Target
from ketacare.core.codes import SessionDrug
from ketacare.core.dosing.library import list_protocols
from ketacare.core.dosing.protocol import Protocol, propose_induction_dates
from ketacare.core.dosing.rules import DeviceRule, InfusionRule
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.plausibility import DEFAULT_WINDOWS, Windows, check_event_time
from ketacare.core.session.scheduling import Booking, find_booking_conflicts
from ketacare.core.session.states import SessionState
from ketacare.db.models import (
    Chair,
    Order,
    Patient,
    SessionTransition,
    StaffCredential,
    TreatmentSession,
    User,
)
from ketacare.db.repositories import organisation as org_repo
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import session as repo
from ketacare.db.repositories import user as user_repo
from ketacare.services._access import authorized_patient, require_actor
from ketacare.services.audit import AuditContext, authorize, record_event
from ketacare.services.orders.protocols import custom_protocols, protocol_for
from ketacare.services.session._common import ENTITY, audit_session
from ketacare.services.session.gates import order_of, refuse_used_order

S = SessionState

# Booking windows that no longer hold a chair: a discharged patient has left, an aborted
# session never (or no longer) happens.
NOT_HOLDING_A_CHAIR = (S.ABORTED, S.DISCHARGED)


def _administration_minutes(protocol_rule: object, order: Order | None) -> int:
    """Planned administration time: the order's duration, else the protocol's default."""
    if isinstance(protocol_rule, DeviceRule):
        return 0  # devices are minutes apart; observation from the first device dominates
    if order is not None and order.duration_min:
        return int(order.duration_min)
    if isinstance(protocol_rule, InfusionRule) and protocol_rule.default_duration_min:
        return protocol_rule.default_duration_min
    raise Invalid(
        "session.duration_unknown",
        "this protocol has no default duration; book with a signed order that sets one",
        field="order_id",
    )


def _known_chair(db: Session, actor: Actor, chair_id: int) -> Chair:
    chair = repo.get_chair(db, chair_id, lock=True)
    if chair is None or chair.organisation_id != actor.organisation_id or not chair.active:
        raise Invalid("session.chair_unknown", f"No chair with id {chair_id}.", field="chair_id")
    return chair


def _check_staff(db: Session, actor: Actor, *, staff_user_id: int) -> None:
    staff = user_repo.get_user(db, staff_user_id)
    if staff is None or staff.organisation_id != actor.organisation_id or not staff.is_active:
        raise Invalid(
            "session.staff_unknown",
            f"No staff member with id {staff_user_id}.",
            field="staff_user_id",
        )
    if staff.role not in ("nurse", "prescriber"):
        raise Invalid(
            "session.staff_role",
            "the session's staff member must be a nurse or prescriber",
            field="staff_user_id",
        )


def _raise_conflicts(db: Session, candidate: Booking) -> None:
    existing = repo.list_overlapping_sessions(
        db,
        chair_id=int(candidate.chair_id),
        patient_id=int(candidate.patient_id),
        start=candidate.start,
        end=candidate.end,
        exclude_states=NOT_HOLDING_A_CHAIR,
    )
    others = [
        Booking(str(s.id), str(s.chair_id), str(s.patient_id), s.starts_at, s.ends_at)
        for s in existing
    ]
    # The patient's own clash is reported first: another chair will not solve it.
    conflicts = sorted(
        find_booking_conflicts(candidate, others), key=lambda c: c.kind.value != "patient"
    )
    if conflicts:
        first = conflicts[0]
        raise Conflict(
            f"session.double_booked_{first.kind.value}",
            f"the {first.kind.value} is already booked then (session {first.booking_id})",
            field="chair_id" if first.kind.value == "chair" else "starts_at",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingRequest:
    """What the front desk asks for: a patient, a protocol and a start; the rest is optional."""

    patient_id: int
    protocol_id: str
    starts_at: datetime
    chair_id: int | None = None  # None: the first chair free for the whole chair time
    staff_user_id: int | None = None  # None: the booking nurse or prescriber
    order_id: int | None = None


def book_session(
    db: Session,
    request: BookingRequest,
    *,
    at: datetime,
    ctx: AuditContext,
    windows: Windows = DEFAULT_WINDOWS,
) -> TreatmentSession:
    """Book a chair for a patient; the chair time comes from the protocol (409 if double-booked).

    Without a ``chair_id`` the first chair free for the whole chair time is taken; without a
    ``staff_user_id`` the booking person (a nurse or prescriber) is the session's staff member.

    Raises:
        Conflict: ``session.double_booked_chair`` / ``session.double_booked_patient`` /
            ``session.no_free_chair``; ``booking.order_already_used`` for an order another
            session holds.
        Invalid: unknown chair, staff, protocol or an order for another patient or protocol;
            a start outside the booking window (``ketacare.core.plausibility.times``).
    """
    patient_id, starts_at = request.patient_id, request.starts_at
    check_event_time(starts_at, at=at, window=windows.booking, field="starts_at")
    actor = require_actor(ctx)
    patient = patient_repo.get_patient(db, patient_id)
    target = Target(patient.organisation_id if patient else actor.organisation_id, patient_id)
    authorize(
        actor, Action.SCHEDULE_MANAGE, target, audit_action=AuditAction.CREATE, entity_type=ENTITY
    )
    if patient is None:
        raise NotFound("patient.not_found", f"No patient with id {patient_id}.")
    staff_id = request.staff_user_id if request.staff_user_id is not None else actor.user_id
    _check_staff(db, actor, staff_user_id=staff_id)
    protocol = protocol_for(
        db, organisation_id=actor.organisation_id, protocol_id=request.protocol_id
    )
    row = TreatmentSession(
        organisation_id=actor.organisation_id,
        patient_id=patient_id,
        staff_user_id=staff_id,
        protocol_id=protocol.id,
        drug=SessionDrug.for_drug(protocol.drug),
        order_id=request.order_id,
        starts_at=starts_at,
        ends_at=starts_at,
        state=S.SCHEDULED,
        checklist={},
        rems_answers={},
        created_by=actor.user_id,
        created_at=at,
        updated_at=at,
    )
    order = _booking_order(db, row)
    minutes = protocol.chair_time_min(_administration_minutes(protocol.dose_rule, order))
    row.ends_at = starts_at + _minutes(minutes)
    chair = _chair_for(db, actor, row, chair_id=request.chair_id, patient=patient)
    row.chair_id, row.location_id = chair.id, chair.location_id
    repo.add_row(db, row)
    repo.add_row(
        db,
        SessionTransition(
            session_id=row.id, from_state=None, to_state=row.state, actor_id=actor.user_id, at=at
        ),
    )
    audit_session(db, ctx, at, AuditAction.CREATE, row, detail=f"chair={chair.id}")
    return row


def _chair_for(
    db: Session,
    actor: Actor,
    row: TreatmentSession,
    *,
    chair_id: int | None,
    patient: Patient,
) -> Chair:
    """The named chair if free, else (no chair named) the first chair free for the booking."""
    if chair_id is not None:
        chair = _known_chair(db, actor, chair_id)
        _raise_conflicts(db, _booking(row, chair))
        return chair
    chairs = repo.list_chairs(db, organisation_id=actor.organisation_id)
    if not chairs:
        chairs = [_first_chair(db, actor, patient=patient)]
    clash: Conflict | None = None
    for chair in chairs:
        try:
            _raise_conflicts(db, _booking(row, chair))
        except Conflict as exc:
            if exc.code == "session.double_booked_patient":
                raise
            clash = exc
            continue
        return repo.get_chair(db, chair.id, lock=True) or chair
    raise Conflict(
        "session.no_free_chair",
        "every chair is booked for that time; choose another time or chair",
        field="starts_at",
    ) from clash


def _booking(row: TreatmentSession, chair: Chair) -> Booking:
    return Booking("new", str(chair.id), str(row.patient_id), row.starts_at, row.ends_at)


def _first_chair(db: Session, actor: Actor, *, patient: Patient) -> Chair:
    """A clinic that has not configured chairs yet gets one, so booking works from day one.

    It sits at the patient's location (or the organisation's first); admins add and rename
    chairs with ``POST /api/v1/chairs``.
    """
    locations = org_repo.list_locations(db, organisation_id=actor.organisation_id)
    location_id = patient.location_id or (locations[0].id if locations else None)
    if location_id is None:
        raise Invalid("session.no_location", "the organisation has no location", field="chair_id")
    return repo.add_row(
        db,
        Chair(
            organisation_id=actor.organisation_id,
            location_id=location_id,
            name="Chair 1",
            active=True,
        ),
    )


def add_chair(
    db: Session, *, name: str, location_id: int | None, at: datetime, ctx: AuditContext
) -> Chair:
    """An admin adds a treatment chair to one of the organisation's locations."""
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.CONFIG_MANAGE,
        None,
        audit_action=AuditAction.CREATE,
        entity_type=AuditEntity.CHAIR,
    )
    locations = org_repo.list_locations(db, organisation_id=actor.organisation_id)
    by_id = {loc.id: loc for loc in locations}
    chosen = (
        by_id.get(location_id) if location_id is not None else (locations[0] if locations else None)
    )
    if chosen is None:
        raise Invalid(
            "chair.location_unknown", "no such location in your organisation", field="location_id"
        )
    if repo.get_chair_by_name(db, location_id=chosen.id, name=name) is not None:
        raise Conflict("chair.name_taken", f"{name} exists at this location", field="name")
    chair = repo.add_row(
        db,
        Chair(organisation_id=actor.organisation_id, location_id=chosen.id, name=name, active=True),
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type=AuditEntity.CHAIR,
        entity_id=chair.id,
    )
    return chair


def _minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def _booking_order(db: Session, row: TreatmentSession) -> Order | None:
    if row.order_id is None:
        return None
    order = order_of(db, row)
    if order is None or order.patient_id != row.patient_id:
        raise Invalid(
            "session.order_unknown", f"No order {row.order_id} for this patient.", field="order_id"
        )
    if order.protocol_id != row.protocol_id:
        raise Invalid(
            "session.order_protocol_mismatch",
            "the order is for a different protocol",
            field="order_id",
        )
    refuse_used_order(db, order_id=order.id)
    return order


def proposed_dates(
    db: Session,
    *,
    patient_id: int,
    protocol_id: str,
    start: date,
    template_id: str | None,
    ctx: AuditContext,
) -> list[date]:
    """Induction dates from the protocol's schedule template (suggestions to book)."""
    actor = require_actor(ctx)
    authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=Action.SCHEDULE_MANAGE,
        audit_action=AuditAction.READ,
        entity_type=ENTITY,
    )
    protocol = protocol_for(db, organisation_id=actor.organisation_id, protocol_id=protocol_id)
    return propose_induction_dates(protocol, start, template_id=template_id)


def list_patient_sessions(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> list[TreatmentSession]:
    actor = require_actor(ctx)
    authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=Action.PATIENT_READ,
        audit_action=AuditAction.READ,
        entity_type=ENTITY,
    )
    rows = repo.list_patient_sessions(db, patient_id=patient_id)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type=AuditEntity.TREATMENT_SESSION_LIST,
        entity_id=None,
        patient_id=patient_id,
        detail=f"results={len(rows)}",
    )
    return rows


def list_chairs(db: Session, *, ctx: AuditContext) -> list[Chair]:
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.SCHEDULE_MANAGE,
        None,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.CHAIR,
    )
    return repo.list_chairs(db, organisation_id=actor.organisation_id)


def booking_choices(
    db: Session, *, ctx: AuditContext
) -> tuple[list[Chair], list[Protocol], list[User]]:
    """Chairs, protocols and session staff (nurses, prescribers) to book with."""
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.SCHEDULE_MANAGE,
        None,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.CHAIR,
    )
    staff = [
        u
        for u in user_repo.list_users(db, organisation_id=actor.organisation_id)
        if u.is_active and u.role in ("nurse", "prescriber")
    ]
    protocols = list_protocols(custom_protocols(db, organisation_id=actor.organisation_id))
    return repo.list_chairs(db, organisation_id=actor.organisation_id), protocols, staff


def record_staff_credential(
    db: Session,
    *,
    user_id: int,
    credential: str,
    expires_on: date,
    at: datetime,
    ctx: AuditContext,
) -> StaffCredential:
    """Record a staff credential (ACLS) with its expiry; clinic admins do this."""
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.CONFIG_MANAGE,
        None,
        audit_action=AuditAction.CREATE,
        entity_type=AuditEntity.STAFF_CREDENTIAL,
    )
    user = user_repo.get_user(db, user_id)
    if user is None or user.organisation_id != actor.organisation_id:
        raise Invalid("credential.user_unknown", f"No staff member {user_id}.", field="user_id")
    row = repo.add_row(
        db,
        StaffCredential(
            user_id=user_id, credential=credential, expires_on=expires_on, recorded_at=at
        ),
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type=AuditEntity.STAFF_CREDENTIAL,
        entity_id=row.id,
    )
    return row
