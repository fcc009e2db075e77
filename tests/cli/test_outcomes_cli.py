"""``ketacare outcomes`` against a real SQLite file in a temporary data directory."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ketacare.cli.main import app
from ketacare.db.engine import make_engine, make_session_factory
from ketacare.db.migrate import upgrade_to_head
from ketacare.db.models import AuditEvent
from ketacare.services.accounts import users as accounts
from ketacare.services.accounts.security import make_hasher
from ketacare.services.assessments.records import (
    AssessmentEntry,
    record_assessment,
    record_treatment_event,
)
from ketacare.services.audit import AuditContext
from tests.factories.world import NOW, fast_settings, make_world

runner = CliRunner()


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A migrated SQLite database with one patient's PHQ-9 series and a first treatment."""
    monkeypatch.setenv("KETACARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KETACARE_DATABASE_URL", raising=False)
    settings = fast_settings(data_dir=tmp_path)
    engine = make_engine(settings)
    upgrade_to_head(engine)
    try:
        with make_session_factory(engine)() as db, db.begin():
            world = make_world(db, hasher=make_hasher(settings))
            assert world.patient is not None
            pid = world.patient.id
            ctx = AuditContext(actor=accounts.actor_for(world.user("nurse")))
            start = NOW - timedelta(days=14)
            series = ((0, [3, 3, 2, 2, 2, 2, 2, 2, 0]), (1, [1] * 8 + [0]), (7, [0] * 9))
            for days, answers in series:
                record_assessment(
                    db,
                    AssessmentEntry(
                        patient_id=pid,
                        instrument_id="phq9",
                        answers=answers,
                        context=None,
                        administered_at=start + timedelta(days=days),
                        timepoint="baseline" if days == 0 else "follow-up",
                        session_id=None,
                    ),
                    at=NOW,
                    ctx=ctx,
                )
            record_treatment_event(
                db,
                patient_id=pid,
                at=start + timedelta(hours=12),
                kind="ketamine_session",
                source_id=5,
            )
    finally:
        engine.dispose()
    return pid


def test_outcomes_json(seeded: int, tmp_path: Path) -> None:
    r = runner.invoke(app, ["outcomes", "--patient", str(seeded), "--instrument", "phq9", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    start = NOW - timedelta(days=14)
    assert out["patient_id"] == seeded
    assert out["instrument"] == "phq9"
    assert out["baseline"]["total"] == 18
    assert out["latest"]["total"] == 0
    assert out["percent_change"] == pytest.approx(-100.0)
    assert (out["response"], out["remission"], out["relapse"]) == (True, True, False)
    assert out["first_response_at"] == (start + timedelta(days=1)).isoformat()
    assert out["hours_to_response"] == pytest.approx(12.0)
    assert out["rules_version"] == out["rule_version"] == "outcomes-rules/2026.1"
    assert out["rules"]["remission"]["cutoff"] == 5
    # The operator's read is in the audit trail, with no user.
    engine = make_engine(fast_settings(data_dir=tmp_path))
    try:
        with make_session_factory(engine)() as db:
            event = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "Outcome")).one()
            assert (event.action, event.patient_id, event.user_id) == ("R", seeded, None)
    finally:
        engine.dispose()


def test_outcomes_text(seeded: int) -> None:
    r = runner.invoke(app, ["outcomes", "--patient", str(seeded), "--instrument", "PHQ-9"])
    assert r.exit_code == 0, r.output
    assert "response: yes" in r.output
    assert "remission: yes" in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--patient", "999999", "--instrument", "phq9"], "No patient"),
        (["--instrument", "nonsense"], "Unknown instrument"),
        (["--instrument", "gad7"], "No valid"),
    ],
)
def test_outcomes_errors_exit_2(seeded: int, args: list[str], message: str) -> None:
    full = (
        ["outcomes", *args]
        if "--patient" in args
        else ["outcomes", "--patient", str(seeded), *args]
    )
    r = runner.invoke(app, [*full, "--json"])
    assert r.exit_code == 2
    assert message in r.output
