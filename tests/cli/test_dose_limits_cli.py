"""``ketacare dose --json``: the ``limits`` and ``override_reasons_required`` contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from ketacare.cli.main import app

runner = CliRunner()
BASE = ["dose", "--today", "2025-03-03"]
DEPRESSION = ["--protocol", "iv-ketamine-depression", "--weight-kg", "80"]
PAIN = ["--protocol", "iv-ketamine-pain", "--weight-kg", "70"]
LIMIT_KEYS = {"name", "value", "soft", "hard", "unit", "source", "config", "derived"}


def run_json(*args: str) -> Any:
    result = runner.invoke(app, [*BASE, *args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in data["limits"]}


def test_json_keeps_its_fields_and_adds_limits() -> None:
    data = run_json(*DEPRESSION, "--dose-mg-per-kg", "0.75", "--concentration-mg-per-ml", "10")
    assert (data["dose_mg"], data["rate_ml_per_h"], data["requires_override"]) == (60.0, 9.0, False)
    assert data["override_reasons_required"] == []
    limits = by_name(data)
    assert list(limits) == [
        "mg_per_kg",
        "duration_min",
        "mg_per_session",
        "mg_per_day",
        "mg_per_7_days",
    ]
    assert all(set(item) == LIMIT_KEYS for item in limits.values())
    per_kg = limits["mg_per_kg"]
    assert per_kg["value"] == 0.75
    assert per_kg["soft"] == {"min": 0.1, "max": 0.75}
    assert per_kg["hard"] == {"min": None, "max": 1.0}
    assert per_kg["unit"] == "mg/kg"
    assert "Andrade 2017" in per_kg["source"]
    assert "Fava et al. 2020" in per_kg["source"]
    assert limits["mg_per_session"]["derived"] is True


def test_a_soft_breach_lists_the_code_that_needs_a_reason() -> None:
    data = run_json(*DEPRESSION, "--dose-mg-per-kg", "1.0")
    assert data["override_reasons_required"] == ["dose.mg_per_kg_above_soft_limit"]
    assert data["requires_override"] is True


def test_a_limit_without_a_soft_range_has_soft_null() -> None:
    data = run_json(*PAIN, "--rate-mg-per-kg-per-h", "1", "--duration-min", "180")
    duration = by_name(data)["duration_min"]
    assert (duration["value"], duration["soft"], duration["hard"]) == (
        180.0,
        None,
        {"min": None, "max": 240.0},
    )
    assert by_name(data)["bolus_mg_per_kg"]["value"] is None  # no bolus ordered


def test_bolus_and_other_sessions() -> None:
    data = run_json(
        *PAIN,
        "--rate-mg-per-kg-per-h",
        "1",
        "--duration-min",
        "180",
        "--bolus-mg-per-kg",
        "0.35",
        "--other-session",
        "2025-03-03:100",
        "--other-session",
        "2025-02-28:50",
    )
    assert (data["bolus_mg"], data["session_total_mg"]) == (24.5, 234.5)
    limits = by_name(data)
    assert limits["mg_per_day"]["value"] == 334.5
    assert limits["mg_per_7_days"]["value"] == 384.5


@pytest.mark.parametrize(
    ("args", "field"),
    [
        pytest.param(
            [*DEPRESSION, "--dose-mg-per-kg", "1.05"],
            "dose_mg_per_kg, limit: mg_per_kg",
            id="above-1.0mg/kg",
        ),
        pytest.param(
            [*PAIN, "--rate-mg-per-kg-per-h", "2", "--duration-min", "1440"],
            "duration_min, limit: duration_min",
            id="pain-1440min",
        ),
        pytest.param(
            [*PAIN, "--rate-mg-per-kg-per-h", "1", "--duration-min", "180", "--bolus-mg", "30"],
            "bolus_mg, limit: bolus_mg_per_kg",
            id="bolus-over-0.35mg/kg",
        ),
        pytest.param(
            [*DEPRESSION, "--other-session", "2025-03-03:111"],
            "dose_mg_per_kg, limit: mg_per_day",
            id="day-151mg",
        ),
        pytest.param(
            [*DEPRESSION, "--dose-mg-per-kg", "0.75", "--low-dose-rate-ceiling"],
            "dose_mg_per_kg, limit: rate_mg_per_kg_per_h",
            id="jurisdiction-setting-on",
        ),
        pytest.param(
            [*DEPRESSION, "--concentration-mg-per-ml", "100"],
            "final_volume_ml",
            id="undiluted-100mg/mL",
        ),
        pytest.param(
            [*DEPRESSION, "--other-session", "2025-03-03"], "other_session", id="bad-other"
        ),
    ],
)
def test_a_hard_refusal_exits_2_naming_the_field(args: list[str], field: str) -> None:
    result = runner.invoke(app, [*BASE, *args, "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"(field: {field})" in result.stderr


def test_human_output_prints_the_limits_table() -> None:
    result = runner.invoke(app, [*BASE, *DEPRESSION, "--dose-mg-per-kg", "1.0"])
    assert result.exit_code == 0
    assert "mg_per_7_days" in result.stdout
    assert "OVERRIDE REQUIRED" in result.stdout
