"""Questionnaire links on both databases: hashed token, expiry, single use, revoke, alerts,
who a submission is attributed to, and the e-mail (portal account or the patient's address)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.core.errors import Conflict, Invalid
from ketacare.core.outcomes.model import AssessmentSource, LinkStatus
from ketacare.db.models import (
    Assessment,
    AuditEvent,
    NotificationJob,
    Patient,
    PatientLink,
    SafetyAlert,
)
from ketacare.services.assessments import link_submission as submission
from ketacare.services.assessments import links as svc
from ketacare.services.assessments import records as assessment_svc
from ketacare.services.assessments.records import AssessmentEntry
from ketacare.services.assessments.source import recorded_by_label
from ketacare.services.audit import AccessDenied
from ketacare.services.patients import portal
from tests.factories.world import NOW, World, ctx

PHQ9_OK = {f"phq9.{i}": "1" for i in range(1, 9)} | {"phq9.9": "0"}


def _issue(db: Session, world: World, **kw: object) -> svc.IssuedLink:
    assert world.patient is not None
    values: dict[str, object] = {
        "patient_id": world.patient.id,
        "instruments": ["PHQ-9"],
        "timepoint": "follow-up",
        "expires_at": None,
        "default_days": 4,
        "send_email": False,
        "at": NOW,
        "ctx": ctx(world, "nurse"),
    }
    values.update(kw)
    return svc.create_patient_link(db, **values)  # type: ignore[arg-type]


def _submit(
    db: Session, token: str, answers: dict[str, str], **kw: object
) -> submission.Submission:
    values: dict[str, object] = {"at": NOW + timedelta(hours=1), "client_address": "203.0.113.9"}
    values.update(kw)
    return submission.submit_patient_link(db, token=token, answers=answers, **values)  # type: ignore[arg-type]


def test_only_the_sha256_of_the_token_is_stored(db: Session, world: World) -> None:
    issued = _issue(db, world)
    row = db.get(PatientLink, issued.link.id)
    assert row is not None
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert len(issued.token) >= 40
    assert issued.path == f"/p/{issued.token}"
    assert row.instruments == ["phq9"]
    assert row.expires_at == NOW + timedelta(days=4)
    created = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "PatientLink", AuditEvent.action == "C")
    ).all()
    assert created
    assert issued.token not in (created[-1].detail or "")


@pytest.mark.parametrize(
    ("instrument", "code"),
    [
        ("madrs", "patient_link.not_self_report"),
        ("qids-sr16", "patient_link.no_licensed_text"),
        ("bdi2", "patient_link.no_licensed_text"),
        ("nonsense", "assessment.unknown_instrument"),
    ],
)
def test_instruments_without_licensed_self_report_wording_are_refused(
    db: Session, world: World, instrument: str, code: str
) -> None:
    with pytest.raises(Invalid) as caught:
        _issue(db, world, instruments=["phq9", instrument])
    assert caught.value.field == "instruments"
    assert caught.value.code == code
    assert db.scalars(select(PatientLink)).all() == []


@pytest.mark.parametrize("persona", ["frontdesk", "admin", "researcher", "patient", "outsider"])
def test_only_nurses_and_prescribers_issue_links(db: Session, world: World, persona: str) -> None:
    with pytest.raises(AccessDenied):
        _issue(db, world, ctx=ctx(world, persona))


def test_expiry_must_be_within_thirty_days(db: Session, world: World) -> None:
    with pytest.raises(Invalid) as caught:
        _issue(db, world, expires_at=NOW + timedelta(days=31))
    assert caught.value.field == "expires_at"
    with pytest.raises(Invalid):
        _issue(db, world, expires_at=NOW - timedelta(minutes=1))


def test_submission_records_through_assessments_once(db: Session, world: World) -> None:
    issued = _issue(db, world, instruments=["phq9", "gad7"])
    answers = PHQ9_OK | {f"gad7.{i}": "2" for i in range(1, 8)}
    done = _submit(db, issued.token, answers)
    assert not done.already_received
    assert [a.instrument_id for a in done.assessments] == ["phq9", "gad7"]
    assert [a.total for a in done.assessments] == [8.0, 14.0]
    assert all(a.timepoint == "follow-up" for a in done.assessments)
    assert not done.crisis_notice
    # Recorded by the patient's portal account (they have one in the world), as a link entry.
    assert {a.recorded_by for a in done.assessments} == {world.user("patient").id}
    assert {a.source for a in done.assessments} == {AssessmentSource.PATIENT_LINK}
    assert {a.patient_link_id for a in done.assessments} == {issued.link.id}
    again = _submit(db, issued.token, answers, at=NOW + timedelta(hours=2))
    assert again.already_received
    assert [a.id for a in again.assessments] == [a.id for a in done.assessments]
    assert len(db.scalars(select(Assessment)).all()) == 2
    via = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "PatientLink", AuditEvent.action == "U")
    ).all()
    assert len(via) == 1
    assert via[0].detail is not None
    assert via[0].detail.startswith(f"via link {issued.link.id}")
    assert via[0].client_address == "203.0.113.9"
    views = svc.list_patient_links(
        db, patient_id=issued.link.patient_id, at=NOW + timedelta(hours=2), ctx=ctx(world, "nurse")
    )
    assert [v.status for v in views] == [LinkStatus.COMPLETED]


def test_item_nine_raises_the_same_alert_as_staff_entry_and_the_crisis_notice(
    db: Session, world: World
) -> None:
    issued = _issue(db, world)
    done = _submit(db, issued.token, PHQ9_OK | {"phq9.9": "2"})
    assert done.crisis_notice
    alerts = db.scalars(select(SafetyAlert)).all()
    assert [a.code for a in alerts] == ["suicidal_ideation"]
    assert alerts[0].assessment_id == done.assessments[0].id
    assert db.scalars(select(NotificationJob).where(NotificationJob.kind == "safety_alert")).all()
    assert _submit(db, issued.token, PHQ9_OK).crisis_notice  # a retry shows the notice again


def test_unanswered_or_wrong_item_is_refused_naming_it(db: Session, world: World) -> None:
    issued = _issue(db, world)
    missing = dict(PHQ9_OK)
    del missing["phq9.4"]
    with pytest.raises(Invalid) as caught:
        _submit(db, issued.token, missing)
    assert caught.value.field == "phq9.4"
    with pytest.raises(Invalid) as caught:
        _submit(db, issued.token, PHQ9_OK | {"phq9.9": "7"})
    assert caught.value.field == "phq9.9"
    assert db.scalars(select(Assessment)).all() == []


def test_expired_revoked_and_unknown_links(db: Session, world: World) -> None:
    issued = _issue(db, world)
    with pytest.raises(submission.LinkUnavailable) as caught:
        _submit(db, issued.token, PHQ9_OK, at=NOW + timedelta(days=4))
    assert caught.value.gone
    with pytest.raises(submission.LinkUnavailable) as caught:
        _submit(db, "not-a-token", PHQ9_OK)
    assert not caught.value.gone
    second = _issue(db, world)
    view = svc.revoke_patient_link(
        db, link_id=second.link.id, at=NOW + timedelta(minutes=5), ctx=ctx(world, "prescriber")
    )
    assert view.status is LinkStatus.REVOKED
    with pytest.raises(submission.LinkUnavailable) as caught:
        submission.open_patient_link(
            db, token=second.token, at=NOW + timedelta(minutes=6), client_address=None
        )
    assert caught.value.gone
    with pytest.raises(Conflict):
        svc.revoke_patient_link(db, link_id=second.link.id, at=NOW, ctx=ctx(world, "nurse"))
    with pytest.raises(AccessDenied):
        svc.revoke_patient_link(db, link_id=issued.link.id, at=NOW, ctx=ctx(world, "outsider"))
    assert db.scalars(select(Assessment)).all() == []


def test_emailed_link_carries_no_clinical_detail_and_leaves_the_outbox_when_used(
    db: Session, world: World
) -> None:
    issued = _issue(db, world, send_email=True)
    job = db.scalars(
        select(NotificationJob).where(NotificationJob.kind == "questionnaire_link")
    ).one()
    assert job.recipient_user_id == world.user("patient").id
    assert job.link_path == issued.path
    assert "Clinic A" in job.subject
    for word in ("PHQ", "depress", "Avery", "Quinn"):
        assert word not in job.subject + job.body
    _submit(db, issued.token, PHQ9_OK)
    assert job.link_path == svc.CLOSED_LINK_PATH
    assert job.status == "failed"


def _without_portal_account(db: Session, world: World, *, email: str | None) -> Patient:
    world.user("patient").is_active = False
    assert world.patient is not None
    world.patient.email = email
    db.flush()
    return world.patient


def test_email_needs_a_portal_account_or_an_address_on_file(db: Session, world: World) -> None:
    _without_portal_account(db, world, email=None)
    with pytest.raises(Invalid) as caught:
        _issue(db, world, send_email=True)
    assert caught.value.field == "send_email"
    assert db.scalars(select(PatientLink)).all() == []


def test_without_a_portal_account_the_mail_goes_to_the_patients_own_address(
    db: Session, world: World
) -> None:
    _without_portal_account(db, world, email="avery.quinn@example.test")
    issued = _issue(db, world, send_email=True)
    job = db.scalars(
        select(NotificationJob).where(NotificationJob.kind == "questionnaire_link")
    ).one()
    assert job.recipient_user_id is None
    assert job.recipient_email == "avery.quinn@example.test"
    assert issued.link.emailed


def test_without_a_portal_account_nobody_is_named_as_recorder_and_the_policy_still_runs(
    db: Session, world: World
) -> None:
    _without_portal_account(db, world, email=None)
    issued = _issue(db, world, ctx=ctx(world, "prescriber"))
    done = _submit(db, issued.token, PHQ9_OK)
    row = db.get(Assessment, done.assessments[0].id)
    assert row is not None
    db.refresh(row)
    assert row.recorded_by is None
    assert row.source == "patient_link"
    assert row.patient_link_id == issued.link.id
    assert recorded_by_label(row, {}) == "self-report via link"
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "Assessment", AuditEvent.action == "C")
    ).all()[-1]
    assert event.role == "patient"
    assert event.patient_id == issued.link.patient_id
    assert event.detail is not None
    assert "source=patient_link" in event.detail


def test_link_attribution_is_only_for_the_links_own_patient(db: Session, world: World) -> None:
    """A staff actor cannot pass a link id, nor can a patient use another patient's link."""
    issued = _issue(db, world)
    assert world.patient is not None
    staff = ctx(world, "nurse")
    with pytest.raises(Invalid) as caught:
        assessment_svc.record_assessment(
            db,
            AssessmentEntry(
                patient_id=world.patient.id,
                instrument_id="phq9",
                answers=[1] * 8 + [0],
                context=None,
                administered_at=NOW,
                timepoint="follow-up",
                session_id=None,
                patient_link_id=issued.link.id,
            ),
            at=NOW,
            ctx=staff,
        )
    assert caught.value.field == "patient_link_id"
    with pytest.raises(Invalid) as caught:
        assessment_svc.record_assessment(
            db,
            AssessmentEntry(
                patient_id=world.patient.id,
                instrument_id="phq9",
                answers=[1] * 8 + [0],
                context=None,
                administered_at=NOW,
                timepoint="follow-up",
                session_id=None,
                patient_link_id=issued.link.id + 1000,
            ),
            at=NOW,
            ctx=ctx(world, "patient"),
        )
    assert caught.value.field == "patient_link_id"
    assert db.scalars(select(Assessment)).all() == []
    # Staff entry stays "staff", by the nurse.
    row = assessment_svc.record_assessment(
        db,
        AssessmentEntry(
            patient_id=world.patient.id,
            instrument_id="phq9",
            answers=[1] * 8 + [0],
            context=None,
            administered_at=NOW,
            timepoint="follow-up",
            session_id=None,
        ),
        at=NOW,
        ctx=staff,
    )
    assert (row.source, row.recorded_by, row.patient_link_id) == (
        "staff",
        world.user("nurse").id,
        None,
    )
    assert recorded_by_label(row, {world.user("nurse").id: "nurse A"}) == "by nurse A"


def test_portal_overview_is_the_patients_own_and_staff_are_refused(
    db: Session, world: World
) -> None:
    issued = _issue(db, world)
    _issue(db, world)
    _submit(db, issued.token, PHQ9_OK)
    overview = portal.portal_overview(db, at=NOW + timedelta(hours=3), ctx=ctx(world, "patient"))
    assert world.patient is not None
    assert overview.patient.id == world.patient.id
    assert len(overview.pending) == 1
    assert [(s.instrument, s.total, s.band) for s in overview.scores] == [("PHQ-9", 8, "mild")]
    assert any(a.who == "nurse A" for a in overview.accesses)
    for persona in ("nurse", "prescriber", "admin", "frontdesk", "researcher", "outsider"):
        with pytest.raises(AccessDenied):
            portal.portal_overview(db, at=NOW, ctx=ctx(world, persona))
