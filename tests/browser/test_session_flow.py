"""A nurse runs a whole IV session on a tablet: check-in to discharge, with an alert on the way.

The server here has its own movable clock, so the 60-minute observation after the infusion can
pass in a second; the browser runs in UTC and the nurse types the server's time into the
vitals row, as she would correct the time of a reading taken a moment ago.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.migrate import upgrade_to_head
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import user as user_repo
from ketacare.services.accounts import users as accounts
from ketacare.services.accounts.security import make_hasher
from ketacare.services.audit import AuditContext
from ketacare.services.demo import load_demo
from ketacare.services.session import demo as demo_service
from tests.browser.conftest import ARTIFACTS, DEMO_PASSWORD, MovableClock, serve
from tests.factories.world import fast_settings


@dataclass
class Clinic:
    url: str
    clock: MovableClock
    session_id: int


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    settings = fast_settings(data_dir=tmp_path_factory.mktemp("session-flow"))
    engine = make_engine(settings)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    clock = MovableClock()
    with factory() as db, db.begin():
        load_demo(db, hasher=make_hasher(settings), at=clock.now())
        nurse = user_repo.get_user_by_email(db, "nurse@demo.ketacare.test")
        prescriber = user_repo.get_user_by_email(db, "prescriber@demo.ketacare.test")
        assert nurse is not None
        assert prescriber is not None
        assert nurse.organisation_id is not None
        quinn = next(
            p
            for p in patient_repo.search_patients(
                db,
                organisation_id=nurse.organisation_id,
                text="quinn",
                birth_date=None,
                limit=5,
                offset=0,
            )
        )
        row = demo_service.prepare_demo_session(
            db,
            patient_id=quinn.id,
            nurse_ctx=AuditContext(actor=accounts.actor_for(nurse), client_address="demo"),
            prescriber_ctx=AuditContext(
                actor=accounts.actor_for(prescriber), client_address="demo"
            ),
            starts_at=clock.now(),
            at=clock.now(),
        )
        session_id = row.id
    with serve(settings, factory, clock) as url:
        yield Clinic(url, clock, session_id)
    engine.dispose()


def _loaded(page) -> None:
    """Wait until the chair page has rendered its state badge (explicit, no sleeps)."""
    page.wait_for_load_state("domcontentloaded")
    page.locator("[data-testid=session-state]").wait_for(state="visible")


def _open(page, clinic: Clinic) -> None:
    page.goto(f"{clinic.url}/sessions/{clinic.session_id}", wait_until="domcontentloaded")
    _loaded(page)


def _submit(page, selector: str) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator(selector).first.click()
    _loaded(page)


def _vitals(page, clinic: Clinic, sbp: int, dbp: int, hr: int) -> None:
    page.locator("#measured_at").wait_for(state="visible")
    page.fill("#measured_at", clinic.clock.now().strftime("%Y-%m-%dT%H:%M"))
    page.fill("#systolic", str(sbp))
    page.fill("#diastolic", str(dbp))
    page.fill("#heart_rate", str(hr))
    page.fill("#spo2", "98")
    page.fill("#respiratory_rate", "14")
    # The script sends the row to the API, then reloads the page.
    _submit(page, "[data-testid=save-vitals]")


def _wait(page, clinic: Clinic, minutes: int) -> None:
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


def _floor_while_infusing(page, clinic: Clinic) -> None:
    """The prescriber's wall screen with this chair live on it (same login, second tab)."""
    floor = page.context.new_page()
    try:
        floor.goto(f"{clinic.url}/floor", wait_until="domcontentloaded")
        tile = floor.locator("[data-testid=floor-tile]", has_text="infusing")
        tile.first.wait_for(state="visible")
        assert "BP 122/78" in tile.first.inner_text()  # the last reading, before dosing
        floor.screenshot(path=str(ARTIFACTS / "floor.png"), full_page=True)
    finally:
        floor.close()


VITALS_ROW = ("measured_at", "systolic", "diastolic", "heart_rate", "spo2", "respiratory_rate")


def _boxes(page, ids: tuple[str, ...]) -> list[dict[str, float]]:
    out = []
    for name in ids:
        box = page.locator(f"#{name}").bounding_box()
        assert box is not None, name
        out.append(box)
    return out


def _vitals_row_fits(page) -> None:
    """At 1024 px the vitals entry is one row; at 768 px portrait the five values share a row
    under the time and the save button. Every field stays a big target."""
    boxes = _boxes(page, VITALS_ROW)
    save = page.locator("[data-testid=save-vitals]").bounding_box()
    assert save is not None
    bottoms = {round(b["y"] + b["height"]) for b in [*boxes, save]}
    assert max(bottoms) - min(bottoms) <= 2, bottoms  # one row, RR included
    assert all(b["height"] >= 48 and b["width"] >= 80 for b in boxes)
    page.screenshot(path=str(ARTIFACTS / "session-vitals-1024.png"))
    page.set_viewport_size({"width": 768, "height": 1024})
    try:
        values = _boxes(page, VITALS_ROW[1:])
        assert len({round(b["y"]) for b in values}) == 1  # SBP..RR on one row
        assert all(b["height"] >= 48 and b["width"] >= 80 for b in values)
        page.screenshot(path=str(ARTIFACTS / "session-vitals-768-portrait.png"))
    finally:
        page.set_viewport_size({"width": 1024, "height": 768})


def test_nurse_runs_a_session_from_check_in_to_discharge(clinic: Clinic, utc_tablet) -> None:
    page = utc_tablet
    page.goto(f"{clinic.url}/sessions/{clinic.session_id}", wait_until="domcontentloaded")
    page.locator("#email").wait_for(state="visible")
    page.fill("#email", "nurse@demo.ketacare.test")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{clinic.url}/sessions/{clinic.session_id}")
    _loaded(page)
    assert _state(page) == "scheduled"

    _move(page, "checked_in")
    assert _state(page) == "checked in"
    _vitals_row_fits(page)
    _move(page, "ready")  # refused: the gates name what is missing
    failures = page.locator("[data-testid=gate-failures]")
    failures.wait_for(state="visible")
    assert "fasting (NPO) is not confirmed" in failures.inner_text()
    page.screenshot(path=str(ARTIFACTS / "session-gates-refused.png"), full_page=True)

    _open(page, clinic)
    _vitals(page, clinic, 122, 78, 72)
    page.check("input[name=npo_confirmed]")
    page.check("input[name=escort_arranged]")
    _submit(page, "[data-testid=save-checks]")
    clinic.clock.advance(minutes=5)
    _move(page, "ready")
    assert _state(page) == "ready"
    _move(page, "infusing")
    assert _state(page) == "infusing"
    # The order's predicted curve, marked at "now" once the infusion runs: folded away at the
    # bottom of the nurse's page until she opens it.
    chart = page.locator("[data-testid=pk-chart]")
    assert not chart.is_visible()
    page.locator("[data-testid=pk-details] summary").click()
    chart.wait_for(state="visible")
    assert chart.locator(".pk-marker").count() == 1
    _floor_while_infusing(page, clinic)

    clinic.clock.advance(minutes=10)
    _vitals(page, clinic, 166, 94, 80)
    banner = page.locator("[data-testid=alert-banner]")
    banner.wait_for(state="visible")
    assert "TIER 1" in banner.inner_text()
    assert "repeat" in banner.inner_text()
    page.screenshot(path=str(ARTIFACTS / "session-alert.png"), full_page=True)
    # 166/94: the tier-1 BP alert and the rise of >= 40 mmHg from the pre-dose 122.
    assert banner.locator("form").count() == 2
    while page.locator("[data-testid=alert-banner] form").count():
        page.locator("[data-testid=alert-banner] input[name=note]").first.fill("repeated in 5 min")
        _submit(page, "[data-testid=alert-banner] button")
    assert page.locator("[data-testid=alert-banner]").count() == 0

    _wait(page, clinic, 30)
    _vitals(page, clinic, 124, 80, 74)
    _move(page, "recovering")
    assert _state(page) == "recovering"
    assert "mg" in page.locator("[data-testid=totals]").inner_text()

    _wait(page, clinic, 61)
    _vitals(page, clinic, 120, 78, 70)
    for box in page.locator("[data-testid=checklist] input[type=checkbox]").all():
        if box.get_attribute("name") != "on_supplemental_oxygen":
            box.check()
    _submit(page, "[data-testid=save-checklist]")
    page.screenshot(path=str(ARTIFACTS / "session-recovery.png"), full_page=True)
    _move(page, "discharged")
    assert _state(page) == "discharged"
    page.screenshot(path=str(ARTIFACTS / "session-discharged.png"), full_page=True)

    page.goto(f"{clinic.url}/floor", wait_until="domcontentloaded")
    page.locator("[data-testid=floor-board]").wait_for(state="visible")
    # Discharged: the chair has left the board.
    assert page.locator("[data-testid=floor-tile]").count() == 0
