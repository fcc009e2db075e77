"""E-mail notifications through a real local SMTP server (aiosmtpd), on both databases."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from ketacare.cli.worker import DrainSummary, drain
from ketacare.core.authz import Role
from ketacare.core.codes import NotificationStatus
from ketacare.core.errors import NotFound
from ketacare.db.models import NotificationJob, Organisation, SafetyAlert, User
from ketacare.services.accounts import users as accounts
from ketacare.services.assessments import links as patient_links
from ketacare.services.assessments.records import AssessmentEntry, record_assessment
from ketacare.services.notify import notifications as svc
from ketacare.services.notify.mailer import OutgoingMail, SmtpMailer
from ketacare.services.notify.notifications import MAX_ATTEMPTS
from tests.factories.world import NOW, PASSWORD, SYSTEM, World, ctx

BASE_URL = "https://clinic.test"
PHI_MARKERS = ("Avery", "Quinn", "1984", "A0001", "PHQ", "phq9", "suicid", "item")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """An aiosmtpd handler that keeps every accepted message, or answers with ``reply``."""

    def __init__(self) -> None:
        self.port = 0
        self.reply = "250 OK"
        self.envelopes: list[Any] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook name
        if self.reply.startswith("250"):
            with self._lock:
                self.envelopes.append(envelope)
        return self.reply

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for envelope in self.envelopes:
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed

    def mailer(self) -> SmtpMailer:
        return SmtpMailer(host="127.0.0.1", port=self.port, sender="ketacare@clinic.test")


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _down_mailer() -> SmtpMailer:
    """A mailer pointed at a loopback port nothing listens on."""
    return SmtpMailer(host="127.0.0.1", port=_free_port(), sender="ketacare@clinic.test")


def _drain(
    factory: sessionmaker[Session], mailer: Any, at: datetime, *, batch: int = 10
) -> DrainSummary:
    return drain(factory, mailer=mailer, clock=Clock(at), base_url=BASE_URL, batch=batch)


def _phq9_with_item9(db: Session, world: World) -> None:
    assert world.patient is not None
    record_assessment(
        db,
        AssessmentEntry(
            patient_id=world.patient.id,
            instrument_id="phq9",
            answers=[1, 1, 1, 1, 0, 0, 0, 0, 1],
            context=None,
            administered_at=NOW - timedelta(hours=1),
            timepoint="follow-up",
            session_id=None,
        ),
        at=NOW,
        ctx=ctx(world, "nurse"),
    )


def _add_prescriber(
    db: Session, world: World, hasher: PasswordHasher, *, name: str, active: bool = True
) -> User:
    user = accounts.create_user(
        db,
        hasher=hasher,
        organisation_id=world.org.id,
        email=f"{name}@a.test",
        full_name=f"{name} A",
        role=Role.PRESCRIBER,
        password=PASSWORD,
        at=NOW,
        ctx=SYSTEM,
    )
    user.is_active = active
    db.flush()
    return user


def _jobs(db: Session, world: World) -> list[NotificationJob]:
    return svc.list_notifications(db, organisation_id=world.org.id)


def _assert_no_phi(text: str) -> None:
    for marker in PHI_MARKERS:
        assert marker.lower() not in text.lower(), marker


# --- enqueue --------------------------------------------------------------------------------


def test_phq9_item9_queues_one_mail_per_active_prescriber(
    db: Session, world: World, hasher: PasswordHasher
) -> None:
    second = _add_prescriber(db, world, hasher, name="second")
    _add_prescriber(db, world, hasher, name="retired", active=False)
    _phq9_with_item9(db, world)
    alerts = list(db.scalars(select(SafetyAlert)))
    assert alerts, "PHQ-9 item 9 >= 1 raises a safety alert"
    jobs = _jobs(db, world)
    # One row per alert and active prescriber of org A; nurses, inactive accounts and org B's
    # prescriber get nothing.
    expected = {(a.id, u) for a in alerts for u in (world.user("prescriber").id, second.id)}
    assert {(j.source_id, j.recipient_user_id) for j in jobs} == expected
    assert svc.list_notifications(db, organisation_id=world.other_org.id) == []
    for job in jobs:
        assert job.kind == "safety_alert"
        assert job.status == NotificationStatus.PENDING
        assert job.attempts == 0
        assert job.next_attempt_at == NOW
        assert job.link_path == "/dashboard"
        assert job.subject == "KetaCare: a safety alert needs review"
        assert "Clinic A" in job.body
        assert "2026-11-29 09:00 UTC" in job.body
        _assert_no_phi(job.subject + job.body)


def test_rolled_back_event_sends_nothing(
    db: Session, world: World, session_factory: sessionmaker[Session], smtp: SmtpSink
) -> None:
    savepoint = db.begin_nested()
    _phq9_with_item9(db, world)
    assert _jobs(db, world)
    savepoint.rollback()
    db.commit()
    assert _jobs(db, world) == []
    summary = _drain(session_factory, smtp.mailer(), NOW + timedelta(minutes=1))
    assert summary == DrainSummary(sent=0, failed=0, pending=0)
    assert smtp.envelopes == []


def test_repeated_enqueue_is_deduplicated(db: Session, world: World) -> None:
    first = svc.enqueue_serious_adverse_event(
        db, organisation_id=world.org.id, session_id=7, at=NOW
    )
    again = svc.enqueue_serious_adverse_event(
        db, organisation_id=world.org.id, session_id=7, at=NOW + timedelta(seconds=5)
    )
    assert [j.id for j in again] == [j.id for j in first]
    assert len(_jobs(db, world)) == 1
    # A second serious event in the same session is news: a new row.
    other = svc.enqueue_serious_adverse_event(
        db, organisation_id=world.org.id, session_id=7, at=NOW, event_id=3
    )
    assert {j.id for j in other}.isdisjoint({j.id for j in first})
    assert len(_jobs(db, world)) == 2


def test_unknown_organisation_is_not_found(db: Session, world: World) -> None:
    with pytest.raises(NotFound):
        svc.enqueue_safety_alert(db, organisation_id=999_999, alert_id=1, at=NOW)


# --- delivery -------------------------------------------------------------------------------


def test_worker_sends_to_prescribers_without_phi_and_marks_sent(
    db: Session, world: World, session_factory: sessionmaker[Session], smtp: SmtpSink
) -> None:
    _phq9_with_item9(db, world)
    svc.enqueue_serious_adverse_event(db, organisation_id=world.org.id, session_id=11, at=NOW)
    db.commit()
    queued = len(_jobs(db, world))
    sent_at = NOW + timedelta(minutes=1)

    summary = _drain(session_factory, smtp.mailer(), sent_at, batch=1)

    assert summary == DrainSummary(sent=queued, failed=0, pending=0)
    messages = smtp.messages()
    assert len(messages) == queued
    prescriber = world.user("prescriber").email
    assert {tuple(e.rcpt_tos) for e in smtp.envelopes} == {(prescriber,)}
    subjects = sorted(str(m["Subject"]) for m in messages)
    assert "KetaCare: a serious adverse event was recorded" in subjects
    assert "KetaCare: a safety alert needs review" in subjects
    for message in messages:
        assert message["From"] == "ketacare@clinic.test"
        assert message["To"] == prescriber
        body = message.get_content()
        assert "Clinic A" in body
        assert "2026-11-29 09:00 UTC" in body
        link = "/floor" if "adverse" in str(message["Subject"]) else "/dashboard"
        assert f"{BASE_URL}{link}" in body
        _assert_no_phi(str(message["Subject"]) + body)
    db.expire_all()
    for job in _jobs(db, world):
        assert (job.status, job.attempts, job.sent_at, job.last_error) == ("sent", 1, sent_at, None)
    # Nothing is sent twice.
    assert _drain(session_factory, smtp.mailer(), sent_at + timedelta(hours=1)).sent == 0
    assert len(smtp.envelopes) == queued


def test_smtp_down_schedules_retry_with_back_off_and_no_phi(
    db: Session, world: World, session_factory: sessionmaker[Session], smtp: SmtpSink
) -> None:
    svc.enqueue_safety_alert(db, organisation_id=world.org.id, alert_id=42, at=NOW)
    db.commit()
    first_try = NOW + timedelta(seconds=30)

    summary = _drain(session_factory, _down_mailer(), first_try)

    assert summary == DrainSummary(sent=0, failed=0, pending=1)
    db.expire_all()
    (job,) = _jobs(db, world)
    assert job.status == "pending"
    assert job.attempts == 1
    assert job.last_error == "ConnectionRefusedError"
    assert job.next_attempt_at == first_try + timedelta(minutes=1)
    # Not due yet: a drain now sends nothing and leaves the schedule alone.
    assert _drain(session_factory, smtp.mailer(), first_try + timedelta(seconds=59)).sent == 0
    assert smtp.envelopes == []
    # Second failure doubles the wait.
    second_try = first_try + timedelta(minutes=1)
    _drain(session_factory, _down_mailer(), second_try)
    db.expire_all()
    (job,) = _jobs(db, world)
    assert (job.attempts, job.next_attempt_at) == (2, second_try + timedelta(minutes=2))
    # The server is back: the retry goes out once and the error is cleared.
    back = second_try + timedelta(minutes=2)
    assert _drain(session_factory, smtp.mailer(), back) == DrainSummary(1, 0, 0)
    db.expire_all()
    (job,) = _jobs(db, world)
    assert (job.status, job.attempts, job.last_error, job.sent_at) == ("sent", 3, None, back)
    assert len(smtp.envelopes) == 1


def test_refused_message_records_code_not_server_text(
    db: Session, world: World, session_factory: sessionmaker[Session], smtp: SmtpSink
) -> None:
    smtp.reply = "554 5.7.1 refused: Avery Quinn 1984-03-14"
    svc.enqueue_safety_alert(db, organisation_id=world.org.id, alert_id=1, at=NOW)
    db.commit()
    _drain(session_factory, smtp.mailer(), NOW)
    db.expire_all()
    (job,) = _jobs(db, world)
    assert job.last_error == "SMTPDataError 554"
    assert job.status == "pending"


def test_attempts_are_capped_then_failed(
    db: Session, world: World, session_factory: sessionmaker[Session]
) -> None:
    svc.enqueue_safety_alert(db, organisation_id=world.org.id, alert_id=5, at=NOW)
    db.commit()
    at = NOW
    delays = []
    summaries = []
    for _ in range(MAX_ATTEMPTS):
        summaries.append(_drain(session_factory, _down_mailer(), at))
        db.expire_all()
        (job,) = _jobs(db, world)
        delays.append(job.next_attempt_at - at)
        at = job.next_attempt_at
    assert job.status == "failed"
    assert job.attempts == MAX_ATTEMPTS
    assert job.last_error == "ConnectionRefusedError"
    assert summaries[-1] == DrainSummary(sent=0, failed=1, pending=0)
    assert all(s.failed == 0 for s in summaries[:-1])
    minutes = [d / timedelta(minutes=1) for d in delays[:-1]]
    assert minutes == [1, 2, 4, 8, 16, 32, 60]
    # A failed row is never claimed again.
    assert _drain(session_factory, _down_mailer(), at + timedelta(days=1)).failed == 0


def test_recipient_deactivated_before_sending_gets_nothing(
    db: Session, world: World, session_factory: sessionmaker[Session], smtp: SmtpSink
) -> None:
    svc.enqueue_safety_alert(db, organisation_id=world.org.id, alert_id=9, at=NOW)
    world.user("prescriber").is_active = False
    db.commit()
    summary = _drain(session_factory, smtp.mailer(), NOW)
    assert summary == DrainSummary(sent=0, failed=1, pending=0)
    db.expire_all()
    (job,) = _jobs(db, world)
    assert (job.status, job.last_error) == ("failed", "recipient_inactive")
    assert smtp.envelopes == []


# --- questionnaire links: the raw token leaves the outbox once the mail settles -------------


def _send_link(db: Session, world: World) -> patient_links.IssuedLink:
    assert world.patient is not None
    return patient_links.create_patient_link(
        db,
        patient_id=world.patient.id,
        instruments=["phq9"],
        timepoint="follow-up",
        expires_at=None,
        default_days=4,
        send_email=True,
        at=NOW,
        ctx=ctx(world, "nurse"),
    )


def _outbox_text(factory: sessionmaker[Session]) -> str:
    """Every column of every outbox row, as stored (raw SQL in a fresh session, no ORM cache)."""
    with factory() as fresh:
        rows = fresh.execute(text("SELECT * FROM notification_jobs")).all()
    assert rows
    return "\n".join(repr(tuple(row)) for row in rows)


@pytest.mark.parametrize("portal_account", [True, False])
def test_link_token_is_gone_from_the_outbox_after_the_worker_sends(
    db: Session,
    world: World,
    session_factory: sessionmaker[Session],
    smtp: SmtpSink,
    portal_account: bool,
) -> None:
    """With a portal account the mail goes to it; without one, to the patient's own address."""
    assert world.patient is not None
    world.patient.email = "avery.home@example.test"
    world.user("patient").is_active = portal_account
    db.flush()
    issued = _send_link(db, world)
    db.commit()
    # Pending: the token is in the row (the documented window), and only there.
    assert issued.token in _outbox_text(session_factory)

    summary = _drain(session_factory, smtp.mailer(), NOW + timedelta(minutes=1))

    assert summary == DrainSummary(sent=1, failed=0, pending=0)
    expected = world.user("patient").email if portal_account else "avery.home@example.test"
    assert [tuple(e.rcpt_tos) for e in smtp.envelopes] == [(expected,)]
    (message,) = smtp.messages()
    assert f"{BASE_URL}{issued.path}" in message.get_content()
    stored = _outbox_text(session_factory)
    assert issued.token not in stored
    assert svc.SETTLED_LINK_PATH in stored
    db.expire_all()
    (job,) = _jobs(db, world)
    assert (job.status, job.link_path, job.recipient_user_id is None) == (
        "sent",
        svc.SETTLED_LINK_PATH,
        not portal_account,
    )


def test_link_token_leaves_the_outbox_when_the_recipient_is_gone(
    db: Session, world: World, session_factory: sessionmaker[Session], smtp: SmtpSink
) -> None:
    issued = _send_link(db, world)
    world.user("patient").is_active = False
    db.commit()
    summary = _drain(session_factory, smtp.mailer(), NOW)
    assert summary == DrainSummary(sent=0, failed=1, pending=0)
    assert smtp.envelopes == []
    assert issued.token not in _outbox_text(session_factory)


def test_outbox_counts_every_status(db: Session, world: World) -> None:
    assert svc.outbox_counts(db) == {"pending": 0, "sent": 0, "failed": 0}
    svc.enqueue_safety_alert(db, organisation_id=world.org.id, alert_id=3, at=NOW)
    assert svc.outbox_counts(db) == {"pending": 1, "sent": 0, "failed": 0}


# --- several workers, real commits ----------------------------------------------------------


class _SlowMailer:
    """The real SMTP mailer, slowed down so concurrent workers overlap."""

    def __init__(self, inner: SmtpMailer) -> None:
        self.inner = inner

    def send(self, messages: Sequence[OutgoingMail]) -> list[str | None]:
        time.sleep(0.02)
        return self.inner.send(messages)


def _committed_clinic(engine: Engine, *, prescribers: int) -> tuple[int, list[int]]:
    tag = uuid.uuid4().hex[:8]
    with Session(engine) as db, db.begin():
        org = Organisation(name=f"Outbox {tag}", created_at=NOW)
        db.add(org)
        db.flush()
        users = [
            User(
                organisation_id=org.id,
                email=f"rx{i}-{tag}@outbox.test",
                full_name=f"Rx {i}",
                role=Role.PRESCRIBER.value,
                password_hash="unused",
                is_active=True,
                failed_logins=0,
                password_changed_at=NOW,
                created_at=NOW,
            )
            for i in range(prescribers)
        ]
        db.add_all(users)
        db.flush()
        return org.id, [u.id for u in users]


def _remove_clinic(engine: Engine, org_id: int) -> None:
    with Session(engine) as db, db.begin():
        db.execute(delete(NotificationJob).where(NotificationJob.organisation_id == org_id))
        db.execute(delete(User).where(User.organisation_id == org_id))
        db.execute(delete(Organisation).where(Organisation.id == org_id))


def test_two_workers_never_send_the_same_row_twice(engine: Engine, smtp: SmtpSink) -> None:
    org_id, _ = _committed_clinic(engine, prescribers=2)
    try:
        with Session(engine) as db, db.begin():
            for session_id in range(1, 21):
                svc.enqueue_serious_adverse_event(
                    db, organisation_id=org_id, session_id=session_id, at=NOW
                )
        factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
        results: list[DrainSummary] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                mailer = _SlowMailer(smtp.mailer())
                results.append(_drain(factory, mailer, NOW + timedelta(minutes=1), batch=3))
            except BaseException as exc:  # noqa: BLE001 - reported to the main thread
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert errors == []
        assert sum(r.sent for r in results) == 40
        # Both workers took part: the race was real.
        assert all(r.sent > 0 for r in results)
        ids = [str(m["Message-ID"]) for m in smtp.messages()]
        assert len(ids) == 40
        assert len(set(ids)) == 40
        with Session(engine) as db:
            rows = list(
                db.scalars(select(NotificationJob).where(NotificationJob.organisation_id == org_id))
            )
            assert len(rows) == 40
            assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}
    finally:
        _remove_clinic(engine, org_id)


def test_a_second_worker_never_takes_rows_the_first_holds(engine: Engine, backend: str) -> None:
    """PostgreSQL: rows locked by an uncommitted claim are skipped (SKIP LOCKED). SQLite takes
    its write lock at BEGIN, so claims run one after the other and the second sees the first's
    lease. Either way the two workers get disjoint rows."""
    org_id, _ = _committed_clinic(engine, prescribers=1)
    try:
        with Session(engine) as db, db.begin():
            for session_id in range(1, 7):
                svc.enqueue_serious_adverse_event(
                    db, organisation_id=org_id, session_id=session_id, at=NOW
                )
        if backend == "postgresql":
            with Session(engine) as first, first.begin():
                held = svc.claim_due(first, at=NOW, limit=3, base_url=BASE_URL)
                # The first claim is not committed yet: its rows are locked, not yet leased.
                with Session(engine) as second, second.begin():
                    # Without SKIP LOCKED this claim would wait on the first one's locks:
                    # make that a quick error instead of a hung test.
                    second.execute(text("SET LOCAL lock_timeout = '2s'"))
                    taken = svc.claim_due(second, at=NOW, limit=10, base_url=BASE_URL)
        else:
            with Session(engine) as first, first.begin():
                held = svc.claim_due(first, at=NOW, limit=3, base_url=BASE_URL)
            with Session(engine) as second, second.begin():
                taken = svc.claim_due(second, at=NOW, limit=10, base_url=BASE_URL)
        held_ids = {c.job_id for c in held.mails}
        taken_ids = {c.job_id for c in taken.mails}
        assert len(held_ids) == 3
        assert len(taken_ids) == 3
        assert held_ids.isdisjoint(taken_ids)
    finally:
        _remove_clinic(engine, org_id)


class _FailingMailerThatTakesTime:
    """Every send fails and takes three minutes of the clock: longer than the first back-off."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def send(self, messages: Sequence[OutgoingMail]) -> list[str | None]:
        self.clock.at += timedelta(minutes=3)
        return ["ConnectionRefusedError"] * len(messages)


def test_a_long_drain_does_not_retry_what_it_just_failed(
    db: Session, world: World, session_factory: sessionmaker[Session]
) -> None:
    for alert_id in (1, 2, 3):
        svc.enqueue_safety_alert(db, organisation_id=world.org.id, alert_id=alert_id, at=NOW)
    db.commit()
    clock = Clock(NOW)
    mailer = _FailingMailerThatTakesTime(clock)
    summary = drain(session_factory, mailer=mailer, clock=clock, base_url=BASE_URL, batch=1)
    assert summary == DrainSummary(sent=0, failed=0, pending=3)
    db.expire_all()
    assert [j.attempts for j in _jobs(db, world)] == [1, 1, 1]


class _Authenticator:
    def __init__(self) -> None:
        self.logins: list[tuple[bytes, bytes]] = []

    def __call__(self, *args: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        data = args[-1]
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_mailer_logs_in_when_configured() -> None:
    sink = SmtpSink()
    sink.port = _free_port()
    authenticator = _Authenticator()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=sink.port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        mailer = SmtpMailer(
            host="127.0.0.1", port=sink.port, sender="k@c.test", username="k", password="s3cret"
        )
        mail = OutgoingMail(to="rx@a.test", subject="s", body="b", at=NOW, reference="r1")
        assert mailer.send([mail]) == [None]
    finally:
        controller.stop()
    assert authenticator.logins == [(b"k", b"s3cret")]
    (message,) = sink.messages()
    assert message["Message-ID"] == "<r1@c.test>"
    assert message["Auto-Submitted"] == "auto-generated"
