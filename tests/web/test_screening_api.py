"""The screening, consent and REMS API with every persona."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.core.eligibility.consent import load_default_consent
from ketacare.db.models import AuditEvent, Screening
from tests.factories.screening import eligible_screening_input
from tests.factories.world import World, pid
from tests.web.conftest import bearer

REVIEW_INPUT = eligible_screening_input(bp_systolic=150, conditions=["psychosis_history"])
JUSTIFIED = {
    "bp.above_threshold": "Repeat reading 136/84 after ten minutes' rest.",
    "contraindication.psychosis_history": "Single episode in 2009; stable; psychiatry agrees.",
}


def _create(
    client: TestClient, tokens: dict[str, str], world: World, body: dict[str, Any], persona: str
) -> Any:
    return client.post(
        f"/api/v1/patients/{pid(world)}/screenings", json=body, headers=bearer(tokens[persona])
    )


@pytest.mark.parametrize("persona", ["nurse", "prescriber"])
def test_clinicians_screen_and_read(
    client: TestClient, tokens: dict[str, str], world: World, persona: str
) -> None:
    created = _create(client, tokens, world, REVIEW_INPUT, persona)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "draft"
    assert body["result"]["decision"] == "needs_review"
    codes = {r["code"]: r["severity"] for r in body["result"]["reasons"]}
    assert codes["bp.above_threshold"] == "review"
    assert body["result"]["trd"] == {"adequate_failed_trials": 2, "met": True}
    assert body["result"]["msm"]["band"] is not None
    h = bearer(tokens[persona])
    one = client.get(f"/api/v1/screenings/{body['id']}", headers=h)
    assert one.status_code == 200
    assert one.json()["stale"] is False
    listed = client.get(f"/api/v1/patients/{pid(world)}/screenings", headers=h)
    assert [s["id"] for s in listed.json()] == [body["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"indication": "depression"}, "protocol"),
        ({**eligible_screening_input(), "bp_systolic": "high"}, "bp_systolic"),
        (
            {**eligible_screening_input(), "antidepressant_trials": [{"weeks": 6}]},
            "antidepressant_trials[0].drug",
        ),
        ({**eligible_screening_input(), "colour": "blue"}, "colour"),
        ({**eligible_screening_input(), "dast10_total": 11}, "dast10_total"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: TestClient,
    tokens: dict[str, str],
    world: World,
    db: Session,
    body: dict[str, Any],
    field: str,
) -> None:
    r = _create(client, tokens, world, body, "nurse")
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert field.partition("[")[0].partition(".")[0] in r.json()["detail"]
    assert db.scalars(select(Screening)).all() == []


def test_non_object_body_is_a_422(client: TestClient, tokens: dict[str, str], world: World) -> None:
    r = client.post(
        f"/api/v1/patients/{pid(world)}/screenings",
        content="[1, 2]",
        headers={**bearer(tokens["nurse"]), "content-type": "application/json"},
    )
    assert r.status_code == 422


def test_nurse_cannot_sign_403_audited_prescriber_can(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    sid = _create(client, tokens, world, REVIEW_INPUT, "nurse").json()["id"]
    url = f"/api/v1/screenings/{sid}/sign"
    refused = client.post(url, json={"overrides": JUSTIFIED}, headers=bearer(tokens["nurse"]))
    assert refused.status_code == 403
    failure = db.scalar(
        select(AuditEvent).where(
            AuditEvent.user_id == world.user("nurse").id,
            AuditEvent.entity_type == "Screening",
            AuditEvent.outcome == "4",
        )
    )
    assert failure is not None
    assert failure.entity_id == str(sid)
    assert failure.patient_id == pid(world)
    prescriber = bearer(tokens["prescriber"])
    missing = client.post(url, json={"overrides": {"bp.above_threshold": "ok"}}, headers=prescriber)
    assert missing.status_code == 422
    assert missing.json()["code"] == "screening.justification_required"
    assert "contraindication.psychosis_history" in missing.json()["detail"]
    signed = client.post(url, json={"overrides": JUSTIFIED}, headers=prescriber)
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "signed"
    assert signed.json()["signed_decision"] == "eligible"
    assert signed.json()["signed_by"] == world.user("prescriber").id
    again = client.post(url, json={"overrides": JUSTIFIED}, headers=prescriber)
    assert again.status_code == 409


def test_block_reasons_refuse_signing(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    body = eligible_screening_input(conditions=["aneurysmal_vascular_disease"])
    sid = _create(client, tokens, world, body, "prescriber").json()["id"]
    r = client.post(
        f"/api/v1/screenings/{sid}/sign",
        json={"overrides": {}},
        headers=bearer(tokens["prescriber"]),
    )
    assert r.status_code == 422
    assert r.json()["code"] == "screening.blocked"
    assert "contraindication.aneurysmal_vascular_disease" in r.json()["detail"]


def test_blank_justification_is_a_422(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    sid = _create(client, tokens, world, REVIEW_INPUT, "prescriber").json()["id"]
    r = client.post(
        f"/api/v1/screenings/{sid}/sign",
        json={"overrides": {**JUSTIFIED, "bp.above_threshold": "  "}},
        headers=bearer(tokens["prescriber"]),
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"].startswith("overrides")


def test_stale_is_exposed_after_new_data(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    prescriber = bearer(tokens["prescriber"])
    sid = _create(client, tokens, world, eligible_screening_input(), "prescriber").json()["id"]
    client.post(f"/api/v1/screenings/{sid}/sign", json={}, headers=prescriber)
    _create(client, tokens, world, eligible_screening_input(bp_systolic=160), "nurse")
    r = client.get(f"/api/v1/screenings/{sid}", headers=prescriber)
    assert r.json()["status"] == "signed"
    assert r.json()["stale"] is True


@pytest.mark.parametrize("persona", ["frontdesk", "researcher", "outsider", "admin"])
def test_personas_without_clinical_record_cannot_screen(
    client: TestClient, tokens: dict[str, str], world: World, persona: str
) -> None:
    assert _create(client, tokens, world, eligible_screening_input(), persona).status_code == 403


@pytest.mark.parametrize("persona", ["frontdesk", "researcher", "outsider"])
def test_personas_without_clinical_read_see_nothing(
    client: TestClient, tokens: dict[str, str], world: World, persona: str
) -> None:
    sid = _create(client, tokens, world, eligible_screening_input(), "nurse").json()["id"]
    h = bearer(tokens[persona])
    assert client.get(f"/api/v1/screenings/{sid}", headers=h).status_code == 403
    assert client.get(f"/api/v1/patients/{pid(world)}/screenings", headers=h).status_code == 403
    assert client.get(f"/api/v1/patients/{pid(world)}/consents", headers=h).status_code == 403


def test_admin_reads_clinical_but_cannot_sign(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    sid = _create(client, tokens, world, eligible_screening_input(), "nurse").json()["id"]
    h = bearer(tokens["admin"])
    assert client.get(f"/api/v1/screenings/{sid}", headers=h).status_code == 200
    assert client.post(f"/api/v1/screenings/{sid}/sign", json={}, headers=h).status_code == 403


def test_unknown_ids_are_404(client: TestClient, tokens: dict[str, str], world: World) -> None:
    h = bearer(tokens["prescriber"])
    assert client.get("/api/v1/screenings/999999", headers=h).status_code == 404
    body = eligible_screening_input()
    r = client.post("/api/v1/patients/999999/screenings", json=body, headers=h)
    assert r.status_code == 404


def test_idempotent_screening_post(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    h = {**bearer(tokens["nurse"]), "Idempotency-Key": "screen-1"}
    url = f"/api/v1/patients/{pid(world)}/screenings"
    first = client.post(url, json=eligible_screening_input(), headers=h)
    second = client.post(url, json=eligible_screening_input(), headers=h)
    assert second.headers.get("idempotent-replayed") == "true"
    assert first.json()["id"] == second.json()["id"]
    assert len(db.scalars(select(Screening)).all()) == 1


def test_consent_documents_versions_and_reconsent(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    nurse = bearer(tokens["nurse"])
    docs = client.get("/api/v1/consent-documents", headers=nurse)
    assert docs.status_code == 200
    assert [d["version"] for d in docs.json()] == [1]
    consent_url = f"/api/v1/patients/{pid(world)}/consents"
    signature = {"document_version": 1, "typed_name": "Avery Quinn", "agreed": True}
    signed = client.post(consent_url, json=signature, headers=nurse)
    assert signed.status_code == 201, signed.text
    assert signed.json()["witness_user_id"] == world.user("nurse").id
    assert client.get(consent_url, headers=nurse).json()["status"] == "valid"
    text = load_default_consent().text.replace("version: 1", "version: 2")
    refused = client.post(
        "/api/v1/consent-documents", json={"text": text}, headers=bearer(tokens["prescriber"])
    )
    assert refused.status_code == 403
    created = client.post(
        "/api/v1/consent-documents", json={"text": text}, headers=bearer(tokens["admin"])
    )
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 2
    listing = client.get(consent_url, headers=nurse).json()
    assert listing["status"] == "reconsent_required"
    assert listing["current_version"] == 2
    stale_version = client.post(consent_url, json=signature, headers=nurse)
    assert stale_version.status_code == 409
    assert stale_version.json()["field"] == "document_version"
    again = client.post(
        consent_url,
        json={**signature, "document_version": 2, "witness_user_id": world.user("frontdesk").id},
        headers=nurse,
    )
    assert again.status_code == 201
    assert client.get(consent_url, headers=nurse).json()["status"] == "valid"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"agreed": False}, "agreed"),
        ({"typed_name": ""}, "typed_name"),
        ({"document_version": 0}, "document_version"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_consent_bad_input_names_the_field(
    client: TestClient, tokens: dict[str, str], world: World, change: dict[str, Any], field: str
) -> None:
    body = {"document_version": 1, "typed_name": "Avery Quinn", "agreed": True, **change}
    r = client.post(
        f"/api/v1/patients/{pid(world)}/consents", json=body, headers=bearer(tokens["nurse"])
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == field


def test_consent_document_must_cover_the_risks(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    r = client.post(
        "/api/v1/consent-documents", json={"text": "Short text."}, headers=bearer(tokens["admin"])
    )
    assert r.status_code == 422
    assert r.json()["field"] == "text"
    assert r.json()["code"] == "consent.missing_risks"


def test_rems_enrolment(client: TestClient, tokens: dict[str, str], world: World) -> None:
    url = f"/api/v1/patients/{pid(world)}/rems-enrolment"
    body = {"enrolment_id": "REMS-42", "enrolled_on": "2026-11-20"}
    assert client.post(url, json=body, headers=bearer(tokens["frontdesk"])).status_code == 403
    assert client.post(url, json=body, headers=bearer(tokens["outsider"])).status_code == 403
    future = client.post(
        url, json={**body, "enrolled_on": "2027-01-01"}, headers=bearer(tokens["nurse"])
    )
    assert future.status_code == 422
    assert future.json()["field"] == "enrolled_on"
    created = client.post(url, json=body, headers=bearer(tokens["nurse"]))
    assert created.status_code == 201
    assert created.json()["enrolment_id"] == "REMS-42"
    assert client.post(url, json=body, headers=bearer(tokens["nurse"])).status_code == 409
    read = client.get(url, headers=bearer(tokens["prescriber"]))
    assert read.json()["enrolment_id"] == "REMS-42"


def _signed_consent_id(client: TestClient, tokens: dict[str, str], world: World) -> int:
    signature = {"document_version": 1, "typed_name": "Avery Quinn", "agreed": True}
    r = client.post(
        f"/api/v1/patients/{pid(world)}/consents", json=signature, headers=bearer(tokens["nurse"])
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.mark.parametrize("persona", ["nurse", "prescriber"])
def test_clinicians_withdraw_consent_audited_with_the_reason_code(
    client: TestClient, tokens: dict[str, str], world: World, db: Session, persona: str
) -> None:
    cid = _signed_consent_id(client, tokens, world)
    h = bearer(tokens[persona])
    url = f"/api/v1/consents/{cid}/withdraw"
    withdrawn = client.post(url, json={"reason": "patient_request"}, headers=h)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["id"] == cid
    assert withdrawn.json()["withdrawn_at"] is not None
    listing = client.get(f"/api/v1/patients/{pid(world)}/consents", headers=h).json()
    assert listing["status"] == "withdrawn"
    event = db.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "PatientConsent",
            AuditEvent.action == "U",
            AuditEvent.outcome == "0",
        )
    )
    assert event is not None
    assert (event.entity_id, event.patient_id) == (str(cid), pid(world))
    assert event.user_id == world.user(persona).id
    assert event.detail == "withdrawn reason=patient_request"
    again = client.post(url, json={"reason": "patient_request"}, headers=h)
    assert again.status_code == 409
    assert again.json()["code"] == "consent.already_withdrawn"


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": ""}, {"reason": None}, {"reason": "Told me she is moving away"}],
)
def test_withdrawal_without_a_reason_code_is_a_422_naming_reason(
    client: TestClient, tokens: dict[str, str], world: World, body: dict[str, Any]
) -> None:
    cid = _signed_consent_id(client, tokens, world)
    h = bearer(tokens["nurse"])
    r = client.post(f"/api/v1/consents/{cid}/withdraw", json=body, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "reason"
    listing = client.get(f"/api/v1/patients/{pid(world)}/consents", headers=h).json()
    assert listing["status"] == "valid"


@pytest.mark.parametrize("persona", ["frontdesk", "admin", "researcher", "patient", "outsider"])
def test_other_personas_cannot_withdraw_consent_403_audited(
    client: TestClient, tokens: dict[str, str], world: World, db: Session, persona: str
) -> None:
    cid = _signed_consent_id(client, tokens, world)
    r = client.post(
        f"/api/v1/consents/{cid}/withdraw",
        json={"reason": "patient_request"},
        headers=bearer(tokens[persona]),
    )
    assert r.status_code == 403
    failure = db.scalar(
        select(AuditEvent).where(
            AuditEvent.user_id == world.user(persona).id,
            AuditEvent.entity_type == "PatientConsent",
            AuditEvent.outcome == "4",
        )
    )
    assert failure is not None
    assert failure.entity_id == str(cid)
    nurse = bearer(tokens["nurse"])
    listing = client.get(f"/api/v1/patients/{pid(world)}/consents", headers=nurse).json()
    assert listing["status"] == "valid"


def test_withdrawing_an_unknown_consent_is_404(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    r = client.post(
        "/api/v1/consents/999999/withdraw",
        json={"reason": "patient_request"},
        headers=bearer(tokens["prescriber"]),
    )
    assert r.status_code == 404
    assert r.json()["code"] == "consent.not_found"
