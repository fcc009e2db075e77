"""The chair page binds the administration record to the signed order, as the API does."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.db.models import AuditEvent
from tests.factories.world import PASSWORD, World
from tests.web.conftest import FrozenClock
from tests.web.helpers import sign_in
from tests.web.test_administration_binding_api import _lines, _rates, infusing
from tests.web.test_session_api import START, session_id
from tests.web.test_session_pages import form_post

__all__ = ["infusing", "session_id"]  # the fixtures, re-used


def _chair(client: TestClient, sid: int) -> str:
    page = client.get(f"/sessions/{sid}")
    assert page.status_code == 200
    return page.text


def test_the_chair_shows_ordered_given_left_and_predicted(
    client: TestClient, session_id: int, infusing: str
) -> None:
    sign_in(client, "nurse@a.test")
    page = _chair(client, session_id)
    summary = page.split('data-testid="dose-summary"', 1)[1].split("</span>", 1)[0]
    assert "Ordered" in summary
    assert 'data-testid="dose-left"' in summary
    assert 'data-testid="dose-predicted"' in summary
    rate_reason = re.search(
        r'<input[^>]*name="reason"[^>]*aria-label="Reason for rate change"[^>]*>', page
    )
    assert rate_reason is not None
    assert " required" in rate_reason.group(0)
    assert 'data-testid="override"' in page


def test_beyond_the_order_from_the_page_needs_a_prescriber(
    client: TestClient,
    session_id: int,
    infusing: str,
    db: Session,
    world: World,
) -> None:
    _, hard = _rates(db, session_id)
    sign_in(client, "nurse@a.test")
    url = f"/sessions/{session_id}/administration"
    rate = {"kind": "rate_change", "rate_ml_per_h": str(hard), "reason": "titration"}
    refused = form_post(client, url, _chair(client, session_id), **rate)
    assert refused.status_code == 409  # type: ignore[attr-defined]
    assert "override" in refused.text  # type: ignore[attr-defined]
    wrong = form_post(
        client,
        url,
        _chair(client, session_id),
        **rate,
        override_email=world.user("prescriber").email,
        override_password="wrong",
        override_reason="agitated",
    )
    assert wrong.status_code == 403  # type: ignore[attr-defined]
    assert "Override refused" in wrong.text  # type: ignore[attr-defined]
    assert [e.kind for e in _lines(db, session_id)] == ["start"]
    denied = db.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "AdministrationOverride")
    ).all()
    assert [a.outcome for a in denied] == ["4"]
    ok = form_post(
        client,
        url,
        _chair(client, session_id),
        **rate,
        override_email=world.user("prescriber").email,
        override_password=PASSWORD,
        override_reason="agitated",
    )
    assert ok.status_code == 303  # type: ignore[attr-defined]
    page = _chair(client, session_id)
    assert "prescriber override: agitated" in page


def test_a_line_entered_in_error_is_struck_through_and_kept(
    client: TestClient, session_id: int, infusing: str, db: Session
) -> None:
    ordered, _ = _rates(db, session_id)
    sign_in(client, "nurse@a.test")
    url = f"/sessions/{session_id}/administration"
    rate = {"kind": "rate_change", "rate_ml_per_h": str(ordered / 2), "reason": "nausea"}
    assert form_post(client, url, _chair(client, session_id), **rate).status_code == 303  # type: ignore[attr-defined]
    line = _lines(db, session_id)[-1]
    fix = {"kind": "entered_in_error", "corrects_id": str(line.id), "reason": "wrong pump"}
    assert form_post(client, url, _chair(client, session_id), **fix).status_code == 303  # type: ignore[attr-defined]
    page = _chair(client, session_id)
    struck = page.split('data-testid="struck-line"', 1)[1].split("</tr>", 1)[0]
    assert "<s>" in struck
    assert "entered in error</strong>: wrong pump" in struck
    assert f'data-testid="strike-{line.id}"' not in page


def test_stopping_short_from_the_page_needs_confirmation_and_a_reason(
    client: TestClient, session_id: int, infusing: str, clock: FrozenClock
) -> None:
    sign_in(client, "nurse@a.test")
    page = _chair(client, session_id)
    assert 'data-testid="confirm-short"' in page
    url = f"/sessions/{session_id}/transition"
    short = form_post(client, url, page, to="recovering", reason="nausea")
    assert short.status_code == 409  # type: ignore[attr-defined]
    assert "Confirm that dosing ends here" in short.text  # type: ignore[attr-defined]
    clock.at = START + timedelta(minutes=12)
    done = form_post(
        client, url, page, to="recovering", reason="nausea", confirm_less_than_ordered="on"
    )
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert 'data-testid="session-state">recovering' in _chair(client, session_id)
