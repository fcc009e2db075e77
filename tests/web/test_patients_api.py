"""The patients API with every persona, bad input, idempotency and failed commits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, Patient
from tests.factories.world import World
from tests.web.conftest import bearer

NEW = {
    "given_name": "Sam",
    "family_name": "Rivera",
    "date_of_birth": "1992-07-23",
    "sex_at_birth": "female",
}
STAFF_WITH_PATIENT_ACCESS = ("admin", "prescriber", "nurse", "frontdesk")
NO_PATIENT_ACCESS = ("researcher", "outsider")


@pytest.mark.parametrize("persona", STAFF_WITH_PATIENT_ACCESS)
def test_staff_crud(client: TestClient, tokens: dict[str, str], world: World, persona: str) -> None:
    h = bearer(tokens[persona])
    created = client.post("/api/v1/patients", json=NEW, headers=h)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    assert created.json()["mrn"].startswith("KC")
    assert client.get(f"/api/v1/patients/{pid}", headers=h).json()["family_name"] == "Rivera"
    patched = client.patch(
        f"/api/v1/patients/{pid}", json={"phone": "555 0101", "version": 1}, headers=h
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["version"] == 2
    found = client.get("/api/v1/patients", params={"q": "river"}, headers=h).json()
    assert [p["id"] for p in found] == [pid]


@pytest.mark.parametrize("persona", NO_PATIENT_ACCESS)
def test_refused_personas_get_403_and_an_audited_failure(
    client: TestClient, tokens: dict[str, str], world: World, db: Session, persona: str
) -> None:
    assert world.patient is not None
    h = bearer(tokens[persona])
    assert client.get(f"/api/v1/patients/{world.patient.id}", headers=h).status_code == 403
    assert (
        client.patch(
            f"/api/v1/patients/{world.patient.id}", json={"phone": "555 1111"}, headers=h
        ).status_code
        == 403
    )
    # A researcher may not register anyone; the outsider registers into its own clinic only.
    created = client.post("/api/v1/patients", json=NEW, headers=h)
    expected = {"R", "U"}
    if persona == "researcher":
        assert created.status_code == 403
        expected.add("C")
    else:
        assert created.status_code == 201
        assert created.json()["organisation_id"] == world.other_org.id
    failures = list(
        db.scalars(
            select(AuditEvent).where(
                AuditEvent.user_id == world.user(persona).id, AuditEvent.outcome == "4"
            )
        )
    )
    assert {e.action for e in failures} == expected
    assert len(failures) == len(expected)
    # Nothing was changed by the refused PATCH.
    db.expire_all()
    assert db.get(Patient, world.patient.id).phone is None  # type: ignore[union-attr]


def test_patient_persona_reads_only_own_record(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    assert world.patient is not None
    assert world.other_patient is not None
    h = bearer(tokens["patient"])
    assert client.get(f"/api/v1/patients/{world.patient.id}", headers=h).status_code == 200
    assert client.get("/api/v1/patients", headers=h).status_code == 403
    assert client.post("/api/v1/patients", json=NEW, headers=h).status_code == 403


def test_reads_are_audited(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    assert world.patient is not None
    client.get(f"/api/v1/patients/{world.patient.id}", headers=bearer(tokens["nurse"]))
    reads = list(
        db.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "R",
                AuditEvent.patient_id == world.patient.id,
                AuditEvent.user_id == world.user("nurse").id,
            )
        )
    )
    assert len(reads) == 1
    assert reads[0].outcome == "0"
    assert reads[0].client_address == "testclient"


def test_unauthenticated_and_bad_token(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/patients").status_code == 401
    r = client.get("/api/v1/patients", headers=bearer("not-a-token"))
    assert r.status_code == 401
    assert r.json()["code"] == "auth.required"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": "1992-13-40"}, "date_of_birth"),
        ({"sex_at_birth": "robot"}, "sex_at_birth"),
        ({"given_name": ""}, "given_name"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"unexpected": 1}, "unexpected"),
        ({"date_of_birth": "2099-01-01"}, "date_of_birth"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client: TestClient,
    tokens: dict[str, str],
    world: World,
    db: Session,
    change: dict[str, object],
    field: str,
) -> None:
    before = db.scalar(select(func.count()).select_from(Patient))
    r = client.post("/api/v1/patients", json={**NEW, **change}, headers=bearer(tokens["frontdesk"]))
    assert r.status_code == 422, r.text
    body = r.json()
    fields = [e["field"] for e in body.get("errors", [])] or [body.get("field")]
    assert field in fields
    assert field in body["detail"] or body.get("field") == field
    assert db.scalar(select(func.count()).select_from(Patient)) == before


def test_missing_field_is_named(client: TestClient, tokens: dict[str, str], world: World) -> None:
    r = client.post(
        "/api/v1/patients", json={"given_name": "X"}, headers=bearer(tokens["frontdesk"])
    )
    assert r.status_code == 422
    assert {"family_name", "date_of_birth", "sex_at_birth"} <= {
        e["field"] for e in r.json()["errors"]
    }


def test_unknown_id_is_404(client: TestClient, tokens: dict[str, str], world: World) -> None:
    r = client.get("/api/v1/patients/987654", headers=bearer(tokens["nurse"]))
    assert r.status_code == 404
    assert r.json()["code"] == "patient.not_found"


def test_stale_version_patch_is_409(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    assert world.patient is not None
    url = f"/api/v1/patients/{world.patient.id}"
    h = bearer(tokens["frontdesk"])
    assert client.patch(url, json={"phone": "555 0001", "version": 1}, headers=h).status_code == 200
    r = client.patch(url, json={"phone": "555 0002", "version": 1}, headers=h)
    assert r.status_code == 409
    assert r.json()["field"] == "version"
    assert client.get(url, headers=h).json()["phone"] == "555 0001"


def test_retried_post_with_idempotency_key_creates_one_patient(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    h = {**bearer(tokens["frontdesk"]), "Idempotency-Key": "reg-123"}
    first = client.post("/api/v1/patients", json=NEW, headers=h)
    second = client.post("/api/v1/patients", json=NEW, headers=h)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    count = db.scalar(
        select(func.count()).select_from(Patient).where(Patient.family_name == "Rivera")
    )
    assert count == 1
    reused = client.post("/api/v1/patients", json={**NEW, "given_name": "Other"}, headers=h)
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency.key_reused"


def test_failed_commit_returns_an_error_and_writes_nothing(
    client: TestClient,
    tokens: dict[str, str],
    world: World,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.exc import OperationalError

    before_patients = db.scalar(select(func.count()).select_from(Patient))
    before_events = db.scalar(select(func.count()).select_from(AuditEvent))

    def broken_commit(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", broken_commit)
    r = client.post("/api/v1/patients", json=NEW, headers=bearer(tokens["frontdesk"]))
    monkeypatch.undo()
    assert r.status_code == 503
    assert "nothing was saved" in r.json()["detail"]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Patient)) == before_patients
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before_events


def test_measurement_api(client: TestClient, tokens: dict[str, str], world: World) -> None:
    assert world.patient is not None
    url = f"/api/v1/patients/{world.patient.id}/measurements"
    ok = client.post(
        url,
        json={"kind": "weight", "value": "72.5", "measured_at": "2026-11-29T08:00:00Z"},
        headers=bearer(tokens["nurse"]),
    )
    assert ok.status_code == 201, ok.text
    naive = client.post(
        url,
        json={"kind": "weight", "value": "72.5", "measured_at": "2026-11-29T08:00:00"},
        headers=bearer(tokens["nurse"]),
    )
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "measured_at"
    heavy = client.post(
        url,
        json={"kind": "weight", "value": "651", "measured_at": "2026-11-29T08:00:00Z"},
        headers=bearer(tokens["nurse"]),
    )
    assert heavy.status_code == 422
    assert (
        client.post(
            url,
            json={"kind": "weight", "value": "70", "measured_at": "2026-11-29T08:00:00Z"},
            headers=bearer(tokens["frontdesk"]),
        ).status_code
        == 403
    )
