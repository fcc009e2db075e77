"""Questionnaire links: patients complete self-report forms from a secret URL, no account.

Staff issue a link for chosen self-report instruments whose licensed wording ships with
KetaCare (a patient must never see a form without its real wording). The random token is shown
once; only its SHA-256 is stored. This module issues, lists and revokes links and queues the
e-mail; the patient's side (``/p/<token>``: open and submit) is
``services.assessments.link_submission``, and the signed-in patient's own page is
``services.patients.portal``.

E-mail: a link goes to the patient's portal account or, without one, to the e-mail on their
record. The outbox row carries the raw token in its link path only until the mail settles;
``services.notify.notifications`` documents that window. Using or revoking the link scrubs it too.

Interface: ``create_patient_link``, ``list_patient_links``, ``revoke_patient_link``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Target
from ketacare.core.codes import NotificationKind, NotificationStatus, Timepoint
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.instruments import Instrument, load_catalogue
from ketacare.core.outcomes.model import LinkStatus
from ketacare.db.models import NotificationJob, Patient, PatientLink
from ketacare.db.repositories import notification as notification_repo
from ketacare.db.repositories import organisation as organisation_repo
from ketacare.db.repositories import patient_link as repo
from ketacare.services._access import authorized_patient, patient_access, require_actor
from ketacare.services.assessments import records as assessments
from ketacare.services.audit import AuditContext, authorize, record_event

ENTITY = AuditEntity.PATIENT_LINK
TOKEN_BYTES = 32
# Clinic-wide expiry range offered by Greenspace (Greenspace Health's published clinic settings:
# 1-30 days): a product bound.
MAX_LINK_DAYS = 30
MAX_INSTRUMENTS = 10
SELF_RATER = "self"
EMAIL_KIND = NotificationKind.QUESTIONNAIRE_LINK
CLOSED_LINK_PATH = "/p/closed"


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A new link and its token: the only moment the token exists outside the patient's hands."""

    link: PatientLink
    token: str

    @property
    def path(self) -> str:
        return f"/p/{self.token}"


@dataclass(frozen=True, slots=True)
class LinkView:
    link: PatientLink
    status: LinkStatus


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_status(link: PatientLink, *, at: datetime) -> LinkStatus:
    if link.revoked_at is not None:
        return LinkStatus.REVOKED
    if link.completed_at is not None:
        return LinkStatus.COMPLETED
    if at >= link.expires_at:
        return LinkStatus.EXPIRED
    return LinkStatus.PENDING


def eligible_instrument(instrument_id: str) -> Instrument:
    """A self-report instrument whose licensed wording ships with KetaCare.

    Raises:
        Invalid: naming ``instruments`` for an unknown, clinician-rated or unworded instrument.
    """
    try:
        instrument = assessments.find_instrument(instrument_id)
    except Invalid as exc:
        raise Invalid(exc.code, exc.message, field="instruments") from None
    if instrument.rater != SELF_RATER:
        msg = f"{instrument.short_name} is not a self-report form; a patient cannot complete it."
        raise Invalid("patient_link.not_self_report", msg, field="instruments")
    if not instrument.licence.ships_text:
        msg = (
            f"{instrument.short_name}: its licensed item wording is not shipped, and a patient "
            "must not get a form without it."
        )
        raise Invalid("patient_link.no_licensed_text", msg, field="instruments")
    return instrument


def linkable_instruments() -> list[Instrument]:
    """Instruments a link may carry (self-report, wording shipped), catalogue order."""
    return [i for i in load_catalogue().list() if i.rater == SELF_RATER and i.licence.ships_text]


def _instrument_ids(instruments: Sequence[str]) -> list[str]:
    if not instruments or len(instruments) > MAX_INSTRUMENTS:
        msg = f"Choose 1 to {MAX_INSTRUMENTS} instruments."
        raise Invalid("patient_link.instrument_count", msg, field="instruments")
    ids = [eligible_instrument(i).id for i in instruments]
    if len(set(ids)) != len(ids):
        raise Invalid(
            "patient_link.duplicate", "An instrument is listed twice.", field="instruments"
        )
    return ids


def _timepoint(value: str) -> Timepoint:
    try:
        return Timepoint(value)
    except ValueError:
        allowed = ", ".join(t.value for t in Timepoint)
        msg = f"Unknown timepoint {value!r} (one of: {allowed})."
        raise Invalid("patient_link.bad_timepoint", msg, field="timepoint") from None


def _expiry(expires_at: datetime | None, *, default_days: int, at: datetime) -> datetime:
    if expires_at is None:
        return at + timedelta(days=default_days)
    if expires_at.tzinfo is None:
        raise Invalid(
            "patient_link.naive_time", "expires_at needs a UTC offset.", field="expires_at"
        )
    if expires_at <= at or expires_at > at + timedelta(days=MAX_LINK_DAYS):
        msg = f"The link must expire within {MAX_LINK_DAYS} days from now."
        raise Invalid("patient_link.bad_expiry", msg, field="expires_at")
    return expires_at


def audit_link(
    db: Session,
    ctx: AuditContext,
    at: datetime,
    action: AuditAction,
    link: PatientLink,
    detail: str,
    *,
    role: str | None = None,
) -> None:
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=action,
        entity_type=ENTITY,
        entity_id=link.id,
        organisation_id=link.organisation_id,
        patient_id=link.patient_id,
        detail=detail,
        role=role,
    )


@dataclass(frozen=True, slots=True)
class _Recipient:
    """Where the link's e-mail goes: a portal account, or else the patient's own address."""

    user_id: int | None
    email: str | None


def _email_recipient(db: Session, patient: Patient) -> _Recipient:
    """The patient's portal account if active, else the e-mail on their record.

    Raises:
        Invalid: naming ``send_email`` when the patient has neither.
    """
    portal = repo.get_portal_user(db, patient_id=patient.id)
    if portal is not None:
        return _Recipient(user_id=portal.id, email=None)
    if patient.email and patient.email.strip():
        return _Recipient(user_id=None, email=patient.email.strip())
    msg = "This patient has no portal account or e-mail address on file; copy the link instead."
    raise Invalid("patient_link.no_email", msg, field="send_email")


def create_patient_link(
    db: Session,
    *,
    patient_id: int,
    instruments: Sequence[str],
    timepoint: str,
    expires_at: datetime | None,
    default_days: int,
    send_email: bool,
    at: datetime,
    ctx: AuditContext,
) -> IssuedLink:
    """Issue a single-use link for the patient (nurse or prescriber); the token is returned once.

    With ``send_email`` the link is queued in the notification outbox for the patient's portal
    account, or else the e-mail on their record; the mail holds only the link and the
    clinic's name.

    Raises:
        NotFound: unknown patient.
        AccessDenied: the actor may not record clinical data for this patient.
        Invalid: naming ``instruments``, ``timepoint``, ``expires_at`` or ``send_email``.
    """
    actor = require_actor(ctx)
    patient = authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.CREATE,
        entity_type=ENTITY,
    )
    ids = _instrument_ids(instruments)
    point = _timepoint(timepoint)
    expiry = _expiry(expires_at, default_days=default_days, at=at)
    recipient = _email_recipient(db, patient) if send_email else None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = repo.add_patient_link(
        db,
        PatientLink(
            organisation_id=patient.organisation_id,
            patient_id=patient.id,
            token_hash=hash_token(token),
            instruments=ids,
            timepoint=point,
            created_by=actor.user_id,
            created_at=at,
            expires_at=expiry,
            emailed=recipient is not None,
            assessment_ids=[],
            crisis_notice=False,
        ),
    )
    detail = f"instruments={','.join(ids)};expires={expiry:%Y-%m-%dT%H:%MZ}"
    if recipient is not None:
        _queue_email(db, link=link, recipient=recipient, path=f"/p/{token}", at=at)
        detail += ";emailed"
    audit_link(db, ctx, at, AuditAction.CREATE, link, detail)
    return IssuedLink(link=link, token=token)


def _dedupe_key(link: PatientLink) -> str:
    return f"{EMAIL_KIND}:{link.id}"


def _queue_email(
    db: Session, *, link: PatientLink, recipient: _Recipient, path: str, at: datetime
) -> NotificationJob:
    organisation = organisation_repo.get_organisation(db, link.organisation_id)
    clinic = organisation.name if organisation else "Your clinic"
    body = (
        f"{clinic} has sent you a short questionnaire.\n\n"
        "The link works once and expires; please do not forward it.\n"
    )
    return notification_repo.add_job_once(
        db,
        NotificationJob(
            kind=EMAIL_KIND,
            organisation_id=link.organisation_id,
            recipient_user_id=recipient.user_id,
            recipient_email=recipient.email,
            source_id=link.id,
            subject=f"A questionnaire from {clinic}",
            body=body,
            link_path=path,
            status=NotificationStatus.PENDING,
            attempts=0,
            next_attempt_at=at,
            created_at=at,
            dedupe_key=_dedupe_key(link),
        ),
    )


def close_email(db: Session, link: PatientLink) -> None:
    """A used or revoked link's token leaves the outbox; an unsent mail is not sent."""
    job = notification_repo.get_job_by_dedupe_key(db, _dedupe_key(link))
    if job is None:
        return
    job.link_path = CLOSED_LINK_PATH
    if job.status == NotificationStatus.PENDING:
        job.status = NotificationStatus.FAILED
        job.last_error = "link_closed"
    db.flush()


def list_patient_links(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> list[LinkView]:
    """The patient's links, newest first, with their status (clinical staff; audited read)."""
    access = patient_access(
        db,
        ctx,
        patient_id,
        at=at,
        action=Action.CLINICAL_READ,
        audit_action=AuditAction.READ,
        entity=ENTITY,
    )
    links = repo.list_patient_links(db, patient_id=patient_id)
    access.record(detail=f"results={len(links)}")
    return [LinkView(link=lk, status=link_status(lk, at=at)) for lk in links]


def revoke_patient_link(db: Session, *, link_id: int, at: datetime, ctx: AuditContext) -> LinkView:
    """Withdraw a pending link (nurse or prescriber).

    Raises:
        NotFound: no such link.
        AccessDenied: not clinical staff of the link's organisation.
        Conflict: the link was already completed, revoked or has expired.
    """
    actor = require_actor(ctx)
    link = repo.get_patient_link(db, link_id)
    if link is None:
        raise NotFound("patient_link.not_found", f"No questionnaire link with id {link_id}.")
    authorize(
        actor,
        Action.CLINICAL_RECORD,
        Target(link.organisation_id, link.patient_id),
        audit_action=AuditAction.UPDATE,
        entity_type=ENTITY,
        entity_id=link.id,
    )
    status = link_status(link, at=at)
    if status is not LinkStatus.PENDING:
        raise Conflict(
            "patient_link.not_pending", f"This link is already {status}.", field="status"
        )
    link.revoked_at = at
    link.revoked_by = actor.user_id
    db.flush()
    close_email(db, link)
    audit_link(db, ctx, at, AuditAction.UPDATE, link, "revoked")
    return LinkView(link=link, status=LinkStatus.REVOKED)
