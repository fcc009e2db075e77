"""Questionnaire links over the API (personas) and the public /p/ pages (CSRF, 422, 410)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import Assessment, SafetyAlert
from tests.factories.world import World
from tests.web.conftest import FrozenClock, bearer
from tests.web.helpers import csrf_of, sign_in

PHQ9_OK = {f"phq9.{i}": "1" for i in range(1, 9)} | {"phq9.9": "0"}


def _url(world: World) -> str:
    assert world.patient is not None
    return f"/api/v1/patients/{world.patient.id}/questionnaire-links"


def _issue(client: TestClient, tokens: dict[str, str], world: World, **body: object) -> dict:  # type: ignore[type-arg]
    payload = {"instruments": ["phq9"], "timepoint": "follow-up", **body}
    r = client.post(_url(world), json=payload, headers=bearer(tokens["nurse"]))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _token(issued: dict) -> str:  # type: ignore[type-arg]
    return str(issued["url"]).rsplit("/p/", 1)[1]


def _count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("nurse", 201),
        ("prescriber", 201),
        ("frontdesk", 403),
        ("admin", 403),
        ("researcher", 403),
        ("patient", 403),
        ("outsider", 403),
    ],
)
def test_create_link_personas(
    client: TestClient, tokens: dict[str, str], world: World, persona: str, status: int
) -> None:
    r = client.post(
        _url(world),
        json={"instruments": ["phq9"], "timepoint": "follow-up"},
        headers=bearer(tokens[persona]),
    )
    assert r.status_code == status, r.text
    if status == 201:
        body = r.json()
        assert body["status"] == "pending"
        assert re.fullmatch(r"http://localhost:8000/p/[A-Za-z0-9_-]{40,}", body["url"])


@pytest.mark.parametrize(
    ("persona", "status"),
    [("nurse", 200), ("prescriber", 200), ("admin", 200), ("frontdesk", 403), ("outsider", 403)],
)
def test_list_links_personas_without_the_url(
    client: TestClient, tokens: dict[str, str], world: World, persona: str, status: int
) -> None:
    _issue(client, tokens, world)
    r = client.get(_url(world), headers=bearer(tokens[persona]))
    assert r.status_code == status
    if status == 200:
        assert [v["status"] for v in r.json()] == ["pending"]
        assert "url" not in r.json()[0]


def test_unlicensed_instrument_is_a_422_naming_instruments(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    r = client.post(
        _url(world),
        json={"instruments": ["phq9", "qids-sr16"], "timepoint": "follow-up"},
        headers=bearer(tokens["nurse"]),
    )
    assert r.status_code == 422
    assert r.json()["field"] == "instruments"


def test_revoke_personas_and_status(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    issued = _issue(client, tokens, world)
    url = f"/api/v1/questionnaire-links/{issued['id']}/revoke"
    assert client.post(url, headers=bearer(tokens["frontdesk"])).status_code == 403
    assert client.post(url, headers=bearer(tokens["outsider"])).status_code == 403
    r = client.post(url, headers=bearer(tokens["prescriber"]))
    assert r.status_code == 200
    assert r.json()["status"] == "revoked"
    assert client.post(url, headers=bearer(tokens["nurse"])).status_code == 409
    page = client.get(f"/p/{_token(issued)}")
    assert page.status_code == 410
    assert "Avery" not in page.text


def test_public_page_happy_path_and_reuse(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    token = _token(_issue(client, tokens, world))
    page = client.get(f"/p/{token}")
    assert page.status_code == 200
    assert "Little interest or pleasure in doing things" in page.text
    assert "last 2 weeks" in page.text
    assert "Avery" not in page.text
    assert "Quinn" not in page.text
    csrf = csrf_of(page.text)
    done = client.post(f"/p/{token}", data={"csrf_token": csrf, **PHQ9_OK})
    assert done.status_code == 200
    assert "Thank you" in done.text
    assert 'data-testid="crisis-notice"' not in done.text
    again = client.post(f"/p/{token}", data={"csrf_token": csrf, **PHQ9_OK})
    assert again.status_code == 200
    assert "Already received" in again.text
    assert _count(db, Assessment) == 1
    assert "Already received" in client.get(f"/p/{token}").text


def test_item_nine_shows_the_crisis_notice_and_raises_the_alert(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    token = _token(_issue(client, tokens, world))
    csrf = csrf_of(client.get(f"/p/{token}").text)
    done = client.post(f"/p/{token}", data={"csrf_token": csrf, **PHQ9_OK, "phq9.9": "1"})
    assert done.status_code == 200
    assert 'data-testid="crisis-notice"' in done.text
    assert "emergency" in done.text
    assert _count(db, SafetyAlert) == 1


def test_invalid_answer_is_422_naming_the_item_and_nothing_is_stored(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    token = _token(_issue(client, tokens, world))
    csrf = csrf_of(client.get(f"/p/{token}").text)
    bad = client.post(f"/p/{token}", data={"csrf_token": csrf, **PHQ9_OK, "phq9.3": "9"})
    assert bad.status_code == 422
    assert "PHQ-9 question 3" in bad.text
    assert 'href="#q-phq9.3"' in bad.text
    # The other answers are kept on the re-shown form.
    assert 'name="phq9.1" value="1" checked' in bad.text
    missing = {k: v for k, v in PHQ9_OK.items() if k != "phq9.9"}
    r = client.post(f"/p/{token}", data={"csrf_token": csrf, **missing})
    assert r.status_code == 422
    assert "PHQ-9 question 9" in r.text
    assert _count(db, Assessment) == 0


def test_csrf_is_bound_to_the_token(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    first = _token(_issue(client, tokens, world))
    second = _token(_issue(client, tokens, world))
    csrf_first = csrf_of(client.get(f"/p/{first}").text)
    assert (
        client.post(f"/p/{second}", data={"csrf_token": csrf_first, **PHQ9_OK}).status_code == 403
    )
    assert client.post(f"/p/{second}", data=PHQ9_OK).status_code == 403
    assert _count(db, Assessment) == 0


def test_expired_and_unknown_links(
    client: TestClient, tokens: dict[str, str], world: World, clock: FrozenClock
) -> None:
    token = _token(_issue(client, tokens, world))
    csrf = csrf_of(client.get(f"/p/{token}").text)
    clock.at += timedelta(days=4)
    assert client.get(f"/p/{token}").status_code == 410
    assert client.post(f"/p/{token}", data={"csrf_token": csrf, **PHQ9_OK}).status_code == 410
    unknown = client.get("/p/nothing-here")
    assert unknown.status_code == 404
    assert "expired or is no longer valid" in unknown.text


def test_staff_page_creates_a_link_shown_once_and_revokes(client: TestClient, world: World) -> None:
    assert world.patient is not None
    sign_in(client, world.user("nurse").email)
    page = client.get(f"/patients/{world.patient.id}/assessments")
    assert 'data-testid="send-link"' in page.text
    csrf = csrf_of(page.text)
    base = f"/patients/{world.patient.id}/questionnaire-links"
    refused = client.post(
        base, data={"csrf_token": csrf, "link_instruments": "madrs", "link_timepoint": "follow-up"}
    )
    assert refused.status_code == 422
    assert "not a self-report form" in refused.text
    made = client.post(
        base,
        data={
            "csrf_token": csrf,
            "link_instruments": ["phq9", "gad7"],
            "link_timepoint": "baseline",
        },
    )
    assert made.status_code == 201
    assert re.search(r"/p/[A-Za-z0-9_-]{40,}", made.text)
    listing = client.get(base)
    assert not re.search(r"/p/[A-Za-z0-9_-]{40,}", listing.text)
    link_id = re.search(r"questionnaire-links/(\d+)/revoke", listing.text)
    assert link_id
    no_csrf = client.post(f"{base}/{link_id.group(1)}/revoke")
    assert no_csrf.status_code == 403
    r = client.post(
        f"{base}/{link_id.group(1)}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert "revoked" in client.get(base).text


@pytest.mark.parametrize("persona", ["frontdesk", "researcher", "patient", "outsider"])
def test_staff_page_refuses_other_roles(client: TestClient, world: World, persona: str) -> None:
    assert world.patient is not None
    sign_in(client, world.user(persona).email)
    r = client.get(f"/patients/{world.patient.id}/questionnaire-links")
    assert r.status_code == 403


def test_self_report_without_an_account_shows_as_such_on_the_chart(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    """No portal account: the link goes to the patient's own e-mail; the chart names no nurse."""
    assert world.patient is not None
    world.user("patient").is_active = False
    world.patient.email = None
    db.commit()
    payload = {"instruments": ["phq9"], "timepoint": "follow-up", "send_email": True}
    refused = client.post(_url(world), json=payload, headers=bearer(tokens["nurse"]))
    assert refused.status_code == 422
    assert refused.json()["field"] == "send_email"
    world.patient.email = "avery@example.test"
    db.commit()
    issued = _issue(client, tokens, world, send_email=True)
    assert issued["emailed"] is True
    token = _token(issued)
    page = client.get(f"/p/{token}")
    done = client.post(f"/p/{token}", data={"csrf_token": csrf_of(page.text), **PHQ9_OK})
    assert done.status_code == 200
    sign_in(client, world.user("nurse").email)
    chart = client.get(f"/patients/{world.patient.id}/assessments")
    assert chart.status_code == 200
    cells = re.findall(r'data-testid="recorded-by">([^<]*)<', chart.text)
    assert cells == ["self-report via link"]
    assert "by nurse A" not in chart.text
