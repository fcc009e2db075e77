"""Medicines on the pages: chart forms, screening inputs, and the order and chair panels."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.core.medications import MedicationClass
from ketacare.db.models import PatientAllergy, PatientMedication, TreatmentSession
from ketacare.services.patients import medications as medication_service
from ketacare.services.session import demo as demo_service
from tests.factories.world import NOW, World, ctx, pid
from tests.web.helpers import csrf_of, sign_in
from tests.web.test_screening_pages import FORM

START = NOW + timedelta(minutes=30)


def chart(db: Session, world: World, name: str, klass: MedicationClass) -> int:
    row = medication_service.add_medication(
        db,
        patient_id=pid(world),
        name=name,
        medication_class=klass,
        dose="10 mg",
        start_date=date(2026, 1, 1),
        stop_date=None,
        at=NOW,
        ctx=ctx(world, "prescriber"),
    )
    db.commit()
    return row.id


def post(client: TestClient, url: str, page: str, **data: str):
    return client.post(url, data={"csrf_token": csrf_of(page), **data}, follow_redirects=False)


# --- the chart ------------------------------------------------------------------------------


def test_prescriber_adds_and_stops_a_medicine_and_adds_an_allergy_on_the_chart(
    client: TestClient, world: World, db: Session
) -> None:
    sign_in(client, "prescriber@a.test")
    url = f"/patients/{pid(world)}"
    page = client.get(url).text
    assert 'data-testid="medication-form"' in page
    assert '<option value="z_drug_hypnotic">z drug hypnotic</option>' in page
    r = post(
        client,
        f"{url}/medications",
        page,
        name="phenelzine",
        medication_class="maoi",
        dose="15 mg three times daily",
        start_date="2026-10-01",
    )
    assert r.status_code == 303, r.text
    med = db.scalars(select(PatientMedication)).one()
    assert (med.name, med.medication_class, med.stop_date) == ("phenelzine", "maoi", None)
    page = client.get(url).text
    assert "phenelzine" in page
    assert f'data-testid="stop-medication-{med.id}"' in page
    r = post(client, f"{url}/medications/{med.id}/stop", page, stop_date="")
    assert r.status_code == 303, r.text
    db.expire_all()
    assert db.get(PatientMedication, med.id).stop_date == NOW.date()  # type: ignore[union-attr]
    page = client.get(url).text
    assert f'data-testid="stop-medication-{med.id}"' not in page  # stopped: no second stop
    r = post(client, f"{url}/allergies", page, substance="penicillin", reaction="rash")
    assert r.status_code == 303, r.text
    assert db.scalars(select(PatientAllergy)).one().substance == "penicillin"
    assert "penicillin: rash" in client.get(url).text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "medication_class": "maoi"}, "name", "Required."),
        ({"name": "x", "medication_class": ""}, "medication_class", "Required."),
        ({"name": "x", "medication_class": "ssri"}, "medication_class", "Choose one of"),
        (
            {
                "name": "x",
                "medication_class": "opioid",
                "start_date": "2026-10-02",
                "stop_date": "2026-10-01",
            },
            "stop_date",
            "is before start_date",
        ),
        ({"name": "x", "medication_class": "opioid", "start_date": "soon"}, "start_date", "date"),
    ],
    ids=["blank-name", "no-class", "unknown-class", "stop-before-start", "bad-date"],
)
def test_bad_medicine_form_rerenders_with_the_message_beside_the_field(
    client: TestClient, world: World, db: Session, data: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, "nurse@a.test")
    url = f"/patients/{pid(world)}"
    r = post(client, f"{url}/medications", client.get(url).text, **data)
    assert r.status_code == 422, r.text
    error = re.search(rf'data-error-for="{field}" role="alert">([^<]*)<', r.text)
    assert error is not None, r.text
    assert message in error.group(1)
    # What was typed is kept.
    if data["name"]:
        assert f'value="{data["name"]}"' in r.text
    assert db.scalars(select(PatientMedication)).all() == []


def test_stopping_before_the_start_shows_beside_that_medicine(
    client: TestClient, world: World, db: Session
) -> None:
    med = chart(db, world, "diazepam", MedicationClass.BENZODIAZEPINE)
    sign_in(client, "nurse@a.test")
    url = f"/patients/{pid(world)}"
    r = post(client, f"{url}/medications/{med}/stop", client.get(url).text, stop_date="2025-12-01")
    assert r.status_code == 422
    assert f'id="stop-{med}-stop_date-error"' in r.text
    assert "is before start_date" in r.text


def test_bad_allergy_form_names_the_field(client: TestClient, world: World, db: Session) -> None:
    sign_in(client, "nurse@a.test")
    url = f"/patients/{pid(world)}"
    r = post(client, f"{url}/allergies", client.get(url).text, substance=" ", reaction="rash")
    assert r.status_code == 422
    assert 'data-error-for="substance"' in r.text
    assert 'value="rash"' in r.text
    assert db.scalars(select(PatientAllergy)).all() == []


def test_front_desk_sees_no_medicine_forms(client: TestClient, world: World) -> None:
    sign_in(client, "frontdesk@a.test")
    page = client.get(f"/patients/{pid(world)}").text
    assert 'data-testid="medication-form"' not in page
    assert 'data-testid="allergy-form"' not in page


# --- screening ------------------------------------------------------------------------------


def test_screening_shows_the_new_inputs_and_conditions_and_the_charted_medicines(
    client: TestClient, world: World, db: Session
) -> None:
    chart(db, world, "lorazepam", MedicationClass.BENZODIAZEPINE)
    sign_in(client, "prescriber@a.test")
    url = f"/patients/{pid(world)}/screening"
    page = client.get(url).text
    for name in ("lft_x_uln", "long_term_course", "bladder_screen", "cognition_check"):
        assert f'name="{name}"' in page
    assert ">not done</option>" in page
    for condition in ("bipolar_disorder", "mania_history", "sleep_apnoea"):
        assert f'name="conditions" value="{condition}"' in page
    medicines = page.split('data-testid="screening-medicines"', 1)[1].split("</div>", 1)[0]
    assert "From the medication list" in medicines
    assert "lorazepam" in medicines
    assert "benzodiazepine" in medicines
    assert 'name="medication_classes"' not in page  # read-only: changed on the chart

    r = client.post(
        f"{url}/preview",
        data={
            **FORM,
            "conditions": ["bipolar_disorder"],
            "lft_x_uln": "3.5",
            "long_term_course": "yes",
            "bladder_screen": "positive",
            "cognition_check": "",
            "csrf_token": csrf_of(page),
        },
    )
    assert r.status_code == 200, r.text
    for code in (
        "interaction.benzodiazepine.sedation_risk",  # from the chart's list
        "contraindication.bipolar_disorder",
        "liver.enzymes_3x_uln",
        "bladder.screen_positive",
        "cognition.screen_not_recorded",
    ):
        assert code in r.text, code
    # Each reason shows its primary source like the others.
    reason = r.text.split("interaction.benzodiazepine.sedation_risk", 1)[1].split("</li>", 1)[0]
    assert 'class="muted source"' in reason
    assert "Spravato" in reason


def test_screening_page_keeps_the_new_inputs_and_names_a_bad_one(
    client: TestClient, world: World
) -> None:
    sign_in(client, "prescriber@a.test")
    url = f"/patients/{pid(world)}/screening"
    page = client.get(url).text
    saved = post(client, url, page, **{**FORM, "lft_x_uln": "1.5", "bladder_screen": "negative"})
    assert saved.status_code == 303, saved.text
    page = client.get(url).text
    assert 'name="lft_x_uln" inputmode="decimal" value="1.5"' in page
    assert '<option value="negative" selected>' in page
    bad = post(client, url, page, **{**FORM, "lft_x_uln": "lots"})
    assert bad.status_code == 422
    assert 'data-error-for="lft_x_uln"' in bad.text


# --- order and chair -------------------------------------------------------------------------


def _demo_session(db: Session, world: World, protocol_id: str) -> int:
    row = demo_service.prepare_demo_session(
        db,
        patient_id=pid(world),
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
        protocol_id=protocol_id,
    )
    db.commit()
    return row.id


def _panel(html: str) -> str:
    # The panel runs to the next card (its reasons hold <div>s of their own).
    return html.split('data-testid="medicines-panel"', 1)[1].split('class="card', 1)[0]


def test_order_and_chair_show_the_medicines_and_the_interactions_for_the_protocol(
    client: TestClient, world: World, db: Session
) -> None:
    session_id = _demo_session(db, world, "iv-ketamine-depression")
    chart(db, world, "clonazepam", MedicationClass.BENZODIAZEPINE)
    medication_service.add_allergy(
        db, patient_id=pid(world), substance="latex", reaction=None, at=NOW, ctx=ctx(world, "nurse")
    )
    db.commit()
    sign_in(client, "prescriber@a.test")
    chair = client.get(f"/sessions/{session_id}")
    assert chair.status_code == 200
    row = db.get(TreatmentSession, session_id)
    assert row is not None
    assert row.order_id is not None
    order = client.get(f"/orders/{row.order_id}")
    assert order.status_code == 200
    for html in (chair.text, order.text):
        panel = _panel(html)
        assert "Medicines and interactions" in panel
        assert "clonazepam" in panel
        assert "latex" in panel
        assert "interaction.benzodiazepine.sedation_risk" in panel
        assert "interaction.benzodiazepine.blunted_response" in panel  # a mood protocol
        assert 'class="muted source"' in panel


def test_panel_says_so_when_nothing_is_charted(
    client: TestClient, world: World, db: Session
) -> None:
    session_id = _demo_session(db, world, "iv-ketamine-depression")
    sign_in(client, "nurse@a.test")
    panel = _panel(client.get(f"/sessions/{session_id}").text)
    assert "No medicines taken today" in panel
    assert "none recorded" in panel
    assert "No interaction" in panel
