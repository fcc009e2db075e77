"""Benchmark: how long the pages a nurse and a prescriber wait on take (run by hand: not a test).

Loads the demo clinic into a fresh SQLite database, signs in through the real login form and
times the chair page, a vitals post, the floor view, the patient's assessments page and the
order page with its concentration prediction, in-process (no network), over repeated requests.

Usage: .venv/bin/python bench/page_latency.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from ketacare.config import Settings
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.migrate import upgrade_to_head
from ketacare.services.accounts.security import make_hasher
from ketacare.services.clock import SystemClock
from ketacare.services.demo import DEMO_PASSWORD, load_demo
from ketacare.web.app import create_app

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client: TestClient, email: str) -> None:
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    )


def timed(label: str, repeat: int, call: Callable[[], int]) -> None:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        status = call()
        samples.append((time.perf_counter() - start) * 1000)
        assert status < 400, f"{label}: HTTP {status}"
    samples.sort()
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(f"{label:<38} median {statistics.median(samples):6.1f} ms   p95 {p95:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=data, secret_key="b" * 40)  # production argon2 cost
    engine = make_engine(settings)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    loaded_at = SystemClock().now()
    with factory() as db, db.begin():
        load_demo(db, hasher=make_hasher(settings), at=loaded_at)
    # The demo books its sessions 15 minutes after loading: late in the UTC evening that is
    # tomorrow, so ask for the bookings' own day (the demo location keeps UTC).
    booking_day = (loaded_at + timedelta(minutes=15)).date().isoformat()
    app = create_app(settings, session_factory=factory)
    with TestClient(app) as client:
        start = time.perf_counter()
        sign_in(client, "nurse@demo.ketacare.test")
        elapsed = 1000 * (time.perf_counter() - start)
        print(f"{'sign in (argon2id, RFC 9106 cost)':<38} {elapsed:6.1f} ms")
        schedule = client.get(f"/schedule?day={booking_day}").text
        session_id = int(re.findall(r'href="/sessions/(\d+)"', schedule)[0])
        vitals = {
            "systolic": 124,
            "diastolic": 78,
            "heart_rate": 72,
            "spo2": 98,
            "respiratory_rate": 14,
        }
        checked_in = client.post(
            f"/api/v1/sessions/{session_id}/transitions",
            json={"to": "checked_in"},
            headers={"x-csrf-token": _csrf(client, session_id)},
        )
        assert checked_in.status_code == 200, checked_in.text
        timed(
            "GET /sessions/{id} (chair page)",
            args.repeat,
            lambda: client.get(f"/sessions/{session_id}").status_code,
        )
        timed(
            "POST /api/v1/sessions/{id}/vitals",
            args.repeat,
            lambda: (
                client.post(
                    f"/api/v1/sessions/{session_id}/vitals",
                    json=vitals,
                    headers={"x-csrf-token": _csrf(client, session_id)},
                ).status_code
            ),
        )
        timed("GET /floor", args.repeat, lambda: client.get("/floor").status_code)
        timed("GET /schedule", args.repeat, lambda: client.get("/schedule").status_code)
        timed(
            "GET /patients/1/assessments",
            args.repeat,
            lambda: client.get("/patients/1/assessments").status_code,
        )
        timed(
            "GET /patients?q=quinn",
            args.repeat,
            lambda: client.get("/patients", params={"q": "quinn"}).status_code,
        )
    engine.dispose()


_TOKENS: dict[int, str] = {}


def _csrf(client: TestClient, session_id: int) -> str:
    if session_id not in _TOKENS:
        found = CSRF.search(client.get(f"/sessions/{session_id}").text)
        assert found is not None
        _TOKENS[session_id] = found.group(1)
    return _TOKENS[session_id]


if __name__ == "__main__":
    main()
