"""CLI misuse: a bad id or option is one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ketacare.cli.main import app

runner = CliRunner()
HUGE = str(2**70)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KETACARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KETACARE_DATABASE_URL", raising=False)
    monkeypatch.setenv("KETACARE_ARGON2_MEMORY_KIB", "64")
    monkeypatch.setenv("KETACARE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("KETACARE_ARGON2_PARALLELISM", "1")
    init = runner.invoke(
        app,
        ["init", "--admin-email", "boss@clinic.test", "--password-stdin"],
        input="a-strong-password\n",
    )
    assert init.exit_code == 0, init.output
    return tmp_path


def _create_user(email: str, *extra: str) -> list[str]:
    return ["users", "create", "--email", email, "--role", "nurse", "--password-stdin", *extra]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (_create_user("n1@clinic.test", "--organisation-id", "99"), "No organisation with id 99"),
        (_create_user("n2@clinic.test", "--organisation-id", HUGE), "No organisation with id"),
        (["outcomes", "--patient", "99", "--instrument", "phq9"], "99"),
        (["outcomes", "--patient", HUGE, "--instrument", "phq9"], "Error"),
        (["users", "token", "--email", "ghost@clinic.test"], "Error"),
    ],
)
def test_misuse_is_one_line_and_exit_2(data_dir: Path, args: list[str], words: str) -> None:
    result = runner.invoke(app, args, input="nurse-password-1\n")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert words in lines[0]


def test_a_refused_user_leaves_nothing_behind(data_dir: Path) -> None:
    refused = runner.invoke(
        app, _create_user("late@clinic.test", "--organisation-id", "99"), input="pw-123456789\n"
    )
    assert refused.exit_code == 2
    token = runner.invoke(app, ["users", "token", "--email", "late@clinic.test"])
    assert token.exit_code == 2


@pytest.mark.parametrize(
    ("name", "words"), [("\u200b\u200b", "Enter a name"), ("Ava\x07", "control character")]
)
def test_a_user_name_follows_the_same_text_rules_as_the_api(
    data_dir: Path, name: str, words: str
) -> None:
    result = runner.invoke(
        app, _create_user("named@clinic.test", "--full-name", name), input="pw-123456789\n"
    )
    assert result.exit_code == 2, result.output
    assert "(full_name)" in result.output
    assert words in result.output
