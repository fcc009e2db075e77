"""Assessments, outcomes and safety alerts over JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ketacare.core.outcomes.model import AlertStatus
from ketacare.db.models import Assessment, SafetyAlert
from ketacare.services.assessments import outcomes as outcome_service
from ketacare.services.assessments import records as service
from ketacare.services.assessments import safety_alerts as alert_service
from ketacare.services.assessments.records import AssessmentEntry
from ketacare.web import idempotency
from ketacare.web.deps import ApiAuth, Db
from ketacare.web.schemas.assessment import (
    AlertClose,
    AssessmentCreate,
    AssessmentRead,
    SafetyAlertRead,
)
from ketacare.web.schemas.common import PathId, PlainText
from ketacare.web.schemas.errors import API_ERRORS

router = APIRouter(prefix="/api/v1", tags=["assessments"], responses=API_ERRORS)


def to_read(
    row: Assessment, *, superseded: bool = False, alerts: Sequence[SafetyAlert] = ()
) -> AssessmentRead:
    base = AssessmentRead.model_validate(row)
    return base.model_copy(
        update={
            # The engine's own number: an int stays an int, a mean keeps its display decimals.
            "total": row.result.get("total"),
            "superseded": superseded,
            "alerts": [SafetyAlertRead.model_validate(a) for a in alerts],
        }
    )


@router.post("/patients/{patient_id}/assessments", status_code=201, response_model=AssessmentRead)
def create_assessment(
    patient_id: PathId, body: AssessmentCreate, request: Request, db: Db, auth: ApiAuth
) -> Any:
    """Score and store a form; safety alerts it raises are in ``alerts``.

    Send ``supersedes_id`` to correct an earlier record (the old one is kept, marked
    superseded). Send Idempotency-Key to retry safely.
    """
    replayed = idempotency.replay(request, db, auth, body)
    if replayed is not None:
        return replayed
    recorded = service.record_assessment_with_alerts(
        db,
        AssessmentEntry(
            patient_id=patient_id,
            instrument_id=body.instrument,
            answers=body.answers,
            context=body.context,
            administered_at=body.administered_at,
            timepoint=body.timepoint,
            session_id=body.session_id,
            supersedes_id=body.supersedes_id,
        ),
        at=auth.at,
        ctx=auth.ctx,
    )
    result = to_read(recorded.assessment, alerts=recorded.alerts)
    return idempotency.respond(request, db, auth, body, 201, result)


@router.get("/patients/{patient_id}/assessments", response_model=list[AssessmentRead])
def list_assessments(
    patient_id: PathId,
    db: Db,
    auth: ApiAuth,
    instrument: Annotated[str | None, Query(max_length=40), PlainText] = None,
) -> list[AssessmentRead]:
    """The patient's assessments, oldest first; corrected records have ``superseded`` true."""
    views = service.list_assessments(
        db, patient_id=patient_id, instrument_id=instrument, at=auth.at, ctx=auth.ctx
    )
    return [
        to_read(
            v.assessment,
            superseded=v.superseded,
            alerts=alert_service.alerts_of_assessment(db, assessment_id=v.assessment.id),
        )
        for v in views
    ]


@router.get("/patients/{patient_id}/outcomes")
def outcomes(
    patient_id: PathId,
    db: Db,
    auth: ApiAuth,
    instrument: Annotated[str, Query(min_length=1, max_length=40), PlainText],
) -> dict[str, Any]:
    """Baseline, latest, change, response, remission, relapse (same JSON as the CLI)."""
    report = outcome_service.get_outcomes(
        db, patient_id=patient_id, instrument_id=instrument, at=auth.at, ctx=auth.ctx
    )
    return report.as_dict()


@router.get("/alerts", response_model=list[SafetyAlertRead])
def list_alerts(
    db: Db,
    auth: ApiAuth,
    status: Annotated[AlertStatus, Query()] = AlertStatus.OPEN,
) -> list[SafetyAlertRead]:
    """The organisation's safety alerts (clinical staff), newest first."""
    found = alert_service.list_alerts(db, status=status, at=auth.at, ctx=auth.ctx)
    return [SafetyAlertRead.model_validate(a) for a in found]


@router.post("/alerts/{alert_id}/close", response_model=SafetyAlertRead)
def close_alert(alert_id: PathId, body: AlertClose, db: Db, auth: ApiAuth) -> SafetyAlertRead:
    """Close an alert with a written note of the action taken (prescribers only)."""
    alert = alert_service.close_alert(
        db, alert_id=alert_id, action_note=body.action_note, at=auth.at, ctx=auth.ctx
    )
    return SafetyAlertRead.model_validate(alert)
