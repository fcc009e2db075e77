"""A patient fills a PHQ-9 from a questionnaire link on a phone (390x844)."""

from __future__ import annotations

from ketacare.db.repositories import user as user_repo
from ketacare.services.accounts import users as accounts
from ketacare.services.assessments import links as svc
from ketacare.services.audit import AuditContext
from ketacare.services.demo import DEMO_DOMAIN
from tests.browser.conftest import ARTIFACTS, DemoClinic


def _issue_link(clinic: DemoClinic) -> str:
    with clinic.factory() as db, db.begin():
        nurse = user_repo.get_user_by_email(db, f"nurse@{DEMO_DOMAIN}")
        patient_user = user_repo.get_user_by_email(db, f"patient@{DEMO_DOMAIN}")
        assert nurse is not None
        assert patient_user is not None
        assert patient_user.patient_id is not None
        issued = svc.create_patient_link(
            db,
            patient_id=patient_user.patient_id,
            instruments=["phq9"],
            timepoint="follow-up",
            expires_at=None,
            default_days=clinic.settings.patient_link_days,
            send_email=False,
            at=clinic.clock.now(),
            ctx=AuditContext(actor=accounts.actor_for(nurse), client_address="test"),
        )
        return issued.path


def test_patient_fills_phq9_on_a_phone(demo_clinic: DemoClinic, browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = _issue_link(demo_clinic)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{demo_clinic.url}{path}")
        assert "Patient Health Questionnaire-9" in page.inner_text("h2")
        assert "last 2 weeks" in page.inner_text(".recall")
        page.screenshot(path=str(ARTIFACTS / "patient-link-phone.png"))
        for item in range(1, 10):
            answer = "Several days" if item in (1, 2, 9) else "Not at all"
            page.locator(f"[data-item='phq9.{item}'] label.answer", has_text=answer).first.click()
        box = page.locator("[data-item='phq9.1'] label.answer").first.bounding_box()
        assert box is not None
        assert box["height"] >= 48
        page.screenshot(path=str(ARTIFACTS / "patient-link-phone-filled.png"), full_page=True)
        page.click("button.send")
        page.wait_for_selector("[data-testid=confirmation]")
        assert "Thank you" in page.inner_text("[data-testid=confirmation]")
        notice = page.inner_text("[data-testid=crisis-notice]")
        assert "emergency" in notice
        page.screenshot(path=str(ARTIFACTS / "patient-link-phone-done.png"), full_page=True)
        page.goto(f"{demo_clinic.url}{path}")
        assert "Already received" in page.inner_text("[data-testid=confirmation]")
    finally:
        context.close()
