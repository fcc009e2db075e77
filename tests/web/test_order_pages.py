"""Order pages with a real login: the calculator form, override box, signing and the PK chart."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import Order
from tests.factories.world import World, pid
from tests.web.helpers import csrf_of, sign_in

DEPRESSION = "iv-ketamine-depression"


def orders_in_db(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Order)) or 0


def form(csrf: str, intent: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf, "intent": intent, "protocol": DEPRESSION, **fields}


def test_prescriber_calculates_then_saves_and_signs(
    client: TestClient, world: World, db: Session
) -> None:
    sign_in(client, "prescriber@a.test")
    page = client.get(f"/patients/{pid(world)}/orders")
    assert page.status_code == 200
    assert "70.00 kg" in page.text
    assert 'name="protocol"' in page.text
    csrf = csrf_of(page.text)
    calc = client.post(
        f"/patients/{pid(world)}/orders",
        data=form(csrf, "calculate", concentration_mg_per_ml="10"),
    )
    assert calc.status_code == 200, calc.text
    assert "35.0 mg ketamine" in calc.text
    assert re.search(r'data-testid="rate-mg-min">0.875 mg/min', calc.text)
    assert re.search(r'data-testid="rate-mg-h">52.5 mg/h', calc.text)
    assert re.search(r'data-testid="volume-ml">3.5 mL', calc.text)
    assert re.search(r'data-testid="pump-rate">5.2 mL/h', calc.text)
    assert orders_in_db(db) == 0
    saved = client.post(
        f"/patients/{pid(world)}/orders",
        data=form(csrf, "save", concentration_mg_per_ml="10"),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    order_url = saved.headers["location"]
    assert re.fullmatch(r"/orders/\d+", order_url)
    detail = client.get(order_url)
    assert detail.status_code == 200
    assert 'data-testid="order-status">draft' in detail.text
    assert "<svg" in detail.text
    assert "Time (min)" in detail.text
    assert "pk-spread" in detail.text
    assert 'data-testid="sign-form"' in detail.text
    signed = client.post(
        f"{order_url}/sign",
        data={"csrf_token": csrf_of(detail.text), "version": "1"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    after = client.get(order_url)
    assert 'data-testid="order-status">signed' in after.text
    assert 'data-testid="sign-form"' not in after.text
    listing = client.get(f"/patients/{pid(world)}/orders")
    assert "signed" in listing.text
    assert "35 mg over 40 min" in listing.text


def test_soft_limit_shows_the_override_box_and_needs_a_reason(
    client: TestClient, world: World, db: Session
) -> None:
    sign_in(client, "prescriber@a.test")
    csrf = csrf_of(client.get(f"/patients/{pid(world)}/orders").text)
    calc = client.post(
        f"/patients/{pid(world)}/orders", data=form(csrf, "calculate", dose_mg_per_kg="0.05")
    )
    assert calc.status_code == 200
    assert "Reason required" in calc.text
    assert 'name="override_reason"' in calc.text
    refused = client.post(
        f"/patients/{pid(world)}/orders", data=form(csrf, "save", dose_mg_per_kg="0.05")
    )
    assert refused.status_code == 422
    assert 'id="override_reason-error"' in refused.text  # the message sits by the box
    assert orders_in_db(db) == 0
    saved = client.post(
        f"/patients/{pid(world)}/orders",
        data=form(csrf, "save", dose_mg_per_kg="0.05", override_reason="Low-dose responder"),
        follow_redirects=False,
    )
    assert saved.status_code == 303
    detail = client.get(saved.headers["location"])
    assert "Low-dose responder" in detail.text


def test_hard_limit_and_bad_input_re_render_the_form(
    client: TestClient, world: World, db: Session
) -> None:
    sign_in(client, "prescriber@a.test")
    csrf = csrf_of(client.get(f"/patients/{pid(world)}/orders").text)
    hard = client.post(
        f"/patients/{pid(world)}/orders", data=form(csrf, "save", dose_mg_per_kg="2")
    )
    assert hard.status_code == 422
    assert "dose.hard_limit" not in hard.text  # plain words, no internal code
    assert 'data-error-for="dose_mg_per_kg"' in hard.text
    assert 'value="2"' in hard.text  # the form keeps what was typed
    bad = client.post(
        f"/patients/{pid(world)}/orders", data=form(csrf, "save", dose_mg_per_kg="lots")
    )
    assert bad.status_code == 422
    assert 'id="dose_mg_per_kg-error"' in bad.text
    assert "Enter a number." in bad.text
    assert 'value="lots"' in bad.text
    assert orders_in_db(db) == 0


def test_form_post_without_csrf_is_refused(client: TestClient, world: World, db: Session) -> None:
    sign_in(client, "prescriber@a.test")
    r = client.post(f"/patients/{pid(world)}/orders", data=form("forged", "save"))
    assert r.status_code == 403
    assert orders_in_db(db) == 0


def make_order(client: TestClient, world: World) -> str:
    sign_in(client, "prescriber@a.test")
    csrf = csrf_of(client.get(f"/patients/{pid(world)}/orders").text)
    saved = client.post(
        f"/patients/{pid(world)}/orders", data=form(csrf, "save"), follow_redirects=False
    )
    client.post("/logout", data={"csrf_token": csrf})
    return str(saved.headers["location"])


def test_nurse_sees_orders_and_the_chart_but_cannot_order_or_sign(
    client: TestClient, world: World, db: Session
) -> None:
    order_url = make_order(client, world)
    sign_in(client, "nurse@a.test")
    listing = client.get(f"/patients/{pid(world)}/orders")
    assert listing.status_code == 200
    assert "New order" not in listing.text
    detail = client.get(order_url)
    assert detail.status_code == 200
    assert 'data-testid="pk-chart"' in detail.text
    assert 'data-testid="sign-form"' not in detail.text
    refused = client.post(f"{order_url}/sign", data={"csrf_token": csrf_of(detail.text)})
    assert refused.status_code == 403
    db.expire_all()
    assert db.scalars(select(Order.status)).all() == ["draft"]


@pytest.mark.parametrize("email", ["frontdesk@a.test", "outsider@b.test"])
def test_other_roles_are_refused(client: TestClient, world: World, email: str) -> None:
    order_url = make_order(client, world)
    sign_in(client, email)
    assert client.get(f"/patients/{pid(world)}/orders").status_code == 403
    assert client.get(order_url).status_code == 403


def test_cancel_from_the_order_page(client: TestClient, world: World, db: Session) -> None:
    order_url = make_order(client, world)
    sign_in(client, "prescriber@a.test")
    detail = client.get(order_url)
    empty = client.post(
        f"{order_url}/cancel", data={"csrf_token": csrf_of(detail.text), "reason": " "}
    )
    assert empty.status_code == 422
    assert "reason" in empty.text
    done = client.post(
        f"{order_url}/cancel",
        data={"csrf_token": csrf_of(detail.text), "reason": "Patient unwell"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(order_url)
    assert 'data-testid="order-status">cancelled' in after.text
    assert "Patient unwell" in after.text
