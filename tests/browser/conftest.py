"""A real server on a free loopback port and Debian's chromium driven by Playwright.

Never downloads a browser. Without /usr/bin/chromium the browser tests skip with a reason,
unless KETACARE_REQUIRE_BROWSER=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.migrate import upgrade_to_head
from ketacare.services.clock import SystemClock
from ketacare.services.demo import load_demo
from ketacare.services.security import make_hasher
from ketacare.web.app import create_app
from tests.factories.world import fast_settings

CHROMIUM = os.environ.get("KETACARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("browser-data")
    settings = fast_settings(data_dir=data)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with factory() as db, db.begin():
        load_demo(db, hasher=make_hasher(settings), at=SystemClock().now())
    app = create_app(settings, session_factory=factory)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if os.environ.get("KETACARE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"chromium required but not found at {CHROMIUM}")
        pytest.skip(f"Debian chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def tablet(browser):  # type: ignore[no-untyped-def]
    """A tablet-sized page (the infusion chair), with screenshots saved for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
