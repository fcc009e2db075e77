"""``ketacare worker`` against a real SQLite file and a real local SMTP server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from typer.testing import CliRunner

from ketacare.cli.main import app
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.migrate import upgrade_to_head
from ketacare.db.models import NotificationJob
from ketacare.services.accounts.security import make_hasher
from ketacare.services.notify.notifications import enqueue_serious_adverse_event
from tests.factories.world import fast_settings, make_world

runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook name
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("KETACARE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KETACARE_SMTP_PORT", str(port))
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def outbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite database with a clinic whose prescriber has one mail queued."""
    monkeypatch.setenv("KETACARE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KETACARE_BASE_URL", "https://clinic.test/")
    monkeypatch.delenv("KETACARE_DATABASE_URL", raising=False)
    monkeypatch.delenv("KETACARE_SMTP_HOST", raising=False)
    settings = fast_settings(data_dir=tmp_path)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    try:
        with make_session_factory(engine)() as db, db.begin():
            world = make_world(db, hasher=make_hasher(settings))
            # The worker reads the real clock, so the event happened a moment ago.
            at = datetime.now(UTC) - timedelta(minutes=1)
            enqueue_serious_adverse_event(db, organisation_id=world.org.id, session_id=3, at=at)
    finally:
        engine.dispose()
    return tmp_path


def _statuses(data_dir: Path) -> list[tuple[str, int]]:
    engine = make_engine(fast_settings(data_dir=data_dir))
    try:
        with make_session_factory(engine)() as db:
            rows = db.scalars(select(NotificationJob).order_by(NotificationJob.id))
            return [(r.status, r.attempts) for r in rows]
    finally:
        engine.dispose()


def test_once_json_sends_and_summarises(outbox: Path, smtp: Sink) -> None:
    r = runner.invoke(app, ["worker", "--once", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"sent": 1, "failed": 0, "pending": 0}
    (envelope,) = smtp.envelopes
    assert envelope.rcpt_tos == ["prescriber@a.test"]
    body = envelope.content.decode()
    assert "https://clinic.test/floor" in body
    assert "Avery" not in body
    assert _statuses(outbox) == [("sent", 1)]
    # A second run finds nothing to do.
    again = runner.invoke(app, ["worker", "--once", "--json", "--batch", "5"])
    assert json.loads(again.output) == {"sent": 0, "failed": 0, "pending": 0}
    assert len(smtp.envelopes) == 1


def test_once_text_output(outbox: Path, smtp: Sink) -> None:
    r = runner.invoke(app, ["worker", "--once"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "sent 1, failed 0, pending 0"


def test_smtp_down_leaves_the_mail_pending_for_a_retry(
    outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KETACARE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KETACARE_SMTP_PORT", str(_free_port()))
    r = runner.invoke(app, ["worker", "--once", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"sent": 0, "failed": 0, "pending": 1}
    assert _statuses(outbox) == [("pending", 1)]


def test_without_smtp_host_exits_2_saying_what_to_set(outbox: Path) -> None:
    r = runner.invoke(app, ["worker", "--once"])
    assert r.exit_code == 2
    assert "KETACARE_SMTP_HOST" in r.output
    assert _statuses(outbox) == [("pending", 0)]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("KETACARE_BASE_URL", "clinic.test", "KETACARE_BASE_URL"),
        ("KETACARE_SMTP_USERNAME", "mailer", "KETACARE_SMTP_PASSWORD"),
        ("KETACARE_SMTP_PORT", "70000", "smtp_port"),
    ],
)
def test_bad_mail_settings_stop_the_worker(
    outbox: Path,
    smtp: Sink,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(variable, value)
    r = runner.invoke(app, ["worker", "--once"])
    assert r.exit_code == 2
    assert expected in r.output
    assert smtp.envelopes == []


def test_batch_must_be_positive(outbox: Path, smtp: Sink) -> None:
    r = runner.invoke(app, ["worker", "--once", "--batch", "0"])
    assert r.exit_code == 2
    assert smtp.envelopes == []


def test_without_once_it_loops_until_interrupted(
    outbox: Path, smtp: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    naps: list[float] = []

    def interrupt(seconds: float) -> None:
        naps.append(seconds)
        raise KeyboardInterrupt

    monkeypatch.setattr("ketacare.cli.worker.time.sleep", interrupt)
    r = runner.invoke(app, ["worker", "--json", "--interval", "2.5"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"sent": 1, "failed": 0, "pending": 0}
    assert naps == [2.5]
    assert len(smtp.envelopes) == 1
