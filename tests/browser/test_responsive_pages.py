"""The patient's page and the admin's users and audit pages fit a phone and a tablet.

At 390 px (a phone) and 1024 px (a tablet) the page never scrolls sideways: long e-mail
addresses wrap and wide tables scroll inside their own box or stack. Screenshots are saved
under test-artifacts/ for a human to look at.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, DEMO_PASSWORD

WIDTHS = {"phone": 390, "tablet": 1024}
LONG_EMAIL = "a.rather.long.mailbox.name.for.wrapping@infusion-clinic-north-campus.example.org"
PAGES = [
    ("patient", "/me", "me"),
    ("admin", "/admin/users", "admin-users"),
    ("admin", "/admin/audit", "admin-audit"),
]


@pytest.fixture(scope="module")
def long_email_user(live_server: str, browser) -> str:
    """An account with a long e-mail, created through the admin's form (so the users table
    has something to wrap)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    _sign_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin/users")
    if LONG_EMAIL not in page.content():
        page.fill("#email", LONG_EMAIL)
        page.fill("#full_name", "Long Address")
        page.fill("#password", "a long enough password 1")
        page.click("[data-testid=create-user] button[type=submit]")
        page.wait_for_selector("text=Account created.")
    context.close()
    return LONG_EMAIL


def _sign_in(page, url: str, persona: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#email", f"{persona}@demo.ketacare.test")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("width_name", list(WIDTHS))
@pytest.mark.parametrize(("persona", "path", "shot"), PAGES, ids=[p[2] for p in PAGES])
def test_page_fits_without_sideways_scrolling(
    live_server: str, browser, long_email_user: str, persona: str, path: str, shot: str,
    width_name: str,
) -> None:  # fmt: skip
    ARTIFACTS.mkdir(exist_ok=True)
    width = WIDTHS[width_name]
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        _sign_in(page, live_server, persona)
        response = page.goto(f"{live_server}{path}")
        assert response is not None
        assert response.status == 200
        page.screenshot(path=str(ARTIFACTS / f"{shot}-{width}.png"), full_page=True)
        page.screenshot(path=str(ARTIFACTS / f"{shot}-{width}-first-screen.png"))
        scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
        inner_width = page.evaluate("window.innerWidth")
        assert scroll_width <= inner_width, f"{path} is {scroll_width}px wide at {width}px"
        if path == "/admin/users":
            cell = page.locator(f"td:has-text('{long_email_user}')")
            box = cell.bounding_box()
            assert box is not None
            assert box["x"] + box["width"] <= inner_width  # the address wraps inside the page
    finally:
        context.close()


def test_favicon_is_linked_and_served(live_server: str, browser) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        href = page.get_attribute("link[rel=icon]", "href")
        assert href == "/static/favicon.svg"
        icon = page.request.get(f"{live_server}/favicon.ico")
        assert icon.status == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")
    finally:
        context.close()
