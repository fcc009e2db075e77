from __future__ import annotations

from tests.browser.conftest import ARTIFACTS

DEMO_PASSWORD = "demo-password-123"


def test_front_desk_finds_a_patient_and_sees_the_chart_header(live_server: str, tablet) -> None:
    page = tablet
    page.goto(f"{live_server}/patients")
    assert "/login" in page.url  # signed out: sent to the login page
    page.screenshot(path=str(ARTIFACTS / "login.png"))
    page.fill("#email", "frontdesk@demo.ketacare.test")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/patients")  # back where they were going
    page.fill("#q", "quinn")
    page.press("#q", "Enter")
    page.click("text=Quinn, Avery")
    header = page.locator("[data-testid=chart-header]")
    assert "MRN DEMO0001" in header.inner_text()
    assert "68.40 kg" in page.locator("[data-testid=latest-weight]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "chart.png"), full_page=True)


def test_wrong_password_message(live_server: str, tablet) -> None:
    page = tablet
    page.goto(f"{live_server}/login")
    page.fill("#email", "nurse@demo.ketacare.test")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator(".errors").inner_text() == "E-mail or password is not correct."
