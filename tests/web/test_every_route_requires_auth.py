"""Every route except a short public list refuses an anonymous caller.

Walks the app's own route table, so a route added later without an auth dependency fails here.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/favicon.ico"),  # the site icon, shown on the login page too
}
# Routes that are public by design and check their own secret (patient links), if any.
SELF_AUTHENTICATING = re.compile(r"^/(p|public)/")


def _api_routes(routes: list[object]) -> list[APIRoute]:
    """Flatten the route table; included routers keep their routes on ``original_router``."""
    flat: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            flat.append(route)
        elif hasattr(route, "original_router"):
            flat.extend(_api_routes(route.original_router.routes))
    return flat


def _routes(app) -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for route in _api_routes(app.routes)
        for method in sorted(route.methods or ())
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_route_table_is_not_empty(app) -> None:
    assert len(_routes(app)) > 60


def test_anonymous_callers_are_refused_everywhere(client: TestClient, app) -> None:
    leaks = []
    for method, path in _routes(app):
        if (method, path) in PUBLIC or SELF_AUTHENTICATING.match(path) or method == "HEAD":
            continue
        response = client.request(method, _concrete(path), follow_redirects=False)
        refused = response.status_code == 401 or (
            response.status_code == 303 and response.headers["location"].startswith("/login")
        )
        if not refused:
            leaks.append(f"{method} {path} -> {response.status_code}")
    assert leaks == []


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC))
def test_public_routes_answer_without_a_login(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code not in (401, 500)
