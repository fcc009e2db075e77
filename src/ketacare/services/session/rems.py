"""The Spravato REMS Patient Monitoring Form for a session: build, answer, mark submitted.

The template, the builder and the 7-day deadline live in ``ketacare.core.session.rems``. Facts
the chart already holds (patient, devices, BPs, times, adverse events, and "yes" to the
concomitant-medication questions whose class is on the active medication list) are filled in;
the rest (other concomitant medicines, monitoring provider's phone, setting address,
observations the form asks for) are answered by staff and stored on the session. A stored staff
answer wins over the list: it is what staff confirmed with the patient at the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.codes import SessionDrug
from ketacare.core.errors import Conflict, Invalid, RuleViolation
from ketacare.core.medications import MedicationClass
from ketacare.core.session.administration import DeviceUse
from ketacare.core.session.model import AdministrationKind
from ketacare.core.session.rems import (
    RemsForm,
    RemsSessionFacts,
    build_rems_form,
    concomitant_answers,
)
from ketacare.db.models import TreatmentSession
from ketacare.db.repositories import organisation as org_repo
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import session as repo
from ketacare.db.repositories import user as user_repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext
from ketacare.services.patients.medications import active_medication_classes
from ketacare.services.screening import eligibility as screening_service
from ketacare.services.session._common import audit_session, load_session
from ketacare.services.session.facts import effective_events, readings_of

BOOLEAN_ANSWERS = (
    "first_treatment",
    "concomitant_benzodiazepine",
    "concomitant_non_benzodiazepine_hypnotic",
    "concomitant_psychostimulant",
    "concomitant_maoi",
    "concomitant_opioid",
    "vitals_acceptable_pre_dose",
    "vitals_acceptable_session_end",
    "sedation",
    "dissociation",
    "respiratory_depression",
)
TEXT_ANSWERS = ("hcp_name", "hcp_phone", "hcp_email", "setting_name", "setting_address")
INTEGER_ANSWERS = ("ready_to_leave_minutes",)
ANSWER_FIELDS = BOOLEAN_ANSWERS + TEXT_ANSWERS + INTEGER_ANSWERS


def _esketamine(row: TreatmentSession) -> None:
    if row.drug != SessionDrug.ESKETAMINE_NASAL:
        raise Invalid("rems.not_esketamine", "the REMS form is for esketamine sessions only")


def _location_name(db: Session, row: TreatmentSession) -> str | None:
    for location in org_repo.list_locations(db, organisation_id=row.organisation_id):
        if location.id == row.location_id:
            return location.name
    return None


def _first_treatment(db: Session, row: TreatmentSession) -> bool:
    earlier = [
        s
        for s in repo.list_patient_sessions(db, patient_id=row.patient_id)
        if s.id != row.id
        and s.drug == row.drug
        and s.first_administration_at is not None
        and s.starts_at < row.starts_at
    ]
    return not earlier


def session_facts(db: Session, row: TreatmentSession, *, at: datetime) -> RemsSessionFacts:
    """Everything the chart knows for the form, then the staff's stored answers on top."""
    patient = patient_repo.get_patient(db, row.patient_id)
    staff = user_repo.get_user(db, row.staff_user_id)
    devices = tuple(
        DeviceUse(e.at, e.lot_number)
        for e in effective_events(repo.list_administration(db, session_id=row.id))
        if e.kind == AdministrationKind.DEVICE
    )
    evidence = screening_service.readiness_evidence(
        db, patient_id=row.patient_id, protocol_id=row.protocol_id, at=at
    )
    answers = row.rems_answers or {}
    first = min((d.at for d in devices), default=None)
    known: dict[str, object] = {
        "patient_name": f"{patient.given_name} {patient.family_name}" if patient else None,
        "patient_date_of_birth": patient.date_of_birth if patient else None,
        "patient_sex": patient.sex_at_birth if patient else None,
        "first_treatment": _first_treatment(db, row),
        "patient_enrolled": evidence.rems_enrolled,
        "hcp_name": staff.full_name if staff else None,
        "hcp_email": staff.email if staff else None,
        "setting_name": _location_name(db, row),
        "treatment_date": first.date() if first else None,
        "devices": devices,
        "monitoring_ended_at": row.ended_at,
        "readings": tuple(readings_of(repo.list_vitals(db, session_id=row.id))),
        "adverse_events": tuple(
            e.category for e in repo.list_adverse_events(db, session_id=row.id)
        ),
    }
    # The medicines taken on the day of the session (the first device's day once dosed).
    day = (first or row.starts_at).date()
    taken = active_medication_classes(db, patient_id=row.patient_id, on=day)
    known.update(concomitant_answers(MedicationClass(klass) for klass in taken))
    known.update({k: v for k, v in answers.items() if k in ANSWER_FIELDS and v is not None})
    return RemsSessionFacts(**known)  # type: ignore[arg-type]


def rems_form(db: Session, *, session_id: int, at: datetime, ctx: AuditContext) -> RemsForm:
    """The session's Patient Monitoring Form with what is still missing (JSON-ready values)."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_READ, audit_action=AuditAction.READ
    )
    _esketamine(row)
    form = build_rems_form(session_facts(db, row, at=at))
    audit_session(db, ctx, at, AuditAction.READ, row, entity_type=AuditEntity.REMS_FORM)
    return form


def _clean(answers: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in answers.items():
        if key not in ANSWER_FIELDS:
            raise Invalid("rems.unknown_field", f"unknown REMS form field {key}", field=key)
        ok = (
            value is None
            or (key in BOOLEAN_ANSWERS and isinstance(value, bool))
            or (key in TEXT_ANSWERS and isinstance(value, str))
            or (key in INTEGER_ANSWERS and isinstance(value, int) and not isinstance(value, bool))
        )
        if not ok:
            raise Invalid("rems.bad_value", f"{key} has the wrong type", field=key)
        out[key] = value.strip()[:200] if isinstance(value, str) else value
    return out


def answer_rems_form(
    db: Session,
    *,
    session_id: int,
    answers: Mapping[str, object],
    at: datetime,
    ctx: AuditContext,
) -> RemsForm:
    """Store staff answers to the form's questions the chart cannot answer."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_RECORD, audit_action=AuditAction.UPDATE
    )
    _esketamine(row)
    if row.rems_submitted_at is not None:
        raise Conflict("rems.already_submitted", "the form was already submitted")
    row.rems_answers = {**(row.rems_answers or {}), **_clean(answers)}
    row.updated_at = at
    db.flush()
    audit_session(db, ctx, at, AuditAction.UPDATE, row, entity_type=AuditEntity.REMS_FORM)
    return build_rems_form(session_facts(db, row, at=at))


def submit_rems_form(
    db: Session, *, session_id: int, at: datetime, ctx: AuditContext
) -> TreatmentSession:
    """Mark the form submitted to the REMS (done outside KetaCare); refused while incomplete."""
    actor = require_actor(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_RECORD, audit_action=AuditAction.UPDATE
    )
    _esketamine(row)
    if row.rems_submitted_at is not None:
        raise Conflict("rems.already_submitted", "the form was already submitted")
    if row.ended_at is None:
        raise Conflict("rems.session_open", "submit the form after the session has ended")
    form = build_rems_form(session_facts(db, row, at=at))
    if not form.complete:
        problems = [p.message for p in form.problems] + [f"missing {m}" for m in form.missing]
        raise RuleViolation(
            "rems.form_incomplete",
            "; ".join(problems),
            field=(form.missing[0] if form.missing else None),
        )
    row.rems_submitted_at, row.rems_submitted_by, row.updated_at = at, actor.user_id, at
    db.flush()
    audit_session(
        db, ctx, at, AuditAction.UPDATE, row, detail="submitted", entity_type=AuditEntity.REMS_FORM
    )
    return row
