"""The orders, protocols, dose-preview and PK API with every persona and bad input."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ketacare.cli.main import app as cli_app
from ketacare.core.codes import MeasurementKind
from ketacare.db.models import AuditEvent, Order
from ketacare.services.accounts import users as accounts
from ketacare.services.audit import AuditContext
from ketacare.services.patients import registry as patients
from tests.factories.world import NOW, World, make_patient, pid
from tests.web.conftest import bearer

DEPRESSION = "iv-ketamine-depression"
ORDER = {"protocol": DEPRESSION, "concentration_mg_per_ml": "10"}


def orders_in_db(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Order)) or 0


def create(client: TestClient, token: str, patient_id: int, **body: Any) -> Any:
    return client.post(
        f"/api/v1/patients/{patient_id}/orders", json={**ORDER, **body}, headers=bearer(token)
    )


def test_prescriber_creates_signs_and_reads_an_order(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    h = bearer(tokens["prescriber"])
    created = create(client, tokens["prescriber"], pid(world))
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["status"] == "draft"
    assert Decimal(order["dose_mg"]) == Decimal("35")
    assert Decimal(order["weight_used_kg"]) == Decimal("70")
    assert order["weight_basis"] == "actual"
    assert order["weight_measured_on"] == NOW.date().isoformat()
    assert Decimal(order["rate_ml_per_h"]) == Decimal("5.2")
    assert order["calculation"]["rate_mg_per_min"] == 0.875  # 35 mg over 40 min
    assert order["calculation"]["rate_mg_per_h"] == 52.5
    listed = client.get(f"/api/v1/patients/{pid(world)}/orders", headers=h)
    assert [o["id"] for o in listed.json()] == [order["id"]]
    signed = client.post(f"/api/v1/orders/{order['id']}/sign", json={"version": 1}, headers=h)
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "signed"
    assert signed.json()["signed_by"] == world.user("prescriber").id
    again = client.post(f"/api/v1/orders/{order['id']}/sign", json={}, headers=h)
    assert again.status_code == 409
    assert again.json()["code"] == "order.illegal_transition"


READERS = ("prescriber", "nurse", "admin")
NON_READERS = ("frontdesk", "researcher", "patient", "outsider")


@pytest.mark.parametrize("persona", [*READERS, *NON_READERS])
def test_personas(
    client: TestClient, tokens: dict[str, str], world: World, db: Session, persona: str
) -> None:
    order_id = create(client, tokens["prescriber"], pid(world)).json()["id"]
    h = bearer(tokens[persona])
    read = client.get(f"/api/v1/orders/{order_id}", headers=h)
    pk = client.get(f"/api/v1/orders/{order_id}/pk", headers=h)
    listed = client.get(f"/api/v1/patients/{pid(world)}/orders", headers=h)
    expected = 200 if persona in READERS else 403
    assert (read.status_code, pk.status_code, listed.status_code) == (expected,) * 3
    if persona != "prescriber":
        assert create(client, tokens[persona], pid(world)).status_code == 403
        assert client.post(f"/api/v1/orders/{order_id}/sign", json={}, headers=h).status_code == 403
        cancel = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "x"}, headers=h)
        assert cancel.status_code == 403
        failures = list(
            db.scalars(
                select(AuditEvent).where(
                    AuditEvent.user_id == world.user(persona).id,
                    AuditEvent.outcome == "4",
                    AuditEvent.entity_type == "Order",
                )
            )
        )
        assert {e.action for e in failures} >= {"C", "U"}
    db.expire_all()
    stored = db.get(Order, order_id)
    assert stored is not None
    assert stored.status == "draft"


def test_nurse_sign_is_refused_and_audited(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    order_id = create(client, tokens["prescriber"], pid(world)).json()["id"]
    refused = client.post(
        f"/api/v1/orders/{order_id}/sign", json={}, headers=bearer(tokens["nurse"])
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "authz.forbidden"
    events = list(
        db.scalars(
            select(AuditEvent).where(
                AuditEvent.user_id == world.user("nurse").id,
                AuditEvent.entity_type == "Order",
                AuditEvent.entity_id == str(order_id),
                AuditEvent.outcome == "4",
            )
        )
    )
    assert [(e.action, e.patient_id) for e in events] == [("U", pid(world))]


def test_reads_and_writes_are_audited(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    order_id = create(client, tokens["prescriber"], pid(world)).json()["id"]
    client.get(f"/api/v1/orders/{order_id}", headers=bearer(tokens["nurse"]))
    client.get(f"/api/v1/orders/{order_id}/pk", headers=bearer(tokens["nurse"]))
    events = list(
        db.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == str(order_id),
                AuditEvent.entity_type.in_(("Order", "OrderPK")),
                AuditEvent.outcome == "0",
            )
        )
    )
    assert {(e.action, e.entity_type) for e in events} == {
        ("C", "Order"),
        ("R", "Order"),
        ("R", "OrderPK"),
    }
    assert all(e.patient_id == pid(world) for e in events)


def test_hard_limit_is_422_with_the_core_code_and_stores_nothing(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    r = create(client, tokens["prescriber"], pid(world), dose_mg_per_kg="2")
    assert r.status_code == 422
    assert r.json()["code"] == "dose.hard_limit"
    assert "hard limit" in r.json()["detail"]
    assert orders_in_db(db) == 0


def test_stale_weight_is_422_naming_the_weight_date(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    old = make_patient(
        db,
        by=world.user("frontdesk"),
        weighed_by=world.user("nurse"),
        mrn="OLD2",
        at=NOW - timedelta(days=45),
    )
    db.commit()
    r = create(client, tokens["prescriber"], old.id)
    assert r.status_code == 422
    assert r.json()["code"] == "dose.weight_too_old"
    assert r.json()["field"] == "weight_measured_on"
    assert orders_in_db(db) == 0
    # A fresh weight lets the order through.
    patients.record_measurement(
        db,
        patient_id=old.id,
        kind=MeasurementKind.WEIGHT,
        value=Decimal("64"),
        measured_at=NOW,
        at=NOW,
        ctx=AuditContext(actor=accounts.actor_for(world.user("nurse"))),
    )
    db.commit()
    assert Decimal(create(client, tokens["prescriber"], old.id).json()["dose_mg"]) == Decimal("32")


def test_soft_limit_needs_an_override_reason(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    r = create(client, tokens["prescriber"], pid(world), dose_mg_per_kg="0.05")
    assert r.status_code == 422
    assert r.json()["field"] == "override_reason"
    assert orders_in_db(db) == 0
    ok = create(
        client,
        tokens["prescriber"],
        pid(world),
        dose_mg_per_kg="0.05",
        override_reason="Responded to 0.05 mg/kg in 2025",
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["requires_override"] is True
    assert ok.json()["override_reason"] == "Responded to 0.05 mg/kg in 2025"
    signed = client.post(
        f"/api/v1/orders/{ok.json()['id']}/sign",
        json={"override_reason": "Confirmed at signing"},
        headers=bearer(tokens["prescriber"]),
    )
    assert signed.json()["override_reason"] == "Confirmed at signing"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dose_mg_per_kg": "-1"}, "dose_mg_per_kg"),
        ({"dose_mg_per_kg": "abc"}, "dose_mg_per_kg"),
        ({"duration_min": 0}, "duration_min"),
        ({"weight_basis": "heaviest"}, "weight_basis"),
        ({"weight_kg": "80"}, "weight_kg"),  # the weight comes from the chart, never the body
        ({"protocol": ""}, "protocol"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    client: TestClient, tokens: dict[str, str], world: World, body: dict[str, Any], field: str
) -> None:
    r = create(client, tokens["prescriber"], pid(world), **body)
    assert r.status_code == 422
    assert field in [e["field"] for e in r.json()["errors"]]


def test_unknown_protocol_and_core_input_errors_name_the_field(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    r = create(client, tokens["prescriber"], pid(world), protocol="nope")
    assert (r.status_code, r.json()["field"]) == (422, "protocol")
    r = create(client, tokens["prescriber"], pid(world), weight_basis="ideal")
    assert (r.status_code, r.json()["field"]) == (422, "height_cm")


def test_unknown_order_and_patient_are_404(client: TestClient, tokens: dict[str, str]) -> None:
    h = bearer(tokens["prescriber"])
    assert client.get("/api/v1/orders/999999", headers=h).status_code == 404
    assert client.post("/api/v1/patients/999999/orders", json=ORDER, headers=h).status_code == 404


def test_idempotent_create(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    h = {**bearer(tokens["prescriber"]), "Idempotency-Key": "order-1"}
    url = f"/api/v1/patients/{pid(world)}/orders"
    first = client.post(url, json=ORDER, headers=h)
    second = client.post(url, json=ORDER, headers=h)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.json()["id"] == second.json()["id"]
    assert orders_in_db(db) == 1


def test_cancel_needs_a_reason(client: TestClient, tokens: dict[str, str], world: World) -> None:
    h = bearer(tokens["prescriber"])
    order_id = create(client, tokens["prescriber"], pid(world)).json()["id"]
    missing = client.post(f"/api/v1/orders/{order_id}/cancel", json={}, headers=h)
    assert missing.status_code == 422
    assert "reason" in [e["field"] for e in missing.json()["errors"]]
    done = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "plan"}, headers=h)
    assert done.json()["status"] == "cancelled"
    assert client.post(f"/api/v1/orders/{order_id}/sign", json={}, headers=h).status_code == 409


CLI = CliRunner()


@pytest.mark.parametrize(
    ("body", "args"),
    [
        (
            {"weight_kg": "80", "concentration_mg_per_ml": "10"},
            ["--weight-kg", "80", "--concentration-mg-per-ml", "10"],
        ),
        (
            {
                "weight_kg": "120",
                "height_cm": "180.34",
                "sex_at_birth": "male",
                "weight_basis": "adjusted",
                "concentration_mg_per_ml": "10",
                "final_volume_ml": "100",
            },
            [
                "--weight-kg",
                "120",
                "--height-cm",
                "180.34",
                "--sex-at-birth",
                "male",
                "--weight-basis",
                "adjusted",
                "--concentration-mg-per-ml",
                "10",
                "--final-volume-ml",
                "100",
            ],
        ),
        (
            {"weight_kg": "80", "dose_mg_per_kg": "0.05", "weight_date": "2025-02-20"},
            ["--weight-kg", "80", "--dose-mg-per-kg", "0.05", "--weight-date", "2025-02-20"],
        ),
        (
            {"protocol": "esketamine-nasal", "weight_kg": "70", "first_dose": True},
            ["--protocol", "esketamine-nasal", "--weight-kg", "70", "--first-dose"],
        ),
    ],
)
def test_preview_matches_the_cli_json(
    client: TestClient, tokens: dict[str, str], body: dict[str, Any], args: list[str]
) -> None:
    request = {"protocol": DEPRESSION, "today": "2025-03-03", **body}
    r = client.post("/api/v1/dose-calculations", json=request, headers=bearer(tokens["nurse"]))
    assert r.status_code == 200, r.text
    cli_args = ["dose", "--today", "2025-03-03", *args, "--json"]
    if "--protocol" not in args:
        cli_args += ["--protocol", DEPRESSION]
    result = CLI.invoke(cli_app, cli_args)
    assert result.exit_code == 0, result.stderr
    assert r.json() == json.loads(result.stdout)


def test_preview_errors_and_roles(client: TestClient, tokens: dict[str, str]) -> None:
    url = "/api/v1/dose-calculations"
    body = {"protocol": DEPRESSION, "weight_kg": "80", "today": "2025-03-03"}
    stale = client.post(
        url, json={**body, "weight_date": "2025-01-01"}, headers=bearer(tokens["prescriber"])
    )
    assert (stale.status_code, stale.json()["code"]) == (422, "dose.weight_too_old")
    hard = client.post(
        url, json={**body, "dose_mg_per_kg": "3"}, headers=bearer(tokens["prescriber"])
    )
    assert (hard.status_code, hard.json()["code"]) == (422, "dose.hard_limit")
    assert client.post(url, json=body, headers=bearer(tokens["frontdesk"])).status_code == 403
    assert client.post(url, json=body, headers=bearer(tokens["patient"])).status_code == 403


def custom_protocol(new_id: str) -> dict[str, Any]:
    text = (
        resources.files("ketacare.core.dosing.protocols")
        .joinpath(f"{DEPRESSION}.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    data["id"], data["name"] = new_id, "Clinic 0.4 mg/kg variant"
    data["dose_rule"]["default_mg_per_kg"] = "0.4"
    return data


def test_protocols_list_and_admin_only_custom_protocols(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    listed = client.get("/api/v1/protocols", headers=bearer(tokens["nurse"]))
    assert listed.status_code == 200
    assert DEPRESSION in [p["id"] for p in listed.json()]
    assert client.get("/api/v1/protocols", headers=bearer(tokens["frontdesk"])).status_code == 403
    body = custom_protocol("clinic-slow")
    assert (
        client.post(
            "/api/v1/protocols", json=body, headers=bearer(tokens["prescriber"])
        ).status_code
        == 403
    )
    broken = {**body, "route": "oral"}
    bad = client.post("/api/v1/protocols", json=broken, headers=bearer(tokens["admin"]))
    assert (bad.status_code, bad.json()["field"]) == (422, "route")
    added = client.post("/api/v1/protocols", json=body, headers=bearer(tokens["admin"]))
    assert added.status_code == 201, added.text
    dup = client.post("/api/v1/protocols", json=body, headers=bearer(tokens["admin"]))
    assert dup.status_code == 409
    listed = client.get("/api/v1/protocols", headers=bearer(tokens["nurse"])).json()
    assert {p["id"]: p["custom"] for p in listed}["clinic-slow"] is True
    outsider = client.get("/api/v1/protocols", headers=bearer(tokens["outsider"])).json()
    assert "clinic-slow" not in [p["id"] for p in outsider]
    order = create(client, tokens["prescriber"], pid(world), protocol="clinic-slow")
    assert Decimal(order.json()["dose_mg"]) == Decimal("28")  # 0.4 mg/kg x 70 kg


def test_pk_endpoint_returns_curves_and_bands(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    order_id = create(client, tokens["prescriber"], pid(world)).json()["id"]
    r = client.get(f"/api/v1/orders/{order_id}/pk", headers=bearer(tokens["nurse"]))
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["main_model"] == "domino"
    assert doc["unit"] == "ng/mL"
    times = doc["times_min"]
    assert times[0] == 0
    assert len(doc["models"]) >= 2
    for model in doc["models"]:
        assert model["cmax_ng_per_ml"] > 0
        assert len(model["median_ng_per_ml"]) == len(times)
    population = doc["population"]
    assert population["model"] == "herd2007"
    assert len(population["p5"]) == len(population["p95"]) == len(times)
    assert population["cmax_ng_per_ml"]["p95"] > population["cmax_ng_per_ml"]["p5"] > 0
    assert [b["lower"] for b in doc["bands"]] == [0, 50, 100, 250, 700]
    assert doc["bands"][-1]["upper"] is None
    assert all(b["source"] for b in doc["bands"])
