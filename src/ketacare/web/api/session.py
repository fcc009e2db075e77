"""JSON API of the treatment session at the chair.

A refused gate is a 409 whose body lists every failure (``failures[{code, message}]``), so the
tablet can show the nurse exactly what is missing. Posts that a flaky tablet may retry (book,
vitals, administration) honour ``Idempotency-Key``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ketacare.core.session.administration import AmountUnit
from ketacare.core.session.model import AdministrationKind
from ketacare.services.session import administration as admin_service
from ketacare.services.session import booking as booking_service
from ketacare.services.session import lifecycle as svc
from ketacare.services.session import records as records_service
from ketacare.services.session import vitals as vitals_service
from ketacare.services.session.booking import BookingRequest
from ketacare.services.session.override import Override
from ketacare.web import idempotency
from ketacare.web.deps import ApiAuth, Auth, Db, State
from ketacare.web.schemas.common import PathId, PlainText
from ketacare.web.schemas.errors import API_ERRORS
from ketacare.web.schemas.session import (
    AckCreate,
    AdministrationCreate,
    AdverseEventCreate,
    AdverseEventRead,
    AlertRead,
    ChairCreate,
    ChairRead,
    ChecklistUpdate,
    ChecksUpdate,
    GateFailureRead,
    ObservationCreate,
    ObservationRead,
    SessionCreate,
    SessionDetailRead,
    SessionRead,
    TotalsRead,
    TransitionCreate,
    VitalsCreate,
    VitalsRead,
    VitalsSaved,
)

router = APIRouter(prefix="/api/v1", tags=["sessions"], responses=API_ERRORS)


def detail_read(detail: svc.SessionDetail) -> SessionDetailRead:
    base = SessionRead.model_validate(detail.session).model_dump()
    totals = None
    if detail.totals is not None:
        t = detail.totals
        totals = TotalsRead(
            total_mg=t.total_mg,
            infusion_mg=t.infusion_mg,
            bolus_mg=t.bolus_mg,
            device_mg=t.device_mg,
            total_ml=t.total_ml,
            running_minutes=(Decimal(int(t.running_time.total_seconds())) / 60).quantize(
                Decimal("0.1")
            ),
        )
    return SessionDetailRead.model_validate(
        {
            **base,
            "transitions": detail.transitions,
            "vitals": detail.vitals,
            "alerts": detail.alerts,
            "administration": detail.administration,
            "observations": detail.observations,
            "adverse_events": detail.adverse_events,
            "totals": totals,
            "next_vitals_due": detail.next_vitals_due,
            "vitals_overdue": detail.vitals_overdue,
        },
        from_attributes=True,
    )


def _idempotent(
    request: Request,
    db: Db,
    auth: Auth,
    body: BaseModel,
    status: int,
    work: Callable[[], Any],
) -> JSONResponse:
    replayed = idempotency.replay(request, db, auth, body)
    if replayed is not None:
        return replayed
    return idempotency.respond(request, db, auth, body, status, work())


# --- booking ---------------------------------------------------------------------------------


@router.post("/patients/{patient_id}/sessions", status_code=201, response_model=SessionRead)
def book_session(
    patient_id: PathId, body: SessionCreate, request: Request, db: Db, auth: ApiAuth
) -> JSONResponse:
    """Book a chair; chair time comes from the protocol. 409 ``session.double_booked_*``."""

    def work() -> SessionRead:
        row = booking_service.book_session(
            db,
            BookingRequest(
                patient_id=patient_id,
                protocol_id=body.protocol_id,
                chair_id=body.chair_id,
                starts_at=body.starts_at,
                staff_user_id=body.staff_user_id,
                order_id=body.order_id,
            ),
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )
        return SessionRead.model_validate(row)

    return _idempotent(request, db, auth, body, 201, work)


@router.get("/patients/{patient_id}/sessions", response_model=list[SessionRead])
def list_sessions(patient_id: PathId, db: Db, auth: ApiAuth) -> list[SessionRead]:
    rows = booking_service.list_patient_sessions(
        db, patient_id=patient_id, at=auth.at, ctx=auth.ctx
    )
    return [SessionRead.model_validate(r) for r in rows]


@router.get("/patients/{patient_id}/sessions/proposed-dates", response_model=list[date])
def proposed_dates(
    patient_id: PathId,
    db: Db,
    auth: ApiAuth,
    protocol_id: Annotated[str, Query(min_length=1, max_length=80), PlainText],
    start: date,
    template_id: Annotated[str | None, Query(max_length=80), PlainText] = None,
) -> list[date]:
    """Induction session dates proposed by the protocol's schedule template."""
    return booking_service.proposed_dates(
        db,
        patient_id=patient_id,
        protocol_id=protocol_id,
        start=start,
        template_id=template_id,
        ctx=auth.ctx,
    )


@router.get("/chairs", response_model=list[ChairRead])
def chairs(db: Db, auth: ApiAuth) -> list[ChairRead]:
    return [ChairRead.model_validate(c) for c in booking_service.list_chairs(db, ctx=auth.ctx)]


@router.post("/chairs", status_code=201, response_model=ChairRead)
def add_chair(body: ChairCreate, db: Db, auth: ApiAuth) -> ChairRead:
    """Add a treatment chair (clinic admin); without a location, the organisation's first."""
    chair = booking_service.add_chair(
        db, name=body.name, location_id=body.location_id, at=auth.at, ctx=auth.ctx
    )
    return ChairRead.model_validate(chair)


# --- the session -----------------------------------------------------------------------------


@router.get("/sessions/{session_id}", response_model=SessionDetailRead)
def read_session(session_id: PathId, db: Db, auth: ApiAuth) -> SessionDetailRead:
    """State, version, alerts, vitals, transitions, administration, totals and cadence."""
    return detail_read(svc.get_session_detail(db, session_id=session_id, at=auth.at, ctx=auth.ctx))


@router.post("/sessions/{session_id}/transitions", response_model=SessionDetailRead)
def transition(
    session_id: PathId, body: TransitionCreate, db: Db, auth: ApiAuth
) -> SessionDetailRead:
    """Move the state machine. 409: ``session.illegal_transition``, ``session.gate_refused``
    (with ``failures``), ``session.discharge_refused``, ``session.version_conflict``."""
    row = svc.transition_session(
        db,
        session_id=session_id,
        to=body.to,
        reason=body.reason,
        expected_version=body.version,
        at=auth.at,
        ctx=auth.ctx,
        rate_ml_per_h=body.rate_ml_per_h,
        confirm_less_than_ordered=body.confirm_less_than_ordered,
    )
    return detail_read(svc.build_detail(db, row, at=auth.at))


@router.get("/sessions/{session_id}/ready-check", response_model=list[GateFailureRead])
def ready_check(session_id: PathId, db: Db, auth: ApiAuth) -> list[GateFailureRead]:
    """What the ready gates still refuse (empty list: the session may become ready)."""
    found = svc.ready_readiness(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    return [GateFailureRead(code=f.code, message=f.message) for f in found]


@router.get("/sessions/{session_id}/discharge-check", response_model=list[GateFailureRead])
def discharge_check(session_id: PathId, db: Db, auth: ApiAuth) -> list[GateFailureRead]:
    found = svc.discharge_readiness(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    return [GateFailureRead(code=f.code, message=f.message) for f in found]


@router.post("/sessions/{session_id}/vitals", status_code=201, response_model=VitalsSaved)
def add_vitals(
    session_id: PathId, body: VitalsCreate, request: Request, db: Db, auth: ApiAuth
) -> JSONResponse:
    """Save a reading (any subset, at least one) and return the alerts it raised."""

    def work() -> VitalsSaved:
        result = vitals_service.record_vitals(
            db,
            session_id=session_id,
            measured_at=body.measured_at,
            values=body.model_dump(exclude={"measured_at", "symptoms"}),
            symptoms=body.symptoms,
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )
        return VitalsSaved(
            vitals=VitalsRead.model_validate(result.vitals),
            alerts=[AlertRead.model_validate(a) for a in result.alerts],
        )

    return _idempotent(request, db, auth, body, 201, work)


@router.post("/sessions/{session_id}/alerts/{alert_id}/ack", response_model=AlertRead)
def acknowledge(
    session_id: PathId, alert_id: PathId, body: AckCreate, db: Db, auth: ApiAuth
) -> AlertRead:
    """Acknowledge an alert; alerts that call the prescriber need a prescriber."""
    alert = vitals_service.acknowledge_alert(
        db, session_id=session_id, alert_id=alert_id, note=body.note, at=auth.at, ctx=auth.ctx
    )
    return AlertRead.model_validate(alert)


@router.post("/sessions/{session_id}/bp-acknowledgement", response_model=SessionRead)
def bp_acknowledgement(session_id: PathId, body: AckCreate, db: Db, auth: ApiAuth) -> SessionRead:
    """A prescriber accepts a raised pre-dose BP after weighing risk and benefit."""
    row = vitals_service.acknowledge_predose_bp(
        db, session_id=session_id, note=body.note, at=auth.at, ctx=auth.ctx
    )
    return SessionRead.model_validate(row)


@router.patch("/sessions/{session_id}/checks", response_model=SessionRead)
def checks(session_id: PathId, body: ChecksUpdate, db: Db, auth: ApiAuth) -> SessionRead:
    """Pre-dose confirmations: NPO, escort or transport, pregnancy status on the day, and the
    esketamine label's pre-dose instructions."""
    row = records_service.record_checks(
        db,
        session_id=session_id,
        npo_confirmed=body.npo_confirmed,
        escort_arranged=body.escort_arranged,
        pregnancy_status=body.pregnancy_status,
        predose_instructions=body.predose_instructions,
        expected_version=body.version,
        at=auth.at,
        ctx=auth.ctx,
    )
    return SessionRead.model_validate(row)


@router.patch("/sessions/{session_id}/discharge-checklist", response_model=SessionRead)
def discharge_checklist(
    session_id: PathId, body: ChecklistUpdate, db: Db, auth: ApiAuth
) -> SessionRead:
    values = body.model_dump(exclude_none=True, exclude={"version"})
    extra = ("on_supplemental_oxygen", "escort_confirmed", "no_driving_acknowledged")
    row = records_service.record_discharge_checklist(
        db,
        session_id=session_id,
        items={k: v for k, v in values.items() if k not in extra},
        on_supplemental_oxygen=body.on_supplemental_oxygen,
        escort_confirmed=body.escort_confirmed,
        no_driving_acknowledged=body.no_driving_acknowledged,
        expected_version=body.version,
        at=auth.at,
        ctx=auth.ctx,
    )
    return SessionRead.model_validate(row)


def administration_entry(body: AdministrationCreate) -> admin_service.AdministrationEntry:
    """The service's entry from the API schema (the chair page parses its form with it too)."""
    override = None
    if body.override is not None:
        override = Override(
            reason=body.override.reason,
            password=body.override.password.get_secret_value(),
            prescriber_email=body.override.prescriber_email or None,
        )
    return admin_service.AdministrationEntry(
        kind=AdministrationKind(body.kind),
        occurred_at=body.at,
        rate_ml_per_h=body.rate_ml_per_h,
        amount=body.amount,
        amount_unit=None if body.amount_unit is None else AmountUnit(body.amount_unit),
        lot_number=body.lot_number,
        reason=body.reason,
        override=override,
        confirm_less_than_ordered=body.confirm_less_than_ordered,
        corrects_id=body.corrects_id,
    )


@router.post(
    "/sessions/{session_id}/administration", status_code=201, response_model=SessionDetailRead
)
def administration(
    session_id: PathId,
    body: AdministrationCreate,
    request: Request,
    db: Db,
    state: State,
    auth: ApiAuth,
) -> JSONResponse:
    """Chart start/pause/resume/stop (moves the state), rate change, bolus, device, or strike out
    a line entered in error (``entered_in_error`` with ``corrects_id`` and a reason).

    Checked against the signed order and the protocol's hard limits as it is entered:

    - 422 ``administration.hard_limit_rate`` / ``hard_limit_bolus`` / ``hard_limit_total``:
      beyond a hard limit, never overridable;
    - 409 ``administration.beyond_order_rate`` / ``beyond_order_total`` / ``beyond_order_bolus``
      / ``beyond_order_devices``: beyond the order without ``override`` (a prescriber's e-mail
      and password, or the signed-in prescriber's password, and a reason);
    - 403 when the override's prescriber cannot be verified (audited, nothing written);
    - 409 ``administration.less_than_ordered``: ``stop`` short of the order without
      ``confirm_less_than_ordered: true`` and a reason; ``administration.no_device_given``;
    - 422 ``administration.reason_required``: a rate change or a correction without a reason;
      ``administration.device_interval_too_short``: esketamine devices less than 5 minutes apart.
    """
    entry = administration_entry(body)

    def work() -> SessionDetailRead:
        row = admin_service.record_administration(
            db,
            session_id=session_id,
            entry=entry,
            expected_version=body.version,
            at=auth.at,
            ctx=auth.ctx,
            hasher=state.hasher,
            windows=auth.windows,
        )
        return detail_read(svc.build_detail(db, row, at=auth.at))

    return _idempotent(request, db, auth, body, 201, work)


@router.post("/sessions/{session_id}/observations", status_code=201, response_model=ObservationRead)
def observation(
    session_id: PathId, body: ObservationCreate, db: Db, auth: ApiAuth
) -> ObservationRead:
    """A CADSS, MOAA/S, Aldrete or PADSS rating (scored by the assessments engine) or a note."""
    row = records_service.record_observation(
        db,
        session_id=session_id,
        instrument_id=body.instrument_id,
        answers=body.answers,
        text=body.text,
        observed_at=body.observed_at,
        at=auth.at,
        ctx=auth.ctx,
        windows=auth.windows,
    )
    return ObservationRead.model_validate(row)


@router.post(
    "/sessions/{session_id}/adverse-events", status_code=201, response_model=AdverseEventRead
)
def adverse_event(
    session_id: PathId, body: AdverseEventCreate, db: Db, auth: ApiAuth
) -> AdverseEventRead:
    """Record an adverse event; a serious one raises a prescriber alert on the floor view."""
    row = records_service.record_adverse_event(
        db,
        session_id=session_id,
        entry=records_service.AdverseEventEntry(**body.model_dump()),
        at=auth.at,
        ctx=auth.ctx,
        windows=auth.windows,
    )
    return AdverseEventRead.model_validate(row)
