"""CLI contract of `ketacare pk models|bands|simulate`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from ketacare.cli.main import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["pk", *args])


def simulate_json(*args: str) -> dict[str, Any]:
    result = run("simulate", *args, "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_models_json_lists_every_model_with_parameters_and_sources():
    result = run("models", "--json")
    assert result.exit_code == 0
    models = {m["id"]: m for m in json.loads(result.stdout)}
    assert {"domino", "clements250", "hijazi", "herd2007", "flint2017", "perez-ruixo2021"} <= set(
        models
    )
    assert models["flint2017"]["approximate"] is True
    assert models["perez-ruixo2021"]["routes"] == ["iv", "nasal"]
    assert all(p["source"] and p["unit"] for m in models.values() for p in m["parameters"])


def test_models_human_output_is_a_table():
    result = run("models")
    assert result.exit_code == 0
    assert "domino" in result.stdout


def test_bands_json():
    doc = json.loads(run("bands", "--json").stdout)
    assert doc["bands"][0]["lower"] == 0.0
    assert doc["bands"][-1]["upper"] is None
    assert doc["literature_ranges"]


def test_typical_simulation_document():
    doc = simulate_json(
        "--model",
        "domino",
        "--weight-kg",
        "70",
        "--dose-mg-per-kg",
        "0.5",
        "--infusion-min",
        "40",
        "--end-min",
        "120",
        "--step-min",
        "10",
        "--threshold",
        "100",
        "--threshold",
        "250",
    )
    assert doc["times_min"] == [float(t) for t in range(0, 130, 10)]
    assert len(doc["concentration_ng_per_ml"]) == 13
    assert doc["cmax_ng_per_ml"] == pytest.approx(240.33, abs=0.01)
    assert doc["tmax_min"] == 40.0
    assert doc["auc_ng_h_per_ml"] > 0
    assert set(doc["time_above_min"]) == {"100", "250"}
    assert doc["time_above_min"]["250"] == 0.0
    assert "Domino" in doc["source"]


def test_population_simulation_returns_percentile_objects():
    doc = simulate_json(
        "--model",
        "perez-ruixo2021",
        "--weight-kg",
        "70",
        "--dose-mg",
        "56",
        "--route",
        "nasal",
        "--population",
        "300",
        "--seed",
        "4",
        "--end-min",
        "240",
        "--threshold",
        "50",
    )
    bands = doc["concentration_ng_per_ml"]
    assert set(bands) == {"p5", "p50", "p95"}
    assert len(bands["p50"]) == len(doc["times_min"]) == 241
    assert doc["cmax_ng_per_ml"]["p5"] <= doc["cmax_ng_per_ml"]["p95"]
    assert set(doc["time_above_min"]) == {"50"}
    assert doc["population"] == 300
    assert doc["seed"] == 4
    assert doc["metabolite"]["analyte"] == "noresketamine"


def test_same_seed_gives_the_same_document():
    args = (
        "--model",
        "herd2007",
        "--weight-kg",
        "30",
        "--dose-mg",
        "15",
        "--population",
        "50",
        "--seed",
        "9",
        "--end-min",
        "60",
    )
    assert simulate_json(*args) == simulate_json(*args)


def test_repeated_doses_default_end_is_24h_after_last_dose():
    doc = simulate_json(
        "--model",
        "domino",
        "--weight-kg",
        "70",
        "--dose-mg",
        "35",
        "--infusion-min",
        "40",
        "--repeat-every-h",
        "72",
        "--count",
        "2",
        "--step-min",
        "60",
    )
    assert doc["times_min"][-1] == 72 * 60 + 24 * 60
    assert [d["at_min"] for d in doc["doses"]] == [0.0, 4320.0]


def test_human_output_mentions_model_and_metrics():
    result = run(
        "simulate",
        "--model",
        "hijazi",
        "--weight-kg",
        "70",
        "--dose-mg",
        "35",
        "--infusion-min",
        "40",
        "--threshold",
        "100",
    )
    assert result.exit_code == 0
    assert "hijazi" in result.stdout
    assert "cmax_ng_per_ml" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--model", "nope", "--weight-kg", "70", "--dose-mg", "1"],
            "unknown",
            id="unknown-model",
        ),
        pytest.param(
            ["--model", "domino", "--weight-kg", "0", "--dose-mg", "1"], "weight", id="weight-zero"
        ),
        pytest.param(
            ["--model", "domino", "--weight-kg", "-5", "--dose-mg", "1"],
            "weight",
            id="weight-negative",
        ),
        pytest.param(["--model", "domino", "--weight-kg", "70"], "exactly one", id="no-dose"),
        pytest.param(
            ["--model", "domino", "--weight-kg", "70", "--dose-mg", "1", "--dose-mg-per-kg", "0.5"],
            "exactly one",
            id="both-doses",
        ),
        pytest.param(
            ["--model", "domino", "--weight-kg", "70", "--dose-mg", "35", "--route", "nasal"],
            "supports only",
            id="route-not-supported",
        ),
        pytest.param(
            [
                "--model",
                "perez-ruixo2021",
                "--weight-kg",
                "70",
                "--dose-mg",
                "30",
                "--route",
                "nasal",
            ],
            "28 mg",
            id="not-whole-devices",
        ),
        pytest.param(
            ["--model", "domino", "--weight-kg", "70", "--dose-mg", "35", "--count", "3"],
            "repeat-every-h",
            id="count-without-interval",
        ),
        pytest.param(
            ["--model", "domino", "--weight-kg", "70", "--dose-mg", "35", "--step-min", "0"],
            "step",
            id="zero-step",
        ),
        pytest.param(
            [
                "--model",
                "domino",
                "--weight-kg",
                "70",
                "--dose-mg",
                "35",
                "--population",
                "10",
                "--iiv",
                "k10",
            ],
            "NAME=CV",
            id="bad-iiv",
        ),
        pytest.param(
            ["--model", "domino", "--weight-kg", "70", "--dose-mg", "-3"], "> 0", id="negative-dose"
        ),
    ],
)
def test_bad_input_exits_2_with_a_message(args, message):
    result = run("simulate", *args, "--json")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_population_with_explicit_iiv_on_domino():
    doc = simulate_json(
        "--model",
        "domino",
        "--weight-kg",
        "70",
        "--dose-mg",
        "35",
        "--infusion-min",
        "40",
        "--population",
        "20",
        "--iiv",
        "k10=0.381",
        "--iiv",
        "v1=0.64",
        "--end-min",
        "60",
    )
    assert doc["population"] == 20


def test_population_on_a_fixed_parameter_model_borrows_cvs_and_warns() -> None:
    result = runner.invoke(
        app,
        [
            "pk",
            "simulate",
            "--model",
            "domino",
            "--weight-kg",
            "70",
            "--dose-mg-per-kg",
            "0.5",
            "--infusion-min",
            "40",
            "--population",
            "300",
            "--seed",
            "3",
            "--end-min",
            "120",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out["concentration_ng_per_ml"]) == {"p5", "p50", "p95"}
    assert out["cmax_ng_per_ml"]["p5"] < out["cmax_ng_per_ml"]["p50"] < out["cmax_ng_per_ml"]["p95"]
    assert any("borrowed from herd2007" in w for w in out["warnings"])
