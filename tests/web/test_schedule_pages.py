"""The "Today" page: the organisation's booked sessions for the location's day, by chair."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ketacare.db.repositories import audit as audit_repo
from ketacare.db.repositories import organisation as org_repo
from ketacare.services.session import demo as demo_service
from ketacare.services.session.schedule import ENTITY, day_window, location_zone
from tests.factories.world import NOW, World, ctx
from tests.web.conftest import FrozenClock
from tests.web.helpers import sign_in

START = NOW + timedelta(minutes=30)  # 09:30 UTC on 2026-11-29


@pytest.fixture
def session_id(db: Session, world: World) -> int:
    assert world.patient is not None

    row = demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
    )
    db.commit()
    return row.id


def _set_timezone(db: Session, world: World, name: str) -> None:
    for location in org_repo.list_locations(db, organisation_id=world.org.id):
        location.timezone = name
    db.commit()


@pytest.mark.parametrize("persona", ["nurse", "prescriber"])
def test_nurse_and_prescriber_see_todays_sessions_by_chair(
    client: TestClient, session_id: int, persona: str
) -> None:
    sign_in(client, f"{persona}@a.test")
    page = client.get("/schedule")
    assert page.status_code == 200
    assert 'data-testid="schedule-chair"' in page.text
    row = page.text.split(f'data-session-id="{session_id}"', 1)[1].split("</div>", 1)[0]
    assert "Quinn, Avery" in row
    assert "09:30" in row
    assert "iv-ketamine-depression" in row
    assert ">scheduled<" in row
    assert f'href="/sessions/{session_id}"' in row
    assert "Chair 1" in page.text


@pytest.mark.parametrize("persona", ["admin", "frontdesk", "researcher", "patient"])
def test_other_roles_are_refused(client: TestClient, session_id: int, persona: str) -> None:
    sign_in(client, f"{persona}@a.test")
    page = client.get("/schedule")
    assert page.status_code == 403
    assert "Quinn" not in page.text


def test_outsider_sees_only_their_own_organisation(client: TestClient, session_id: int) -> None:
    sign_in(client, "outsider@b.test")
    page = client.get("/schedule")
    assert page.status_code == 200
    assert "Quinn" not in page.text
    assert f'data-session-id="{session_id}"' not in page.text
    assert 'data-testid="schedule-empty"' in page.text


def test_signed_out_is_sent_to_login(client: TestClient) -> None:
    page = client.get("/schedule", follow_redirects=False)
    assert page.status_code in (303, 401)


def test_other_days_and_a_bad_day(client: TestClient, session_id: int) -> None:
    sign_in(client, "nurse@a.test")
    tomorrow = client.get("/schedule?day=2026-11-30")
    assert tomorrow.status_code == 200
    assert f'data-session-id="{session_id}"' not in tomorrow.text
    assert 'href="/schedule?day=2026-11-29"' in tomorrow.text  # back to the booked day
    booked = client.get("/schedule?day=2026-11-29")
    assert f'data-session-id="{session_id}"' in booked.text
    assert client.get("/schedule?day=yesterday").status_code == 422


def test_today_is_the_locations_day_not_utcs(
    client: TestClient, db: Session, world: World, session_id: int, clock: FrozenClock
) -> None:
    # Kiritimati is UTC+14: 09:30 UTC on the 29th is 23:30 local on the 29th.
    _set_timezone(db, world, "Pacific/Kiritimati")
    sign_in(client, "nurse@a.test")
    page = client.get("/schedule")
    assert "23:30" in page.text
    assert "Pacific/Kiritimati" in page.text
    # At 10:01 UTC it is still the 29th in UTC but already the 30th at the clinic.
    clock.at = NOW + timedelta(minutes=61)
    sign_in(client, "nurse@a.test")
    later = client.get("/schedule")
    assert f'data-session-id="{session_id}"' not in later.text
    assert "30 November 2026" in later.text


def test_an_unknown_timezone_falls_back_to_utc(
    client: TestClient, db: Session, world: World, session_id: int
) -> None:
    _set_timezone(db, world, "Not/AZone")
    sign_in(client, "nurse@a.test")
    page = client.get("/schedule")
    assert f'data-session-id="{session_id}"' in page.text
    assert "times in UTC" in page.text


def test_the_read_is_audited_with_ids_and_no_names(
    client: TestClient, db: Session, world: World, session_id: int
) -> None:
    sign_in(client, "nurse@a.test")
    client.get("/schedule")
    events = audit_repo.list_audit_events(
        db,
        audit_repo.AuditFilter(organisation_id=world.org.id, entity_type=ENTITY),
        limit=10,
        offset=0,
    )
    assert len(events) == 1
    assert events[0].action == "R"
    assert events[0].detail == f"sessions={session_id}"
    assert "Quinn" not in (events[0].detail or "")


def test_refusal_is_audited(client: TestClient, db: Session, world: World) -> None:
    sign_in(client, "frontdesk@a.test")
    assert client.get("/schedule").status_code == 403
    events = audit_repo.list_audit_events(
        db,
        audit_repo.AuditFilter(organisation_id=world.org.id, entity_type=ENTITY),
        limit=10,
        offset=0,
    )
    assert [e.outcome for e in events] != []
    assert all(e.outcome != "0" for e in events)


def test_day_window_follows_daylight_saving() -> None:
    # New York's 2026-11-01 has 25 hours (DST ends); the window covers all of them.
    start, end = day_window(date(2026, 11, 1), ZoneInfo("America/New_York"))
    assert end - start == timedelta(hours=25)
    assert str(location_zone("Nowhere/Nope")) == "UTC"
