"""POST /api/v1/sessions/{id}/administration is bound by the signed order.

Beyond the order without a prescriber's override: 409 naming the limit. Beyond the protocol's
hard limits: 422, even with an override. An override is re-authenticated at the chair; a wrong
password writes nothing and is audited as a failure.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AdministrationEvent, AuditEvent, Order, TreatmentSession
from ketacare.db.repositories import session as repo
from ketacare.services.session.binding import given_so_far, session_ceilings
from ketacare.services.session.facts import infusate_concentration
from tests.factories.world import PASSWORD, World
from tests.web.conftest import FrozenClock, bearer
from tests.web.test_session_api import START, post, session_id, to_ready

__all__ = ["session_id"]  # the fixture, re-used


def _order(db: Session, sid: int) -> Order:
    row = db.get(TreatmentSession, sid)
    assert row is not None
    assert row.order_id is not None
    order = db.get(Order, row.order_id)
    assert order is not None
    return order


# The ``infusing`` fixture starts the pump at START and charts rate changes 10 minutes later.
CHARTED_AT = START + timedelta(minutes=10)


def _hard_limit(db: Session, sid: int) -> tuple[Decimal, str]:
    """The fastest rate in mL/h (to 0.01) the protocol's hard ceilings allow 10 minutes in,
    and the code of the ceiling that binds: the mg/h ceiling, or the session total projected
    over the rest of the planned infusion (the depression protocol has no rate ceiling)."""
    order = _order(db, sid)
    row = db.get(TreatmentSession, sid)
    assert row is not None
    conc = infusate_concentration(order)
    assert conc is not None
    ceilings = session_ceilings(db, row, order)
    given = given_so_far(repo.list_administration(db, session_id=sid), order, at=CHARTED_AT)
    candidates: list[tuple[Decimal, str]] = []
    if ceilings.max_rate_mg_per_h is not None:
        candidates.append((ceilings.max_rate_mg_per_h / conc, "administration.hard_limit_rate"))
    if ceilings.max_total_mg is not None:
        hours = Decimal(order.duration_min or 0) / 60 - Decimal(
            given.running_time.total_seconds()
        ) / Decimal(3600)
        per_h = (ceilings.max_total_mg - given.total_mg) / hours
        candidates.append((per_h / conc, "administration.hard_limit_total"))
    assert candidates, "the protocol sets no hard ceiling"
    rate, code = min(candidates)
    return rate.quantize(Decimal("0.01"), rounding=ROUND_DOWN), code


def _rates(db: Session, sid: int) -> tuple[Decimal, Decimal]:
    """(the order's pump rate, the protocol's hard ceiling as a rate) in mL/h."""
    order = _order(db, sid)
    assert order.rate_ml_per_h is not None
    hard, _ = _hard_limit(db, sid)
    assert hard > order.rate_ml_per_h  # the order itself is within the hard limit
    return order.rate_ml_per_h, hard


@pytest.fixture
def infusing(
    client: TestClient, tokens: dict[str, str], session_id: int, clock: FrozenClock
) -> str:
    to_ready(client, tokens, session_id, clock)
    base = f"/api/v1/sessions/{session_id}"
    assert (
        post(client, tokens["nurse"], f"{base}/administration", {"kind": "start"}).status_code
        == 201
    )
    clock.at = START + timedelta(minutes=10)
    return f"{base}/administration"


def _rate(rate: Decimal, **extra: Any) -> dict[str, Any]:
    return {"kind": "rate_change", "rate_ml_per_h": str(rate), "reason": "titration", **extra}


def _lines(db: Session, sid: int) -> list[AdministrationEvent]:
    db.expire_all()
    return list(
        db.scalars(select(AdministrationEvent).where(AdministrationEvent.session_id == sid))
    )


def test_a_rate_within_the_order_is_charted(
    client: TestClient, tokens: dict[str, str], session_id: int, infusing: str, db: Session
) -> None:
    ordered, _ = _rates(db, session_id)
    r = post(client, tokens["nurse"], infusing, _rate(ordered - 1))
    assert r.status_code == 201, r.text


def test_a_rate_change_needs_a_reason(
    client: TestClient, tokens: dict[str, str], session_id: int, infusing: str, db: Session
) -> None:
    ordered, _ = _rates(db, session_id)
    body = {"kind": "rate_change", "rate_ml_per_h": str(ordered)}
    r = post(client, tokens["nurse"], infusing, body)
    assert r.status_code == 422
    assert r.json()["code"] == "administration.reason_required"


def test_beyond_the_order_without_override_is_409(
    client: TestClient, tokens: dict[str, str], session_id: int, infusing: str, db: Session
) -> None:
    ordered, hard = _rates(db, session_id)
    above = ordered + (hard - ordered) / 2
    r = post(client, tokens["nurse"], infusing, _rate(above))
    assert r.status_code == 409
    assert r.json()["code"] == "administration.beyond_order_rate"
    assert "override" in r.json()["detail"]
    assert [e.kind for e in _lines(db, session_id)] == ["start"]


@pytest.mark.parametrize("rate", ["99999", "just above the hard limit"])
def test_beyond_a_hard_limit_is_422_even_with_an_override(
    client: TestClient,
    tokens: dict[str, str],
    session_id: int,
    infusing: str,
    db: Session,
    world: World,
    rate: str,
) -> None:
    _, hard = _rates(db, session_id)
    # Just above: one pump step (0.01 mL/h) past a rate ceiling; past a total ceiling, the
    # smallest step that moves the projected total by a recorded 0.01 mg over the remaining
    # half hour at 0.7 mg/mL (0.05 mL/h -> 0.0175 mg).
    step = Decimal("0.01") if _hard_limit(db, session_id)[1].endswith("rate") else Decimal("0.05")
    value = hard + step if rate.startswith("just") else Decimal(rate)
    override = {"prescriber_email": world.user("prescriber").email, "password": PASSWORD}
    for extra in ({}, {"override": {**override, "reason": "agitated"}}):
        r = post(client, tokens["nurse"], infusing, _rate(value, **extra))
        assert r.status_code == 422, r.text
        assert r.json()["code"] == _hard_limit(db, session_id)[1]
    assert [e.kind for e in _lines(db, session_id)] == ["start"]


def test_a_prescriber_at_the_chair_overrides_with_their_password(
    client: TestClient,
    tokens: dict[str, str],
    session_id: int,
    infusing: str,
    db: Session,
    world: World,
) -> None:
    ordered, hard = _rates(db, session_id)
    prescriber = world.user("prescriber")
    override = {
        "prescriber_email": prescriber.email,
        "password": PASSWORD,
        "reason": "pain not controlled",
    }
    r = post(client, tokens["nurse"], infusing, _rate(hard, override=override))
    assert r.status_code == 201, r.text
    line = r.json()["administration"][-1]
    assert line["override_by"] == prescriber.id
    assert line["override_reason"] == "pain not controlled"
    assert "administration.beyond_order_rate" in line["override_codes"]
    assert line["recorded_by"] == world.user("nurse").id
    audit = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "AdministrationOverride")
    ).all()
    assert [a.outcome for a in audit] == ["0"]  # FHIR AuditEvent outcome: success
    assert ordered < hard


def test_the_signed_in_prescriber_re_enters_their_password(
    client: TestClient, tokens: dict[str, str], session_id: int, infusing: str, db: Session
) -> None:
    _, hard = _rates(db, session_id)
    override = {"password": PASSWORD, "reason": "agreed at the chair"}
    r = post(client, tokens["prescriber"], infusing, _rate(hard, override=override))
    assert r.status_code == 201, r.text
    assert r.json()["administration"][-1]["override_by"] is not None


@pytest.mark.parametrize(
    "who", ["wrong password", "a nurse's own password", "a prescriber of another clinic"]
)
def test_a_failed_override_writes_nothing_and_is_audited(
    client: TestClient,
    tokens: dict[str, str],
    session_id: int,
    infusing: str,
    db: Session,
    world: World,
    who: str,
) -> None:
    _, hard = _rates(db, session_id)
    override: dict[str, Any] = {"reason": "agitated", "password": PASSWORD}
    if who == "wrong password":
        override |= {"prescriber_email": world.user("prescriber").email, "password": "nope"}
    elif who == "a prescriber of another clinic":
        override |= {"prescriber_email": world.user("outsider").email}
    r = post(client, tokens["nurse"], infusing, _rate(hard, override=override))
    assert r.status_code == 403
    assert "Override refused" in r.json()["detail"]
    assert [e.kind for e in _lines(db, session_id)] == ["start"]
    failures = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "AdministrationOverride")
    ).all()
    assert len(failures) == 1
    assert failures[0].outcome == "4"  # FHIR AuditEvent outcome: minor failure


def test_a_bolus_the_order_does_not_have_needs_an_override(
    client: TestClient, tokens: dict[str, str], infusing: str
) -> None:
    r = post(
        client, tokens["nurse"], infusing, {"kind": "bolus", "amount": "5", "amount_unit": "mg"}
    )
    assert r.status_code == 409
    assert r.json()["code"] == "administration.beyond_order_bolus"


def test_an_entry_in_error_is_struck_out_and_kept(
    client: TestClient,
    tokens: dict[str, str],
    session_id: int,
    infusing: str,
    db: Session,
    clock: FrozenClock,
) -> None:
    nurse = tokens["nurse"]
    ordered, _ = _rates(db, session_id)
    charted = post(client, nurse, infusing, _rate(ordered / 2)).json()["administration"][-1]
    clock.at = START + timedelta(minutes=20)
    before = client.get(infusing.rsplit("/", 1)[0], headers=bearer(nurse)).json()["totals"]
    body = {"kind": "entered_in_error", "corrects_id": charted["id"]}
    assert post(client, nurse, infusing, body).json()["code"] == "administration.reason_required"
    r = post(client, nurse, infusing, {**body, "reason": "wrong pump"})
    assert r.status_code == 201, r.text
    kinds = [(a["kind"], a["corrects_id"]) for a in r.json()["administration"]]
    assert ("rate_change", None) in kinds
    assert ("entered_in_error", charted["id"]) in kinds
    # The struck-out half rate no longer counts: the order's rate ran all 20 minutes.
    assert Decimal(r.json()["totals"]["total_mg"]) > Decimal(before["total_mg"])
    again = post(client, nurse, infusing, {**body, "reason": "twice"})
    assert again.status_code == 409
    assert again.json()["code"] == "administration.already_corrected"
    start_id = r.json()["administration"][0]["id"]
    start = post(client, nurse, infusing, {**body, "corrects_id": start_id, "reason": "x"})
    assert start.json()["code"] == "administration.not_correctable"


def test_stop_short_of_the_order_asks_for_confirmation_and_a_reason(
    client: TestClient, tokens: dict[str, str], infusing: str
) -> None:
    nurse = tokens["nurse"]
    short = post(client, nurse, infusing, {"kind": "stop"})
    assert short.status_code == 409
    assert short.json()["code"] == "administration.less_than_ordered"
    unconfirmed = post(client, nurse, infusing, {"kind": "stop", "reason": "nausea"})
    assert unconfirmed.json()["code"] == "administration.less_than_ordered"
    body = {"kind": "stop", "reason": "nausea", "confirm_less_than_ordered": True}
    done = post(client, nurse, infusing, body)
    assert done.status_code == 201, done.text
    assert done.json()["state"] == "recovering"
    assert done.json()["administration"][-1]["reason"] == "nausea"
