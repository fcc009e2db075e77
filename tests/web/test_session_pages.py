"""The session pages: bookings, the chair page for a tablet and the floor board."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ketacare.services import accounts
from ketacare.services import session_demo as demo_service
from ketacare.services.audit import AuditContext
from tests.factories.world import NOW, World
from tests.web.conftest import FrozenClock
from tests.web.helpers import csrf_of, sign_in

START = NOW + timedelta(minutes=30)


@pytest.fixture
def session_id(db: Session, world: World) -> int:
    assert world.patient is not None

    def ctx(persona: str) -> AuditContext:
        return AuditContext(actor=accounts.actor_for(world.user(persona)), client_address="t")

    row = demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=ctx("nurse"),
        prescriber_ctx=ctx("prescriber"),
        starts_at=START,
        at=NOW,
    )
    db.commit()
    return row.id


def form_post(client: TestClient, url: str, page: str, **data: str) -> object:
    return client.post(url, data={"csrf_token": csrf_of(page), **data}, follow_redirects=False)


def test_chair_page_runs_check_in_gates_vitals_and_alert_ack(
    client: TestClient, world: World, session_id: int, clock: FrozenClock
) -> None:
    sign_in(client, "nurse@a.test")
    clock.at = START
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    assert 'data-testid="session-state">scheduled' in page.text
    r = form_post(
        client, f"/sessions/{session_id}/transition", page.text, to="checked_in", version="1"
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/sessions/{session_id}")
    refused = client.post(
        f"/sessions/{session_id}/transition",
        data={"csrf_token": csrf_of(page.text), "to": "ready"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 409
    assert "fasting (NPO) is not confirmed" in refused.text
    assert 'data-code="session.gate.predose_bp_missing"' in refused.text
    vitals = client.post(
        f"/sessions/{session_id}/vitals",
        data={
            "csrf_token": csrf_of(page.text),
            "systolic": "182",
            "diastolic": "95",
            "heart_rate": "88",
            "spo2": "97",
            "respiratory_rate": "14",
        },
        follow_redirects=False,
    )
    assert vitals.status_code == 303
    page = client.get(f"/sessions/{session_id}")
    assert 'data-testid="alert-banner"' in page.text
    assert "TIER 2" in page.text
    # Tier 2 calls for the prescriber: the nurse sees no acknowledge button for it.
    assert "/alerts/" not in page.text


def test_bad_vitals_form_rerenders_with_the_field(
    client: TestClient, session_id: int, clock: FrozenClock
) -> None:
    sign_in(client, "nurse@a.test")
    clock.at = START
    page = client.get(f"/sessions/{session_id}")
    form_post(client, f"/sessions/{session_id}/transition", page.text, to="checked_in")
    r = client.post(
        f"/sessions/{session_id}/vitals",
        data={"csrf_token": csrf_of(page.text), "spo2": "140"},
    )
    assert r.status_code == 422
    assert "spo2" in r.text


def test_forms_need_csrf(client: TestClient, session_id: int) -> None:
    sign_in(client, "nurse@a.test")
    r = client.post(
        f"/sessions/{session_id}/transition",
        data={"to": "checked_in"},
        headers={"Accept": "text/html"},
    )
    assert r.status_code == 403


@pytest.mark.parametrize("email", ["frontdesk@a.test", "researcher@a.test", "outsider@b.test"])
def test_chair_page_is_for_clinical_staff(client: TestClient, session_id: int, email: str) -> None:
    sign_in(client, email)
    r = client.get(f"/sessions/{session_id}", headers={"Accept": "text/html"})
    assert r.status_code == 403


def test_patient_sessions_page_lists_and_books(
    client: TestClient, world: World, session_id: int
) -> None:
    assert world.patient is not None
    sign_in(client, "frontdesk@a.test")
    url = f"/patients/{world.patient.id}/sessions"
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="session-' in page.text
    assert "Open chair page" not in page.text  # front desk books, it does not chart
    clash = client.post(
        url,
        data={
            "csrf_token": csrf_of(page.text),
            "protocol_id": "iv-ketamine-depression",
            "chair_id": "999999",
            "starts_at": "2026-11-29T09:40",
            "tz_offset_min": "0",
            "staff_user_id": str(world.user("nurse").id),
        },
    )
    assert clash.status_code == 422
    assert "No chair" in clash.text


def test_floor_board_and_partial(
    client: TestClient, session_id: int, clock: FrozenClock, world: World
) -> None:
    sign_in(client, "prescriber@a.test")
    page = client.get(f"/sessions/{session_id}")
    form_post(client, f"/sessions/{session_id}/transition", page.text, to="checked_in")
    floor = client.get("/floor")
    assert floor.status_code == 200
    assert 'data-poll="/floor/partial"' in floor.text
    assert "Quinn, Avery" in floor.text
    partial = client.get("/floor/partial")
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert 'data-testid="floor-tile"' in partial.text


def test_chair_page_shows_the_predicted_curve_of_the_order(
    client: TestClient, session_id: int, clock: FrozenClock
) -> None:
    sign_in(client, "prescriber@a.test")
    clock.at = START
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    assert 'data-testid="pk-chart"' in page.text
    figure = page.text.split('data-testid="pk-chart"', 1)[1]
    assert "<svg" in figure
    assert "(main)" in page.text  # each model's Cmax, the main model named
    assert "5th–95th percentile" in page.text  # the spread across virtual patients
    assert 'class="pk-marker"' not in figure.split("</svg>", 1)[0]  # no "now" before dosing
