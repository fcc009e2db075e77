"""The ``postgres`` and ``browser`` markers are applied by tests/conftest.py, so ``-m`` works."""

from __future__ import annotations

from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).resolve().parents[1] / "browser"


def test_this_test_is_marked_postgres_only_on_postgresql(
    request: pytest.FixtureRequest, backend: str
) -> None:
    marked = request.node.get_closest_marker("postgres") is not None
    assert marked is (backend == "postgresql")


def test_every_collected_test_carries_the_markers_of_what_it_needs(
    request: pytest.FixtureRequest,
) -> None:
    items = request.session.items
    assert items
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("backend") == "postgresql"
        assert (item.get_closest_marker("postgres") is not None) is on_postgres, item.nodeid
        in_browser = item.path.is_relative_to(BROWSER_TESTS)
        assert (item.get_closest_marker("browser") is not None) is in_browser, item.nodeid
