"""In a real browser a refused form keeps what was typed, shows the message beside the field
and puts the cursor in it: on a server-rendered page (weight) and on the chair's vitals row,
which the page's script sends to the API."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, DEMO_PASSWORD, DemoClinic

NURSE = "nurse@demo.ketacare.test"


def _sign_in(page, clinic: DemoClinic, path: str) -> None:
    page.goto(f"{clinic.url}{path}", wait_until="domcontentloaded")
    page.fill("#email", NURSE)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{clinic.url}{path}")


def _focused(page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.name"))


def test_a_refused_weight_keeps_the_value_and_focuses_it(
    demo_clinic: DemoClinic, utc_tablet
) -> None:
    page = utc_tablet
    _sign_in(page, demo_clinic, "/patients")
    page.goto(f"{demo_clinic.url}/patients?q=quinn", wait_until="domcontentloaded")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.click("text=Quinn, Avery")
    form = page.locator("[data-testid=measurement-form]")
    form.locator("select[name=kind]").select_option("height")
    form.locator("input[name=value]").fill("7000")
    with page.expect_navigation(wait_until="domcontentloaded"):
        form.locator("button[type=submit]").click()
    form = page.locator("[data-testid=measurement-form]")
    assert form.locator("input[name=value]").input_value() == "7000"
    assert form.locator("select[name=kind]").input_value() == "height"
    message = form.locator("#value-error")
    assert message.is_visible()
    assert message.inner_text().strip()
    assert _focused(page) == "value"
    page.screenshot(path=str(ARTIFACTS / "form-error-weight.png"), full_page=True)


def test_vitals_refused_by_the_api_show_beside_the_field(
    demo_clinic: DemoClinic, utc_tablet
) -> None:
    page = utc_tablet
    _sign_in(page, demo_clinic, "/schedule")
    row = page.locator("[data-testid=schedule-session]", has_text="Blake, Jordan")
    with page.expect_navigation(wait_until="domcontentloaded"):
        row.locator("[data-testid=schedule-open]").click()
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator("[data-testid=move-checked_in]").click()
    page.locator("#spo2").wait_for(state="visible")
    typed = {"systolic": "128", "diastolic": "82", "heart_rate": "72", "spo2": "140"}
    for name, value in typed.items():
        page.fill(f"#{name}", value)
    page.click("[data-testid=save-vitals]")
    beside = page.locator("#spo2 + .field-error")
    beside.wait_for(state="visible")
    said = beside.inner_text().strip()
    # Plain words: no parser preamble, no repeated field name (the exact bound is the rule's).
    assert said
    assert not said.startswith("Input should")
    assert "spo2:" not in said
    assert _focused(page) == "spo2"
    for name, value in typed.items():
        assert page.input_value(f"#{name}") == value
    page.screenshot(path=str(ARTIFACTS / "form-error-vitals.png"), full_page=True)
