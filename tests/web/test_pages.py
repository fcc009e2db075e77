"""Staff pages with a real login: CSRF, roles, errors that name the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, Patient
from tests.factories.world import PASSWORD, World
from tests.web.helpers import csrf_of, sign_in


def test_pages_redirect_to_login_when_signed_out(client: TestClient, world: World) -> None:
    r = client.get("/patients", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login")


def test_login_form_requires_its_csrf_token(client: TestClient, world: World) -> None:
    client.get("/login")
    r = client.post(
        "/login", data={"email": "nurse@a.test", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert r.status_code == 403
    assert "expired" in r.text


def test_wrong_password_shows_a_clear_message(client: TestClient, world: World) -> None:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"email": "nurse@a.test", "password": "nope", "csrf_token": csrf_of(page.text)},
    )
    assert r.status_code == 401
    assert "E-mail or password is not correct." in r.text


def test_login_search_chart_and_logout(client: TestClient, world: World) -> None:
    sign_in(client, "nurse@a.test")
    listing = client.get("/patients", params={"q": "quinn"})
    assert listing.status_code == 200
    assert "Quinn, Avery" in listing.text
    assert "Person" not in listing.text  # another organisation's patient
    chart = client.get(f"/patients/{world.patient.id}")  # type: ignore[union-attr]
    assert chart.status_code == 200
    assert "42</strong> y" in chart.text
    assert "70.00 kg" in chart.text
    out = client.post("/logout", data={"csrf_token": csrf_of(chart.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_form_post_without_csrf_is_refused_and_writes_nothing(
    client: TestClient, world: World, db: Session
) -> None:
    sign_in(client, "frontdesk@a.test")
    r = client.post(
        "/patients/new",
        data={
            "given_name": "No",
            "family_name": "Csrf",
            "date_of_birth": "1990-01-01",
            "sex_at_birth": "male",
        },
    )
    assert r.status_code == 403
    assert db.scalar(select(Patient).where(Patient.family_name == "Csrf")) is None


def test_register_patient_form_errors_name_fields_then_success(
    client: TestClient, world: World
) -> None:
    sign_in(client, "frontdesk@a.test")
    form = client.get("/patients/new")
    token = csrf_of(form.text)
    bad = client.post(
        "/patients/new",
        data={
            "csrf_token": token,
            "given_name": "Sam",
            "family_name": "",
            "date_of_birth": "tomorrow",
            "sex_at_birth": "female",
        },
    )
    assert bad.status_code == 422
    assert 'id="family_name-error"' in bad.text  # each message beside its field
    assert 'id="date_of_birth-error"' in bad.text
    assert 'value="Sam"' in bad.text  # what was typed is kept
    assert 'value="tomorrow"' in bad.text
    ok = client.post(
        "/patients/new",
        data={
            "csrf_token": token,
            "given_name": "Sam",
            "family_name": "Rivera",
            "date_of_birth": "1992-07-23",
            "sex_at_birth": "female",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "Rivera, Sam" in client.get(ok.headers["location"]).text


def test_edit_patient_with_stale_version_is_a_conflict(client: TestClient, world: World) -> None:
    sign_in(client, "frontdesk@a.test")
    pid = world.patient.id  # type: ignore[union-attr]
    token = csrf_of(client.get(f"/patients/{pid}/edit").text)
    base = {
        "csrf_token": token,
        "given_name": "Avery",
        "family_name": "Quinn",
        "date_of_birth": "1984-03-14",
        "sex_at_birth": "female",
        "version": "1",
    }
    first = client.post(
        f"/patients/{pid}/edit", data={**base, "phone": "555 0001"}, follow_redirects=False
    )
    assert first.status_code == 303
    second = client.post(f"/patients/{pid}/edit", data={**base, "phone": "555 0002"})
    assert second.status_code == 409
    assert "changed since you loaded it" in second.text


def test_nurse_records_weight_frontdesk_cannot(client: TestClient, world: World) -> None:
    pid = world.patient.id  # type: ignore[union-attr]
    sign_in(client, "nurse@a.test")
    token = csrf_of(client.get(f"/patients/{pid}").text)
    bad = client.post(
        f"/patients/{pid}/measurements",
        data={"csrf_token": token, "kind": "weight", "value": "abc"},
    )
    assert bad.status_code == 422
    assert "value" in bad.text
    ok = client.post(
        f"/patients/{pid}/measurements",
        data={"csrf_token": token, "kind": "weight", "value": "73.4"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "73.40 kg" in client.get(f"/patients/{pid}").text


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("nurse", 403), ("prescriber", 403), ("researcher", 403)],
)
def test_audit_trail_page_is_for_admins(
    client: TestClient, world: World, persona: str, status: int
) -> None:
    sign_in(client, f"{persona}@a.test")
    r = client.get("/admin/audit", params={"action": "C"}, headers={"accept": "text/html"})
    assert r.status_code == status
    if status == 200:
        assert "Patient" in r.text


def test_admin_creates_user_and_filters_audit(
    client: TestClient, world: World, db: Session
) -> None:
    sign_in(client, "admin@a.test")
    token = csrf_of(client.get("/admin/users").text)
    short = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "new@a.test",
            "full_name": "New",
            "role": "nurse",
            "password": "short",
        },
    )
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    ok = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "email": "new@a.test",
            "full_name": "New Nurse",
            "role": "nurse",
            "password": "a-long-enough-password",
        },
    )
    assert ok.status_code == 200
    assert "new@a.test" in ok.text
    trail = client.get("/admin/audit", params={"entity_type": "User", "action": "C"})
    assert "role=nurse" in trail.text
    assert db.scalar(select(AuditEvent).where(AuditEvent.detail == "role=nurse")) is not None


def test_password_change_page(client: TestClient, world: World) -> None:
    sign_in(client, "nurse@a.test")
    token = csrf_of(client.get("/account/password").text)
    ok = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "brand-new-password-1",
        },
    )
    assert ok.status_code == 200
    assert "Password changed" in ok.text
    # Still signed in on this browser with the new session.
    assert client.get("/patients").status_code == 200


def test_admin_deactivates_a_user_whose_access_stops_at_once(
    client: TestClient, world: World, tokens: dict[str, str]
) -> None:
    nurse_id = world.user("nurse").id
    sign_in(client, "admin@a.test")
    token = csrf_of(client.get("/admin/users").text)
    r = client.post(f"/admin/users/{nurse_id}/active", data={"csrf_token": token, "active": "no"})
    assert r.status_code == 200
    # The nurse's API token stopped working and the nurse cannot sign in.
    api = client.get("/api/v1/patients", headers={"Authorization": f"Bearer {tokens['nurse']}"})
    assert api.status_code == 401
    other = TestClient(client.app)
    page = other.get("/login")
    refused = other.post(
        "/login",
        data={"email": "nurse@a.test", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 401
    back = client.post(
        f"/admin/users/{nurse_id}/active", data={"csrf_token": token, "active": "yes"}
    )
    assert back.status_code == 200
    self_off = client.post(
        f"/admin/users/{world.user('admin').id}/active", data={"csrf_token": token, "active": "no"}
    )
    assert self_off.status_code == 409
    assert "cannot deactivate your own account" in self_off.text


def test_only_admins_deactivate(client: TestClient, world: World) -> None:
    sign_in(client, "prescriber@a.test")
    token = csrf_of(client.get("/patients").text)
    r = client.post(
        f"/admin/users/{world.user('nurse').id}/active",
        data={"csrf_token": token, "active": "no"},
        headers={"accept": "text/html"},
    )
    assert r.status_code == 403
