"""The screening workflow and consent pages with a real login: preview, save, sign, CSRF."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent, PatientConsent, RemsEnrolment, Screening
from tests.factories.world import World
from tests.web.helpers import csrf_of, sign_in

FORM: dict[str, Any] = {
    "protocol": "iv-ketamine-depression",
    "indication": "depression",
    "pregnant": "no",
    "breastfeeding": "no",
    "conditions": ["psychosis_history"],
    "bp_systolic": "150",
    "bp_diastolic": "85",
    "episode_duration_months": "14",
    "episode_severity": "moderate",
    "dast10_total": "0",
    "auditc_total": "1",
    "trial-0-drug": "sertraline",
    "trial-0-weeks": "8",
    "trial-0-improvement_percent": "10",
    "trial-0-adequate_dose": "yes",
    "trial-0-current_episode": "yes",
    "trial-0-adherent": "yes",
    "trial-1-drug": "venlafaxine",
    "trial-1-weeks": "8",
    "trial-1-improvement_percent": "5",
    "trial-1-adequate_dose": "yes",
    "trial-1-current_episode": "yes",
    "trial-1-adherent": "yes",
}


def _url(world: World) -> str:
    assert world.patient is not None
    return f"/patients/{world.patient.id}/screening"


def _open(client: TestClient, world: World, email: str) -> str:
    sign_in(client, email)
    page = client.get(_url(world))
    assert page.status_code == 200, page.text
    return page.text


def test_preview_shows_decision_and_reasons_without_saving(
    client: TestClient, world: World, db: Session
) -> None:
    html = _open(client, world, "nurse@a.test")
    assert 'data-preview="' in html
    assert "fetch(" in html  # the live preview script
    r = client.post(f"{_url(world)}/preview", data={**FORM, "csrf_token": csrf_of(html)})
    assert r.status_code == 200
    assert "needs review" in r.text
    assert "contraindication.psychosis_history" in r.text
    assert "bp.above_threshold" in r.text
    assert "2 adequate failed trial(s), met" in r.text
    # Clinicians see each reason's primary source, never a path inside the repository.
    assert "Sanacora 2017" in r.text
    assert "docs/clinical/" not in r.text
    assert ".md" not in r.text
    assert db.scalars(select(Screening)).all() == []
    bad = client.post(
        f"{_url(world)}/preview",
        data={**FORM, "bp_systolic": "high", "csrf_token": csrf_of(html)},
    )
    assert bad.status_code == 422
    assert "bp systolic" in bad.text


def test_preview_and_save_need_csrf(client: TestClient, world: World, db: Session) -> None:
    _open(client, world, "nurse@a.test")
    assert client.post(f"{_url(world)}/preview", data=FORM).status_code == 403
    assert client.post(_url(world), data={**FORM, "csrf_token": "forged"}).status_code == 403
    assert db.scalars(select(Screening)).all() == []


def test_nurse_saves_but_cannot_sign(client: TestClient, world: World, db: Session) -> None:
    html = _open(client, world, "nurse@a.test")
    saved = client.post(_url(world), data={**FORM, "csrf_token": csrf_of(html)})
    assert saved.status_code == 200  # followed the redirect back to the page
    assert "Draft #" in saved.text
    assert "contraindication.psychosis_history" in saved.text
    assert 'data-testid="sign-screening"' not in saved.text
    assert "A prescriber reviews and signs" in saved.text
    row = db.scalar(select(Screening))
    assert row is not None
    assert row.input["antidepressant_trials"][1]["drug"] == "venlafaxine"
    assert row.input["pregnant"] is False
    refused = client.post(
        f"{_url(world)}/{row.id}/sign",
        data={
            "csrf_token": csrf_of(saved.text),
            "override:bp.above_threshold": "x",
            "override:contraindication.psychosis_history": "y",
        },
    )
    assert refused.status_code == 403
    denial = db.scalar(
        select(AuditEvent).where(
            AuditEvent.user_id == world.user("nurse").id, AuditEvent.outcome == "4"
        )
    )
    assert denial is not None
    db.expire_all()
    assert db.get(Screening, row.id).status == "draft"  # type: ignore[union-attr]


def test_save_errors_name_the_field_and_keep_the_values(
    client: TestClient, world: World, db: Session
) -> None:
    html = _open(client, world, "prescriber@a.test")
    r = client.post(_url(world), data={**FORM, "dast10_total": "99", "csrf_token": csrf_of(html)})
    assert r.status_code == 422
    # The message sits beside the DAST-10 input, which gets the focus.
    assert 'id="dast10_total-error"' in r.text
    assert "Must be at most 10." in r.text
    assert 'aria-describedby="dast10_total-error" autofocus' in r.text
    assert 'value="sertraline"' in r.text
    assert db.scalars(select(Screening)).all() == []


def test_prescriber_signs_with_justifications(
    client: TestClient, world: World, db: Session
) -> None:
    html = _open(client, world, "prescriber@a.test")
    saved = client.post(_url(world), data={**FORM, "csrf_token": csrf_of(html)})
    assert 'data-testid="sign-screening"' in saved.text
    assert 'name="override:bp.above_threshold"' in saved.text
    row = db.scalar(select(Screening))
    assert row is not None
    sign_url = f"{_url(world)}/{row.id}/sign"
    missing = client.post(
        sign_url,
        data={"csrf_token": csrf_of(saved.text), "override:bp.above_threshold": "Rechecked"},
    )
    assert missing.status_code == 422
    assert "contraindication.psychosis_history" in missing.text
    done = client.post(
        sign_url,
        data={
            "csrf_token": csrf_of(saved.text),
            "override:bp.above_threshold": "Rechecked 134/82 after rest.",
            "override:contraindication.psychosis_history": "Remote single episode; stable.",
        },
    )
    assert done.status_code == 200
    assert 'data-testid="signed-decision"' in done.text
    assert "Rechecked 134/82 after rest." in done.text
    db.expire_all()
    assert db.get(Screening, row.id).status == "signed"  # type: ignore[union-attr]


def test_block_reason_hides_the_sign_form(client: TestClient, world: World) -> None:
    html = _open(client, world, "prescriber@a.test")
    form = {**FORM, "conditions": ["aneurysmal_vascular_disease"], "csrf_token": csrf_of(html)}
    saved = client.post(_url(world), data=form)
    assert "Cannot be signed" in saved.text
    assert 'data-testid="sign-screening"' not in saved.text


def test_consent_signature_and_rems_from_the_page(
    client: TestClient, world: World, db: Session
) -> None:
    html = _open(client, world, "nurse@a.test")
    assert "wording in force: version 1" in html
    assert "ketacare-consent-version" not in html  # the version marker is not shown as text
    assert "<h2>Consent to ketamine or esketamine treatment</h2>" in html
    assert "not signed" in html
    bad = client.post(
        f"/patients/{world.patient.id}/consents",  # type: ignore[union-attr]
        data={"csrf_token": csrf_of(html), "document_version": "1", "typed_name": "Avery Quinn"},
    )
    assert bad.status_code == 422
    assert "agreed" in bad.text
    ok = client.post(
        f"/patients/{world.patient.id}/consents",  # type: ignore[union-attr]
        data={
            "csrf_token": csrf_of(html),
            "document_version": "1",
            "typed_name": "avery quinn",
            "agreed": "yes",
            "witness_user_id": str(world.user("prescriber").id),
        },
    )
    assert ok.status_code == 200
    assert "Status: <strong>valid</strong>" in ok.text
    consent = db.scalar(select(PatientConsent))
    assert consent is not None
    assert consent.witness_user_id == world.user("prescriber").id
    rems = client.post(
        f"/patients/{world.patient.id}/rems-enrolment",  # type: ignore[union-attr]
        data={"csrf_token": csrf_of(html), "enrolment_id": "REMS-9", "enrolled_on": "2026-11-01"},
    )
    assert rems.status_code == 200
    assert "REMS-9" in rems.text
    assert db.scalar(select(RemsEnrolment)) is not None


def test_frontdesk_and_outsider_cannot_open_the_page(client: TestClient, world: World) -> None:
    sign_in(client, "frontdesk@a.test")
    assert client.get(_url(world)).status_code == 403
    client.cookies.clear()
    sign_in(client, "outsider@b.test")
    assert client.get(_url(world)).status_code == 403
