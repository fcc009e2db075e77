"""Helpers shared by the page modules: rendering, form errors, redirects."""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ketacare.web.deps import Auth
from ketacare.web.display import zone_label
from ketacare.web.forms import FormState
from ketacare.web.state import AppState


def render(
    request: Request,
    state: AppState,
    template: str,
    auth: Auth | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    form = context.setdefault("form", FormState())
    # Errors tied to a field sit beside it (``_forms.html``); only the rest go on top. (The
    # public questionnaire page names its own view "form"; it has no FormState.)
    context.setdefault("errors", form.general if isinstance(form, FormState) else {})
    zone: tzinfo = context.get("zone") or (auth.zone if auth else UTC)
    context["zone"] = zone
    context.setdefault("zone_name", zone_label(zone))
    context.setdefault("local_today", auth.at.astimezone(zone).date() if auth else None)
    return state.templates.TemplateResponse(
        request, template, {"auth": auth, **context}, status_code=status
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(value: object) -> str:
    """Only same-site paths: an open redirect after login is a phishing tool."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return value
    return "/"
