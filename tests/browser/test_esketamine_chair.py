"""The esketamine chair, end to end on a tablet: devices, "Dosing done", and the REMS form.

The reported bug: an esketamine session could go to recovery with no device given and then could
neither be discharged nor given the device. Now "Dosing done" appears only after the first
device, the device button stays until the ordered devices are given, and the REMS form's staff
questions (the concomitant medicines among them) are answered on the chair page, so the form is
complete and can be marked submitted without the API.
"""

from __future__ import annotations

from datetime import datetime

from tests.browser.conftest import DemoClinic
from tests.browser.test_demo_sessions import (
    _as_prescriber,
    _discharge_checklist,
    _minutes_since,
    _move,
    _open_from_schedule,
    _reopen,
    _shot,
    _state,
    _submit,
    _vitals,
    _wait,
)

CONCOMITANT = (
    "concomitant_benzodiazepine",
    "concomitant_non_benzodiazepine_hypnotic",
    "concomitant_psychostimulant",
    "concomitant_maoi",
    "concomitant_opioid",
)


def _give_device(page, lot: str) -> None:
    page.fill("[data-testid=administration] input[name=lot_number]", lot)
    _submit(page, "[data-testid=give-device]")


def _answer_rems(page) -> None:
    """Answer every staff question of the REMS form on the chair page."""
    card = page.locator("[data-testid=rems-answers]")
    for name in CONCOMITANT:
        card.locator(f"select[name={name}]").select_option("no")
    card.locator("select[name=concomitant_benzodiazepine]").select_option("yes")
    for name in ("vitals_acceptable_pre_dose", "vitals_acceptable_session_end"):
        card.locator(f"select[name={name}]").select_option("yes")
    for name in ("sedation", "dissociation", "respiratory_depression"):
        card.locator(f"select[name={name}]").select_option("no")
    card.locator("input[name=hcp_phone]").fill("+1 555 0100")
    card.locator("input[name=setting_address]").fill("1 Demo Street, Springfield")
    card.locator("input[name=ready_to_leave_minutes]").fill("90")
    _submit(page, "[data-testid=save-rems]")


def test_esketamine_devices_and_rems_form_from_the_chair(
    demo_clinic: DemoClinic, utc_tablet, browser
) -> None:
    page, clinic = utc_tablet, demo_clinic
    sid = _open_from_schedule(page, clinic, "Rivera, Sam", "esk-chair-01-schedule")
    _move(page, "checked_in")
    _vitals(page, clinic, 128, 82, 72)
    page.check("input[name=npo_confirmed]")
    page.check("input[name=escort_arranged]")
    page.select_option("select[name=pregnancy_status]", "negative")
    for box in page.locator("input[name=predose_instructions]").all():
        box.check()  # the Spravato label's three pre-dose instructions
    _submit(page, "[data-testid=save-checks]")
    _as_prescriber(browser, clinic, sid, "esk-chair-02-prescriber", lambda _p: None)
    _reopen(page, clinic, sid)
    _move(page, "ready")
    _move(page, "infusing")
    assert _state(page) == "infusing"

    # No move to recovery before the first device.
    assert page.locator("[data-testid=move-recovering]").count() == 0
    assert page.locator("[data-testid=no-device-yet]").is_visible()
    _shot(page, "esk-chair-03-no-device-yet")

    first_device: datetime = clinic.clock.now()
    _give_device(page, "LOT-A1")
    # One of two: the device button stays; "Dosing done" asks to confirm the remainder.
    assert "Give device 2" in page.locator("[data-testid=give-device]").inner_text()
    assert page.locator("[data-testid=move-recovering]").count() == 1
    assert page.locator("[data-testid=confirm-short]").count() == 1
    assert "devices 1 of 2" in page.locator("[data-testid=dose-summary]").inner_text()
    _shot(page, "esk-chair-04-one-of-two")

    clinic.clock.advance(minutes=5)
    _give_device(page, "LOT-A1")
    assert page.locator("[data-testid=ordered-dose-given]").is_visible()
    assert page.locator("[data-testid=give-device]").count() == 0
    assert page.locator("[data-testid=confirm-short]").count() == 0
    assert "left 0 mg" in page.locator("[data-testid=dose-summary]").inner_text()

    # The REMS questions, answered on the chair page while the patient is observed.
    assert "benzodiazepine" in page.locator("[data-testid=rems-missing]").inner_text()
    _answer_rems(page)
    card = page.locator("[data-testid=rems-answers]")
    assert card.locator("select[name=concomitant_benzodiazepine]").input_value() == "yes"
    assert card.locator("select[name=concomitant_maoi]").input_value() == "no"
    assert "benzodiazepine" not in page.locator("[data-testid=rems-missing]").inner_text()
    _shot(page, "esk-chair-05-rems-answered")

    clinic.clock.advance(minutes=5)
    _vitals(page, clinic, 132, 84, 76)
    _move(page, "recovering")
    assert _state(page) == "recovering"
    _wait(page, clinic, 41 - _minutes_since(clinic, first_device))
    _vitals(page, clinic, 130, 82, 74)
    _reopen(page, clinic, sid)
    _wait(page, clinic, 121 - _minutes_since(clinic, first_device))
    _vitals(page, clinic, 126, 80, 70)
    _discharge_checklist(page)
    _move(page, "discharged")
    assert _state(page) == "discharged"

    # Everything the form needs is on record: it is complete and can be marked submitted.
    assert page.locator("[data-testid=rems-complete]").is_visible()
    _shot(page, "esk-chair-06-rems-complete")
    form = page.request.get(f"{clinic.url}/api/v1/sessions/{sid}/rems-form").json()
    assert form["complete"] is True
    assert form["values"]["concomitant_benzodiazepine"] is True
    assert form["values"]["dose_mg"] == 56
    _submit(page, "form[action$='/rems-submit'] button")
    assert "submitted" in page.content()
    assert page.locator("[data-testid=rems-answers]").count() == 0
