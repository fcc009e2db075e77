"""The session note: everything charted for one session, read-only, in the location's time.

The note is plain data assembled from the session's rows (vitals, administration record,
ratings, adverse events, alerts and their acknowledgements, checks, checklist, state log, the
REMS form's status for esketamine and the prescriber's signature). Times are shown in the
location's own time zone (``Location.timezone``), as the clinic reads its day. Who may sign and
when is the core's rule (``ketacare.core.session.note``); signing is in
``services.session.note_sign`` and the PDF in ``services.session.note_pdf``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.codes import SessionDrug
from ketacare.core.session.administration import AmountUnit
from ketacare.core.session.config import ESKETAMINE_DEVICE_MG
from ketacare.core.session.model import AdministrationKind
from ketacare.core.session.note import (
    NoteAcknowledgement,
    NoteAdministration,
    NoteAdverseEvent,
    NoteAlert,
    NoteOrder,
    NoteRating,
    NoteRems,
    NoteSignature,
    NoteTotals,
    NoteTransition,
    NoteVitals,
    SessionNote,
    note_signable,
)
from ketacare.core.session.rems import build_rems_form
from ketacare.core.session.states import SessionState
from ketacare.db.models import AdministrationEvent, TreatmentSession
from ketacare.db.repositories import organisation as org_repo
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import session as repo
from ketacare.services.audit import AuditContext
from ketacare.services.session import rems as rems_service
from ketacare.services.session._common import audit_session, load_session
from ketacare.services.session.facts import totals_of
from ketacare.services.session.gates import CHECKLIST_ITEMS, order_of
from ketacare.services.session.schedule import location_zone

ENTITY = AuditEntity.SESSION_NOTE


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
    if row.drug != SessionDrug.ESKETAMINE_NASAL:
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


def _administration_line(e: AdministrationEvent, zone: tzinfo, names: _Names) -> NoteAdministration:
    # A device's dose is fixed by the label (28 mg each), not typed in: show it on its line.
    device = e.kind == AdministrationKind.DEVICE
    return NoteAdministration(
        e.at.astimezone(zone),
        e.kind,
        e.rate_ml_per_h,
        ESKETAMINE_DEVICE_MG if device else e.amount,
        AmountUnit.MG if device else e.amount_unit,
        e.lot_number,
        e.reason,
        names(e.recorded_by),
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
            _administration_line(e, zone, names)
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
        signable=note_signable(SessionState(row.state), signed=signature is not None),
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
