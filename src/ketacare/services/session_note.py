"""The session note: everything charted for one session, read-only, in the location's time.

The note is plain data assembled from the session's rows (vitals, administration record,
ratings, adverse events, alerts and their acknowledgements, checks, checklist, state log, the
REMS form's status for esketamine and the prescriber's signature). Times are shown in the
location's own time zone (``Location.timezone``), as the clinic reads its day. Who may sign and
when is the core's rule (``ketacare.core.session.note``); signing is in
``services.session_note_sign`` and the PDF in ``services.session_note_pdf``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction
from ketacare.core.authz import Action
from ketacare.core.session.model import SessionDrug
from ketacare.core.session.note import SIGNABLE_STATES
from ketacare.core.session.rems import build_rems_form
from ketacare.core.session.states import SessionState
from ketacare.db.models import TreatmentSession
from ketacare.db.repositories import organisation as org_repo
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import session as repo
from ketacare.services import rems as rems_service
from ketacare.services.audit import AuditContext
from ketacare.services.session_common import audit_session, load_session
from ketacare.services.session_facts import totals_of
from ketacare.services.session_gates import CHECKLIST_ITEMS, order_of
from ketacare.services.session_schedule import location_zone

ENTITY = "SessionNote"


@dataclass(frozen=True)
class NoteVitals:
    at: datetime
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    respiratory_rate: int | None
    symptoms: tuple[str, ...]
    phase: str
    recorded_by: str


@dataclass(frozen=True)
class NoteAdministration:
    at: datetime
    kind: str
    rate_ml_per_h: Decimal | None
    amount: Decimal | None
    amount_unit: str | None
    lot_number: str | None
    reason: str | None
    recorded_by: str


@dataclass(frozen=True)
class NoteTotals:
    total_mg: Decimal
    infusion_mg: Decimal
    bolus_mg: Decimal
    device_mg: Decimal
    total_ml: Decimal | None
    running_minutes: Decimal


@dataclass(frozen=True)
class NoteRating:
    """A chair rating (instrument and total) or a free observation (text only)."""

    at: datetime
    instrument_id: str | None
    total: Decimal | None
    text: str | None
    recorded_by: str


@dataclass(frozen=True)
class NoteAdverseEvent:
    onset_at: datetime
    category: str
    severity: str
    serious: bool
    actions_taken: str
    outcome: str
    recorded_by: str


@dataclass(frozen=True)
class NoteAlert:
    raised_at: datetime
    tier: str
    code: str
    message: str
    recommended_action: str
    call_prescriber: bool
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ack_note: str | None


@dataclass(frozen=True)
class NoteAcknowledgement:
    at: datetime
    by: str
    note: str | None


@dataclass(frozen=True)
class NoteTransition:
    at: datetime
    from_state: str | None
    to_state: str
    by: str
    reason: str | None


@dataclass(frozen=True)
class NoteRems:
    """The Spravato REMS Patient Monitoring Form: complete, missing fields, or submitted."""

    status: str
    missing: tuple[str, ...]
    problems: tuple[str, ...]
    submitted_at: datetime | None
    submitted_by: str | None


@dataclass(frozen=True)
class NoteSignature:
    signed_by: str
    signed_at: datetime
    content_sha256: str


@dataclass(frozen=True)
class NoteOrder:
    order_id: int
    dose_mg: Decimal
    duration_min: int
    rate_ml_per_h: Decimal | None
    status: str


@dataclass(frozen=True)
class SessionNote:
    """Everything charted for one session; times in ``timezone``."""

    session_id: int
    state: str
    patient_id: int
    patient_name: str
    mrn: str
    date_of_birth: date | None
    protocol_id: str
    drug: str
    location: str
    timezone: str
    chair: str
    staff: str
    starts_at: datetime
    first_administration_at: datetime | None
    administration_ended_at: datetime | None
    ended_at: datetime | None
    order: NoteOrder | None
    npo_confirmed: bool
    escort_arranged: bool
    pregnancy_status: str | None
    bp_acknowledgement: NoteAcknowledgement | None
    checklist: tuple[tuple[str, bool], ...]
    on_supplemental_oxygen: bool
    escort_confirmed: bool
    no_driving_acknowledged: bool
    vitals: tuple[NoteVitals, ...]
    administration: tuple[NoteAdministration, ...]
    totals: NoteTotals | None
    ratings: tuple[NoteRating, ...]
    adverse_events: tuple[NoteAdverseEvent, ...]
    alerts: tuple[NoteAlert, ...]
    transitions: tuple[NoteTransition, ...]
    rems: NoteRems | None
    signature: NoteSignature | None
    signable: bool


def content_digest(note: SessionNote) -> str:
    """SHA-256 of what the note shows, without its signature: signed content is fixed."""
    content = dataclasses.replace(note, signature=None, signable=False)
    text = json.dumps(dataclasses.asdict(content), default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class _Names:
    """User names by id, loaded once per note (the note shows who did what)."""

    def __init__(self, db: Session, ids: set[int]) -> None:
        self._names = {u.id: u.full_name for u in repo.list_users(db, user_ids=ids)}

    def __call__(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        return self._names.get(user_id, f"user #{user_id}")


def _local(value: datetime | None, zone: tzinfo) -> datetime | None:
    return None if value is None else value.astimezone(zone)


def _place(db: Session, row: TreatmentSession) -> tuple[str, tzinfo]:
    for location in org_repo.list_locations(db, organisation_id=row.organisation_id):
        if location.id == row.location_id:
            return location.name, location_zone(location.timezone)
    return f"location #{row.location_id}", location_zone("UTC")


def _rems(db: Session, row: TreatmentSession, names: _Names, *, at: datetime) -> NoteRems | None:
    if row.drug != SessionDrug.ESKETAMINE_NASAL.value:
        return None
    form = build_rems_form(rems_service.session_facts(db, row, at=at))
    if row.rems_submitted_at is not None:
        status = "submitted"
    else:
        status = "complete" if form.complete else "incomplete"
    return NoteRems(
        status=status,
        missing=form.missing,
        problems=tuple(p.message for p in form.problems),
        submitted_at=row.rems_submitted_at,
        submitted_by=names(row.rems_submitted_by) or None,
    )


def _totals(db: Session, row: TreatmentSession, *, at: datetime) -> NoteTotals | None:
    events = repo.list_administration(db, session_id=row.id)
    totals = totals_of(events, order_of(db, row), at=row.ended_at or at)
    if totals is None:
        return None
    minutes = Decimal(int(totals.running_time.total_seconds())) / 60
    return NoteTotals(
        total_mg=totals.total_mg,
        infusion_mg=totals.infusion_mg,
        bolus_mg=totals.bolus_mg,
        device_mg=totals.device_mg,
        total_ml=totals.total_ml,
        running_minutes=minutes.quantize(Decimal("0.1")),
    )


def _user_ids(db: Session, row: TreatmentSession) -> set[int]:
    sid = row.id
    ids = {row.staff_user_id, row.created_by}
    ids |= {v.recorded_by for v in repo.list_vitals(db, session_id=sid)}
    ids |= {e.recorded_by for e in repo.list_administration(db, session_id=sid)}
    ids |= {o.recorded_by for o in repo.list_observations(db, session_id=sid)}
    ids |= {e.recorded_by for e in repo.list_adverse_events(db, session_id=sid)}
    ids |= {t.actor_id for t in repo.list_transitions(db, session_id=sid)}
    ids |= {a.acknowledged_by for a in repo.list_alerts(db, session_id=sid) if a.acknowledged_by}
    signature = repo.get_note_signature(db, session_id=sid)
    optional = (row.bp_ack_by, row.rems_submitted_by, signature.signed_by if signature else None)
    return ids | {i for i in optional if i is not None}


def build_note(db: Session, row: TreatmentSession, *, at: datetime) -> SessionNote:
    """Assemble a session's note (no authorisation or audit: callers do that)."""
    names = _Names(db, _user_ids(db, row))
    location, zone = _place(db, row)
    patient = patient_repo.get_patient(db, row.patient_id)
    chair = repo.get_chair(db, row.chair_id)
    order = order_of(db, row)
    signature = repo.get_note_signature(db, session_id=row.id)
    sid = row.id
    return SessionNote(
        session_id=sid,
        state=row.state,
        patient_id=row.patient_id,
        patient_name=f"{patient.family_name}, {patient.given_name}" if patient else "?",
        mrn=patient.mrn if patient else "?",
        date_of_birth=patient.date_of_birth if patient else None,
        protocol_id=row.protocol_id,
        drug=row.drug,
        location=location,
        timezone=str(zone),
        chair=chair.name if chair else f"chair #{row.chair_id}",
        staff=names(row.staff_user_id),
        starts_at=row.starts_at.astimezone(zone),
        first_administration_at=_local(row.first_administration_at, zone),
        administration_ended_at=_local(row.administration_ended_at, zone),
        ended_at=_local(row.ended_at, zone),
        order=None
        if order is None
        else NoteOrder(
            order.id, order.dose_mg, order.duration_min, order.rate_ml_per_h, order.status
        ),
        npo_confirmed=row.npo_confirmed,
        escort_arranged=row.escort_arranged,
        pregnancy_status=row.pregnancy_status,
        bp_acknowledgement=None
        if row.bp_ack_at is None
        else NoteAcknowledgement(
            row.bp_ack_at.astimezone(zone), names(row.bp_ack_by), row.bp_ack_note
        ),
        checklist=tuple((item, bool((row.checklist or {}).get(item))) for item in CHECKLIST_ITEMS),
        on_supplemental_oxygen=row.on_supplemental_oxygen,
        escort_confirmed=row.escort_confirmed,
        no_driving_acknowledged=row.no_driving_acknowledged,
        vitals=tuple(
            NoteVitals(
                v.measured_at.astimezone(zone),
                v.systolic,
                v.diastolic,
                v.heart_rate,
                v.spo2,
                v.respiratory_rate,
                tuple(s for s in v.symptoms.split(",") if s),
                v.state_at_entry,
                names(v.recorded_by),
            )
            for v in repo.list_vitals(db, session_id=sid)
        ),
        administration=tuple(
            NoteAdministration(
                e.at.astimezone(zone),
                e.kind,
                e.rate_ml_per_h,
                e.amount,
                e.amount_unit,
                e.lot_number,
                e.reason,
                names(e.recorded_by),
            )
            for e in repo.list_administration(db, session_id=sid)
        ),
        totals=_totals(db, row, at=at),
        ratings=tuple(
            NoteRating(
                o.observed_at.astimezone(zone),
                o.instrument_id,
                o.total,
                o.text,
                names(o.recorded_by),
            )
            for o in repo.list_observations(db, session_id=sid)
        ),
        adverse_events=tuple(
            NoteAdverseEvent(
                e.onset_at.astimezone(zone),
                e.category,
                e.severity,
                e.serious,
                e.actions_taken,
                e.outcome,
                names(e.recorded_by),
            )
            for e in repo.list_adverse_events(db, session_id=sid)
        ),
        alerts=tuple(
            NoteAlert(
                a.raised_at.astimezone(zone),
                a.tier,
                a.code,
                a.message,
                a.recommended_action,
                a.call_prescriber,
                _local(a.acknowledged_at, zone),
                names(a.acknowledged_by) or None,
                a.ack_note,
            )
            for a in repo.list_alerts(db, session_id=sid)
        ),
        transitions=tuple(
            NoteTransition(
                t.at.astimezone(zone), t.from_state, t.to_state, names(t.actor_id), t.reason
            )
            for t in repo.list_transitions(db, session_id=sid)
        ),
        rems=_rems(db, row, names, at=at),
        signature=None
        if signature is None
        else NoteSignature(
            names(signature.signed_by),
            signature.signed_at.astimezone(zone),
            signature.content_sha256,
        ),
        signable=signature is None and SessionState(row.state) in SIGNABLE_STATES,
    )


def get_session_note(
    db: Session, *, session_id: int, at: datetime, ctx: AuditContext
) -> SessionNote:
    """The note of a session for clinical readers (not the front desk); the read is audited."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_READ, audit_action=AuditAction.READ
    )
    note = build_note(db, row, at=at)
    audit_session(db, ctx, at, AuditAction.READ, row, entity_type=ENTITY)
    return note
