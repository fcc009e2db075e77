"""Questionnaire links: patients complete self-report forms from a secret URL, no account.

Staff issue a link for chosen self-report instruments whose licensed wording ships with
KetaCare (a patient must never see a form without its real wording). The random token is shown
once; only its SHA-256 is stored. The patient opens ``/p/<token>``, answers, and the submission
goes through ``services.assessments`` exactly like staff entry, so scoring, audit and safety
alerts are the same code path.

Who records a link submission: the policy has no anonymous actor, so the submission acts as an
explicit patient-role actor bound to the link's patient (``PatientLinkContext``). The
assessment service still asks the policy (``OWN_ASSESSMENT_SUBMIT`` for that patient) and audits
the write; this module adds a ``PatientLink`` audit event "via link <id>" with the client
address. ``Assessment.recorded_by`` must name a user: the patient's portal account if they have
one, else the clinician who issued the link.

Interface: ``create_patient_link``, ``list_patient_links``, ``revoke_patient_link``,
``open_patient_link``, ``submit_patient_link``, ``portal_overview``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction
from ketacare.core.authz import Action, Actor, Role, Target
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.core.instruments import Instrument, load_catalogue
from ketacare.core.instruments.model import Item, ItemKind
from ketacare.db.models import Assessment, AuditEvent, NotificationJob, Patient, PatientLink, User
from ketacare.db.repositories import assessment as assessment_repo
from ketacare.db.repositories import audit as audit_repo
from ketacare.db.repositories import notification as notification_repo
from ketacare.db.repositories import organisation as organisation_repo
from ketacare.db.repositories import patient_link as repo
from ketacare.services import assessments
from ketacare.services._clinical_access import authorized_patient, load_patient, require_actor
from ketacare.services.audit import AuditContext, authorize, record_event

ENTITY = "PatientLink"
TOKEN_BYTES = 32
# Clinic-wide expiry range offered by Greenspace (anchors.md 2.4: 1-30 days): a product bound.
MAX_LINK_DAYS = 30
MAX_INSTRUMENTS = 10
SELF_RATER = "self"
# Alerts that mean the patient endorsed suicidal thoughts or a C-SSRS risk tier: the
# confirmation page then shows the crisis notice (anchors.md 2.1 Osmind safety messaging).
CRISIS_ALERT_CODES = frozenset({"suicidal_ideation", "cssrs_risk_moderate", "cssrs_risk_high"})
DEFAULT_CRISIS_NOTICE = (
    "Thank you for telling us. Your clinic may not see your answers straight away. "
    "If you are in danger or thinking about harming yourself, call your local emergency "
    "number now (911 in the US), or call or text 988 (Suicide & Crisis Lifeline, US)."
)
PORTAL_RECENT_SCORES = 10
PORTAL_ACCESS_EVENTS = 50
EMAIL_KIND = "questionnaire_link"
CLOSED_LINK_PATH = "/p/closed"


class LinkStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    EXPIRED = "expired"
    REVOKED = "revoked"


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


@dataclass(frozen=True, slots=True)
class PatientLinkContext:
    """A request arriving through a link: who acts (the link's patient) and from where."""

    link: PatientLink
    patient: Patient
    recorder_user_id: int
    client_address: str | None

    @property
    def actor(self) -> Actor:
        return Actor(
            user_id=self.recorder_user_id,
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


def _timepoint(value: str) -> str:
    try:
        return assessments.Timepoint(value).value
    except ValueError:
        allowed = ", ".join(t.value for t in assessments.Timepoint)
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


def _audit(
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
    account; the mail holds only the link and the clinic's name.

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
    recipient = repo.get_portal_user(db, patient_id=patient.id) if send_email else None
    if send_email and recipient is None:
        msg = "This patient has no active portal account to e-mail; copy the link instead."
        raise Invalid("patient_link.no_email", msg, field="send_email")
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
    _audit(db, ctx, at, AuditAction.CREATE, link, detail)
    return IssuedLink(link=link, token=token)


def _dedupe_key(link: PatientLink) -> str:
    return f"{EMAIL_KIND}:{link.id}"


def _queue_email(
    db: Session, *, link: PatientLink, recipient: User, path: str, at: datetime
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
            recipient_user_id=recipient.id,
            source_id=link.id,
            subject=f"A questionnaire from {clinic}",
            body=body,
            link_path=path,
            status=notification_repo.STATUS_PENDING,
            attempts=0,
            next_attempt_at=at,
            created_at=at,
            dedupe_key=_dedupe_key(link),
        ),
    )


def _close_email(db: Session, link: PatientLink) -> None:
    """A used or revoked link's token leaves the outbox; an unsent mail is not sent."""
    job = notification_repo.get_job_by_dedupe_key(db, _dedupe_key(link))
    if job is None:
        return
    job.link_path = CLOSED_LINK_PATH
    if job.status == notification_repo.STATUS_PENDING:
        job.status = notification_repo.STATUS_FAILED
        job.last_error = "link_closed"
    db.flush()


def list_patient_links(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> list[LinkView]:
    """The patient's links, newest first, with their status (clinical staff; audited read)."""
    actor = require_actor(ctx)
    patient = authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=Action.CLINICAL_READ,
        audit_action=AuditAction.READ,
        entity_type=ENTITY,
    )
    links = repo.list_patient_links(db, patient_id=patient.id)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type=ENTITY,
        entity_id=None,
        organisation_id=patient.organisation_id,
        patient_id=patient.id,
        detail=f"results={len(links)}",
    )
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
    _close_email(db, link)
    _audit(db, ctx, at, AuditAction.UPDATE, link, "revoked")
    return LinkView(link=link, status=LinkStatus.REVOKED)


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
    recorder = portal.id if portal is not None else link.created_by
    return PatientLinkContext(
        link=link, patient=patient, recorder_user_id=recorder, client_address=client_address
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
    _audit(db, context.ctx, at, AuditAction.READ, link, f"via link {link.id};opened")
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
    """Record every form of the link through ``services.assessments`` and close the link.

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
            patient_id=link.patient_id,
            instrument_id=instrument.id,
            answers=values,
            context=None,
            administered_at=at,
            timepoint=link.timepoint,
            session_id=None,
            at=at,
            ctx=context.ctx,
        )
        rows.append(recorded.assessment)
        crisis = crisis or any(a.code in CRISIS_ALERT_CODES for a in recorded.alerts)
    link.completed_at = at
    link.assessment_ids = [r.id for r in rows]
    link.crisis_notice = crisis
    db.flush()
    _close_email(db, link)
    detail = f"via link {link.id};submitted;assessments={','.join(str(r.id) for r in rows)}"
    _audit(db, context.ctx, at, AuditAction.UPDATE, link, detail)
    return Submission(
        link_id=link.id, assessments=rows, crisis_notice=crisis, already_received=False
    )


def crisis_notice_text(configured: str | None) -> str:
    return configured.strip() if configured and configured.strip() else DEFAULT_CRISIS_NOTICE


@dataclass(frozen=True, slots=True)
class ScoreLine:
    instrument: str
    administered_at: datetime
    total: object
    band: str | None
    valid: bool


@dataclass(frozen=True, slots=True)
class AccessLine:
    at: datetime
    role: str | None
    who: str
    action: str
    entity_type: str
    outcome: str


@dataclass(frozen=True, slots=True)
class Portal:
    patient: Patient
    clinic_name: str
    pending: list[PatientLink]
    scores: list[ScoreLine]
    accesses: list[AccessLine]


_ACTION_WORDS = {"C": "created", "R": "viewed", "U": "updated", "D": "deleted", "E": "ran"}


def _access_lines(db: Session, events: list[AuditEvent], *, own_user_id: int) -> list[AccessLine]:
    users = repo.get_users(db, {e.user_id for e in events if e.user_id is not None})
    out = []
    for event in events:
        user = users.get(event.user_id) if event.user_id is not None else None
        if event.user_id == own_user_id:
            who = "You"
        elif user is not None and user.role != Role.PATIENT.value:
            who = user.full_name
        else:
            who = "Questionnaire link" if event.role == Role.PATIENT.value else "System"
        out.append(
            AccessLine(
                at=event.recorded_at,
                role=event.role,
                who=who,
                action=_ACTION_WORDS.get(event.action, event.action),
                entity_type=event.entity_type,
                outcome="refused" if event.outcome != "0" else "ok",
            )
        )
    return out


def portal_overview(db: Session, *, at: datetime, ctx: AuditContext) -> Portal:
    """A signed-in patient's own page: pending links, recent scores, who accessed the record.

    Raises:
        AccessDenied: the actor is not a patient (staff use the chart).
    """
    actor = require_actor(ctx)
    # Staff roles lack OWN_RECORD_READ: refused (403, audited); staff read the chart instead.
    authorize(
        actor,
        Action.OWN_RECORD_READ,
        Target(actor.organisation_id, actor.patient_id),
        audit_action=AuditAction.READ,
        entity_type="Portal",
    )
    if actor.patient_id is None:
        raise NotFound("portal.no_record", "This account is not linked to a patient record.")
    patient = authorized_patient(
        db,
        actor.patient_id,
        actor=actor,
        action=Action.OWN_RECORD_READ,
        audit_action=AuditAction.READ,
        entity_type="Portal",
    )
    # Read the access report before this visit's own audit entries are written.
    events = audit_repo.list_audit_events(
        db,
        audit_repo.AuditFilter(organisation_id=patient.organisation_id, patient_id=patient.id),
        limit=PORTAL_ACCESS_EVENTS,
        offset=0,
    )
    views = assessments.list_assessments(
        db, patient_id=patient.id, instrument_id=None, at=at, ctx=ctx
    )
    current = [v.assessment for v in views if not v.superseded][-PORTAL_RECENT_SCORES:]
    scores = [
        ScoreLine(
            instrument=assessments.find_instrument(a.instrument_id).short_name,
            administered_at=a.administered_at,
            total=a.result.get("total"),
            band=a.severity,
            valid=a.valid,
        )
        for a in reversed(current)
    ]
    pending = repo.list_open_patient_links(db, patient_id=patient.id, at=at)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type="Portal",
        entity_id=None,
        organisation_id=patient.organisation_id,
        patient_id=patient.id,
        detail=f"links={len(pending)};access_report={len(events)}",
    )
    organisation = organisation_repo.get_organisation(db, patient.organisation_id)
    return Portal(
        patient=patient,
        clinic_name=organisation.name if organisation else "",
        pending=pending,
        scores=scores,
        accesses=_access_lines(db, events, own_user_id=actor.user_id),
    )
