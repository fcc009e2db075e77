"""CLI commands for the pk domain: ``ketacare pk models|bands|simulate``."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from ketacare.cli._errors import fail
from ketacare.core.codes import PkRouteCode
from ketacare.core.dosing.pk import (
    DEFAULT_BANDS,
    LITERATURE_RANGES,
    Covariates,
    Dose,
    PKModel,
    PopulationSimulation,
    Regimen,
    Route,
    Salt,
    Simulation,
    get_model,
    list_models,
    simulate,
    simulate_population,
)
from ketacare.core.errors import DomainError

#: Largest output grid accepted (memory guard for population mode, not a clinical number).
MAX_POINTS = 100_000

pk_app = typer.Typer(help="Pharmacokinetic concentration simulator.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this domain's commands to the main app."""
    app.add_typer(pk_app, name="pk")


def _model_dict(model: PKModel) -> dict[str, Any]:
    return {
        "id": model.id,
        "name": model.name,
        "drug": model.drug,
        "analytes": list(model.analytes),
        "population": model.population,
        "structure": str(model.structure),
        "routes": sorted(r.pk_code for r in model.routes),
        "sampling": model.sampling,
        "approximate": model.approximate,
        "has_variability": model.has_variability,
        "weight_range_kg": list(model.weight_range_kg) if model.weight_range_kg else None,
        "source": model.source,
        "notes": list(model.notes),
        "parameters": [
            {
                "name": p.name,
                "value": p.value,
                "unit": p.unit,
                "description": p.description,
                "scaling": str(p.scaling),
                "exponent": p.exponent,
                "iiv_omega2": p.iiv_omega2,
                "iiv_transform": str(p.iiv_transform) if p.iiv_omega2 is not None else None,
                "iiv_note": p.iiv_note,
                "source": p.source,
            }
            for p in model.parameters
        ],
        "correlations": [
            {"first": c.first, "second": c.second, "r": c.r, "source": c.source}
            for c in model.correlations
        ],
    }


@pk_app.command("models")
def models_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the PK models with their parameters and sources."""
    models = list_models()
    if as_json:
        typer.echo(json.dumps([_model_dict(m) for m in models]))
        return
    table = Table("id", "drug", "routes", "population", "approximate")
    for m in models:
        routes = ", ".join(sorted(r.pk_code for r in m.routes))
        table.add_row(m.id, m.drug, routes, m.population, "yes" if m.approximate else "")
    Console().print(table)


def _upper(value: float) -> float | None:
    return None if math.isinf(value) else value


@pk_app.command("bands")
def bands_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show the concentration display bands and literature ranges (racemic, ng/mL)."""
    bands = [
        {"lower": b.lower, "upper": _upper(b.upper), "label": b.label, "source": b.source}
        for b in DEFAULT_BANDS
    ]
    ranges = [
        {"effect": r.effect, "lower": r.lower, "upper": r.upper, "source": r.source}
        for r in LITERATURE_RANGES
    ]
    if as_json:
        typer.echo(json.dumps({"bands": bands, "literature_ranges": ranges}))
        return
    table = Table("ng/mL", "band")
    for b in DEFAULT_BANDS:
        table.add_row(f"{b.lower:g}-{b.upper:g}", b.label)
    Console().print(table)


def _parse_iiv(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise fail(f"--iiv expects NAME=CV, got {item!r}") from None
        if not sep:
            raise fail(f"--iiv expects NAME=CV, got {item!r}")
    return out


def _amount(weight_kg: float, dose_mg: float | None, dose_mg_per_kg: float | None) -> float:
    if dose_mg is not None and dose_mg_per_kg is None:
        return dose_mg
    if dose_mg_per_kg is not None and dose_mg is None:
        return dose_mg_per_kg * weight_kg
    raise fail("give exactly one of --dose-mg and --dose-mg-per-kg")


def _times(end_min: float, step_min: float) -> np.ndarray[Any, np.dtype[np.float64]]:
    if not (math.isfinite(step_min) and step_min > 0):
        raise fail("--step-min must be > 0")
    if not (math.isfinite(end_min) and end_min > 0):
        raise fail("--end-min must be > 0")
    steps = math.floor(end_min / step_min + 1e-9)
    if steps + 2 > MAX_POINTS:
        raise fail(f"at most {MAX_POINTS} output times; raise --step-min")
    times = step_min * np.arange(steps + 1, dtype=np.float64)
    return times if times[-1] >= end_min - 1e-9 else np.append(times, end_min)


def _regimen(
    amount_mg: float,
    infusion_min: float,
    route: Route,
    salt: Salt,
    every_h: float | None,
    count: int,
) -> Regimen:
    if count > 1 and every_h is None:
        raise fail("--count > 1 needs --repeat-every-h")
    if route is Route.INTRANASAL:
        dose = Dose.nasal(amount_mg, salt=salt)
    elif infusion_min > 0:
        dose = Dose.infusion(amount_mg, infusion_min, salt=salt)
    else:
        dose = Dose(amount_mg, 0.0, Route.IV, infusion_min, salt)
    return Regimen.repeated(dose, every_h=every_h or 0.0, count=count)


def _floats(values: np.ndarray[Any, np.dtype[np.float64]]) -> list[float]:
    return [float(v) for v in values]


def _typical_doc(result: Simulation, analyte: str) -> dict[str, Any]:
    m = result.metrics[analyte]
    return {
        "analyte": analyte,
        "concentration_ng_per_ml": _floats(result.concentrations[analyte]),
        "cmax_ng_per_ml": m.cmax_ng_per_ml,
        "tmax_min": m.tmax_min,
        "auc_ng_h_per_ml": m.auc_ng_h_per_ml,
        "auc_inf_ng_h_per_ml": m.auc_inf_ng_h_per_ml,
        "time_above_min": {f"{t:g}": v for t, v in m.time_above_min.items()},
    }


def _population_doc(result: PopulationSimulation, analyte: str) -> dict[str, Any]:
    stats = result.metric_percentiles(analyte)
    return {
        "analyte": analyte,
        "concentration_ng_per_ml": {
            k: _floats(v) for k, v in result.concentrations[analyte].items()
        },
        "cmax_ng_per_ml": stats["cmax_ng_per_ml"],
        "tmax_min": stats["tmax_min"],
        "auc_ng_h_per_ml": stats["auc_ng_h_per_ml"],
        "auc_inf_ng_h_per_ml": stats["auc_inf_ng_h_per_ml"],
        "time_above_min": {
            name.removeprefix("time_above_"): value
            for name, value in stats.items()
            if name.startswith("time_above_")
        },
    }


def _document(result: Simulation | PopulationSimulation, regimen: Regimen) -> dict[str, Any]:
    model = result.model
    if isinstance(result, PopulationSimulation):
        parts = [_population_doc(result, a) for a in model.analytes]
    else:
        parts = [_typical_doc(result, a) for a in model.analytes]
    doc: dict[str, Any] = {
        "model": model.id,
        "source": model.source,
        "approximate": model.approximate,
        "times_min": _floats(result.times_min),
        **parts[0],
        "doses": [
            {
                "amount_mg": d.amount_mg,
                "base_mg": d.base_mg,
                "at_min": d.at_min,
                "route": str(d.route),
                "duration_min": d.duration_min,
                "salt": str(d.salt),
            }
            for d in regimen.doses
        ],
        "warnings": list(result.warnings),
    }
    if isinstance(result, PopulationSimulation):
        doc["population"] = result.subjects
        doc["seed"] = result.seed
    if len(parts) > 1:
        doc["metabolite"] = parts[1]
    return doc


def _print_human(doc: dict[str, Any]) -> None:
    console = Console()
    console.print(f"[bold]{doc['model']}[/bold] - {doc['analyte']} (ng/mL)")
    for warning in doc["warnings"]:
        console.print(f"[yellow]! {warning}[/yellow]")
    table = Table("metric", "value")
    for key in ("cmax_ng_per_ml", "tmax_min", "auc_ng_h_per_ml"):
        table.add_row(key, json.dumps(doc[key]))
    for threshold, value in doc["time_above_min"].items():
        table.add_row(f"time >= {threshold} ng/mL (min)", json.dumps(value))
    console.print(table)
    console.print(f"source: {doc['source']}")


@pk_app.command("simulate")
def simulate_cmd(
    model: Annotated[str, typer.Option("--model", help="Model id (see `pk models`).")],
    weight_kg: Annotated[float, typer.Option("--weight-kg")],
    dose_mg: Annotated[float | None, typer.Option("--dose-mg")] = None,
    dose_mg_per_kg: Annotated[float | None, typer.Option("--dose-mg-per-kg")] = None,
    infusion_min: Annotated[float, typer.Option("--infusion-min")] = 0.0,
    route: Annotated[PkRouteCode, typer.Option("--route")] = "iv",
    salt: Annotated[Salt, typer.Option("--salt")] = Salt.BASE,
    repeat_every_h: Annotated[float | None, typer.Option("--repeat-every-h")] = None,
    count: Annotated[int, typer.Option("--count")] = 1,
    end_min: Annotated[float | None, typer.Option("--end-min")] = None,
    step_min: Annotated[float, typer.Option("--step-min")] = 1.0,
    population: Annotated[int | None, typer.Option("--population")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    threshold: Annotated[list[float] | None, typer.Option("--threshold")] = None,
    age_years: Annotated[float, typer.Option("--age-years")] = 45.0,
    asian: Annotated[bool, typer.Option("--asian")] = False,
    japanese: Annotated[bool, typer.Option("--japanese")] = False,
    iiv: Annotated[list[str] | None, typer.Option("--iiv", help="NAME=CV override")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Simulate plasma concentrations for a regimen (typical patient or population)."""
    try:
        chosen = get_model(model)
        if not (math.isfinite(weight_kg) and weight_kg > 0):
            raise fail("--weight-kg must be > 0")
        amount = _amount(weight_kg, dose_mg, dose_mg_per_kg)
        regimen = _regimen(
            amount, infusion_min, Route.from_pk_code(route), salt, repeat_every_h, count
        )
        end = end_min if end_min is not None else regimen.doses[-1].at_min + 24 * 60.0
        times = _times(end, step_min)
        cov = Covariates(age_years, asian, japanese)
        thresholds = threshold or []
        result: Simulation | PopulationSimulation
        if population is None:
            result = simulate(
                chosen, weight_kg, regimen, times, covariates=cov, thresholds_ng_per_ml=thresholds
            )
        else:
            result = simulate_population(
                chosen,
                weight_kg,
                regimen,
                times,
                n=population,
                seed=seed,
                covariates=cov,
                thresholds_ng_per_ml=thresholds,
                iiv_cv=_parse_iiv(iiv or []),
            )
    except DomainError as error:
        raise fail(error.message) from None
    doc = _document(result, regimen)
    if as_json:
        typer.echo(json.dumps(doc))
    else:
        _print_human(doc)
