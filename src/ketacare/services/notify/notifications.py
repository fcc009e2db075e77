"""E-mail notifications: queued with the event, sent later by the worker.

Prescribers get safety alerts and serious adverse events; patients get questionnaire links
(``services.assessments.links``), addressed to their portal account or, without one, to the e-mail
on their record (``recipient_email``).

Enqueueing happens in the caller's transaction, next to the event it reports, so a rolled-back
safety alert or adverse event leaves nothing to send. Each (event, prescriber) pair is one row
with a unique dedupe key, so a retried request or a repeated call never sends twice.

No PHI leaves through this channel: a mail says only that something needs review, at which
clinic and when, with a link to the page that shows it after signing in. Outbox rows hold the
same PHI-free text, so reading or writing them is not a patient-data access to audit; the
event itself is audited by its own feature.

Delivery: ``claim_due`` takes a batch and leases it (pushes ``next_attempt_at`` past the time a
send can take) in a short transaction; the worker sends outside any transaction; then
``record_outcome`` marks each row sent, or schedules a retry with exponential back-off, or
gives up after ``MAX_ATTEMPTS``. A worker that dies mid-batch leaves rows whose lease expires,
so another worker picks them up: delivery is at least once, never silently dropped.

Secret links at rest: a questionnaire link's path carries its raw token (only its SHA-256 is
stored with the link), so the outbox row holds the token only while the mail is waiting to be
sent. The moment the row settles (sent, failed for good, or dropped because its recipient is
gone) ``link_path`` becomes ``SETTLED_LINK_PATH``; using or revoking the link scrubs it too.
The remaining window is a pending row: from issue until the worker's successful send (seconds
with a running worker; up to the retry schedule's two hours while the mail server is down).
A database copy taken in that window holds a usable link, as does the patient's mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ketacare.core.authz import Role
from ketacare.core.codes import NotificationKind, NotificationStatus
from ketacare.core.errors import NotFound
from ketacare.db.models import NotificationJob
from ketacare.db.repositories import notification as repo
from ketacare.db.repositories import organisation as organisation_repo
from ketacare.db.repositories import user as user_repo
from ketacare.services.notify.mailer import MAX_ERROR_LENGTH, OutgoingMail

# Retry schedule: 1, 2, 4, ... minutes, never more than an hour apart, eight tries in all
# (about two hours), long enough to ride out a mail-server restart, short enough that a
# permanently failed row shows up in the outbox counts the same morning.
MAX_ATTEMPTS = 8
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
# A claimed row is invisible to other workers for this long; it must outlast a batch's sends.
MIN_LEASE = timedelta(minutes=5)
LEASE_PER_MESSAGE = timedelta(minutes=1)
RECIPIENT_GONE = "recipient_inactive"
RECIPIENT_MISSING = "no_recipient"


# Kinds whose link path is a secret (a token): it leaves the row once the row settles.
SECRET_LINK_KINDS = frozenset({NotificationKind.QUESTIONNAIRE_LINK})
SETTLED_LINK_PATH = "/p/sent"


@dataclass(frozen=True, slots=True)
class _Template:
    subject: str
    headline: str
    link_path: str


TEMPLATES = {
    NotificationKind.SAFETY_ALERT: _Template(
        subject="KetaCare: a safety alert needs review",
        headline="A safety alert needs review",
        link_path="/dashboard",
    ),
    NotificationKind.SERIOUS_ADVERSE_EVENT: _Template(
        subject="KetaCare: a serious adverse event was recorded",
        headline="A serious adverse event was recorded",
        link_path="/floor",
    ),
}


@dataclass(frozen=True, slots=True)
class ClaimedMail:
    job_id: int
    mail: OutgoingMail


@dataclass(frozen=True, slots=True)
class Claim:
    """One claimed batch: the mails to send, and how many rows were settled without sending."""

    mails: list[ClaimedMail]
    dropped: int

    @property
    def empty(self) -> bool:
        return not self.mails and not self.dropped


def _body(headline: str, organisation_name: str, at: datetime) -> str:
    return (
        f"{headline}.\n\n"
        f"Clinic: {organisation_name}\n"
        f"Time: {at:%Y-%m-%d %H:%M} UTC\n\n"
        "For privacy this message carries no patient details: sign in to KetaCare to review.\n"
    )


def _enqueue(
    db: Session,
    *,
    kind: NotificationKind,
    organisation_id: int,
    source_id: int,
    dedupe_base: str,
    at: datetime,
) -> list[NotificationJob]:
    organisation = organisation_repo.get_organisation(db, organisation_id)
    if organisation is None:
        raise NotFound("organisation.not_found", f"No organisation with id {organisation_id}.")
    template = TEMPLATES[kind]
    body = _body(template.headline, organisation.name, at)
    prescribers = repo.list_active_users_with_role(
        db, organisation_id=organisation_id, role=Role.PRESCRIBER.value
    )
    return [
        repo.add_job_once(
            db,
            NotificationJob(
                kind=kind,
                organisation_id=organisation_id,
                recipient_user_id=user.id,
                source_id=source_id,
                subject=template.subject,
                body=body,
                link_path=template.link_path,
                status=NotificationStatus.PENDING,
                attempts=0,
                next_attempt_at=at,
                created_at=at,
                dedupe_key=f"{dedupe_base}:user:{user.id}",
            ),
        )
        for user in prescribers
    ]


def enqueue_safety_alert(
    db: Session, *, organisation_id: int, alert_id: int, at: datetime
) -> list[NotificationJob]:
    """Queue "a safety alert needs review" for every active prescriber of the organisation."""
    return _enqueue(
        db,
        kind=NotificationKind.SAFETY_ALERT,
        organisation_id=organisation_id,
        source_id=alert_id,
        dedupe_base=f"safety_alert:{alert_id}",
        at=at,
    )


def enqueue_serious_adverse_event(
    db: Session,
    *,
    organisation_id: int,
    session_id: int,
    at: datetime,
    event_id: int | None = None,
) -> list[NotificationJob]:
    """Queue "a serious adverse event was recorded" for every active prescriber.

    Pass ``event_id`` (the adverse-event row) so a second serious event in the same session is
    a new notification; without it, one notification per session.
    """
    event_part = "" if event_id is None else f":event:{event_id}"
    return _enqueue(
        db,
        kind=NotificationKind.SERIOUS_ADVERSE_EVENT,
        organisation_id=organisation_id,
        source_id=session_id,
        dedupe_base=f"serious_adverse_event:session:{session_id}{event_part}",
        at=at,
    )


def lease_for(batch: int) -> timedelta:
    return max(MIN_LEASE, LEASE_PER_MESSAGE * batch)


def _recipient_address(db: Session, job: NotificationJob) -> str | None:
    """The address to send to now: the user's current e-mail, or the row's own address."""
    if job.recipient_user_id is None:
        return job.recipient_email
    recipient = user_repo.get_user(db, job.recipient_user_id)
    if recipient is None or not recipient.is_active:
        return None
    return recipient.email


def _settle(job: NotificationJob, status: NotificationStatus) -> None:
    """Mark a row sent or failed; a secret link path leaves the row with it."""
    job.status = status
    if job.kind in SECRET_LINK_KINDS:
        job.link_path = SETTLED_LINK_PATH


def claim_due(
    db: Session, *, at: datetime, limit: int, base_url: str, due_by: datetime | None = None
) -> Claim:
    """Claim up to ``limit`` rows due by ``due_by`` (default ``at``): lease, count, build mails.

    A row whose recipient is gone or deactivated is marked failed at once, without sending.
    """
    jobs = repo.claim_due_jobs(db, at=at if due_by is None else due_by, limit=limit)
    mails: list[ClaimedMail] = []
    dropped = 0
    lease_until = at + lease_for(len(jobs))
    for job in jobs:
        job.attempts += 1
        address = _recipient_address(db, job)
        if not address:
            _settle(job, NotificationStatus.FAILED)
            job.last_error = RECIPIENT_GONE if job.recipient_user_id else RECIPIENT_MISSING
            dropped += 1
            continue
        job.next_attempt_at = lease_until
        body = f"{job.body}\nReview it here: {base_url}{job.link_path}\n"
        mail = OutgoingMail(
            to=address,
            subject=job.subject,
            body=body,
            at=at,
            reference=f"ketacare.notification.{job.id}.{job.created_at:%Y%m%d%H%M%S}",
        )
        mails.append(ClaimedMail(job_id=job.id, mail=mail))
    db.flush()
    return Claim(mails=mails, dropped=dropped)


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the ``attempts``-th failed try: 1, 2, 4 ... minutes, capped at an hour."""
    doublings: int = max(attempts - 1, 0)
    return min(RETRY_CAP, RETRY_BASE * (1 << doublings))


def record_outcome(
    db: Session, *, job_id: int, error: str | None, at: datetime
) -> NotificationStatus:
    """Mark a claimed row sent, or schedule its retry, or fail it after the last attempt.

    A settled questionnaire-link row loses its token (``SETTLED_LINK_PATH``) in this same
    transaction.
    """
    job = repo.get_job(db, job_id)
    if job is None:
        raise NotFound("notification.not_found", f"No notification with id {job_id}.")
    if job.status != NotificationStatus.PENDING:
        # Another worker settled it after this one's lease ran out; its word stands.
        return NotificationStatus(job.status)
    if error is None:
        _settle(job, NotificationStatus.SENT)
        job.sent_at = at
        job.last_error = None
    else:
        job.last_error = error[:MAX_ERROR_LENGTH]
        if job.attempts >= MAX_ATTEMPTS:
            _settle(job, NotificationStatus.FAILED)
        else:
            job.next_attempt_at = at + retry_delay(job.attempts)
    db.flush()
    return NotificationStatus(job.status)


def outbox_counts(db: Session) -> dict[str, int]:
    """Rows per status, every status present (zero when none)."""
    counts = repo.count_by_status(db)
    return {status.value: counts.get(status, 0) for status in NotificationStatus}


def count_due(db: Session, *, at: datetime) -> int:
    return repo.count_due(db, at=at)


def list_notifications(
    db: Session, *, organisation_id: int | None = None, status: NotificationStatus | None = None
) -> list[NotificationJob]:
    return repo.list_jobs(db, organisation_id=organisation_id, status=status)
