"""The administration record at the chair, bound by the signed order.

Start, pause, resume and stop move the state machine (``services.session.lifecycle``); rate changes,
boluses and devices are checked against the signed order and the protocol's hard ceilings by
the core (``ketacare.core.session.administration_limits``) before they are stored. A line beyond
the order needs a prescriber's override, re-authenticated at the chair; a line entered in error
is struck out by a new ``entered_in_error`` line that points at it, never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.orders import OrderStatus
from ketacare.core.plausibility import DEFAULT_WINDOWS, Windows, check_event_time
from ketacare.core.session.administration import AmountUnit, DeviceUse, add_device
from ketacare.core.session.administration_limits import (
    check_bolus,
    check_device,
    check_rate_change,
)
from ketacare.core.session.model import AdministrationKind
from ketacare.core.session.states import SessionState
from ketacare.db.models import AdministrationEvent, TreatmentSession, User
from ketacare.db.repositories import session as repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.session._common import audit_session, check_version, load_session
from ketacare.services.session.binding import (
    given_so_far,
    is_esketamine,
    ordered_dose,
    session_ceilings,
    signed_order,
)
from ketacare.services.session.facts import struck_out_ids
from ketacare.services.session.gates import order_of
from ketacare.services.session.lifecycle import transition_session
from ketacare.services.session.override import Override, verify_override

S = SessionState
K = AdministrationKind
E = TypeVar("E", bound=StrEnum)

MOVES = {K.START: S.INFUSING, K.RESUME: S.INFUSING, K.PAUSE: S.PAUSED, K.STOP: S.RECOVERING}


@dataclass(frozen=True)
class AdministrationEntry:
    kind: AdministrationKind
    occurred_at: datetime | None = None
    rate_ml_per_h: Decimal | None = None
    amount: Decimal | None = None
    amount_unit: AmountUnit | None = None
    lot_number: str | None = None
    reason: str | None = None
    override: Override | None = None
    confirm_less_than_ordered: bool = False
    corrects_id: int | None = None

    def __post_init__(self) -> None:
        # Callers other than the API (the demo, scripts) may spell the codes as strings.
        object.__setattr__(self, "kind", _code(AdministrationKind, self.kind, "kind"))
        if self.amount_unit is not None:
            unit = _code(AmountUnit, self.amount_unit, "amount_unit")
            object.__setattr__(self, "amount_unit", unit)


def _code(enum: type[E], value: str, field: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise Invalid(
            f"administration.unknown_{field}", f"unknown {field} {value}", field=field
        ) from None


def record_administration(
    db: Session,
    *,
    session_id: int,
    entry: AdministrationEntry,
    expected_version: int | None,
    at: datetime,
    ctx: AuditContext,
    hasher: PasswordHasher | None = None,
    windows: Windows = DEFAULT_WINDOWS,
) -> TreatmentSession:
    """Chart one administration line. Start/pause/resume/stop move the state machine too.

    Raises:
        RuleViolation: beyond a hard ceiling (``administration.hard_limit_*``), devices too close.
        Conflict: beyond the order without an override (``administration.beyond_order_*``);
            stopping short without confirmation (``administration.less_than_ordered``); the
            session is not infusing for a rate change, bolus or device.
        AccessDenied: the override's prescriber could not be verified (403, audited).
    """
    if entry.kind in MOVES:
        return transition_session(
            db,
            session_id=session_id,
            to=MOVES[entry.kind],
            reason=entry.reason,
            expected_version=expected_version,
            at=at,
            ctx=ctx,
            rate_ml_per_h=entry.rate_ml_per_h,
            confirm_less_than_ordered=entry.confirm_less_than_ordered,
        )
    if entry.kind == K.ENTERED_IN_ERROR:
        return _record_correction(
            db,
            session_id=session_id,
            entry=entry,
            expected_version=expected_version,
            at=at,
            ctx=ctx,
        )
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.CREATE
    )
    check_version(row, expected_version)
    if S(row.state) is not S.INFUSING:
        raise Conflict(
            "administration.not_infusing",
            f"{entry.kind.replace('_', ' ')} needs the session to be infusing (it is {row.state})",
            field="state",
        )
    when = entry.occurred_at or at
    check_event_time(when, at=at, window=windows.charted, field="at")
    if when > at:
        raise Invalid("administration.in_future", "the time is in the future", field="at")
    beyond = _check_entry(db, row, entry, when)
    prescriber = _override_by(db, row, entry, beyond, hasher=hasher, at=at, ctx=ctx)
    event = _store_line(
        db, row, entry, when=when, beyond=beyond, prescriber=prescriber, at=at, ctx=ctx
    )
    audit_session(db, ctx, at, AuditAction.CREATE, row, detail=f"administration={entry.kind}")
    if prescriber is not None:
        audit_session(
            db,
            ctx,
            at,
            AuditAction.EXECUTE,
            row,
            detail=f"override by user {prescriber.id}: {','.join(beyond)}",
            entity_type=AuditEntity.ADMINISTRATION_OVERRIDE,
            entity_id=event.id,
        )
    return row


def _store_line(
    db: Session,
    row: TreatmentSession,
    entry: AdministrationEntry,
    *,
    when: datetime,
    beyond: tuple[str, ...],
    prescriber: User | None,
    at: datetime,
    ctx: AuditContext,
) -> AdministrationEvent:
    """Append the checked line (with the override's who, when, why and limits, if any)."""
    event = repo.add_row(
        db,
        AdministrationEvent(
            session_id=row.id,
            kind=entry.kind,
            at=when,
            rate_ml_per_h=entry.rate_ml_per_h,
            amount=entry.amount,
            amount_unit=entry.amount_unit,
            lot_number=entry.lot_number,
            reason=(entry.reason or "").strip() or None,
            recorded_by=require_actor(ctx).user_id,
            recorded_at=at,
            override_by=prescriber.id if prescriber else None,
            override_at=at if prescriber else None,
            override_reason=_override_reason(entry) if prescriber else None,
            override_codes=",".join(beyond) if prescriber else None,
        ),
    )
    if entry.kind == K.DEVICE and (
        row.first_administration_at is None or when < row.first_administration_at
    ):
        row.first_administration_at = when
    if entry.kind == K.DEVICE:
        # Esketamine: the order is given with its first device, not when "dosing" starts, so a
        # session aborted before any device leaves the order signed for a new booking.
        order = order_of(db, row)
        if order is not None and order.status == OrderStatus.SIGNED:
            order_service.mark_order_given(db, order_id=order.id, at=at, ctx=ctx)
    row.updated_at = at
    db.flush()
    return event


def _override_reason(entry: AdministrationEntry) -> str | None:
    return entry.override.reason.strip() if entry.override else None


def _override_by(
    db: Session,
    row: TreatmentSession,
    entry: AdministrationEntry,
    beyond: tuple[str, ...],
    *,
    hasher: PasswordHasher | None,
    at: datetime,
    ctx: AuditContext,
) -> User | None:
    """The verified prescriber when the line goes beyond the order (else ``None``)."""
    if not beyond or entry.override is None:
        return None
    return verify_override(db, row=row, override=entry.override, hasher=hasher, at=at, ctx=ctx)


def _check_entry(
    db: Session, row: TreatmentSession, entry: AdministrationEntry, when: datetime
) -> tuple[str, ...]:
    """Check one line against the order and the ceilings; return the order limits it exceeds."""
    order = signed_order(db, row)
    events = repo.list_administration(db, session_id=row.id)
    given = given_so_far(events, order, at=when)
    overridden = entry.override is not None
    if entry.kind == K.DEVICE:
        if not is_esketamine(row):
            raise Invalid("administration.device_iv", "devices are for esketamine", field="kind")
        struck = {e.corrects_id for e in events}
        devices = [
            DeviceUse(e.at, e.lot_number)
            for e in events
            if e.kind == K.DEVICE and e.id not in struck
        ]
        add_device(devices, DeviceUse(when, entry.lot_number))
        return check_device(ordered_dose(order), given, overridden=overridden)
    if is_esketamine(row):
        raise Invalid(
            "administration.not_for_devices", f"{entry.kind} is for infusions", field="kind"
        )
    ceilings = session_ceilings(db, row, order)
    if entry.kind == K.RATE_CHANGE:
        if entry.rate_ml_per_h is None:
            raise Invalid(
                "administration.rate_required", "give the new rate in mL/h", field="rate_ml_per_h"
            )
        if not (entry.reason or "").strip():
            raise Invalid(
                "administration.reason_required", "a rate change needs a reason", field="reason"
            )
        return check_rate_change(
            ordered_dose(order),
            given,
            ceilings,
            rate_ml_per_h=entry.rate_ml_per_h,
            overridden=overridden,
        )
    dose = ordered_dose(order)
    bolus_mg = _bolus_mg(entry, concentration=dose.concentration_mg_per_ml)
    return check_bolus(dose, given, ceilings, bolus_mg=bolus_mg, overridden=overridden)


def _bolus_mg(entry: AdministrationEntry, *, concentration: Decimal | None) -> Decimal:
    amount = entry.amount or Decimal(0)
    if entry.amount_unit != AmountUnit.ML:
        return amount
    if concentration is None:
        raise Invalid(
            "administration.concentration_required",
            "an amount in mL needs the order's concentration; chart the bolus in mg",
            field="amount_unit",
        )
    return amount * concentration


def _record_correction(
    db: Session,
    *,
    session_id: int,
    entry: AdministrationEntry,
    expected_version: int | None,
    at: datetime,
    ctx: AuditContext,
) -> TreatmentSession:
    """Strike out a line entered in error: a new line pointing at it; the original is kept."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.CREATE
    )
    check_version(row, expected_version)
    if S(row.state) in (S.DISCHARGED, S.ABORTED):
        raise Conflict("session.closed", f"the session is {row.state}", field="state")
    reason = (entry.reason or "").strip()
    if not reason:
        raise Invalid(
            "administration.reason_required", "a correction needs a reason", field="reason"
        )
    events = repo.list_administration(db, session_id=row.id)
    original = next((e for e in events if e.id == entry.corrects_id), None)
    if original is None:
        raise NotFound(
            "administration.entry_not_found",
            f"no administration line {entry.corrects_id} in this session",
            field="corrects_id",
        )
    if not original.kind.correctable:
        raise Conflict(
            "administration.not_correctable",
            f"a {original.kind} line moves the session and cannot be struck out",
            field="corrects_id",
        )
    if any(e.corrects_id == original.id for e in events):
        raise Conflict(
            "administration.already_corrected",
            "that line is already marked entered in error",
            field="corrects_id",
        )
    event = repo.add_row(
        db,
        AdministrationEvent(
            session_id=row.id,
            kind=K.ENTERED_IN_ERROR,
            at=at,
            reason=reason,
            corrects_id=original.id,
            recorded_by=require_actor(ctx).user_id,
            recorded_at=at,
        ),
    )
    if original.kind == K.DEVICE:
        # The observation clock runs from the first device that was really given.
        struck = struck_out_ids(events) | {original.id}
        given = [e.at for e in events if e.kind == K.DEVICE and e.id not in struck]
        row.first_administration_at = min(given, default=None)
    row.updated_at = at
    db.flush()
    audit_session(
        db,
        ctx,
        at,
        AuditAction.UPDATE,
        row,
        detail=f"administration {original.id} entered in error",
        entity_type=AuditEntity.ADMINISTRATION_EVENT,
        entity_id=event.id,
    )
    return row
