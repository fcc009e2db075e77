"""The assessments, outcomes and safety-alert API with every persona."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.db.models import Assessment, AuditEvent, SafetyAlert
from ketacare.services.accounts import users as accounts
from ketacare.services.assessments.link_submission import submit_patient_link
from ketacare.services.assessments.links import create_patient_link
from ketacare.services.assessments.records import record_treatment_event
from ketacare.services.audit import AuditContext
from tests.factories.world import NOW, World
from tests.web.conftest import bearer

WHEN = (NOW - timedelta(hours=1)).isoformat()


def form(instrument: str, answers: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "instrument": instrument,
        "answers": answers,
        "administered_at": WHEN,
        "timepoint": "pre-session",
        **extra,
    }


def post(client: TestClient, token: str, patient_id: int, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/v1/patients/{patient_id}/assessments", json=body, headers=bearer(token)
    )


SCORING_TABLE = [
    # instrument, answers, total, severity, flags, alert codes
    ("phq9", [0] * 9, 0, "none_minimal", [], []),
    ("phq9", [2, 2, 2, 2, 2, 1, 1, 0, 0], 12, "moderate", [], []),
    ("phq9", [3] * 8 + [0], 24, "severe", [], []),
    ("phq9", [1] * 9, 9, "mild", ["suicidal_ideation"], ["suicidal_ideation"]),
    ("phq9", [1, 1, 1, 1, 1, 1, 1, None, 0], 7.88, "mild", [], []),
    ("gad7", [1] * 7, 7, "mild", [], []),
    ("gad7", [2] * 7, 14, "moderate", [], []),
    ("nrs-pain", [7], 7, "severe", [], []),
    (
        "cssrs-screener",
        ["yes", "yes", "no", "no", "no", "no"],
        None,
        "low",
        ["suicidal_ideation"],
        ["cssrs_risk_low"],
    ),
    (
        "cssrs-screener",
        [True, True, True, False, False, False],
        None,
        "moderate",
        ["suicidal_ideation"],
        ["cssrs_risk_moderate"],
    ),
    (
        "cssrs-screener",
        [True, True, False, True, False, False],
        None,
        "high",
        ["suicidal_ideation", "immediate_evaluation"],
        ["cssrs_risk_high"],
    ),
]


@pytest.mark.parametrize(
    ("instrument", "answers", "total", "severity", "flags", "alerts"), SCORING_TABLE
)
def test_scoring_table_through_the_api(
    client: TestClient,
    tokens: dict[str, str],
    world: World,
    instrument: str,
    answers: list[Any],
    total: float | None,
    severity: str,
    flags: list[str],
    alerts: list[str],
) -> None:
    assert world.patient is not None
    r = post(client, tokens["nurse"], world.patient.id, form(instrument, answers))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["instrument"] == instrument
    assert body["valid"] is True
    assert body["total"] == total
    assert body["severity"] == severity
    assert body["flags"] == flags
    assert [a["code"] for a in body["alerts"]] == alerts
    assert body["engine_version"] == body["result"]["engine_version"]
    assert body["catalogue_version"]
    assert body["recorded_by"] == world.user("nurse").id
    assert body["source"] == "staff"
    assert body["patient_link_id"] is None


def test_stored_record_keeps_versions_loinc_and_timepoint(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    assert world.patient is not None
    r = post(
        client,
        tokens["prescriber"],
        world.patient.id,
        form("PHQ-9", [1, 1, 1, 1, 1, 1, 1, 1, 0], session_id=77, context={}),
    )
    assert r.status_code == 201, r.text
    row = db.get(Assessment, r.json()["id"])
    assert row is not None
    assert row.instrument_id == "phq9"
    assert (row.loinc_panel, row.loinc_total) == ("44249-1", "44261-6")
    assert row.session_id == 77
    assert row.timepoint == "pre-session"
    assert row.total == 8
    assert row.result["total"] == 8
    assert row.administered_at == NOW - timedelta(hours=1)
    audit = db.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "Assessment", AuditEvent.entity_id == str(row.id)
        )
    ).one()
    assert (audit.action, audit.patient_id) == ("C", world.patient.id)


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (form("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 4]), "item 9", "item 9"),
        (form("phq9", [1, 1, "x", 1, 1, 1, 1, 1, 1]), "item 3", "item 3"),
        (form("phq9", [1, 1, 1]), "answers", "expects 9"),
        (form("cssrs-screener", [True, False, True, None, None, False]), "item 3", "skipped"),
        (form("cssrs-screener", [True, True, "maybe", False, False, False]), "item 3", "item 3"),
        (form("nope", [1]), "instrument", "Unknown instrument"),
        (form("phq9", [0] * 9, context={"max_prorated_missing": "7"}), "max_prorated_missing", ""),
        (form("phq9", [0] * 9, timepoint="whenever"), "timepoint", ""),
        (form("phq9", [0] * 9, administered_at="2026-11-29T08:00:00"), "administered_at", ""),
        (
            form("phq9", [0] * 9, administered_at=(NOW + timedelta(hours=2)).isoformat()),
            "administered_at",
            "future",
        ),
        ({**form("phq9", [0] * 9), "extra": 1}, "extra", ""),
    ],
)
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    client: TestClient,
    tokens: dict[str, str],
    world: World,
    db: Session,
    body: dict[str, Any],
    field: str,
    words: str,
) -> None:
    assert world.patient is not None
    r = post(client, tokens["nurse"], world.patient.id, body)
    assert r.status_code == 422, r.text
    payload = r.json()
    fields = [payload.get("field")] + [e["field"] for e in payload.get("errors", [])]
    assert field in fields, payload
    assert words in payload["detail"]
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0


def test_a_correction_supersedes_and_the_original_is_kept(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    assert world.patient is not None
    pid = world.patient.id
    first = post(client, tokens["nurse"], pid, form("phq9", [2] * 8 + [0])).json()
    fixed = post(
        client,
        tokens["nurse"],
        pid,
        form("phq9", [1] * 8 + [0], supersedes_id=first["id"]),
    )
    assert fixed.status_code == 201, fixed.text
    assert fixed.json()["supersedes_id"] == first["id"]
    listed = client.get(f"/api/v1/patients/{pid}/assessments", headers=bearer(tokens["nurse"]))
    assert [(a["id"], a["total"], a["superseded"]) for a in listed.json()] == [
        (first["id"], 16, True),
        (fixed.json()["id"], 8, False),
    ]
    again = post(client, tokens["nurse"], pid, form("phq9", [0] * 9, supersedes_id=first["id"]))
    assert again.status_code == 409
    assert again.json()["field"] == "supersedes_id"
    other = post(
        client, tokens["nurse"], pid, form("gad7", [0] * 7, supersedes_id=fixed.json()["id"])
    )
    assert other.status_code == 422
    missing = post(client, tokens["nurse"], pid, form("phq9", [0] * 9, supersedes_id=999999))
    assert missing.status_code == 404


def test_alert_raised_at_once_visible_org_wide_and_closed_only_by_prescriber(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    assert world.patient is not None
    created = post(client, tokens["nurse"], world.patient.id, form("phq9", [0] * 8 + [2]))
    alert = created.json()["alerts"][0]
    assert alert["code"] == "suicidal_ideation"
    assert alert["status"] == "open"
    assert "C-SSRS" in alert["message"]
    for persona in ("nurse", "prescriber", "admin"):
        listed = client.get("/api/v1/alerts", headers=bearer(tokens[persona]))
        assert listed.status_code == 200
        assert [a["id"] for a in listed.json()] == [alert["id"]]
    for persona in ("frontdesk", "researcher", "patient"):
        assert client.get("/api/v1/alerts", headers=bearer(tokens[persona])).status_code == 403
    assert client.get("/api/v1/alerts", headers=bearer(tokens["outsider"])).json() == []

    url = f"/api/v1/alerts/{alert['id']}/close"
    note = {"action_note": "C-SSRS done: low tier; safety plan reviewed."}
    assert client.post(url, json=note, headers=bearer(tokens["nurse"])).status_code == 403
    assert client.post(url, json=note, headers=bearer(tokens["outsider"])).status_code == 403
    blank = client.post(url, json={"action_note": "   "}, headers=bearer(tokens["prescriber"]))
    assert blank.status_code == 422
    assert blank.json()["field"] == "action_note"
    assert client.post(url, json={}, headers=bearer(tokens["prescriber"])).status_code == 422
    closed = client.post(url, json=note, headers=bearer(tokens["prescriber"]))
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_by"] == world.user("prescriber").id
    assert closed.json()["action_note"] == note["action_note"]
    assert client.post(url, json=note, headers=bearer(tokens["prescriber"])).status_code == 409
    assert client.get("/api/v1/alerts", headers=bearer(tokens["nurse"])).json() == []
    closed_list = client.get(
        "/api/v1/alerts", params={"status": "closed"}, headers=bearer(tokens["nurse"])
    )
    assert [a["id"] for a in closed_list.json()] == [alert["id"]]
    events = {
        (e.action, e.outcome)
        for e in db.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "SafetyAlert", AuditEvent.entity_id == str(alert["id"])
            )
        )
    }
    assert events == {("C", "0"), ("U", "0"), ("U", "4")}
    assert (
        client.post(
            "/api/v1/alerts/999999/close", json=note, headers=bearer(tokens["prescriber"])
        ).status_code
        == 404
    )


def test_alert_is_in_the_same_transaction_as_the_assessment(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    assert world.patient is not None
    post(
        client,
        tokens["nurse"],
        world.patient.id,
        form("cssrs-screener", [True, True, False, True, False, False]),
    )
    alert = db.scalars(select(SafetyAlert)).one()
    assessment = db.scalars(select(Assessment)).one()
    assert alert.assessment_id == assessment.id
    assert alert.raised_at == assessment.recorded_at == NOW
    assert (alert.code, alert.severity) == ("cssrs_risk_high", "critical")


@pytest.mark.parametrize("persona", ["frontdesk", "researcher", "outsider"])
def test_refused_personas(
    client: TestClient, tokens: dict[str, str], world: World, db: Session, persona: str
) -> None:
    assert world.patient is not None
    pid = world.patient.id
    h = bearer(tokens[persona])
    assert post(client, tokens[persona], pid, form("phq9", [0] * 9)).status_code == 403
    assert client.get(f"/api/v1/patients/{pid}/assessments", headers=h).status_code == 403
    assert (
        client.get(
            f"/api/v1/patients/{pid}/outcomes", params={"instrument": "phq9"}, headers=h
        ).status_code
        == 403
    )
    assert db.scalar(select(func.count()).select_from(Assessment)) == 0
    denied = db.scalars(
        select(AuditEvent).where(
            AuditEvent.user_id == world.user(persona).id, AuditEvent.outcome == "4"
        )
    ).all()
    assert {e.action for e in denied} == {"C", "R"}


def test_unknown_patient_is_404(client: TestClient, tokens: dict[str, str], world: World) -> None:
    r = post(client, tokens["nurse"], 999999, form("phq9", [0] * 9))
    assert r.status_code == 404


def test_patient_submits_and_reads_only_their_own(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    assert world.patient is not None
    assert world.other_patient is not None
    own = post(client, tokens["patient"], world.patient.id, form("phq9", [1] * 8 + [0]))
    assert own.status_code == 201, own.text
    assert (own.json()["source"], own.json()["recorded_by"]) == ("portal", world.user("patient").id)
    h = bearer(tokens["patient"])
    assert (
        len(client.get(f"/api/v1/patients/{world.patient.id}/assessments", headers=h).json()) == 1
    )
    other = post(client, tokens["patient"], world.other_patient.id, form("phq9", [0] * 9))
    assert other.status_code == 403


def test_filter_by_instrument(client: TestClient, tokens: dict[str, str], world: World) -> None:
    assert world.patient is not None
    pid = world.patient.id
    post(client, tokens["nurse"], pid, form("phq9", [0] * 9))
    post(client, tokens["nurse"], pid, form("gad7", [0] * 7))
    h = bearer(tokens["nurse"])
    only = client.get(
        f"/api/v1/patients/{pid}/assessments", params={"instrument": "gad7"}, headers=h
    )
    assert [a["instrument"] for a in only.json()] == ["gad7"]


def test_outcomes_response_and_remission(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    assert world.patient is not None
    pid = world.patient.id
    start = NOW - timedelta(days=10)
    for days, answers in (
        (0, [2, 2, 2, 2, 2, 2, 2, 2, 0]),
        (2, [1, 1, 1, 1, 1, 1, 1, 1, 0]),
        (9, [0, 1, 0, 1, 0, 1, 0, 0, 0]),
    ):
        at = (start + timedelta(days=days)).isoformat()
        assert (
            post(
                client, tokens["nurse"], pid, form("phq9", answers, administered_at=at)
            ).status_code
            == 201
        )
    record_treatment_event(
        db, patient_id=pid, at=start + timedelta(hours=2), kind="ketamine_session", source_id=1
    )
    db.commit()
    r = client.get(
        f"/api/v1/patients/{pid}/outcomes",
        params={"instrument": "phq9"},
        headers=bearer(tokens["prescriber"]),
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["baseline"]["total"] == 16
    assert out["latest"]["total"] == 3
    assert out["response"] is True
    assert out["remission"] is True
    assert out["relapse"] is False
    assert out["percent_change"] == pytest.approx(-81.25)
    assert out["first_response_at"] == (start + timedelta(days=2)).isoformat()
    assert out["hours_to_response"] == pytest.approx(46.0)
    assert out["rules_version"]
    assert out["first_treatment_at"] == (start + timedelta(hours=2)).isoformat()
    none = client.get(
        f"/api/v1/patients/{pid}/outcomes",
        params={"instrument": "gad7"},
        headers=bearer(tokens["prescriber"]),
    )
    assert none.status_code == 422
    unknown = client.get(
        f"/api/v1/patients/{pid}/outcomes",
        params={"instrument": "zzz"},
        headers=bearer(tokens["prescriber"]),
    )
    assert unknown.status_code == 422
    assert unknown.json()["field"] == "instrument"


def test_idempotent_retry_does_not_duplicate(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    assert world.patient is not None
    h = {**bearer(tokens["nurse"]), "Idempotency-Key": "abc-1"}
    url = f"/api/v1/patients/{world.patient.id}/assessments"
    body = form("phq9", [0] * 8 + [1])
    first = client.post(url, json=body, headers=h)
    second = client.post(url, json=body, headers=h)
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.json() == second.json()
    assert db.scalar(select(func.count()).select_from(Assessment)) == 1
    assert db.scalar(select(func.count()).select_from(SafetyAlert)) == 1


def test_link_submission_without_an_account_reads_as_a_self_report(
    client: TestClient, tokens: dict[str, str], world: World, db: Session
) -> None:
    assert world.patient is not None
    world.user("patient").is_active = False
    issued = create_patient_link(
        db,
        patient_id=world.patient.id,
        instruments=["phq9"],
        timepoint="follow-up",
        expires_at=None,
        default_days=4,
        send_email=False,
        at=NOW - timedelta(hours=2),
        ctx=AuditContext(actor=accounts.actor_for(world.user("nurse"))),
    )
    submit_patient_link(
        db,
        token=issued.token,
        answers={f"phq9.{i}": "1" for i in range(1, 10)},
        at=NOW - timedelta(hours=1),
        client_address=None,
    )
    db.commit()
    h = bearer(tokens["prescriber"])
    rows = client.get(f"/api/v1/patients/{world.patient.id}/assessments", headers=h).json()
    assert [(r["source"], r["recorded_by"], r["patient_link_id"]) for r in rows] == [
        ("patient_link", None, issued.link.id)
    ]


def test_answers_may_be_sent_as_the_cli_text_form(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    assert world.patient is not None
    r = client.post(
        f"/api/v1/patients/{world.patient.id}/assessments",
        json={
            "instrument": "phq9",
            "answers": "1,1,2,2,1,1,0,-,1",
            "administered_at": "2026-11-29T08:00:00Z",
            "timepoint": "baseline",
        },
        headers=bearer(tokens["nurse"]),
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["answers"] == [1, 1, 2, 2, 1, 1, 0, None, 1]
    assert "suicidal_ideation" in body["flags"]
