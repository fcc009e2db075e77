"""/me: the signed-in patient's own page; staff roles are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ketacare.services.accounts import users as accounts
from ketacare.services.assessments import link_submission as submission
from ketacare.services.assessments import links as svc
from ketacare.services.audit import AuditContext
from tests.factories.world import NOW, World, make_patient
from tests.web.helpers import sign_in


def test_patient_sees_own_links_scores_and_who_viewed(
    client: TestClient, world: World, db: Session
) -> None:
    assert world.patient is not None
    nurse = AuditContext(actor=accounts.actor_for(world.user("nurse")))
    other = make_patient(
        db, by=world.user("frontdesk"), given_name="Someone", mrn="A0002", weight_kg=None
    )
    used = svc.create_patient_link(
        db,
        patient_id=world.patient.id,
        instruments=["phq9"],
        timepoint="follow-up",
        expires_at=None,
        default_days=4,
        send_email=False,
        at=NOW - timedelta(hours=2),
        ctx=nurse,
    )
    submission.submit_patient_link(
        db,
        token=used.token,
        answers={f"phq9.{i}": "2" for i in range(1, 9)} | {"phq9.9": "0"},
        at=NOW - timedelta(hours=1),
        client_address=None,
    )
    for patient_id in (world.patient.id, other.id):
        svc.create_patient_link(
            db,
            patient_id=patient_id,
            instruments=["gad7"],
            timepoint="follow-up",
            expires_at=None,
            default_days=4,
            send_email=False,
            at=NOW - timedelta(minutes=30),
            ctx=nurse,
        )
    svc.list_patient_links(db, patient_id=world.patient.id, at=NOW, ctx=nurse)
    db.commit()
    sign_in(client, world.user("patient").email)
    r = client.get("/me")
    assert r.status_code == 200
    assert "Hello, Avery" in r.text
    assert "Someone" not in r.text
    assert r.text.count("open the link your clinic sent you") == 1
    assert "PHQ-9" in r.text
    assert '<td data-label="Score">16</td>' in r.text
    assert "moderately severe" in r.text
    assert (
        '<td data-label="Who" class="wrap">nurse A</td><td data-label="Role">nurse</td>\n'
        '        <td data-label="What">viewed PatientLink'
    ) in r.text
    assert '<td data-label="Who" class="wrap">You</td><td data-label="Role">patient</td>' in r.text


@pytest.mark.parametrize(
    "persona", ["nurse", "prescriber", "admin", "frontdesk", "researcher", "outsider"]
)
def test_staff_roles_are_refused(client: TestClient, world: World, persona: str) -> None:
    sign_in(client, world.user(persona).email)
    assert client.get("/me").status_code == 403


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    r = client.get("/me", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")


def test_patient_lands_on_their_own_page_after_sign_in(client: TestClient, world: World) -> None:
    sign_in(client, "patient@a.test")
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == "/me"
    assert 'href="/me"' in client.get("/me").text
