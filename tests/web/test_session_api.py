"""The treatment-session API: personas, gates, vitals idempotency, concurrency, discharge."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.core.session.rems import load_rems_template
from ketacare.db.models import AuditEvent, Chair, SessionVitals, TreatmentSession
from ketacare.services.session import booking as booking_service
from ketacare.services.session import demo as demo_service
from ketacare.services.session.booking import BookingRequest
from tests.factories.world import NOW, World, ctx
from tests.web.conftest import FrozenClock, bearer

START = NOW + timedelta(minutes=30)
NORMAL = {"systolic": 122, "diastolic": 80, "heart_rate": 70, "spo2": 98, "respiratory_rate": 14}


@pytest.fixture
def session_id(db: Session, world: World, tokens: dict[str, str]) -> int:
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


def post(client: TestClient, token: str, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json=body, headers={**bearer(token), **headers})


def go(client: TestClient, token: str, sid: int, to: str, **extra: Any) -> Any:
    return post(client, token, f"/api/v1/sessions/{sid}/transitions", {"to": to, **extra})


def to_ready(client: TestClient, tokens: dict[str, str], sid: int, clock: FrozenClock) -> None:
    nurse = tokens["nurse"]
    clock.at = START
    assert go(client, nurse, sid, "checked_in").status_code == 200
    r = client.patch(
        f"/api/v1/sessions/{sid}/checks",
        json={"npo_confirmed": True, "escort_arranged": True},
        headers=bearer(nurse),
    )
    assert r.status_code == 200, r.text
    assert post(client, nurse, f"/api/v1/sessions/{sid}/vitals", NORMAL).status_code == 201
    r = go(client, nurse, sid, "ready")
    assert r.status_code == 200, r.text


def test_book_list_and_proposed_dates(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    demo_service.ensure_demo_chairs(db, organisation_id=world.org.id, at=NOW)
    db.commit()
    assert world.patient is not None
    fd = tokens["frontdesk"]
    chairs = client.get("/api/v1/chairs", headers=bearer(fd)).json()
    assert [c["name"] for c in chairs][:2] == ["Chair 1", "Chair 2"]
    body = {
        "protocol_id": "iv-ketamine-depression",
        "chair_id": chairs[0]["id"],
        "starts_at": START.isoformat(),
        "staff_user_id": world.user("nurse").id,
    }
    url = f"/api/v1/patients/{world.patient.id}/sessions"
    created = post(client, fd, url, body)
    assert created.status_code == 201, created.text
    # No order: the protocol's 40-minute default infusion + 60 minutes' observation.
    assert created.json()["ends_at"].startswith((START + timedelta(minutes=100)).isoformat()[:16])
    again = post(client, fd, url, {**body, "chair_id": chairs[1]["id"]})
    assert again.status_code == 409
    assert again.json()["code"] == "session.double_booked_patient"
    listed = client.get(url, headers=bearer(fd)).json()
    assert [s["state"] for s in listed] == ["scheduled"]
    dates = client.get(
        f"{url}/proposed-dates",
        params={"protocol_id": "iv-ketamine-depression", "start": "2026-12-01"},
        headers=bearer(fd),
    )
    assert dates.json()[:2] == ["2026-12-01", "2026-12-04"]
    naive = post(client, fd, url, {**body, "starts_at": "2026-12-01T09:00:00"})
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "starts_at"


@pytest.mark.parametrize("persona", ["nurse", "prescriber"])
def test_clinicians_read_the_session(
    client: TestClient, tokens: dict[str, str], session_id: int, persona: str
) -> None:
    r = client.get(f"/api/v1/sessions/{session_id}", headers=bearer(tokens[persona]))
    assert r.status_code == 200
    body = r.json()
    assert body["state"] == "scheduled"
    assert {"version", "alerts", "vitals", "transitions", "administration", "totals"} <= set(body)


@pytest.mark.parametrize("persona", ["researcher", "patient", "outsider", "frontdesk"])
def test_non_clinical_personas_cannot_read_or_run(
    client: TestClient, tokens: dict[str, str], session_id: int, db: Session, persona: str
) -> None:
    h = tokens[persona]
    assert client.get(f"/api/v1/sessions/{session_id}", headers=bearer(h)).status_code == 403
    vitals = post(client, h, f"/api/v1/sessions/{session_id}/vitals", NORMAL)
    assert vitals.status_code == 403
    failures = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome != "0")
    )
    assert failures
    assert failures >= 2


def test_frontdesk_checks_in_but_cannot_make_ready(
    client: TestClient, tokens: dict[str, str], session_id: int
) -> None:
    fd = tokens["frontdesk"]
    assert go(client, fd, session_id, "checked_in").status_code == 200
    assert go(client, fd, session_id, "ready").status_code == 403


def test_illegal_transition_and_refused_gates_are_409_with_failures(
    client: TestClient, tokens: dict[str, str], session_id: int
) -> None:
    nurse = tokens["nurse"]
    illegal = go(client, nurse, session_id, "infusing")
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "session.illegal_transition"
    assert go(client, nurse, session_id, "checked_in").status_code == 200
    refused = go(client, nurse, session_id, "ready")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "session.gate_refused"
    codes = {f["code"] for f in body["failures"]}
    assert codes == {
        "session.gate.npo_unconfirmed",
        "session.gate.escort_missing",
        "session.gate.predose_bp_missing",
        "session.gate.predose_hr_missing",
        "session.gate.predose_spo2_missing",
        "session.gate.predose_rr_missing",
    }
    assert all(f["message"] for f in body["failures"])
    # The generic domain-error handler answers; nothing of the refused move is kept.
    assert {"detail", "code", "field", "failures"} <= set(body)
    assert body["detail"].startswith("refused: ")
    after = client.get(f"/api/v1/sessions/{session_id}", headers=bearer(nurse)).json()
    assert after["state"] == "checked_in"
    assert [t["to_state"] for t in after["transitions"]] == ["scheduled", "checked_in"]
    check = client.get(f"/api/v1/sessions/{session_id}/ready-check", headers=bearer(nurse))
    assert {f["code"] for f in check.json()} == codes


def test_vitals_are_idempotent_and_return_alerts(
    client: TestClient, tokens: dict[str, str], session_id: int, db: Session
) -> None:
    nurse = tokens["nurse"]
    go(client, nurse, session_id, "checked_in")
    url = f"/api/v1/sessions/{session_id}/vitals"
    body = {"systolic": 165, "diastolic": 92, "heart_rate": 80}
    first = post(client, nurse, url, body, **{"Idempotency-Key": "tablet-1-row-7"})
    assert first.status_code == 201, first.text
    assert [a["code"] for a in first.json()["alerts"]] == ["vitals.bp.tier_1"]
    assert first.json()["alerts"][0]["recommended_action"] == "repeat"
    retry = post(client, nurse, url, body, **{"Idempotency-Key": "tablet-1-row-7"})
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    count = db.scalar(select(func.count()).select_from(SessionVitals))
    assert count == 1
    reused = post(client, nurse, url, {"heart_rate": 70}, **{"Idempotency-Key": "tablet-1-row-7"})
    assert reused.status_code == 409
    # Acknowledge the alert.
    alert_id = first.json()["alerts"][0]["id"]
    ack = post(client, nurse, f"/api/v1/sessions/{session_id}/alerts/{alert_id}/ack", {})
    assert ack.status_code == 200
    assert ack.json()["acknowledged_at"] is not None
    again = post(client, nurse, f"/api/v1/sessions/{session_id}/alerts/{alert_id}/ack", {})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "systolic"),
        ({"spo2": 101}, "spo2"),
        ({"systolic": "high"}, "systolic"),
        ({"heart_rate": 70, "pulse": 70}, "pulse"),
        ({"heart_rate": 70, "measured_at": "2026-11-29T09:00:00"}, "measured_at"),
    ],
)
def test_bad_vitals_are_422_naming_the_field(
    client: TestClient, tokens: dict[str, str], session_id: int, body: dict[str, Any], field: str
) -> None:
    nurse = tokens["nurse"]
    go(client, nurse, session_id, "checked_in")
    r = post(client, nurse, f"/api/v1/sessions/{session_id}/vitals", body)
    assert r.status_code == 422
    payload = r.json()
    found = payload.get("field") or payload["errors"][0]["field"]
    assert found == field


def test_two_devices_with_a_stale_version_get_a_conflict(
    client: TestClient, tokens: dict[str, str], session_id: int, app: Any
) -> None:
    nurse, prescriber = tokens["nurse"], tokens["prescriber"]
    with TestClient(app, raise_server_exceptions=False) as second:
        seen = client.get(f"/api/v1/sessions/{session_id}", headers=bearer(nurse)).json()
        also = second.get(f"/api/v1/sessions/{session_id}", headers=bearer(prescriber)).json()
        assert seen["version"] == also["version"]
        first = go(client, nurse, session_id, "checked_in", version=seen["version"])
        assert first.status_code == 200
        late = go(second, prescriber, session_id, "aborted", reason="dup", version=also["version"])
        assert late.status_code == 409
        assert late.json()["code"] == "session.version_conflict"
        late_checks = second.patch(
            f"/api/v1/sessions/{session_id}/checks",
            json={"npo_confirmed": True, "version": also["version"]},
            headers=bearer(prescriber),
        )
        assert late_checks.status_code == 409
    state = client.get(f"/api/v1/sessions/{session_id}", headers=bearer(nurse)).json()
    assert state["state"] == "checked_in"
    assert state["npo_confirmed"] is False


def test_full_session_through_the_api(
    client: TestClient,
    tokens: dict[str, str],
    session_id: int,
    clock: FrozenClock,
    db: Session,
) -> None:
    nurse = tokens["nurse"]
    to_ready(client, tokens, session_id, clock)
    base = f"/api/v1/sessions/{session_id}"
    start = post(client, nurse, f"{base}/administration", {"kind": "start"})
    assert start.status_code == 201, start.text
    assert start.json()["state"] == "infusing"
    clock.at = START + timedelta(minutes=10)
    overdue = client.get(base, headers=bearer(nurse)).json()
    assert overdue["next_vitals_due"] is not None
    pause = post(client, nurse, f"{base}/administration", {"kind": "pause"})
    assert pause.status_code == 422  # a pause needs a reason
    pause = post(client, nurse, f"{base}/administration", {"kind": "pause", "reason": "nausea"})
    assert pause.json()["state"] == "paused"
    clock.at = START + timedelta(minutes=12)
    post(client, nurse, f"{base}/administration", {"kind": "resume"})
    post(client, nurse, f"{base}/vitals", NORMAL)
    clock.at = START + timedelta(minutes=45)
    stop = post(client, nurse, f"{base}/administration", {"kind": "stop"})
    assert stop.json()["state"] == "recovering"
    assert stop.json()["totals"]["running_minutes"] == "43.0"
    post(client, nurse, f"{base}/vitals", NORMAL)
    early = go(client, nurse, session_id, "discharged")
    assert early.status_code == 409
    assert early.json()["code"] == "session.discharge_refused"
    assert "session.discharge.observation_too_short" in {
        f["code"] for f in early.json()["failures"]
    }
    checklist = client.patch(
        f"{base}/discharge-checklist",
        json={
            "alert_and_oriented": True,
            "walking_steadily": True,
            "nausea_controlled": True,
            "dissociation_resolved": True,
            "sedation_resolved": True,
            "escort_confirmed": True,
            "no_driving_acknowledged": True,
        },
        headers=bearer(nurse),
    )
    assert checklist.status_code == 200, checklist.text
    clock.at = START + timedelta(minutes=110)
    post(client, nurse, f"{base}/vitals", NORMAL)
    assert client.get(f"{base}/discharge-check", headers=bearer(nurse)).json() == []
    done = go(client, nurse, session_id, "discharged")
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "discharged"
    states = [t["to_state"] for t in done.json()["transitions"]]
    assert states == [
        "scheduled",
        "checked_in",
        "ready",
        "infusing",
        "paused",
        "infusing",
        "recovering",
        "discharged",
    ]
    row = db.get(TreatmentSession, session_id)
    assert row is not None


def test_serious_adverse_event_shows_on_the_floor(
    client: TestClient, tokens: dict[str, str], session_id: int
) -> None:
    nurse = tokens["nurse"]
    go(client, nurse, session_id, "checked_in")
    r = post(
        client,
        nurse,
        f"/api/v1/sessions/{session_id}/adverse-events",
        {
            "category": "vomiting",
            "severity": "severe",
            "serious": True,
            "onset_at": NOW.isoformat(),
            "actions_taken": "ondansetron",
            "outcome": "ongoing",
        },
    )
    assert r.status_code == 201, r.text
    board = client.get("/api/v1/floor", headers=bearer(tokens["prescriber"])).json()
    assert board["chairs"][0]["open_alerts"][0]["kind"] == "adverse_event"
    assert client.get("/api/v1/floor", headers=bearer(tokens["frontdesk"])).status_code == 403
    assert client.get("/api/v1/floor", headers=bearer(tokens["outsider"])).json()["chairs"] == []


def pdf_text(content: bytes) -> str:
    """The text shown by an uncompressed PDF's ``(...) Tj`` operators, wrapped lines joined."""
    shown = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content)
    text = " ".join(re.sub(rb"\\(.)", rb"\1", s).decode("latin-1") for s in shown)
    return " ".join(text.split())


def test_rems_form_is_for_esketamine_and_downloads_as_pdf(
    client: TestClient, tokens: dict[str, str], session_id: int, db: Session, world: World
) -> None:
    nurse = tokens["nurse"]
    iv = client.get(f"/api/v1/sessions/{session_id}/rems-form", headers=bearer(nurse))
    assert iv.status_code == 422
    assert iv.json()["code"] == "rems.not_esketamine"
    assert world.patient is not None
    chair = db.scalars(select(Chair).order_by(Chair.id.desc())).first()
    assert chair is not None
    row = booking_service.book_session(
        db,
        BookingRequest(
            patient_id=world.patient.id,
            protocol_id="esketamine-nasal",
            chair_id=chair.id,
            starts_at=START + timedelta(days=1),
            staff_user_id=world.user("nurse").id,
            order_id=None,
        ),
        at=NOW,
        ctx=ctx(world, "nurse"),
    )
    db.commit()
    form = client.get(f"/api/v1/sessions/{row.id}/rems-form", headers=bearer(nurse))
    assert form.status_code == 200
    assert form.json()["values"]["patient_name"] == "Avery Quinn"
    assert "dose_mg" in form.json()["missing"]
    pdf = client.get(
        f"/api/v1/sessions/{row.id}/rems-form", params={"format": "pdf"}, headers=bearer(nurse)
    )
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert pdf.content.startswith(b"%PDF")
    # The versioned template's title and id, every field label, and missing ones marked.
    text = pdf_text(pdf.content)
    template = load_rems_template()
    assert template.title in text
    assert f"Template {template.template_id}, version {template.version}" in text
    for f in template.fields:
        assert f.label in text, f.label
    assert "Avery Quinn" in text
    assert "MISSING (required)" in text  # no device given yet: dose, lot numbers, BPs
    for persona in ("frontdesk", "researcher", "patient", "outsider"):
        denied = client.get(
            f"/api/v1/sessions/{row.id}/rems-form",
            params={"format": "pdf"},
            headers=bearer(tokens[persona]),
        )
        assert denied.status_code == 403, persona
    reads = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.entity_type == "RemsForm", AuditEvent.outcome == "0")
    )
    assert reads == 2  # the JSON view and the PDF
    submit = post(client, nurse, f"/api/v1/sessions/{row.id}/rems-form/submit", {})
    assert submit.status_code == 409  # the session has not ended yet


def test_raised_pre_dose_bp_waits_for_a_prescriber_on_the_floor_api(
    client: TestClient, tokens: dict[str, str], session_id: int, clock: FrozenClock
) -> None:
    nurse, prescriber = tokens["nurse"], tokens["prescriber"]
    clock.at = START
    assert go(client, nurse, session_id, "checked_in").status_code == 200
    high = {**NORMAL, "systolic": 150, "diastolic": 92}
    assert post(client, nurse, f"/api/v1/sessions/{session_id}/vitals", high).status_code == 201
    chair = client.get("/api/v1/floor", headers=bearer(prescriber)).json()["chairs"][0]
    waiting = chair["bp_acknowledgement_needed"]
    assert waiting is not None
    assert "150/92" in waiting["message"]
    ack = post(
        client,
        prescriber,
        f"/api/v1/sessions/{session_id}/bp-acknowledgement",
        {"note": "BP acceptable for this patient; proceed with monitoring"},
    )
    assert ack.status_code == 200, ack.text
    chair = client.get("/api/v1/floor", headers=bearer(prescriber)).json()["chairs"][0]
    assert chair["bp_acknowledgement_needed"] is None
