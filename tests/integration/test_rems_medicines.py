"""The medication list read at the session: the REMS concomitant-medication questions pre-filled
from it, and the order and chair panel's interactions per protocol."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from ketacare.core.medications import MedicationClass
from ketacare.services.patients import medications as medication_service
from ketacare.services.session import demo as demo_service
from ketacare.services.session import rems as rems_service
from tests.factories.world import NOW, World, ctx

START = NOW + timedelta(minutes=30)


def _chart(db: Session, world: World, klass: MedicationClass, *, stop: date | None = None) -> None:
    assert world.patient is not None
    medication_service.add_medication(
        db,
        patient_id=world.patient.id,
        name=f"a {klass.value}",
        medication_class=klass,
        dose=None,
        start_date=date(2026, 1, 1),
        stop_date=stop,
        at=NOW,
        ctx=ctx(world, "prescriber"),
    )


def test_rems_form_answers_yes_for_the_classes_taken_and_staff_answer_the_rest(
    db: Session, world: World
) -> None:
    assert world.patient is not None
    # Charted after the demo's screening was signed (it would ask to justify them).
    row = demo_service.prepare_demo_session(
        db,
        patient_id=world.patient.id,
        nurse_ctx=ctx(world, "nurse"),
        prescriber_ctx=ctx(world, "prescriber"),
        starts_at=START,
        at=NOW,
        protocol_id="esketamine-nasal",
    )
    _chart(db, world, MedicationClass.BENZODIAZEPINE)
    _chart(db, world, MedicationClass.Z_DRUG_HYPNOTIC)
    _chart(db, world, MedicationClass.OPIOID)
    _chart(db, world, MedicationClass.LAMOTRIGINE)  # not a question of the form
    _chart(db, world, MedicationClass.MAOI, stop=date(2026, 2, 1))  # stopped before the session
    nurse = ctx(world, "nurse")
    values = rems_service.rems_form(db, session_id=row.id, at=NOW, ctx=nurse).values
    assert values["concomitant_benzodiazepine"] is True
    assert values["concomitant_non_benzodiazepine_hypnotic"] is True
    assert values["concomitant_opioid"] is True
    # Not on the list (or stopped): left for staff to ask, never assumed "no".
    assert values["concomitant_maoi"] is None
    assert values["concomitant_psychostimulant"] is None
    form = rems_service.answer_rems_form(
        db,
        session_id=row.id,
        answers={"concomitant_maoi": False, "concomitant_psychostimulant": False},
        at=NOW,
        ctx=nurse,
    )
    assert form.values["concomitant_maoi"] is False
    assert form.values["concomitant_benzodiazepine"] is True
    missing = set(form.missing)
    assert not missing & {
        "concomitant_benzodiazepine",
        "concomitant_non_benzodiazepine_hypnotic",
        "concomitant_psychostimulant",
        "concomitant_maoi",
    }


@pytest.mark.parametrize(
    ("protocol_id", "response_shown"),
    [
        ("iv-ketamine-depression", True),
        ("iv-ketamine-crps", False),  # screened as the pain protocol
        ("clinic-own-protocol", True),  # not screened: every effect is shown
    ],
)
def test_medicines_panel_lists_the_active_medicines_and_the_reasons_for_the_protocol(
    db: Session, world: World, protocol_id: str, response_shown: bool
) -> None:
    assert world.patient is not None
    _chart(db, world, MedicationClass.BENZODIAZEPINE)
    _chart(db, world, MedicationClass.MAOI, stop=date(2026, 2, 1))
    panel = medication_service.medicines_panel(
        db, patient_id=world.patient.id, protocol_id=protocol_id, at=NOW, ctx=ctx(world, "nurse")
    )
    assert [m.name for m in panel.medications] == ["a benzodiazepine"]
    codes = {r.code for r in panel.reasons}
    assert "interaction.benzodiazepine.sedation_risk" in codes
    assert not any(code.startswith("interaction.maoi") for code in codes)  # stopped
    assert ("interaction.benzodiazepine.blunted_response" in codes) is response_shown
