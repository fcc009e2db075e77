"""The reported implausible inputs: each is a 4xx naming its field, and nothing is written."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ketacare.db.models import BodyMeasurement, Patient, SessionVitals, TreatmentSession
from ketacare.services.session import demo as demo_service
from ketacare.web.app import create_app
from tests.factories.screening import eligible_screening_input
from tests.factories.world import NOW, World, ctx, fast_settings
from tests.web.conftest import FrozenClock, bearer

BIG = [2**31, 2**63, 10**30]
FIELDS = {"code", "detail", "field", "errors"}


@pytest.fixture
def session_id(db: Session, world: World, tokens: dict[str, str]) -> int:
    assert world.patient is not None
    row = demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=NOW - timedelta(minutes=30),
        at=NOW,
    )
    db.commit()
    return row.id


def _count(db: Session, model: type[Any]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def _refused(response: Any, field: str) -> dict[str, Any]:
    """A 422 in the one error body, with ``field`` among the refused fields."""
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert set(body) >= FIELDS
    assert isinstance(body["detail"], str)
    named = {body["field"], *(e["field"] for e in body["errors"])}
    assert field in named, body
    for error in body["errors"]:
        assert set(error) == {"field", "message", "code"}
        assert "plausibility." not in error["message"]  # codes stay in `code`
    return body


VITALS = [
    ({"systolic": 80, "diastolic": 120}, "diastolic"),
    ({"systolic": 400, "diastolic": 300}, "systolic"),
    ({"systolic": 120, "diastolic": 80, "measured_at": "1800-01-01T10:00:00Z"}, "measured_at"),
    ({"heart_rate": 70, "measured_at": "0001-01-01T00:00:00+14:00"}, "measured_at"),
    ({"heart_rate": 70, "measured_at": "9999-12-31T23:00:00-05:00"}, "measured_at"),
    ({"heart_rate": 70, "measured_at": "9999-12-31T23:00:00Z"}, "measured_at"),
    ({"spo2": 0}, "spo2"),
]


@pytest.mark.parametrize(("body", "field"), VITALS)
def test_implausible_vitals_are_refused_and_nothing_is_written(
    client: TestClient,
    tokens: dict[str, str],
    db: Session,
    session_id: int,
    body: dict[str, Any],
    field: str,
) -> None:
    nurse = bearer(tokens["nurse"])
    checked_in = client.post(
        f"/api/v1/sessions/{session_id}/transitions", json={"to": "checked_in"}, headers=nurse
    )
    assert checked_in.status_code == 200, checked_in.text
    before = _count(db, SessionVitals)
    r = client.post(f"/api/v1/sessions/{session_id}/vitals", json=body, headers=nurse)
    _refused(r, field)
    assert _count(db, SessionVitals) == before


def test_the_swapped_pair_says_so_in_plain_words(
    client: TestClient, tokens: dict[str, str], session_id: int
) -> None:
    r = client.post(
        f"/api/v1/sessions/{session_id}/vitals",
        json={"systolic": 80, "diastolic": 120},
        headers=bearer(tokens["nurse"]),
    )
    error = _refused(r, "diastolic")["errors"][0]
    assert error["code"] == "plausibility.diastolic_not_below_systolic"
    assert error["message"].startswith("Diastolic (120) must be lower than systolic (80)")


@pytest.mark.parametrize("starts_at", ["1800-01-01T10:00:00Z", "2100-01-01T10:00:00Z"])
def test_bookings_in_another_century_are_refused(
    client: TestClient, tokens: dict[str, str], world: World, db: Session, starts_at: str
) -> None:
    assert world.patient is not None
    before = _count(db, TreatmentSession)
    r = client.post(
        f"/api/v1/patients/{world.patient.id}/sessions",
        json={"protocol_id": "iv-ketamine-depression", "starts_at": starts_at},
        headers=bearer(tokens["nurse"]),
    )
    _refused(r, "starts_at")
    assert _count(db, TreatmentSession) == before


@pytest.mark.parametrize(
    ("kind", "value"), [("height", "0.3"), ("weight", "0.5"), ("weight", "651")]
)
def test_implausible_measurements_are_refused(
    client: TestClient, tokens: dict[str, str], world: World, db: Session, kind: str, value: str
) -> None:
    assert world.patient is not None
    before = _count(db, BodyMeasurement)
    r = client.post(
        f"/api/v1/patients/{world.patient.id}/measurements",
        json={"kind": kind, "value": value, "measured_at": NOW.isoformat()},
        headers=bearer(tokens["nurse"]),
    )
    _refused(r, "value")
    assert _count(db, BodyMeasurement) == before


def test_a_height_that_gives_an_impossible_bmi_is_refused(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    assert world.patient is not None  # the world's patient has a weight on file
    r = client.post(
        f"/api/v1/patients/{world.patient.id}/measurements",
        json={"kind": "height", "value": "51", "measured_at": NOW.isoformat()},
        headers=bearer(tokens["nurse"]),
    )
    body = _refused(r, "value")
    assert "BMI" in body["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"episode_duration_months": 9999}, "episode_duration_months"),
        ({"bp_systolic": 80, "bp_diastolic": 120}, "bp_diastolic"),
        ({"age_years": 500}, "age_years"),
    ],
)
def test_implausible_screening_input_is_refused(
    client: TestClient, tokens: dict[str, str], world: World, change: dict[str, Any], field: str
) -> None:
    assert world.patient is not None
    r = client.post(
        f"/api/v1/patients/{world.patient.id}/screenings",
        json=eligible_screening_input(**change),
        headers=bearer(tokens["prescriber"]),
    )
    _refused(r, field)


@pytest.mark.parametrize("big", BIG)
def test_ids_beyond_the_database_range_are_refused(
    client: TestClient, tokens: dict[str, str], world: World, big: int
) -> None:
    h = bearer(tokens["nurse"])
    _refused(client.get(f"/api/v1/patients/{big}", headers=h), "patient_id")
    _refused(client.get(f"/api/v1/sessions/{big}", headers=h), "session_id")
    _refused(client.get(f"/api/v1/patients?offset={big}", headers=h), "offset")
    assert world.patient is not None
    r = client.post(
        f"/api/v1/patients/{world.patient.id}/sessions",
        json={
            "protocol_id": "iv-ketamine-depression",
            "starts_at": (NOW + timedelta(hours=2)).isoformat(),
            "chair_id": big,
        },
        headers=h,
    )
    _refused(r, "chair_id")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"given_name": "Av\u0000ery"}, "given_name"),
        ({"family_name": "\u200b\u200b"}, "family_name"),
        ({"address": "1 Main St\u0000"}, "address"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth"),
    ],
)
def test_implausible_patient_fields_are_refused(
    client: TestClient,
    tokens: dict[str, str],
    db: Session,
    change: dict[str, Any],
    field: str,
) -> None:
    before = _count(db, Patient)
    body = {
        "given_name": "Robin",
        "family_name": "Lee",
        "date_of_birth": "1990-05-01",
        "sex_at_birth": "female",
        **change,
    }
    r = client.post("/api/v1/patients", json=body, headers=bearer(tokens["frontdesk"]))
    _refused(r, field)
    assert _count(db, Patient) == before


def test_nul_in_a_search_is_refused(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.get("/api/v1/patients", params={"q": "Av\u0000"}, headers=bearer(tokens["nurse"]))
    _refused(r, "q")


def test_every_api_route_documents_its_errors_with_the_one_body(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert set(document["components"]["schemas"]["ErrorBody"]["required"]) == FIELDS
    for path, operations in document["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "409", "422", "503"):
                documented = operation["responses"].get(status)
                assert documented is not None, (method, path, status)
                schema = documented["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)


def test_the_booking_window_comes_from_settings(
    session_factory: sessionmaker[Session],
    clock: FrozenClock,
    tmp_path: Path,
    tokens: dict[str, str],
    world: World,
) -> None:
    assert world.patient is not None
    body = {
        "protocol_id": "iv-ketamine-depression",
        "starts_at": (NOW + timedelta(days=60)).isoformat(),
    }
    url = f"/api/v1/patients/{world.patient.id}/sessions"
    short = create_app(
        fast_settings(data_dir=tmp_path, booking_ahead_days=30),
        session_factory=session_factory,
        clock=clock,
    )
    with TestClient(short, raise_server_exceptions=False) as c:
        _refused(c.post(url, json=body, headers=bearer(tokens["nurse"])), "starts_at")
    default = create_app(
        fast_settings(data_dir=tmp_path), session_factory=session_factory, clock=clock
    )
    with TestClient(default, raise_server_exceptions=False) as c:
        assert c.post(url, json=body, headers=bearer(tokens["nurse"])).status_code == 201


@pytest.mark.parametrize(
    ("suffix", "body", "field"),
    [
        (
            "adverse-events",
            {
                "category": "nausea",
                "severity": "mild",
                "onset_at": "1800-01-01T10:00:00Z",
                "outcome": "resolved",
            },
            "onset_at",
        ),
        ("observations", {"text": "calm", "observed_at": "2100-01-01T10:00:00Z"}, "observed_at"),
        ("observations", {"text": "a\u0000b"}, "text"),
    ],
)
def test_implausible_chair_records_are_refused(
    client: TestClient,
    tokens: dict[str, str],
    session_id: int,
    suffix: str,
    body: dict[str, Any],
    field: str,
) -> None:
    nurse = bearer(tokens["nurse"])
    checked_in = client.post(
        f"/api/v1/sessions/{session_id}/transitions", json={"to": "checked_in"}, headers=nurse
    )
    assert checked_in.status_code == 200, checked_in.text
    r = client.post(f"/api/v1/sessions/{session_id}/{suffix}", json=body, headers=nurse)
    _refused(r, field)
    detail = client.get(f"/api/v1/sessions/{session_id}", headers=nurse).json()
    assert detail["adverse_events"] == []
    assert detail["observations"] == []
