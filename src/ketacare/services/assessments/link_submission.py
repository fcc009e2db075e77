"""The patient's side of a questionnaire link: open ``/p/<token>`` and submit the forms.

The submission goes through ``services.assessments.records`` exactly like staff entry, so scoring,
audit and safety alerts are the same code path, and the row is stored with
``source = patient_link`` and the link's id.

Who acts: the policy has no anonymous actor, so the submission acts as an explicit
patient-role actor bound to the link's patient (``PatientLinkContext``). The assessment
service still asks the policy (``OWN_ASSESSMENT_SUBMIT`` for that patient: a patient submits
only their own forms) and audits the write; this module adds a ``PatientLink`` audit event
"via link <id>" with the client address. ``Assessment.recorded_by`` is the patient's portal
account if they have one, else NULL (never the clinician who issued the link). An actor needs
a user id, so without a portal account the audit rows carry the issuer's id with the
``patient`` role and the "via link" detail; they are the link's events, not the issuer's.

Interface: ``open_patient_link``, ``submit_patient_link``, ``answer_choices``, ``field_name``,
``crisis_notice_text``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction
from ketacare.core.authz import Actor, Role
from ketacare.core.errors import Invalid, NotFound
from ketacare.core.instruments import Instrument
from ketacare.core.instruments.model import Item, ItemKind
from ketacare.core.outcomes.model import LinkStatus
from ketacare.db.models import Assessment, Patient, PatientLink
from ketacare.db.repositories import assessment as assessment_repo
from ketacare.db.repositories import organisation as organisation_repo
from ketacare.db.repositories import patient_link as repo
from ketacare.services._access import load_patient
from ketacare.services.assessments import records as assessments
from ketacare.services.assessments.links import (
    audit_link,
    close_email,
    hash_token,
    link_status,
)
from ketacare.services.assessments.records import AssessmentEntry
from ketacare.services.audit import AuditContext

# Alerts that mean the patient endorsed suicidal thoughts or a C-SSRS risk tier: the
# confirmation page then shows the crisis notice (as Osmind's patient app does: support.osmind.org,
# patient safety messaging).
CRISIS_ALERT_CODES = frozenset({"suicidal_ideation", "cssrs_risk_moderate", "cssrs_risk_high"})
DEFAULT_CRISIS_NOTICE = (
    "Thank you for telling us. Your clinic may not see your answers straight away. "
    "If you are in danger or thinking about harming yourself, call your local emergency "
    "number now (911 in the US), or call or text 988 (Suicide & Crisis Lifeline, US)."
)


class LinkUnavailable(NotFound):
    """The token names no usable link. ``gone`` = it existed but expired or was revoked (410).

    The message is the same for every case and names no patient.
    """

    def __init__(self, *, gone: bool) -> None:
        super().__init__(
            "patient_link.unavailable",
            "This questionnaire link has expired or is no longer valid. "
            "Please contact your clinic for a new one.",
        )
        self.gone = gone


@dataclass(frozen=True, slots=True)
class PatientLinkContext:
    """A request arriving through a link: who acts (the link's patient) and from where."""

    link: PatientLink
    patient: Patient
    # The patient's own portal account, if any; it is then also ``recorded_by``.
    portal_user_id: int | None
    client_address: str | None

    @property
    def actor(self) -> Actor:
        # Without an account the actor borrows the issuer's id for the audit rows only.
        return Actor(
            user_id=self.portal_user_id or self.link.created_by,
            role=Role.PATIENT,
            organisation_id=self.patient.organisation_id,
            patient_id=self.patient.id,
        )

    @property
    def ctx(self) -> AuditContext:
        return AuditContext(actor=self.actor, client_address=self.client_address)


@dataclass(frozen=True, slots=True)
class LinkForm:
    """What the public page shows: the clinic's name and the forms, no patient details."""

    link_id: int
    clinic_name: str
    instruments: list[Instrument]


@dataclass(frozen=True, slots=True)
class Submission:
    link_id: int
    assessments: list[Assessment]
    crisis_notice: bool
    already_received: bool


def _usable(
    db: Session, *, token: str, at: datetime, for_update: bool
) -> tuple[PatientLink, LinkStatus]:
    link = repo.get_patient_link_by_hash(db, hash_token(token), for_update=for_update)
    if link is None:
        raise LinkUnavailable(gone=False)
    status = link_status(link, at=at)
    if status in (LinkStatus.EXPIRED, LinkStatus.REVOKED):
        raise LinkUnavailable(gone=True)
    return link, status


def _link_context(db: Session, link: PatientLink, client_address: str | None) -> PatientLinkContext:
    patient = load_patient(db, link.patient_id)
    portal = repo.get_portal_user(db, patient_id=patient.id)
    return PatientLinkContext(
        link=link,
        patient=patient,
        portal_user_id=None if portal is None else portal.id,
        client_address=client_address,
    )


def open_patient_link(
    db: Session, *, token: str, at: datetime, client_address: str | None
) -> tuple[LinkForm, LinkStatus]:
    """The forms behind a link, for the public page (audited "opened").

    Raises:
        LinkUnavailable: unknown (404) or expired / revoked (410) link.
    """
    link, status = _usable(db, token=token, at=at, for_update=False)
    context = _link_context(db, link, client_address)
    audit_link(db, context.ctx, at, AuditAction.READ, link, f"via link {link.id};opened")
    organisation = organisation_repo.get_organisation(db, link.organisation_id)
    form = LinkForm(
        link_id=link.id,
        clinic_name=organisation.name if organisation else "Your clinic",
        instruments=[assessments.find_instrument(i) for i in link.instruments],
    )
    return form, status


def answer_choices(item: Item) -> list[str]:
    """The values a patient may send for an item (the radio buttons' values)."""
    if item.kind is ItemKind.YES_NO:
        return ["yes", "no"]
    return [str(v) for v in item.allowed or range(item.min, item.max + 1)]


def field_name(instrument: Instrument, item: Item) -> str:
    """The form field of one item; errors name it so the page can mark the question."""
    return f"{instrument.id}.{item.id}"


def _checked_answers(instrument: Instrument, answers: Mapping[str, str]) -> list[object]:
    """Every asked item answered with one of its choices; branching items may stay blank.

    Raises:
        Invalid: naming the item's form field, before anything is stored.
    """
    out: list[object] = []
    for item in instrument.items:
        name = field_name(instrument, item)
        value = answers.get(name, "").strip().lower()
        if not value and item.ask_if is not None:
            out.append(None)
            continue
        if not value:
            msg = f"{instrument.short_name} question {item.id}: please choose an answer."
            raise Invalid("patient_link.unanswered", msg, field=name)
        if value not in answer_choices(item):
            msg = f"{instrument.short_name} question {item.id}: choose one of the answers shown."
            raise Invalid("patient_link.bad_answer", msg, field=name)
        out.append(value)
    return out


def _previous_submission(db: Session, link: PatientLink) -> Submission:
    rows = [a for a in (assessments_by_id(db, link.assessment_ids)) if a is not None]
    return Submission(
        link_id=link.id, assessments=rows, crisis_notice=link.crisis_notice, already_received=True
    )


def assessments_by_id(db: Session, ids: Sequence[int]) -> list[Assessment | None]:
    return [assessment_repo.get_assessment(db, i) for i in ids]


def submit_patient_link(
    db: Session,
    *,
    token: str,
    answers: Mapping[str, str],
    at: datetime,
    client_address: str | None,
) -> Submission:
    """Record every form of the link through ``services.assessments.records`` and close the link.

    ``answers`` maps form fields (``field_name``) to the chosen values. A second submission
    of a completed link records nothing and reports ``already_received``.

    Raises:
        LinkUnavailable: unknown (404) or expired / revoked (410) link.
        Invalid: naming the unanswered or wrong item (nothing is stored; the caller rolls back).
        AccessDenied: the policy refused the patient actor (never expected).
    """
    link, status = _usable(db, token=token, at=at, for_update=True)
    if status is LinkStatus.COMPLETED:
        return _previous_submission(db, link)
    context = _link_context(db, link, client_address)
    instruments = [assessments.find_instrument(i) for i in link.instruments]
    checked = [(i, _checked_answers(i, answers)) for i in instruments]
    rows: list[Assessment] = []
    crisis = False
    for instrument, values in checked:
        recorded = assessments.record_assessment_with_alerts(
            db,
            AssessmentEntry(
                patient_id=link.patient_id,
                instrument_id=instrument.id,
                answers=values,
                context=None,
                administered_at=at,
                timepoint=link.timepoint,
                session_id=None,
                patient_link_id=link.id,
            ),
            at=at,
            ctx=context.ctx,
        )
        rows.append(recorded.assessment)
        crisis = crisis or any(a.code in CRISIS_ALERT_CODES for a in recorded.alerts)
    link.completed_at = at
    link.assessment_ids = [r.id for r in rows]
    link.crisis_notice = crisis
    db.flush()
    close_email(db, link)
    detail = f"via link {link.id};submitted;assessments={','.join(str(r.id) for r in rows)}"
    audit_link(db, context.ctx, at, AuditAction.UPDATE, link, detail)
    return Submission(
        link_id=link.id, assessments=rows, crisis_notice=crisis, already_received=False
    )


def crisis_notice_text(configured: str | None) -> str:
    return configured.strip() if configured and configured.strip() else DEFAULT_CRISIS_NOTICE
