"""Questionnaire links over JSON: issue (URL returned once), list with status, revoke.

No Idempotency-Key replay on create: a stored replay would keep the secret URL in the
database, which is exactly what hashing the token avoids. A retried create makes a second
link; revoke the spare one.
"""

from __future__ import annotations

from fastapi import APIRouter

from ketacare.core.outcomes.model import LinkStatus
from ketacare.services.assessments import links as service
from ketacare.web.deps import ApiAuth, Db, State
from ketacare.web.schemas.common import PathId
from ketacare.web.schemas.errors import API_ERRORS
from ketacare.web.schemas.patient_link import PatientLinkCreate, PatientLinkIssued, PatientLinkRead

router = APIRouter(prefix="/api/v1", tags=["questionnaire links"], responses=API_ERRORS)


def to_read(view: service.LinkView) -> PatientLinkRead:
    link = view.link
    return PatientLinkRead(
        id=link.id,
        patient_id=link.patient_id,
        instruments=list(link.instruments),
        timepoint=link.timepoint,
        status=view.status.value,
        created_at=link.created_at,
        expires_at=link.expires_at,
        completed_at=link.completed_at,
        revoked_at=link.revoked_at,
        emailed=link.emailed,
        assessment_ids=list(link.assessment_ids),
    )


@router.post(
    "/patients/{patient_id}/questionnaire-links",
    status_code=201,
    response_model=PatientLinkIssued,
)
def create_link(
    patient_id: PathId, body: PatientLinkCreate, db: Db, auth: ApiAuth, state: State
) -> PatientLinkIssued:
    """Issue a single-use link (nurse or prescriber); ``url`` is shown this once only."""
    issued = service.create_patient_link(
        db,
        patient_id=patient_id,
        instruments=body.instruments,
        timepoint=body.timepoint.value,
        expires_at=body.expires_at,
        default_days=state.settings.patient_link_days,
        send_email=body.send_email,
        at=auth.at,
        ctx=auth.ctx,
    )
    read = to_read(service.LinkView(issued.link, LinkStatus.PENDING))
    return PatientLinkIssued(**read.model_dump(), url=state.settings.base_url + issued.path)


@router.get("/patients/{patient_id}/questionnaire-links", response_model=list[PatientLinkRead])
def list_links(patient_id: PathId, db: Db, auth: ApiAuth) -> list[PatientLinkRead]:
    """The patient's links, newest first: pending, completed, expired or revoked."""
    views = service.list_patient_links(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    return [to_read(v) for v in views]


@router.post("/questionnaire-links/{link_id}/revoke", response_model=PatientLinkRead)
def revoke_link(link_id: PathId, db: Db, auth: ApiAuth) -> PatientLinkRead:
    """Withdraw a pending link; 409 when it is already completed, expired or revoked."""
    return to_read(service.revoke_patient_link(db, link_id=link_id, at=auth.at, ctx=auth.ctx))
