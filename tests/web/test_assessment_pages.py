"""Assessment and dashboard pages with a real login: radio forms, charts, alerts, roles, CSRF."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import Assessment, SafetyAlert
from ketacare.services.accounts import users as accounts
from ketacare.services.assessments.records import (
    AssessmentEntry,
    record_assessment,
    record_treatment_event,
)
from ketacare.services.audit import AuditContext
from tests.factories.world import NOW, World
from tests.web.helpers import csrf_of, sign_in


def _seed_series(db: Session, world: World) -> None:
    assert world.patient is not None
    ctx = AuditContext(actor=accounts.actor_for(world.user("nurse")))
    start = NOW - timedelta(days=10)
    for days, answers in ((0, [2] * 8 + [0]), (3, [1] * 8 + [0]), (9, [0] * 9)):
        record_assessment(
            db,
            AssessmentEntry(
                patient_id=world.patient.id,
                instrument_id="phq9",
                answers=answers,
                context=None,
                administered_at=start + timedelta(days=days),
                timepoint="follow-up",
                session_id=None,
            ),
            at=NOW,
            ctx=ctx,
        )
    record_treatment_event(
        db,
        patient_id=world.patient.id,
        at=start + timedelta(hours=1),
        kind="ketamine_session",
        source_id=1,
    )
    db.commit()


def test_form_shows_shipped_wording_and_neutral_labels(client: TestClient, world: World) -> None:
    sign_in(client, "nurse@a.test")
    pid = world.patient.id  # type: ignore[union-attr]
    phq = client.get(f"/patients/{pid}/assessments", params={"instrument": "phq9"})
    assert phq.status_code == 200
    assert "Little interest or pleasure in doing things" in phq.text
    assert 'type="radio" name="item_9" value="3"' in phq.text
    assert "Nearly every day" in phq.text
    madrs = client.get(f"/patients/{pid}/assessments", params={"instrument": "madrs"})
    assert "neutral labels shown" in madrs.text
    cssrs = client.get(f"/patients/{pid}/assessments", params={"instrument": "cssrs-screener"})
    assert 'name="item_1" value="yes"' in cssrs.text


def test_record_through_the_form_raises_alert_and_dashboard_closes_it(
    client: TestClient, world: World, db: Session
) -> None:
    pid = world.patient.id  # type: ignore[union-attr]
    sign_in(client, "nurse@a.test")
    page = client.get(f"/patients/{pid}/assessments", params={"instrument": "phq9"})
    data = {f"item_{i}": "1" for i in range(1, 10)}
    data.update(
        {"csrf_token": csrf_of(page.text), "instrument": "phq9", "timepoint": "pre-session"}
    )
    saved = client.post(f"/patients/{pid}/assessments", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    shown = client.get(f"/patients/{pid}/assessments")
    assert 'data-testid="open-alert"' in shown.text
    assert 'data-testid="trajectory-phq9"' in shown.text
    # A nurse sees the dashboard but has no close form, and a forged close is refused.
    board = client.get("/dashboard")
    assert board.status_code == 200
    assert "suicidal ideation" in board.text
    assert "Close alert" not in board.text
    alert = db.scalars(select(SafetyAlert)).one()
    refused = client.post(
        f"/alerts/{alert.id}/close",
        data={"csrf_token": csrf_of(board.text), "action_note": "done"},
        headers={"accept": "text/html"},
    )
    assert refused.status_code == 403

    client.post("/logout", data={"csrf_token": csrf_of(board.text)})
    sign_in(client, "prescriber@a.test")
    board = client.get("/dashboard")
    assert "Close alert" in board.text
    token = csrf_of(board.text)
    blank = client.post(f"/alerts/{alert.id}/close", data={"csrf_token": token, "action_note": " "})
    assert blank.status_code == 422
    assert 'data-error-for="action_note"' in blank.text
    no_csrf = client.post(f"/alerts/{alert.id}/close", data={"action_note": "x"})
    assert no_csrf.status_code == 403
    closed = client.post(
        f"/alerts/{alert.id}/close",
        data={"csrf_token": token, "action_note": "Called patient; C-SSRS low."},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert 'data-testid="no-alerts"' in client.get("/dashboard").text
    db.expire_all()
    assert db.get(SafetyAlert, alert.id).status == "closed"  # type: ignore[union-attr]


def test_bad_form_answer_names_the_item_and_keeps_choices(
    client: TestClient, world: World, db: Session
) -> None:
    pid = world.patient.id  # type: ignore[union-attr]
    sign_in(client, "nurse@a.test")
    page = client.get(f"/patients/{pid}/assessments", params={"instrument": "phq9"})
    data = {"item_1": "2", "item_9": "7", "csrf_token": csrf_of(page.text)}
    data.update({"instrument": "phq9", "timepoint": "baseline"})
    r = client.post(f"/patients/{pid}/assessments", data=data)
    assert r.status_code == 422
    assert "item 9" in r.text
    assert 'name="item_1" value="2" checked' in r.text
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0


def test_chart_has_bands_points_treatment_and_cut_lines(
    client: TestClient, world: World, db: Session
) -> None:
    _seed_series(db, world)
    sign_in(client, "prescriber@a.test")
    page = client.get(f"/patients/{world.patient.id}/assessments")  # type: ignore[union-attr]
    assert page.status_code == 200
    assert page.text.count('class="point"') == 3
    assert page.text.count('class="band"') == 5
    assert 'data-band="Moderately severe"' in page.text
    assert 'class="treatment"' in page.text
    assert 'class="cut response"' in page.text
    assert 'class="cut remission"' in page.text
    assert "Response: <strong>yes</strong>" in page.text
    assert "Remission: <strong>yes</strong>" in page.text


def test_roles_on_pages(client: TestClient, world: World) -> None:
    pid = world.patient.id  # type: ignore[union-attr]
    sign_in(client, "frontdesk@a.test")
    html = {"accept": "text/html"}
    assert client.get(f"/patients/{pid}/assessments", headers=html).status_code == 403
    assert client.get("/dashboard", headers=html).status_code == 403


def test_outsider_cannot_see_another_clinics_page(client: TestClient, world: World) -> None:
    sign_in(client, "outsider@b.test")
    pid = world.patient.id  # type: ignore[union-attr]
    assert (
        client.get(f"/patients/{pid}/assessments", headers={"accept": "text/html"}).status_code
        == 403
    )
    board = client.get("/dashboard")
    assert board.status_code == 200
    assert 'data-testid="no-alerts"' in board.text


def test_signed_out_redirects_to_login(client: TestClient, world: World) -> None:
    r = client.get("/dashboard", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")
