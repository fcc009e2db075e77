"""Both demo sessions end in a signed session note.

The nurse runs the demo clinic's IV ketamine session (Jordan Blake) and esketamine session
(Sam Rivera) to discharge on a tablet, with the steps of ``test_demo_sessions``; then the
prescriber, on her own tablet, opens each chair page's note, reads it and signs it. The note
PDF is fetched as the prescriber would print it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import select

from ketacare.db.models import Patient, TreatmentSession
from tests.browser.conftest import DemoClinic
from tests.browser.test_demo_sessions import (
    NURSE,
    _ack_from_floor,
    _as_prescriber,
    _discharge_checklist,
    _give_device,
    _loaded,
    _minutes_since,
    _move,
    _open_from_schedule,
    _reopen,
    _shot,
    _sign_in,
    _state,
    _submit,
    _vitals,
    _wait,
)


@pytest.fixture(scope="module")
def demo_sessions(demo_clinic: DemoClinic) -> dict[str, int]:
    """The demo sessions' ids by patient MRN, read before any test moves the clock."""
    with demo_clinic.factory() as db:
        rows = db.execute(
            select(Patient.mrn, TreatmentSession.id).join(
                TreatmentSession, TreatmentSession.patient_id == Patient.id
            )
        ).all()
    return {str(mrn): int(sid) for mrn, sid in rows}


def _run_iv_to_discharge(page, clinic: DemoClinic, browser) -> int:
    sid = _open_from_schedule(page, clinic, "Blake, Jordan", "note-iv-01-schedule")
    _move(page, "checked_in")
    _vitals(page, clinic, 150, 92, 76)  # a raised pre-dose BP: the prescriber acknowledges it
    page.check("input[name=npo_confirmed]")
    page.check("input[name=escort_arranged]")
    _submit(page, "[data-testid=save-checks]")
    _as_prescriber(browser, clinic, sid, "note-iv-02-bp-ack", _ack_from_floor(clinic, sid))
    _reopen(page, clinic, sid)
    clinic.clock.advance(minutes=2)
    _move(page, "ready")
    _move(page, "infusing")
    clinic.clock.advance(minutes=10)
    _vitals(page, clinic, 142, 88, 80)
    _wait(page, clinic, 30)
    _vitals(page, clinic, 138, 86, 78)
    _move(page, "recovering")
    _reopen(page, clinic, sid)
    _wait(page, clinic, 61)
    _vitals(page, clinic, 140, 86, 72)
    _discharge_checklist(page)
    _move(page, "discharged")
    assert _state(page) == "discharged"
    return sid


def _run_esketamine_to_discharge(page, clinic: DemoClinic, browser, sid: int) -> int:
    # Opened by its id: the IV test before it moved the server's clock by two hours, which
    # near midnight is another day on the Today page.
    _sign_in(page, clinic, f"/sessions/{sid}", NURSE)
    _loaded(page)
    assert _state(page) == "scheduled"
    _move(page, "checked_in")
    _vitals(page, clinic, 128, 82, 72)
    page.check("input[name=npo_confirmed]")
    page.check("input[name=escort_arranged]")
    page.select_option("select[name=pregnancy_status]", "negative")
    for box in page.locator("input[name=predose_instructions]").all():
        box.check()  # the Spravato label's three pre-dose instructions
    _submit(page, "[data-testid=save-checks]")
    # Spravato REMS: a prescriber signed in on site before dosing.
    _as_prescriber(browser, clinic, sid, "note-esketamine-02-prescriber", lambda _p: None)
    _reopen(page, clinic, sid)
    _move(page, "ready")
    _move(page, "infusing")
    first_device: datetime = clinic.clock.now()
    _give_device(page, "DEMO-LOT-1")
    clinic.clock.advance(minutes=5)
    _give_device(page, "DEMO-LOT-1")
    clinic.clock.advance(minutes=10)
    _vitals(page, clinic, 132, 84, 76)
    _move(page, "recovering")
    _wait(page, clinic, 41 - _minutes_since(clinic, first_device))
    _vitals(page, clinic, 130, 82, 74)
    _wait(page, clinic, 121 - _minutes_since(clinic, first_device))
    _vitals(page, clinic, 126, 80, 70)
    _discharge_checklist(page)
    _move(page, "discharged")
    assert _state(page) == "discharged"
    return sid


def _sign_note(clinic: DemoClinic, patient: str, expected: tuple[str, ...]) -> Callable[..., None]:
    """The prescriber follows the chair page's link to the note, checks it and signs it."""

    def work(page) -> None:
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.locator("[data-testid=open-note]").click()
        note = page.locator("[data-testid=session-note]")
        note.wait_for(state="visible")
        text = note.inner_text()
        assert patient in text
        for shown in expected:
            assert shown in text, shown
        assert page.locator("[data-testid=note-unsigned]").is_visible()
        with page.expect_navigation(wait_until="domcontentloaded"):
            page.locator("[data-testid=sign-note]").click()
        signed = page.locator("[data-testid=note-signed]")
        signed.wait_for(state="visible")
        assert "Signed by" in signed.inner_text()
        assert page.locator("[data-testid=sign-note]").count() == 0
        pdf = page.request.get(
            f"{clinic.url}{page.locator('[data-testid=note-pdf]').get_attribute('href')}"
        )
        assert pdf.status == 200
        assert pdf.body().startswith(b"%PDF")

    return work


def _nurse_sees_signed(page, clinic: DemoClinic, sid: int, shot: str) -> None:
    page.goto(f"{clinic.url}/sessions/{sid}/note", wait_until="domcontentloaded")
    assert page.locator("[data-testid=note-signed]").is_visible()
    assert page.locator("[data-testid=sign-note]").count() == 0
    _shot(page, shot)


def test_the_demo_iv_session_ends_in_a_signed_note(
    demo_clinic: DemoClinic, demo_sessions: dict[str, int], utc_tablet, browser
) -> None:
    page, clinic = utc_tablet, demo_clinic
    sid = _run_iv_to_discharge(page, clinic, browser)
    assert sid == demo_sessions["DEMO0002"]
    assert page.locator("[data-testid=open-note]").is_visible()
    expected = ("150/92", "BP 150/92 reviewed", "infusing")
    _as_prescriber(
        browser, clinic, sid, "note-iv-03-signed", _sign_note(clinic, "Blake, Jordan", expected)
    )
    _nurse_sees_signed(page, clinic, sid, "note-iv-04-nurse-sees-signed")


def test_the_demo_esketamine_session_ends_in_a_signed_note(
    demo_clinic: DemoClinic, demo_sessions: dict[str, int], utc_tablet, browser
) -> None:
    page, clinic = utc_tablet, demo_clinic
    sid = _run_esketamine_to_discharge(page, clinic, browser, demo_sessions["DEMO0003"])
    expected = ("DEMO-LOT-1", "Spravato REMS", "126/80")
    _as_prescriber(
        browser,
        clinic,
        sid,
        "note-esketamine-03-signed",
        _sign_note(clinic, "Rivera, Sam", expected),
    )
    _nurse_sees_signed(page, clinic, sid, "note-esketamine-04-nurse-sees-signed")
