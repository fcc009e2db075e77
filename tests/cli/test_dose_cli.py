"""``ketacare dose`` and ``ketacare protocols``: the CLI contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from ketacare.cli.main import app

runner = CliRunner()
BASE = ["dose", "--protocol", "iv-ketamine-depression", "--today", "2025-03-03"]


def run_json(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["--weight-kg", "80", "--concentration-mg-per-ml", "10"],
            {
                "dose_mg": 40.0,
                "weight_basis": "actual",
                "weight_used_kg": 80.0,
                "duration_min": 40.0,
                "rate_mg_per_min": 1.0,
                "rate_ml_per_h": 6.0,
                "volume_ml": 4.0,
                "requires_override": False,
            },
            id="rule11-80kg-10mg/mL",
        ),
        pytest.param(
            ["--weight-kg", "80", "--concentration-mg-per-ml", "10", "--final-volume-ml", "100"],
            {"dose_mg": 40.0, "volume_ml": 100.0, "drug_volume_ml": 4.0, "rate_ml_per_h": 150.0},
            id="100mL-bag",
        ),
        pytest.param(
            [
                "--weight-kg",
                "120",
                "--height-cm",
                "180.34",
                "--sex-at-birth",
                "male",
                "--weight-basis",
                "adjusted",
            ],
            {
                "dose_mg": 46.5,
                "weight_basis": "adjusted",
                "weight_used_kg": 93.18,
                "rate_ml_per_h": None,
                "volume_ml": None,
            },
            id="adjusted-basis-no-concentration",
        ),
        pytest.param(
            ["--weight-kg", "80", "--dose-mg-per-kg", "0.05"],
            {"dose_mg": 4.0, "requires_override": True},
            id="soft-limit-needs-override",
        ),
        pytest.param(
            ["--weight-kg", "80", "--dose-mg-per-kg", "0.75", "--duration-min", "45"],
            {"dose_mg": 60.0, "duration_min": 45.0, "requires_override": False},
            id="0.75mg/kg-over-45min",
        ),
    ],
)
def test_dose_json(args: list[str], expected: dict[str, Any]) -> None:
    data = run_json(*BASE, *args)
    assert {key: data[key] for key in expected} == expected
    assert isinstance(data["warnings"], list)


def test_dose_json_soft_limit_lists_the_warning() -> None:
    data = run_json(*BASE, "--weight-kg", "80", "--dose-mg-per-kg", "0.05")
    assert [w["code"] for w in data["warnings"]] == ["dose.mg_per_kg_below_soft_limit"]
    assert data["warnings"][0]["requires_override"] is True


def test_esketamine_dose_json() -> None:
    data = run_json(
        "dose", "--protocol", "esketamine-nasal", "--weight-kg", "70", "--dose-mg", "84"
    )
    assert (data["dose_mg"], data["devices"], data["duration_min"]) == (84.0, 3, 10.0)
    assert data["weight_basis"] is None
    assert data["rate_mg_per_min"] is None
    assert data["chair_time_min"] == 120


def test_crps_rate_option() -> None:
    data = run_json(
        "dose",
        "--protocol",
        "iv-ketamine-crps",
        "--weight-kg",
        "60",
        "--rate-mg-per-kg-per-h",
        "0.3",
    )
    assert (data["dose_mg"], data["rate_mg_per_h"]) == (72.0, 18.0)
    assert [w["code"] for w in data["warnings"]] == ["dose.total_below_guideline"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--weight-kg", "0"], "patient.weight_out_of_range", id="weight-0"),
        pytest.param(["--weight-kg", "401"], "patient.weight_out_of_range", id="weight-401"),
        pytest.param(["--weight-kg", "nan"], "units.not_a_number", id="weight-nan"),
        pytest.param(["--weight-kg", "abc"], "", id="weight-not-a-number"),
        pytest.param(
            ["--weight-kg", "80", "--height-cm", "99"],
            "patient.height_out_of_range",
            id="height-99",
        ),
        pytest.param(
            ["--weight-kg", "80", "--height-cm", "251"],
            "patient.height_out_of_range",
            id="height-251",
        ),
        pytest.param(
            ["--weight-kg", "80", "--weight-basis", "ideal"], "height_cm", id="ideal-no-height"
        ),
        pytest.param(
            ["--weight-kg", "80", "--weight-basis", "ideal", "--height-cm", "170"],
            "sex_at_birth",
            id="ideal-no-sex",
        ),
        pytest.param(["--weight-kg", "80", "--sex-at-birth", "other"], "", id="bad-sex-choice"),
        pytest.param(["--weight-kg", "80", "--weight-basis", "capped"], "", id="bad-basis-choice"),
        pytest.param(
            ["--weight-kg", "80", "--dose-mg-per-kg", "1.5"], "dose.hard_limit", id="hard-limit"
        ),
        pytest.param(
            ["--weight-kg", "80", "--weight-date", "2025-01-01"],
            "dose.weight_too_old",
            id="old-weight",
        ),
        pytest.param(
            ["--weight-kg", "80", "--weight-date", "01/01/2025"], "cli.bad_date", id="bad-date"
        ),
    ],
)
def test_refused_input_exits_2_with_message_on_stderr(args: list[str], message: str) -> None:
    result = runner.invoke(app, [*BASE, *args, "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.strip()


def test_unknown_protocol_exits_2() -> None:
    result = runner.invoke(app, ["dose", "--protocol", "nope", "--weight-kg", "80", "--json"])
    assert result.exit_code == 2
    assert "protocol.unknown" in result.stderr


def test_dose_human_output() -> None:
    result = runner.invoke(app, [*BASE, "--weight-kg", "80", "--dose-mg-per-kg", "0.05"])
    assert result.exit_code == 0
    assert "dose_mg" in result.stdout
    assert "OVERRIDE REQUIRED" in result.stdout


def test_protocols_list_json() -> None:
    data = run_json("protocols", "list")
    ids = [p["id"] for p in data]
    assert {
        "iv-ketamine-depression",
        "iv-ketamine-crps",
        "iv-ketamine-pain",
        "esketamine-nasal",
    } <= set(ids)
    for item in data:
        assert set(item) >= {"id", "name", "drug", "route", "indications", "dose_rule", "source"}
        assert item["source"]


def test_protocols_list_human() -> None:
    result = runner.invoke(app, ["protocols", "list"])
    assert result.exit_code == 0
    assert "Protocols" in result.stdout


def test_protocols_show_json() -> None:
    data = run_json("protocols", "show", "esketamine-nasal")
    assert data["id"] == "esketamine-nasal"
    assert data["dose_rule"]["minutes_between_devices"]["value"] == "5"
    assert data["observation"]["minimum_min"] == 120


def test_protocols_show_human_and_unknown() -> None:
    shown = runner.invoke(app, ["protocols", "show", "iv-ketamine-crps"])
    assert shown.exit_code == 0
    assert "Schwartzman" in shown.stdout
    missing = runner.invoke(app, ["protocols", "show", "nope", "--json"])
    assert missing.exit_code == 2
    assert "protocol.unknown" in missing.stderr


def test_protocols_schedule() -> None:
    data = run_json("protocols", "schedule", "iv-ketamine-depression", "--start", "2025-03-03")
    assert data["dates"] == [
        "2025-03-03",
        "2025-03-06",
        "2025-03-10",
        "2025-03-13",
        "2025-03-17",
        "2025-03-20",
    ]
    human = runner.invoke(
        app, ["protocols", "schedule", "iv-ketamine-crps", "--start", "2025-03-03"]
    )
    assert human.exit_code == 0
    assert human.stdout.count("2025-03-") == 10
    missing = runner.invoke(
        app, ["protocols", "schedule", "iv-ketamine-pain", "--start", "2025-03-03"]
    )
    assert missing.exit_code == 2
    assert "schedule.template_not_found" in missing.stderr
