"""Booking with only a protocol and a time: the first free chair, the booking nurse as staff."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import Chair
from tests.factories.world import NOW, World, make_patient
from tests.web.conftest import bearer

WHEN = (NOW + timedelta(hours=2)).isoformat()


def book(client: TestClient, token: str, patient_id: int, **extra: object):
    body = {"protocol_id": "iv-ketamine-depression", "starts_at": WHEN, **extra}
    return client.post(f"/api/v1/patients/{patient_id}/sessions", json=body, headers=bearer(token))


def test_a_clinic_without_chairs_can_book_from_day_one(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    assert world.patient is not None
    assert db.scalars(select(Chair).where(Chair.organisation_id == world.org.id)).all() == []
    r = book(client, tokens["nurse"], world.patient.id)
    assert r.status_code == 201, r.text
    session = r.json()
    assert session["staff_user_id"] == world.user("nurse").id
    chairs = db.scalars(select(Chair).where(Chair.organisation_id == world.org.id)).all()
    assert [c.name for c in chairs] == ["Chair 1"]
    assert session["chair_id"] == chairs[0].id


def test_first_free_chair_then_no_free_chair(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    assert world.patient is not None
    admin = tokens["admin"]
    for name in ("Recliner A", "Recliner B"):
        added = client.post("/api/v1/chairs", json={"name": name}, headers=bearer(admin))
        assert added.status_code == 201, added.text
    other = make_patient(
        db,
        by=world.user("frontdesk"),
        given_name="Jo",
        family_name="Park",
        mrn="A0100",
        weight_kg=None,
    )
    third = make_patient(
        db,
        by=world.user("frontdesk"),
        given_name="Lee",
        family_name="Moss",
        mrn="A0101",
        weight_kg=None,
    )
    db.commit()
    first = book(client, tokens["nurse"], world.patient.id)
    # "protocol" is accepted as another name for "protocol_id".
    second = client.post(
        f"/api/v1/patients/{other.id}/sessions",
        json={"protocol": "iv-ketamine-depression", "starts_at": WHEN},
        headers=bearer(tokens["prescriber"]),
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["chair_id"] != second.json()["chair_id"]
    full = book(client, tokens["nurse"], third.id)
    assert full.status_code == 409
    assert full.json()["code"] == "session.no_free_chair"
    same_patient = book(client, tokens["nurse"], world.patient.id)
    assert same_patient.status_code == 409
    assert same_patient.json()["code"] == "session.double_booked_patient"


def test_only_admins_add_chairs_and_names_are_unique(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    assert (
        client.post(
            "/api/v1/chairs", json={"name": "X"}, headers=bearer(tokens["nurse"])
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/chairs", json={"name": "X"}, headers=bearer(tokens["admin"])
        ).status_code
        == 201
    )
    dup = client.post("/api/v1/chairs", json={"name": "X"}, headers=bearer(tokens["admin"]))
    assert dup.status_code == 409
    assert dup.json()["field"] == "name"
    blank = client.post("/api/v1/chairs", json={"name": ""}, headers=bearer(tokens["admin"]))
    assert blank.status_code == 422


def test_staff_must_be_a_nurse_or_prescriber(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    assert world.patient is not None
    r = book(client, tokens["frontdesk"], world.patient.id)
    assert r.status_code == 422
    assert r.json()["field"] == "staff_user_id"
    named = book(
        client, tokens["frontdesk"], world.patient.id, staff_user_id=world.user("nurse").id
    )
    assert named.status_code == 201, named.text
