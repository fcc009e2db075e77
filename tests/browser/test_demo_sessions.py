"""A nurse runs both of the demo clinic's sessions for today on a tablet, found from /schedule.

The demo clinic books Jordan Blake (DEMO0002) for IV ketamine and Sam Rivera (DEMO0003) for
intranasal esketamine with the paperwork done. The server's clock is moved by the test, so the
observation periods pass in seconds; the browser runs in UTC and the nurse types the server's
time into each vitals row. What only a prescriber may do is done in a second browser context
signed in as the demo prescriber.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select

from ketacare.db.models import Location, TreatmentSession
from ketacare.services.session.schedule import location_zone
from tests.browser.conftest import (
    ACTION_TIMEOUT_MS,
    ARTIFACTS,
    DEMO_PASSWORD,
    NAVIGATION_TIMEOUT_MS,
    DemoClinic,
)

NURSE = "nurse@demo.ketacare.test"
PRESCRIBER = "prescriber@demo.ketacare.test"


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _loaded(page) -> None:
    """Wait until the chair page has rendered its state badge (explicit, no sleeps)."""
    page.wait_for_load_state("domcontentloaded")
    page.locator("[data-testid=session-state]").wait_for(state="visible")


def _sign_in(page, clinic: DemoClinic, path: str, email: str) -> None:
    page.goto(f"{clinic.url}{path}", wait_until="domcontentloaded")
    page.locator("#email").wait_for(state="visible")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{clinic.url}{path}")


def _booking_day(clinic: DemoClinic) -> date:
    """The demo bookings' day at the clinic's location (a late-evening run ends after midnight,
    when "today" on the schedule is already the next day)."""
    with clinic.factory() as db:
        row = db.scalars(select(TreatmentSession).order_by(TreatmentSession.id)).first()
        assert row is not None
        location = db.get(Location, row.location_id)
        assert location is not None
        return row.starts_at.astimezone(location_zone(location.timezone)).date()


def _open_from_schedule(page, clinic: DemoClinic, patient: str, shot: str) -> int:
    """Find the patient's booking on the schedule of its day and open its chair."""
    _sign_in(page, clinic, "/schedule", NURSE)
    day = _booking_day(clinic).isoformat()
    page.goto(f"{clinic.url}/schedule?day={day}", wait_until="domcontentloaded")
    row = page.locator("[data-testid=schedule-session]", has_text=patient)
    row.wait_for(state="visible")
    assert _row_state(row) == "scheduled"
    _shot(page, shot)
    session_id = int(str(row.get_attribute("data-session-id")))
    with page.expect_navigation(wait_until="domcontentloaded"):
        row.locator("[data-testid=schedule-open]").click()
    _loaded(page)
    assert page.url == f"{clinic.url}/sessions/{session_id}"
    assert _state(page) == "scheduled"
    return session_id


def _row_state(row) -> str:
    return str(row.locator("[data-testid=schedule-state]").text_content()).strip()


def _submit(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator(selector).first.click()
    _loaded(page)


def _vitals(page, clinic: DemoClinic, sbp: int, dbp: int, hr: int) -> None:
    page.locator("#measured_at").wait_for(state="visible")
    page.fill("#measured_at", clinic.clock.now().strftime("%Y-%m-%dT%H:%M"))
    page.fill("#systolic", str(sbp))
    page.fill("#diastolic", str(dbp))
    page.fill("#heart_rate", str(hr))
    page.fill("#spo2", "98")
    page.fill("#respiratory_rate", "14")
    # The script sends the row to the API, then reloads the page.
    _submit(page, "[data-testid=save-vitals]")
    assert f"{sbp}/{dbp}" in page.locator("[data-testid=vitals-table]").inner_text()


def _wait(page, clinic: DemoClinic, minutes: int) -> None:
    """Let time pass with the page open (reloading keeps the login active)."""
    for _ in range(minutes // 15):
        clinic.clock.advance(minutes=15)
        page.reload(wait_until="domcontentloaded")
        _loaded(page)
    clinic.clock.advance(minutes=minutes % 15)


def _move(page, to: str) -> None:
    _submit(page, f"[data-testid=move-{to}]")


def _state(page) -> str:
    return str(page.locator("[data-testid=session-state]").text_content()).strip()


def _refused(page, to: str) -> str:
    """Ask for a move the gates refuse; return the visible list of what is missing."""
    _move(page, to)
    failures = page.locator("[data-testid=gate-failures]")
    failures.wait_for(state="visible")
    return str(failures.inner_text())


def _discharge_checklist(page) -> None:
    for box in page.locator("[data-testid=checklist] input[type=checkbox]").all():
        if box.get_attribute("name") != "on_supplemental_oxygen":
            box.check()
    _submit(page, "[data-testid=save-checklist]")


def _as_prescriber(
    browser, clinic: DemoClinic, session_id: int, shot: str, work: Callable[..., None]
) -> None:
    """The prescriber, on her own tablet, opens the chair and does what only she may do."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, timezone_id="UTC")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    try:
        page = context.new_page()
        _sign_in(page, clinic, f"/sessions/{session_id}", PRESCRIBER)
        _loaded(page)
        work(page)
        _shot(page, shot)
    finally:
        context.close()


def _ack_predose_bp(page) -> None:
    page.fill("form[action$='/bp-ack'] input[name=note]", "BP 150/92 reviewed; benefit outweighs")
    _submit(page, "form[action$='/bp-ack'] button")
    assert "Pre-dose BP acknowledged" in page.content()


def _ack_from_floor(clinic: DemoClinic, sid: int) -> Callable[..., None]:
    """The prescriber finds the waiting BP on the floor view and follows it to the chair."""

    def work(page) -> None:
        page.goto(f"{clinic.url}/floor", wait_until="domcontentloaded")
        item = page.locator("[data-testid=bp-ack-needed]")
        item.wait_for(state="visible")
        assert "BP acknowledgement needed" in item.inner_text()
        assert "Blake, Jordan" in item.inner_text()
        _shot(page, "demo-iv-03a-floor-bp-ack-needed")
        with page.expect_navigation(wait_until="domcontentloaded"):
            item.locator("a").click()
        _loaded(page)
        assert page.url == f"{clinic.url}/sessions/{sid}"
        _ack_predose_bp(page)

    return work


def _reopen(page, clinic: DemoClinic, session_id: int) -> None:
    page.goto(f"{clinic.url}/sessions/{session_id}", wait_until="domcontentloaded")
    _loaded(page)


def test_nurse_runs_the_demo_iv_session(demo_clinic: DemoClinic, utc_tablet, browser) -> None:
    page, clinic = utc_tablet, demo_clinic
    sid = _open_from_schedule(page, clinic, "Blake, Jordan", "demo-iv-01-schedule")

    _move(page, "checked_in")
    assert _state(page) == "checked in"
    # A raised pre-dose BP: above 140/90 the prescriber must weigh risk and benefit.
    _vitals(page, clinic, 150, 92, 76)
    page.check("input[name=npo_confirmed]")
    page.check("input[name=escort_arranged]")
    _submit(page, "[data-testid=save-checks]")
    waiting = page.locator("[data-testid=bp-ack-pending]")
    assert "Waiting for a prescriber: shown on the floor view" in waiting.inner_text()
    missing = _refused(page, "ready")
    assert "a prescriber must acknowledge it" in missing
    assert "fasting" not in missing
    _shot(page, "demo-iv-02-bp-needs-prescriber")

    _as_prescriber(browser, clinic, sid, "demo-iv-03-prescriber-ack", _ack_from_floor(clinic, sid))

    _reopen(page, clinic, sid)
    clinic.clock.advance(minutes=2)
    _move(page, "ready")
    assert _state(page) == "ready"
    _move(page, "infusing")
    assert _state(page) == "infusing"
    _shot(page, "demo-iv-04-infusing")

    clinic.clock.advance(minutes=10)
    _vitals(page, clinic, 142, 88, 80)
    assert page.locator("[data-testid=alert-banner]").count() == 0
    _wait(page, clinic, 30)
    _vitals(page, clinic, 138, 86, 78)
    _move(page, "recovering")
    assert _state(page) == "recovering"
    assert "mg" in page.locator("[data-testid=totals]").inner_text()

    _move(page, "discharged")  # too early: the observation after the infusion is not over
    assert (
        "observe for 60 min from the end of the infusion"
        in page.locator("[data-testid=gate-failures]").inner_text()
    )
    _reopen(page, clinic, sid)
    _wait(page, clinic, 61)
    _vitals(page, clinic, 140, 86, 72)
    _discharge_checklist(page)
    _shot(page, "demo-iv-05-recovery")
    _move(page, "discharged")
    assert _state(page) == "discharged"
    _shot(page, "demo-iv-06-discharged")

    # The booking's day: run late in the evening, the session ends after midnight UTC.
    page.goto(
        f"{clinic.url}/schedule?day={_booking_day(clinic).isoformat()}",
        wait_until="domcontentloaded",
    )
    row = page.locator(f"[data-testid=schedule-session][data-session-id='{sid}']")
    assert _row_state(row) == "discharged"
    _shot(page, "demo-iv-07-schedule-after")


def _give_device(page, lot: str) -> None:
    page.fill("form[action$='/administration'] input[name=lot_number]", lot)
    _submit(page, "form[action$='/administration'] button")


def test_nurse_runs_the_demo_esketamine_session(
    demo_clinic: DemoClinic, utc_tablet, browser
) -> None:
    page, clinic = utc_tablet, demo_clinic
    sid = _open_from_schedule(page, clinic, "Rivera, Sam", "demo-esketamine-01-schedule")
    assert "esketamine" in page.locator("[data-testid=chair-head]").inner_text()

    _move(page, "checked_in")
    _vitals(page, clinic, 128, 82, 72)
    page.check("input[name=npo_confirmed]")
    page.check("input[name=escort_arranged]")
    page.select_option("select[name=pregnancy_status]", "negative")
    for box in page.locator("input[name=predose_instructions]").all():
        box.check()  # the Spravato label's three pre-dose instructions
    _submit(page, "[data-testid=save-checks]")
    # Spravato REMS: no dosing without a prescriber signed in on site.
    assert "Spravato REMS needs a prescriber on site" in _refused(page, "ready")
    _shot(page, "demo-esketamine-02-needs-prescriber")

    _as_prescriber(browser, clinic, sid, "demo-esketamine-03-prescriber", lambda _p: None)

    _reopen(page, clinic, sid)
    _move(page, "ready")
    assert _state(page) == "ready"
    _move(page, "infusing")
    assert _state(page) == "infusing"

    first_device: datetime = clinic.clock.now()
    _give_device(page, "DEMO-LOT-1")
    assert "Given: 28" in page.locator("[data-testid=totals]").inner_text()
    clinic.clock.advance(minutes=2)
    _give_device(page, "DEMO-LOT-1")  # too soon: refused, and the nurse sees why
    refusal = page.locator("[data-testid=form-errors]")
    refusal.wait_for(state="visible")
    assert "The next device may be given from" in refusal.inner_text()
    assert "Given: 28" in page.locator("[data-testid=totals]").inner_text()
    _shot(page, "demo-esketamine-04-second-device-refused")

    _reopen(page, clinic, sid)
    clinic.clock.advance(minutes=3)  # five minutes after the first device
    _give_device(page, "DEMO-LOT-1")
    assert "Given: 56" in page.locator("[data-testid=totals]").inner_text()
    _shot(page, "demo-esketamine-05-two-devices")

    clinic.clock.advance(minutes=10)
    _vitals(page, clinic, 132, 84, 76)
    _move(page, "recovering")
    assert _state(page) == "recovering"

    # The label's BP recheck about 40 minutes after the first device (41: readings are
    # charted to the minute).
    _wait(page, clinic, 41 - _minutes_since(clinic, first_device))
    _vitals(page, clinic, 130, 82, 74)
    _shot(page, "demo-esketamine-06-bp-40-min")

    _move(page, "discharged")  # the 2-hour observation from the first device is not over
    assert (
        "observe for 120 min from the first device"
        in page.locator("[data-testid=gate-failures]").inner_text()
    )
    _reopen(page, clinic, sid)
    _wait(page, clinic, 121 - _minutes_since(clinic, first_device))
    _vitals(page, clinic, 126, 80, 70)  # the end-of-session BP
    _discharge_checklist(page)
    _move(page, "discharged")
    assert _state(page) == "discharged"

    pdf = page.locator("[data-testid=rems-pdf]")
    pdf.wait_for(state="visible")
    json_link = page.locator("a", has_text="View as JSON")
    assert json_link.count() == 1
    _shot(page, "demo-esketamine-07-discharged-rems")
    form = page.request.get(f"{clinic.url}{json_link.get_attribute('href')}")
    assert form.status == 200
    assert form.headers["content-type"].startswith("application/json")
    assert "56" in form.text()
    document = page.request.get(f"{clinic.url}{pdf.get_attribute('href')}")
    assert document.status == 200
    assert document.body().startswith(b"%PDF")


def _minutes_since(clinic: DemoClinic, then: datetime) -> int:
    return int((clinic.clock.now() - then).total_seconds() // 60)
