from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.conftest import bearer


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["database"] == "ok"


def test_patient_read(client: TestClient, tokens: dict[str, str], world) -> None:
    r = client.get(f"/api/v1/patients/{world.patient.id}", headers=bearer(tokens["nurse"]))
    assert r.status_code == 200, r.text
    assert r.json()["mrn"] == "A0001"
