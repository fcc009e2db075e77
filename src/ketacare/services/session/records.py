"""What the nurse charts in the chair besides vitals: pre-dose checks, the discharge checklist,
the administration record, ratings and notes, and adverse events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.codes import SessionDrug, Timepoint
from ketacare.core.errors import Conflict, Invalid
from ketacare.core.plausibility import DEFAULT_WINDOWS, Windows, check_event_time
from ketacare.core.session.model import ObservationKind, SessionAlertKind
from ketacare.core.session.predose import check_instruction_ids
from ketacare.core.session.states import SessionState
from ketacare.core.session.vitals import AlertTier, RecommendedAction
from ketacare.db.models import (
    SessionAdverseEvent,
    SessionAlert,
    SessionObservation,
    TreatmentSession,
)
from ketacare.db.repositories import session as repo
from ketacare.services._access import require_actor
from ketacare.services.assessments import records as assessment_service
from ketacare.services.assessments.records import AssessmentEntry
from ketacare.services.audit import AuditContext
from ketacare.services.notify.notifications import enqueue_serious_adverse_event
from ketacare.services.session._common import audit_session, check_version, load_session
from ketacare.services.session.gates import (
    CHECKLIST_ITEMS,
    DISCHARGE_SCORE_INSTRUMENTS,
    RATING_INSTRUMENTS,
)

S = SessionState


def _editable(row: TreatmentSession, expected_version: int | None) -> None:
    check_version(row, expected_version)
    if S(row.state) in (S.DISCHARGED, S.ABORTED):
        raise Conflict("session.closed", f"the session is {row.state}", field="state")


def record_checks(
    db: Session,
    *,
    session_id: int,
    npo_confirmed: bool | None,
    escort_arranged: bool | None,
    pregnancy_status: str | None,
    expected_version: int | None,
    at: datetime,
    ctx: AuditContext,
    predose_instructions: Mapping[str, bool] | None = None,
) -> TreatmentSession:
    """Pre-dose confirmations: fasting (NPO), escort or transport, pregnancy status on the day,
    and for esketamine the label's pre-dose instructions (merged into what is recorded).
    """
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.UPDATE
    )
    _editable(row, expected_version)
    if predose_instructions is not None:
        answers = check_instruction_ids(SessionDrug(row.drug), predose_instructions)
        row.predose_instructions = {**row.predose_instructions, **answers}
    if npo_confirmed is not None:
        row.npo_confirmed = npo_confirmed
    if escort_arranged is not None:
        row.escort_arranged = escort_arranged
    if pregnancy_status is not None:
        row.pregnancy_status = pregnancy_status
        row.pregnancy_recorded_at = at
    row.updated_at = at
    db.flush()
    audit_session(db, ctx, at, AuditAction.UPDATE, row, detail="predose_checks")
    return row


def record_discharge_checklist(
    db: Session,
    *,
    session_id: int,
    items: dict[str, bool],
    on_supplemental_oxygen: bool | None,
    escort_confirmed: bool | None,
    no_driving_acknowledged: bool | None,
    expected_version: int | None,
    at: datetime,
    ctx: AuditContext,
) -> TreatmentSession:
    """The rule-32 checklist and the going-home confirmations, merged into what is recorded."""
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.UPDATE
    )
    _editable(row, expected_version)
    unknown = set(items) - set(CHECKLIST_ITEMS)
    if unknown:
        name = sorted(unknown)[0]
        raise Invalid("session.checklist_unknown", f"unknown checklist item {name}", field=name)
    row.checklist = {**row.checklist, **items}
    for name, value in (
        ("on_supplemental_oxygen", on_supplemental_oxygen),
        ("escort_confirmed", escort_confirmed),
        ("no_driving_acknowledged", no_driving_acknowledged),
    ):
        if value is not None:
            setattr(row, name, value)
    row.updated_at = at
    db.flush()
    audit_session(db, ctx, at, AuditAction.UPDATE, row, detail="discharge_checklist")
    return row


# --- ratings, symptoms and adverse events ----------------------------------------------------


def rating_timepoint(row: TreatmentSession, instrument_id: str, when: datetime) -> Timepoint:
    """Where in the session a chair rating falls, in the assessments' timepoint vocabulary.

    Before the first dose it is pre-session; while the drug is going in, intra-session (the
    CADSS at about 40 min, docs/clinical/session.md#rule-28); after administration ends,
    pre-discharge (the
    CADSS before discharge and every Aldrete/PADSS discharge score); after the patient has left,
    post-session.
    """
    if instrument_id in DISCHARGE_SCORE_INSTRUMENTS:
        return Timepoint.PRE_DISCHARGE
    start, stop = row.first_administration_at, row.administration_ended_at
    if start is None or when < start:
        return Timepoint.PRE_SESSION
    if stop is None or when < stop:
        return Timepoint.INTRA_SESSION
    if row.ended_at is not None and when >= row.ended_at:
        return Timepoint.POST_SESSION
    return Timepoint.PRE_DISCHARGE


def record_observation(
    db: Session,
    *,
    session_id: int,
    instrument_id: str | None,
    answers: Sequence[object] | None,
    text: str | None,
    observed_at: datetime | None,
    at: datetime,
    ctx: AuditContext,
    windows: Windows = DEFAULT_WINDOWS,
) -> SessionObservation:
    """A rating scored by the assessments feature (CADSS, MOAA/S, Aldrete, PADSS) or a note."""
    actor = require_actor(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.CREATE
    )
    when = observed_at or at
    check_event_time(when, at=at, window=windows.charted, field="observed_at")
    obs = SessionObservation(
        session_id=row.id,
        kind=ObservationKind.SYMPTOM,
        text=(text or "").strip()[:1000] or None,
        observed_at=when,
        recorded_by=actor.user_id,
        recorded_at=at,
    )
    if instrument_id is not None:
        if instrument_id not in RATING_INSTRUMENTS:
            raise Invalid(
                "observation.instrument",
                f"the chair records {', '.join(RATING_INSTRUMENTS)}",
                field="instrument_id",
            )
        assessment = assessment_service.record_assessment(
            db,
            AssessmentEntry(
                patient_id=row.patient_id,
                instrument_id=instrument_id,
                answers=list(answers or []),
                # context: instrument parameters only; the session_id links the rating
                context=None,
                administered_at=when,
                timepoint=rating_timepoint(row, instrument_id, when),
                session_id=row.id,
            ),
            at=at,
            ctx=ctx,
        )
        obs.kind, obs.instrument_id = ObservationKind.RATING, instrument_id
        obs.assessment_id = assessment.id
        obs.total = None if assessment.total is None else Decimal(str(assessment.total))
    elif obs.text is None:
        raise Invalid("observation.empty", "give a rating or a note", field="text")
    repo.add_row(db, obs)
    audit_session(
        db,
        ctx,
        at,
        AuditAction.CREATE,
        row,
        detail=f"observation={obs.kind}",
        entity_type=AuditEntity.SESSION_OBSERVATION,
        entity_id=obs.id,
    )
    return obs


@dataclass(frozen=True)
class AdverseEventEntry:
    category: str
    severity: str
    serious: bool
    onset_at: datetime
    actions_taken: str
    outcome: str


def record_adverse_event(
    db: Session,
    *,
    session_id: int,
    entry: AdverseEventEntry,
    at: datetime,
    ctx: AuditContext,
    windows: Windows = DEFAULT_WINDOWS,
) -> SessionAdverseEvent:
    """Record an adverse event; a serious one raises a prescriber alert shown on the floor."""
    actor = require_actor(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.SESSION_RUN, audit_action=AuditAction.CREATE
    )
    check_event_time(entry.onset_at, at=at, window=windows.charted, field="onset_at")
    alert = None
    if entry.serious:
        alert = repo.add_row(
            db,
            SessionAlert(
                session_id=row.id,
                patient_id=row.patient_id,
                kind=SessionAlertKind.ADVERSE_EVENT,
                code=f"adverse_event.{entry.category}",
                tier=AlertTier.EMERGENCY,
                parameter="adverse_event",
                value=entry.severity,
                message=f"serious adverse event ({entry.category.replace('_', ' ')}, "
                f"{entry.severity}): prescriber review now",
                recommended_action=RecommendedAction.CALL_PRESCRIBER,
                source="reported at the chair",
                call_prescriber=True,
                raised_at=at,
            ),
        )
    event = repo.add_row(
        db,
        SessionAdverseEvent(
            session_id=row.id,
            category=entry.category,
            severity=entry.severity,
            serious=entry.serious,
            onset_at=entry.onset_at,
            actions_taken=entry.actions_taken,
            outcome=entry.outcome,
            alert_id=alert.id if alert else None,
            recorded_by=actor.user_id,
            recorded_at=at,
        ),
    )
    if entry.serious:
        # E-mail the prescribers too (no PHI, a link only), queued in this transaction.
        enqueue_serious_adverse_event(
            db, organisation_id=row.organisation_id, session_id=row.id, at=at, event_id=event.id
        )
    audit_session(
        db,
        ctx,
        at,
        AuditAction.CREATE,
        row,
        detail=f"serious={entry.serious}",
        entity_type=AuditEntity.SESSION_ADVERSE_EVENT,
        entity_id=event.id,
    )
    return event
