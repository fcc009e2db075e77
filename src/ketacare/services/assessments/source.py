"""Who recorded an assessment: staff, the patient through a questionnaire link, or the portal.

A chart must never suggest a nurse entered a patient's own answers. The policy check stays in
``services.assessments.records`` (a patient may submit only their own forms); this module decides,
after it, what to store as ``source``, ``recorded_by`` and ``patient_link_id``, and words it
for display ("self-report via link", "by <name>").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ketacare.core.authz import Actor, Role
from ketacare.core.errors import Invalid
from ketacare.core.outcomes.model import AssessmentSource
from ketacare.db.models import Assessment, Patient
from ketacare.db.repositories import assessment as repo
from ketacare.db.repositories import patient_link as patient_link_repo
from ketacare.db.repositories import user as user_repo

SELF_REPORT_VIA_LINK = "self-report via link"


@dataclass(frozen=True, slots=True)
class Attribution:
    source: AssessmentSource
    recorded_by: int | None
    patient_link_id: int | None


def attribution_of(
    db: Session, *, actor: Actor, patient: Patient, patient_link_id: int | None
) -> Attribution:
    """Source and recorder of a form the policy already allowed ``actor`` to record.

    Raises:
        Invalid: ``patient_link_id`` from a staff actor, or naming another patient's link.
    """
    if actor.role != Role.PATIENT:
        if patient_link_id is not None:
            msg = "Only the patient answers through a questionnaire link."
            raise Invalid("assessment.link_not_patient", msg, field="patient_link_id")
        return Attribution(AssessmentSource.STAFF, actor.user_id, None)
    # The actor of a link submission stands for the patient; it is their own account only
    # when that user really is linked to this patient.
    account = user_repo.get_user(db, actor.user_id)
    own = account is not None and account.patient_id == patient.id
    recorder = actor.user_id if own else None
    if patient_link_id is None:
        if not own:
            raise Invalid("assessment.no_account", "Sign in with your own account.")
        return Attribution(AssessmentSource.PORTAL, recorder, None)
    link = patient_link_repo.get_patient_link(db, patient_link_id)
    if link is None or link.patient_id != patient.id:
        msg = f"No questionnaire link {patient_link_id} for this patient."
        raise Invalid("assessment.bad_link", msg, field="patient_link_id")
    return Attribution(AssessmentSource.PATIENT_LINK, recorder, link.id)


def recorded_by_label(assessment: Assessment, names: Mapping[int, str]) -> str:
    """Who recorded a form, for a chart: "self-report via link" or "by <name>"."""
    if assessment.source == AssessmentSource.PATIENT_LINK and assessment.recorded_by is None:
        return SELF_REPORT_VIA_LINK
    name = names.get(assessment.recorded_by) if assessment.recorded_by is not None else None
    who = f"by {name}" if name else "by an unknown user"
    if assessment.source == AssessmentSource.PATIENT_LINK:
        return f"self-report via link, {who}"
    if assessment.source == AssessmentSource.PORTAL:
        return f"self-report, {who}"
    return who


def recorder_names(db: Session, assessments: Sequence[Assessment]) -> dict[int, str]:
    """Full names of the users who recorded ``assessments`` (part of the caller's audited read)."""
    ids = {a.recorded_by for a in assessments if a.recorded_by is not None}
    return {u.id: u.full_name for u in repo.get_users(db, ids)}
