"""The orders API and page show the same limits as `ketacare dose --json`; bolus via the API."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from tests.factories.world import World, pid
from tests.web.conftest import bearer
from tests.web.helpers import csrf_of, sign_in

PAIN = "iv-ketamine-pain"


def create(client: TestClient, token: str, patient_id: int, **body: Any) -> Any:
    return client.post(f"/api/v1/patients/{patient_id}/orders", json=body, headers=bearer(token))


def test_api_order_stores_the_limits_and_the_bolus(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    r = create(
        client,
        tokens["prescriber"],
        pid(world),
        protocol=PAIN,
        rate_mg_per_kg_per_h="1",
        duration_min=180,
        bolus_mg_per_kg="0.35",
        concentration_mg_per_ml="100",
        final_volume_ml="250",
    )
    assert r.status_code == 201, r.text
    calculation = r.json()["calculation"]
    assert (calculation["bolus_mg"], calculation["session_total_mg"]) == (24.5, 234.5)
    assert calculation["infusion_concentration_mg_per_ml"] == 0.84  # 210 mg in 250 mL
    assert calculation["rate_ml_per_h"] == 83.3
    limits = {item["name"]: item for item in calculation["limits"]}
    assert limits["bolus_mg_per_kg"]["hard"] == {"min": None, "max": 0.35}
    assert calculation["override_reasons_required"] == []
    assert Decimal(r.json()["dose_mg"]) == 210  # the infusion; the bolus is in the calculation


def test_api_refuses_a_bolus_over_the_limit_naming_it(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    r = create(
        client,
        tokens["prescriber"],
        pid(world),
        protocol=PAIN,
        rate_mg_per_kg_per_h="1",
        duration_min=180,
        bolus_mg="30",
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("dose.hard_limit", "bolus_mg")
    assert r.json()["limit"] == "bolus_mg_per_kg"


def test_api_refuses_undiluted_100_mg_per_ml(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    r = create(
        client,
        tokens["prescriber"],
        pid(world),
        protocol="iv-ketamine-depression",
        concentration_mg_per_ml="100",
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("dose.undiluted_stock", "final_volume_ml")


def test_the_order_page_shows_the_limits_table(client: TestClient, world: World) -> None:
    sign_in(client, "prescriber@a.test")
    page = client.get(f"/patients/{pid(world)}/orders")
    csrf = csrf_of(page.text)
    calc = client.post(
        f"/patients/{pid(world)}/orders",
        data={
            "csrf_token": csrf,
            "intent": "calculate",
            "protocol": PAIN,
            "rate_mg_per_kg_per_h": "1",
            "duration_min": "180",
            "bolus_mg_per_kg": "0.35",
        },
    )
    assert calc.status_code == 200, calc.text
    assert 'data-testid="dose-limits"' in calc.text
    assert re.search(r'data-limit="duration_min">\s*<td>duration min</td>\s*<td>180', calc.text)
    assert re.search(r'data-testid="bolus-mg">24.5 mg', calc.text)
    assert "Cohen et al. 2018" in calc.text
