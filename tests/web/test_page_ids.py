"""Every page that takes an id in its path answers a 4xx, never a 5xx, for ids no table holds."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ketacare.web import pages
from tests.factories.world import World
from tests.web.helpers import sign_in

PARAM = re.compile(r"\{(\w+)\}")


def _page_routes_with_ids() -> list[str]:
    found = set()
    for module in pkgutil.iter_modules(pages.__path__):
        router = getattr(importlib.import_module(f"{pages.__name__}.{module.name}"), "router", None)
        for route in getattr(router, "routes", ()):
            if (
                isinstance(route, APIRoute)
                and "GET" in (route.methods or set())
                and any(name.endswith("_id") for name in PARAM.findall(route.path))
            ):
                found.add(route.path)
    return sorted(found)


@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_page_ids_beyond_the_database_range_are_a_4xx(
    client: TestClient, world: World, big: int
) -> None:
    sign_in(client, world.user("prescriber").email)
    paths = _page_routes_with_ids()
    assert len(paths) >= 5  # the walk found the chart, session, order ... pages
    for path in paths:
        url = PARAM.sub(lambda m: str(big) if m.group(1).endswith("_id") else "x", path)
        r = client.get(url, headers={"accept": "text/html"})
        assert 400 <= r.status_code < 500, (url, r.status_code)
