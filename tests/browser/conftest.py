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
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.migrate import upgrade_to_head
from ketacare.services.accounts.security import make_hasher
from ketacare.services.clock import Clock, SystemClock
from ketacare.services.demo import load_demo
from ketacare.web.app import create_app
from tests.factories.world import fast_settings

DEMO_PASSWORD = "demo-password-123"
# Generous limits for a loaded CI machine: waits end as soon as the element is there, so a
# fast run stays fast; a slow one gets time instead of a flaky failure.
ACTION_TIMEOUT_MS = 30_000
NAVIGATION_TIMEOUT_MS = 60_000

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


class MovableClock:
    """The server's clock, moved forward by the test so observation periods pass in seconds."""

    def __init__(self) -> None:
        # Why a fixed time: a run late in the UTC evening would book the demo sessions after
        # midnight or move them out of "today" as the clock advances, and the schedule page
        # (which lists today's sessions) would lose them; 08:00 UTC leaves the whole day ahead.
        # Why 30 seconds past: nurses chart vitals to the minute, so a pre-dose reading typed
        # as 08:00 must fall before a first dose given at the server's 08:00:30, as it would at
        # the chair (at 08:00:00 the two would tie and the reading would not count as pre-dose).
        self.at = datetime.now(UTC).replace(hour=8, minute=0, second=30, microsecond=0)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@contextmanager
def serve(settings: Settings, factory: sessionmaker[Session], clock: Clock) -> Iterator[str]:
    """Run the app on a free loopback port in a thread; yield its base URL."""
    app = create_app(settings, session_factory=factory, clock=clock)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class DemoClinic:
    """The demo clinic on a live server whose clock the test moves."""

    url: str
    clock: MovableClock
    settings: Settings
    factory: sessionmaker[Session]


@contextmanager
def demo_clinic_server(data_dir: Path) -> Iterator[DemoClinic]:
    """Load the demo clinic at the movable clock's "now" and serve it."""
    settings = fast_settings(data_dir=data_dir)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    clock = MovableClock()
    with factory() as db, db.begin():
        load_demo(db, hasher=make_hasher(settings), at=clock.now())
    try:
        with serve(settings, factory, clock) as url:
            yield DemoClinic(url, clock, settings, factory)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("browser-data")
    settings = fast_settings(data_dir=data)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with factory() as db, db.begin():
        load_demo(db, hasher=make_hasher(settings), at=SystemClock().now())
    with serve(settings, factory, SystemClock()) as url:
        yield url
    engine.dispose()


@pytest.fixture(scope="module")
def demo_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoClinic]:
    """The demo clinic (two sessions booked for today) with a clock the test can move."""
    with demo_clinic_server(tmp_path_factory.mktemp("demo-clinic")) as clinic:
        yield clinic


@pytest.fixture(scope="session")
def browser():
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
def tablet(browser):
    """A tablet-sized page (the infusion chair), with screenshots saved for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def utc_tablet(browser):
    """A tablet page in UTC (the nurse types the server's time), with generous waits."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1024, "height": 768}, timezone_id="UTC")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
