"""Operating commands against a real SQLite file in a temporary data directory."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketacare.cli.main import app

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KETACARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KETACARE_DATABASE_URL", raising=False)
    monkeypatch.setenv("KETACARE_ARGON2_MEMORY_KIB", "64")
    monkeypatch.setenv("KETACARE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("KETACARE_ARGON2_PARALLELISM", "1")
    return tmp_path


def test_init_is_idempotent_and_creates_the_admin(data_dir: Path) -> None:
    first = runner.invoke(
        app,
        ["init", "--admin-email", "boss@clinic.test", "--password-stdin"],
        input="a-strong-password\n",
    )
    assert first.exit_code == 0, first.output
    assert "Created admin boss@clinic.test" in first.output
    assert (data_dir / "ketacare.sqlite3").exists()
    assert (data_dir / "secret_key").stat().st_mode & 0o077 == 0
    again = runner.invoke(
        app,
        ["init", "--admin-email", "boss@clinic.test", "--password-stdin"],
        input="a-strong-password\n",
    )
    assert again.exit_code == 0
    assert "already exists" in again.output


def test_init_refuses_a_short_password(data_dir: Path) -> None:
    r = runner.invoke(
        app, ["init", "--admin-email", "boss@clinic.test", "--password-stdin"], input="short\n"
    )
    assert r.exit_code == 2
    assert "at least 12 characters" in r.output


def test_users_create_token_and_verify(data_dir: Path) -> None:
    runner.invoke(
        app,
        ["init", "--admin-email", "boss@clinic.test", "--password-stdin"],
        input="a-strong-password\n",
    )
    created = runner.invoke(
        app,
        ["users", "create", "--email", "n@clinic.test", "--role", "nurse", "--password-stdin"],
        input="nurse-password-1\n",
    )
    assert created.exit_code == 0, created.output
    assert "Created nurse n@clinic.test" in created.output
    bad_role = runner.invoke(
        app,
        ["users", "create", "--email", "x@clinic.test", "--role", "wizard", "--password-stdin"],
        input="nurse-password-1\n",
    )
    assert bad_role.exit_code == 2
    token = runner.invoke(app, ["users", "token", "--email", "n@clinic.test"])
    assert token.exit_code == 0
    assert len(token.output.strip()) >= 40
    missing = runner.invoke(app, ["users", "token", "--email", "ghost@clinic.test"])
    assert missing.exit_code == 2
    verify = runner.invoke(app, ["audit", "verify", "--json"])
    assert verify.exit_code == 0, verify.output
    report = json.loads(verify.output)
    assert report["intact"] is True
    assert report["events"] >= 4


def test_audit_verify_names_the_tampered_event(data_dir: Path) -> None:
    runner.invoke(app, ["demo"])
    with sqlite3.connect(data_dir / "ketacare.sqlite3") as conn:
        (victim,) = conn.execute(
            "SELECT id FROM audit_events WHERE entity_type='Patient' ORDER BY id LIMIT 1"
        ).fetchone()
        # An attacker with the database file can drop the guard triggers; the chain still tells.
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute("UPDATE audit_events SET user_id = 999 WHERE id = ?", (victim,))
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 1
    assert f"event id {victim}" in r.output
    assert "content altered" in r.output


def test_demo_loads_once_and_prints_logins(data_dir: Path) -> None:
    first = runner.invoke(app, ["demo", "--json"])
    assert first.exit_code == 0, first.output
    logins = json.loads(first.output)
    assert {x["role"] for x in logins} == {
        "admin",
        "prescriber",
        "nurse",
        "frontdesk",
        "researcher",
        "patient",
    }
    second = runner.invoke(app, ["demo", "--json"])
    assert json.loads(second.output) == logins
    with sqlite3.connect(data_dir / "ketacare.sqlite3") as conn:
        (count,) = conn.execute("SELECT count(*) FROM patients").fetchone()
    assert count == 5


def test_bad_database_url_is_a_clear_error(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETACARE_DATABASE_URL", "mysql://nope")
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 2
    assert "KETACARE_DATABASE_URL" in r.output
