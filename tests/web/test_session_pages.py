"""The session pages: bookings, the chair page for a tablet and the floor board."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ketacare.core.codes import SexAtBirth
from ketacare.core.session.states import SessionState
from ketacare.db.models import Patient, TreatmentSession
from ketacare.services.session import demo as demo_service
from ketacare.web.pages.session_view import amount
from tests.factories.world import NOW, World, ctx
from tests.web.conftest import FrozenClock
from tests.web.helpers import csrf_of, sign_in

START = NOW + timedelta(minutes=30)


@pytest.fixture
def session_id(db: Session, world: World) -> int:
    assert world.patient is not None

    row = demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
    )
    db.commit()
    return row.id


def form_post(client: TestClient, url: str, page: str, **data: str) -> object:
    return client.post(url, data={"csrf_token": csrf_of(page), **data}, follow_redirects=False)


def test_chair_page_runs_check_in_gates_vitals_and_alert_ack(
    client: TestClient, world: World, session_id: int, clock: FrozenClock
) -> None:
    sign_in(client, "nurse@a.test")
    clock.at = START
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    assert 'data-testid="session-state">scheduled' in page.text
    r = form_post(
        client, f"/sessions/{session_id}/transition", page.text, to="checked_in", version="1"
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/sessions/{session_id}")
    refused = client.post(
        f"/sessions/{session_id}/transition",
        data={"csrf_token": csrf_of(page.text), "to": "ready"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 409
    assert "fasting (NPO) is not confirmed" in refused.text
    assert 'data-code="session.gate.predose_bp_missing"' in refused.text
    vitals = client.post(
        f"/sessions/{session_id}/vitals",
        data={
            "csrf_token": csrf_of(page.text),
            "systolic": "182",
            "diastolic": "95",
            "heart_rate": "88",
            "spo2": "97",
            "respiratory_rate": "14",
        },
        follow_redirects=False,
    )
    assert vitals.status_code == 303
    page = client.get(f"/sessions/{session_id}")
    assert 'data-testid="alert-banner"' in page.text
    assert "TIER 2" in page.text
    # Tier 2 calls for the prescriber: the nurse sees no acknowledge button for it.
    assert "/alerts/" not in page.text


def test_bad_vitals_form_rerenders_with_the_field(
    client: TestClient, session_id: int, clock: FrozenClock
) -> None:
    sign_in(client, "nurse@a.test")
    clock.at = START
    page = client.get(f"/sessions/{session_id}")
    form_post(client, f"/sessions/{session_id}/transition", page.text, to="checked_in")
    r = client.post(
        f"/sessions/{session_id}/vitals",
        data={"csrf_token": csrf_of(page.text), "spo2": "140"},
    )
    assert r.status_code == 422
    assert "spo2" in r.text


def test_forms_need_csrf(client: TestClient, session_id: int) -> None:
    sign_in(client, "nurse@a.test")
    r = client.post(
        f"/sessions/{session_id}/transition",
        data={"to": "checked_in"},
        headers={"Accept": "text/html"},
    )
    assert r.status_code == 403


@pytest.mark.parametrize("email", ["frontdesk@a.test", "researcher@a.test", "outsider@b.test"])
def test_chair_page_is_for_clinical_staff(client: TestClient, session_id: int, email: str) -> None:
    sign_in(client, email)
    r = client.get(f"/sessions/{session_id}", headers={"Accept": "text/html"})
    assert r.status_code == 403


def test_patient_sessions_page_lists_and_books(
    client: TestClient, world: World, session_id: int
) -> None:
    assert world.patient is not None
    sign_in(client, "frontdesk@a.test")
    url = f"/patients/{world.patient.id}/sessions"
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="session-' in page.text
    assert "Open chair page" not in page.text  # front desk books, it does not chart
    clash = client.post(
        url,
        data={
            "csrf_token": csrf_of(page.text),
            "protocol_id": "iv-ketamine-depression",
            "chair_id": "999999",
            "starts_at": "2026-11-29T09:40",
            "tz_offset_min": "0",
            "staff_user_id": str(world.user("nurse").id),
        },
    )
    assert clash.status_code == 422
    assert "No chair" in clash.text


def test_floor_board_and_partial(
    client: TestClient, session_id: int, clock: FrozenClock, world: World
) -> None:
    sign_in(client, "prescriber@a.test")
    page = client.get(f"/sessions/{session_id}")
    form_post(client, f"/sessions/{session_id}/transition", page.text, to="checked_in")
    floor = client.get("/floor")
    assert floor.status_code == 200
    assert 'data-poll="/floor/partial"' in floor.text
    assert "Quinn, Avery" in floor.text
    partial = client.get("/floor/partial")
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert 'data-testid="floor-tile"' in partial.text


def test_chair_page_shows_the_predicted_curve_of_the_order(
    client: TestClient, session_id: int, clock: FrozenClock
) -> None:
    sign_in(client, "prescriber@a.test")
    clock.at = START
    page = client.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    assert 'data-testid="pk-chart"' in page.text
    figure = page.text.split('data-testid="pk-chart"', 1)[1]
    assert "<svg" in figure
    assert "(main)" in page.text  # each model's Cmax, the main model named
    assert "5th–95th percentile" in page.text  # the spread across virtual patients
    assert 'class="pk-marker"' not in figure.split("</svg>", 1)[0]  # no "now" before dosing


def _patient_row(db: Session, world: World) -> Patient:
    assert world.patient is not None
    row = db.get(Patient, world.patient.id)
    assert row is not None
    return row


def _set_state(db: Session, session_id: int, state: str) -> None:
    """Jump the session to a state (the gates are tested elsewhere; here only the page)."""
    db.expire_all()
    row = db.get(TreatmentSession, session_id)
    assert row is not None
    row.state = SessionState(state)
    db.commit()


def test_amounts_read_like_a_nurse_writes_them() -> None:
    assert amount(Decimal("28.000"), "mg") == "28 mg"
    assert amount(Decimal("45.50"), "mg") == "45.5 mg"
    assert amount(Decimal("12.50"), "mL") == "12.5 mL"
    assert amount(Decimal("100.00"), "mg") == "100 mg"  # never 1E+2
    assert amount(Decimal("0.00"), "mg") == "0 mg"
    assert amount(None, "mg") == ""


def test_chair_page_is_ordered_by_what_the_nurse_does_next(
    client: TestClient, session_id: int, clock: FrozenClock
) -> None:
    sign_in(client, "nurse@a.test")
    clock.at = START
    page = client.get(f"/sessions/{session_id}")
    form_post(client, f"/sessions/{session_id}/transition", page.text, to="checked_in")
    html = client.get(f"/sessions/{session_id}").text
    order = [
        'data-testid="session-state"',
        'data-testid="moves"',
        'id="vitals-form"',
        'data-testid="predose-checks"',
        'data-testid="vitals-table"',
        'data-testid="pk-details"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
    # The prediction is reference for the nurse: folded away at the bottom.
    details = html.split('data-testid="pk-details"', 1)[1].split(">", 1)[0]
    assert "open" not in details
    assert "Given:" not in html  # nothing given before dosing starts
    assert 'name="pregnancy_status"' in html  # recorded female at birth
    assert 'name="rate_ml_per_h"' not in html  # no infusion controls before it runs


def test_prescriber_sees_the_prediction_open(
    client: TestClient, session_id: int, clock: FrozenClock
) -> None:
    sign_in(client, "prescriber@a.test")
    html = client.get(f"/sessions/{session_id}").text
    details = html.split('data-testid="pk-details"', 1)[1].split(">", 1)[0]
    assert "open" in details


def test_pregnancy_check_is_not_asked_of_a_patient_male_at_birth(
    client: TestClient, db: Session, world: World, session_id: int, clock: FrozenClock
) -> None:
    _patient_row(db, world).sex_at_birth = SexAtBirth.MALE
    db.commit()
    sign_in(client, "nurse@a.test")
    clock.at = START
    page = client.get(f"/sessions/{session_id}")
    form_post(client, f"/sessions/{session_id}/transition", page.text, to="checked_in")
    html = client.get(f"/sessions/{session_id}").text
    assert 'data-testid="predose-checks"' in html
    assert "Pregnancy test today" not in html
    assert 'name="pregnancy_status"' not in html


def test_raised_predose_bp_waits_on_the_floor_for_a_prescriber(
    client: TestClient, session_id: int, clock: FrozenClock
) -> None:
    clock.at = START
    sign_in(client, "nurse@a.test")
    page = client.get(f"/sessions/{session_id}")
    form_post(client, f"/sessions/{session_id}/transition", page.text, to="checked_in")
    page = client.get(f"/sessions/{session_id}")
    assert 'data-testid="bp-ack-pending"' not in page.text
    form_post(
        client,
        f"/sessions/{session_id}/vitals",
        page.text,
        systolic="150",
        diastolic="92",
        heart_rate="76",
        spo2="98",
        respiratory_rate="14",
    )
    nurse_view = client.get(f"/sessions/{session_id}").text
    assert 'data-testid="bp-ack-pending"' in nurse_view
    assert "Waiting for a prescriber: shown on the" in nurse_view
    assert "/bp-ack" not in nurse_view  # the nurse cannot acknowledge it herself

    client.cookies.clear()
    sign_in(client, "prescriber@a.test")
    floor = client.get("/floor/partial").text
    item = floor.split('data-testid="bp-ack-needed"', 1)[1].split("</li>", 1)[0]
    assert "BP acknowledgement needed" in item
    assert f'href="/sessions/{session_id}"' in item
    assert "150/92" in item
    chair = client.get(f"/sessions/{session_id}")
    assert "Waiting for a prescriber" not in chair.text
    r = form_post(client, f"/sessions/{session_id}/bp-ack", chair.text, note="benefit outweighs")
    assert r.status_code == 303  # type: ignore[attr-defined]
    assert 'data-testid="bp-ack-needed"' not in client.get("/floor/partial").text
    after = client.get(f"/sessions/{session_id}").text
    assert 'data-testid="bp-ack-pending"' not in after
    assert "Pre-dose BP acknowledged" in after


def test_iv_controls_speak_of_the_infusion(
    client: TestClient, db: Session, session_id: int, clock: FrozenClock
) -> None:
    sign_in(client, "nurse@a.test")
    _set_state(db, session_id, "ready")
    ready = client.get(f"/sessions/{session_id}").text
    assert ">Start infusion</button>" in ready
    _set_state(db, session_id, "infusing")
    infusing = client.get(f"/sessions/{session_id}").text
    labels = [f">{label}</button>" for label in ("Stop infusion", "Pause infusion", "Abort")]
    assert [infusing.index(label) for label in labels] == sorted(
        infusing.index(label) for label in labels
    )  # the next step first, abort last
    assert 'name="rate_ml_per_h"' in infusing
    assert "Give device" not in infusing
    _set_state(db, session_id, "paused")
    assert ">Resume infusion</button>" in client.get(f"/sessions/{session_id}").text


def test_esketamine_controls_give_devices_never_rates(
    client: TestClient, db: Session, world: World, clock: FrozenClock
) -> None:
    assert world.patient is not None

    row = demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
        protocol_id="esketamine-nasal",
    )
    db.commit()
    sid = row.id
    sign_in(client, "nurse@a.test")
    _set_state(db, sid, "ready")
    assert ">Start dosing</button>" in client.get(f"/sessions/{sid}").text
    _set_state(db, sid, "infusing")
    clock.at = START
    page = client.get(f"/sessions/{sid}")
    assert "Give device 1 (28 mg)" in page.text
    # No move to recovery before the first device (the bug: a session stuck in recovery).
    assert ">Dosing done: observe</button>" not in page.text
    assert 'data-testid="no-device-yet"' in page.text
    assert "rate_ml_per_h" not in page.text
    assert "Change rate" not in page.text
    assert "Given:" not in page.text  # no device yet
    r = form_post(
        client, f"/sessions/{sid}/administration", page.text, kind="device", lot_number="L7"
    )
    assert r.status_code == 303  # type: ignore[attr-defined]
    page = client.get(f"/sessions/{sid}")
    assert "Give device 2 (28 mg)" in page.text
    # One of two devices: "Dosing done" now asks to confirm the remainder is not given.
    assert ">Dosing done: observe</button>" in page.text
    assert 'data-testid="confirm-short"' in page.text
    assert 'data-testid="devices-left"' in page.text
    devices = page.text.split('data-testid="devices"', 1)[1].split("</ul>", 1)[0]
    assert "Device 1" in devices
    assert "28 mg" in devices
    assert "lot L7" in devices
    totals = page.text.split('data-testid="totals"', 1)[1].split("</span>", 1)[0]
    assert "28 mg" in totals
    assert "28.00" not in page.text
    assert "rate_ml_per_h" not in page.text
    clock.at = START + timedelta(minutes=5)
    form_post(client, f"/sessions/{sid}/administration", page.text, kind="device", lot_number="L7")
    page = client.get(f"/sessions/{sid}")
    # The order's 56 mg is in: no third device is offered.
    assert 'data-testid="ordered-dose-given"' in page.text
    assert "Give device" not in page.text
    totals = page.text.split('data-testid="totals"', 1)[1].split("</span>", 1)[0]
    assert "56 mg" in totals


def test_esketamine_chair_asks_the_label_pre_dose_instructions_and_records_them(
    client: TestClient, db: Session, world: World, session_id: int, clock: FrozenClock
) -> None:
    assert world.patient is not None
    nurse, prescriber = ctx(world, "nurse"), ctx(world, "prescriber")
    sid = demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=nurse,
        prescriber_ctx=prescriber,
        starts_at=START + timedelta(hours=3),
        at=NOW,
        protocol_id="esketamine-nasal",
    ).id
    db.commit()
    sign_in(client, "nurse@a.test")
    clock.at = START
    _set_state(db, sid, "checked_in")
    page = client.get(f"/sessions/{sid}").text
    box = page.split('data-testid="predose-instructions"', 1)[1].split("</fieldset>", 1)[0]
    assert "Spravato PI section 2" in box
    for name, words in (
        ("no_food_2h", "No food for at least 2 hours"),
        ("no_liquids_30min", "No liquids for at least 30 minutes"),
        ("nasal_medicines_1h", "corticosteroid or decongestant"),
    ):
        assert f'data-testid="predose-{name}"' in box
        assert words in box
    # Two of three ticked: the ready gate names the one still missing.
    saved = client.post(
        f"/sessions/{sid}/checks",
        data={
            "csrf_token": csrf_of(page),
            "npo_confirmed": "on",
            "escort_arranged": "on",
            "predose_instruction_shown": ["no_food_2h", "no_liquids_30min", "nasal_medicines_1h"],
            "predose_instructions": ["no_food_2h", "nasal_medicines_1h"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    db.expire_all()
    row = db.get(TreatmentSession, sid)
    assert row is not None
    assert row.predose_instructions == {
        "no_food_2h": True,
        "no_liquids_30min": False,
        "nasal_medicines_1h": True,
    }
    page = client.get(f"/sessions/{sid}").text
    assert 'data-testid="predose-no_food_2h" checked' in page
    assert 'data-testid="predose-no_liquids_30min" >' in page
    refused = client.post(
        f"/sessions/{sid}/transition",
        data={"csrf_token": csrf_of(page), "to": "ready"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 409
    assert 'data-code="session.gate.no_liquids_30min_unconfirmed"' in refused.text
    assert "session.gate.no_food_2h_unconfirmed" not in refused.text
    # The IV session at the same clinic shows its pre-dose checks without them.
    _set_state(db, session_id, "checked_in")
    iv = client.get(f"/sessions/{session_id}").text
    assert 'data-testid="predose-checks"' in iv
    assert 'data-testid="predose-instructions"' not in iv
