"""The session note on the web: a read-only printable page, its JSON and PDF, and signing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, SessionNoteSignature, TreatmentSession
from ketacare.services.session import demo as demo_service
from tests.factories.session_note import run_to_discharge
from tests.factories.world import NOW, World, ctx
from tests.web.conftest import FrozenClock, bearer
from tests.web.helpers import csrf_of, sign_in

START = NOW + timedelta(minutes=30)


@pytest.fixture
def open_session_id(db: Session, world: World) -> int:
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


@pytest.fixture
def discharged_id(db: Session, world: World, open_session_id: int, clock: FrozenClock) -> int:
    row = db.get(TreatmentSession, open_session_id)
    assert row is not None
    clock.at = run_to_discharge(db, world, row, start=START) + timedelta(minutes=5)
    db.commit()
    return open_session_id


def pdf_text(content: bytes) -> str:
    """The text shown by an uncompressed PDF's ``(...) Tj`` operators, wrapped lines joined."""
    shown = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", content)
    text = " ".join(re.sub(rb"\\(.)", rb"\1", s).decode("latin-1") for s in shown)
    return " ".join(text.split())


def test_the_note_page_is_read_only_and_the_prescriber_signs_it(
    client: TestClient, world: World, discharged_id: int, db: Session
) -> None:
    assert world.patient is not None
    sign_in(client, "nurse@a.test")
    chair = client.get(f"/sessions/{discharged_id}")
    assert f'href="/sessions/{discharged_id}/note"' in chair.text
    page = client.get(f"/sessions/{discharged_id}/note")
    assert page.status_code == 200
    assert f"MRN {world.patient.mrn}" in page.text
    assert "ECG normal" in page.text  # the alert's acknowledgement note
    assert "benefit outweighs" in page.text  # the pre-dose BP acknowledgement
    assert "nausea" in page.text
    assert "150/78" in page.text
    assert "Not signed." in page.text
    # Read-only: no charting form and, for a nurse, no sign button; only the sign-out form.
    assert page.text.count("<form") == 1
    assert 'data-testid="sign-note"' not in page.text
    assert "<input" not in page.text.replace('<input type="hidden" name="csrf_token"', "")
    assert "@media print" in client.get("/static/note.css").text
    refused = client.post(
        f"/sessions/{discharged_id}/note/sign",
        data={"csrf_token": csrf_of(page.text)},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 403
    assert db.scalars(select(SessionNoteSignature)).all() == []

    client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    sign_in(client, "prescriber@a.test")
    page = client.get(f"/sessions/{discharged_id}/note")
    assert 'data-testid="sign-note"' in page.text
    no_csrf = client.post(f"/sessions/{discharged_id}/note/sign", headers={"Accept": "text/html"})
    assert no_csrf.status_code == 403
    signed = client.post(
        f"/sessions/{discharged_id}/note/sign",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    page = client.get(f"/sessions/{discharged_id}/note")
    assert "Signed by prescriber A" in page.text
    assert 'data-testid="sign-note"' not in page.text
    again = client.post(
        f"/sessions/{discharged_id}/note/sign", data={"csrf_token": csrf_of(page.text)}
    )
    assert again.status_code == 409
    assert "already signed" in again.text
    assert len(db.scalars(select(SessionNoteSignature)).all()) == 1


def test_api_signs_once_after_discharge_and_refuses_the_nurse(
    client: TestClient,
    tokens: dict[str, str],
    open_session_id: int,
    db: Session,
    world: World,
    clock: FrozenClock,
) -> None:
    url = f"/api/v1/sessions/{open_session_id}/note/sign"
    early = client.post(url, headers=bearer(tokens["prescriber"]))
    assert early.status_code == 409
    assert early.json()["code"] == "session_note.session_open"
    row = db.get(TreatmentSession, open_session_id)
    assert row is not None
    clock.at = run_to_discharge(db, world, row, start=START) + timedelta(minutes=5)
    db.commit()
    nurse = client.post(url, headers=bearer(tokens["nurse"]))
    assert nurse.status_code == 403
    denied = db.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "TreatmentSession", AuditEvent.outcome == "4"
        )
    ).all()
    assert [(d.action, d.entity_id) for d in denied] == [("C", str(open_session_id))]
    signed = client.post(url, headers=bearer(tokens["prescriber"]))
    assert signed.status_code == 200
    body = signed.json()
    assert body["signature"]["signed_by"] == "prescriber A"
    assert body["signable"] is False
    twice = client.post(url, headers=bearer(tokens["prescriber"]))
    assert twice.status_code == 409
    assert twice.json()["code"] == "session_note.already_signed"
    note = client.get(f"/api/v1/sessions/{open_session_id}/note", headers=bearer(tokens["nurse"]))
    assert note.status_code == 200
    assert note.json()["signature"] == body["signature"]
    assert [v["systolic"] for v in note.json()["vitals"]] == [None, 150, 120, 128]
    assert isinstance(note.json()["totals"]["total_mg"], str)  # a dose is never a float


@pytest.mark.parametrize("persona", ["frontdesk", "researcher", "patient", "outsider"])
def test_only_clinical_staff_read_the_note(
    client: TestClient, tokens: dict[str, str], discharged_id: int, persona: str
) -> None:
    r = client.get(f"/api/v1/sessions/{discharged_id}/note", headers=bearer(tokens[persona]))
    assert r.status_code == 403


def test_the_note_pdf_carries_the_mrn_and_the_vitals(
    client: TestClient, world: World, discharged_id: int, db: Session
) -> None:
    assert world.patient is not None
    sign_in(client, "nurse@a.test")
    pdf = client.get(f"/sessions/{discharged_id}/note.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert f"MRN {world.patient.mrn}" in text
    assert "BP 150/78" in text
    assert "BP 128/78" in text
    assert "CADSS total 23" in text
    assert "acknowledged" in text
    assert "NOT SIGNED" in text
    reads = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "SessionNote", AuditEvent.action == "R")
    ).all()
    assert len(reads) == 1


def test_the_schedule_flags_an_ended_session_whose_note_is_unsigned(
    client: TestClient, tokens: dict[str, str], discharged_id: int
) -> None:
    sign_in(client, "prescriber@a.test")
    flag = f'href="/sessions/{discharged_id}/note" data-testid="schedule-note-unsigned"'
    day = f"/schedule?day={START.date().isoformat()}"
    assert flag in client.get(day).text
    signed = client.post(
        f"/api/v1/sessions/{discharged_id}/note/sign", headers=bearer(tokens["prescriber"])
    )
    assert signed.status_code == 200
    page = client.get(day).text
    assert f'data-session-id="{discharged_id}"' in page
    assert "note unsigned" not in page
