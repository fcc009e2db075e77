"""Medication and allergy lists on the chart: API, personas, audit, and the screening pre-fill."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent
from tests.factories.screening import eligible_screening_input
from tests.factories.world import World
from tests.web.conftest import bearer

MAOI = {"name": "phenelzine", "medication_class": "maoi", "dose": "15 mg three times daily"}


def _url(world: World, tail: str = "medications") -> str:
    assert world.patient is not None
    return f"/api/v1/patients/{world.patient.id}/{tail}"


@pytest.mark.parametrize("persona", ["nurse", "prescriber"])
def test_clinicians_chart_list_and_stop_a_medicine(
    client: TestClient, tokens: dict[str, str], world: World, db: Session, persona: str
) -> None:
    h = bearer(tokens[persona])
    created = client.post(_url(world), json={**MAOI, "start_date": "2026-10-01"}, headers=h)
    assert created.status_code == 201, created.text
    med = created.json()
    assert med["medication_class"] == "maoi"
    assert med["stop_date"] is None
    stopped = client.post(f"{_url(world)}/{med['id']}/stop", json={}, headers=h)
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["stop_date"] == "2026-11-29"  # the frozen clock's day
    again = client.post(f"{_url(world)}/{med['id']}/stop", json={}, headers=h)
    assert again.status_code == 409
    listed = client.get(_url(world), headers=h).json()
    assert [m["id"] for m in listed] == [med["id"]]
    details = {
        (e.action, e.detail)
        for e in db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "PatientMedication"))
    }
    assert ("C", "class=maoi") in details
    assert ("U", "stopped") in details
    # The medicine's name is PHI-adjacent and never in the audit trail.
    assert not any("phenelzine" in (detail or "") for _, detail in details)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MAOI, "medication_class": "ssri"}, "medication_class"),
        ({**MAOI, "name": " "}, "name"),
        ({**MAOI, "colour": "blue"}, "colour"),
        ({**MAOI, "start_date": "2026-10-02", "stop_date": "2026-10-01"}, "stop_date"),
    ],
    ids=["unknown-class", "blank-name", "unknown-field", "stop-before-start"],
)
def test_bad_medication_is_a_4xx_naming_the_field(
    client: TestClient, tokens: dict[str, str], world: World, body: dict[str, str], field: str
) -> None:
    r = client.post(_url(world), json=body, headers=bearer(tokens["nurse"]))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field or r.json()["errors"][0]["field"] == field
    assert client.get(_url(world), headers=bearer(tokens["nurse"])).json() == []


def test_stopping_another_patients_medicine_is_404(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    h = bearer(tokens["nurse"])
    med = client.post(_url(world), json=MAOI, headers=h).json()
    assert (
        client.post(
            f"/api/v1/patients/999999/medications/{med['id']}/stop", json={}, headers=h
        ).status_code
        == 404
    )


def test_allergies(client: TestClient, tokens: dict[str, str], world: World) -> None:
    h = bearer(tokens["prescriber"])
    created = client.post(
        _url(world, "allergies"), json={"substance": "latex", "reaction": "hives"}, headers=h
    )
    assert created.status_code == 201, created.text
    assert [a["substance"] for a in client.get(_url(world, "allergies"), headers=h).json()] == [
        "latex"
    ]
    blank = client.post(_url(world, "allergies"), json={"substance": ""}, headers=h)
    assert blank.status_code == 422


@pytest.mark.parametrize("persona", ["researcher", "outsider", "frontdesk"])
def test_personas_without_clinical_record_cannot_chart_medicines(
    client: TestClient, tokens: dict[str, str], world: World, persona: str
) -> None:
    h = bearer(tokens[persona])
    assert client.post(_url(world), json=MAOI, headers=h).status_code == 403
    assert (
        client.post(_url(world, "allergies"), json={"substance": "x"}, headers=h).status_code == 403
    )


def test_screening_prefills_active_classes_and_goes_stale_when_one_starts(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    nurse, prescriber = bearer(tokens["nurse"]), bearer(tokens["prescriber"])
    client.post(
        _url(world),
        json={"name": "lamotrigine", "medication_class": "lamotrigine"},
        headers=nurse,
    )
    client.post(
        _url(world),
        json={**MAOI, "start_date": "2025-01-01", "stop_date": "2025-06-01"},
        headers=nurse,
    )
    screened = client.post(
        _url(world, "screenings"), json=eligible_screening_input(), headers=nurse
    )
    assert screened.status_code == 201, screened.text
    body = screened.json()
    codes = {r["code"] for r in body["result"]["reasons"]}
    assert "interaction.lamotrigine.blunted_response" in codes
    assert "interaction.maoi.bp_risk" not in codes  # stopped before today
    assert body["result"]["decision"] == "eligible"
    signed = client.post(f"/api/v1/screenings/{body['id']}/sign", json={}, headers=prescriber)
    assert signed.status_code == 200, signed.text
    client.post(_url(world), json=MAOI, headers=nurse)
    view = client.get(f"/api/v1/screenings/{body['id']}", headers=prescriber).json()
    assert view["stale"] is True


def test_chart_page_shows_the_lists_to_clinicians_only(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    nurse = bearer(tokens["nurse"])
    client.post(_url(world), json=MAOI, headers=nurse)
    client.post(_url(world, "allergies"), json={"substance": "latex"}, headers=nurse)
    assert world.patient is not None
    page = f"/patients/{world.patient.id}"
    shown = client.get(page, headers=nurse)
    assert shown.status_code == 200, shown.text
    assert 'data-testid="medication-list"' in shown.text
    assert "phenelzine" in shown.text
    assert "latex" in shown.text
    front = client.get(page, headers=bearer(tokens["frontdesk"]))
    assert front.status_code == 200
    assert "phenelzine" not in front.text
