"""Public entry points: simulate one typical patient or a virtual population.

``simulate`` returns the typical-patient curves and metrics for every analyte of the model;
``simulate_population`` samples inter-individual variability with a seeded numpy Generator and
returns 5th/50th/95th percentile curves and per-subject metric distributions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ketacare.core.dosing.pk.catalogue import get_model
from ketacare.core.dosing.pk.metrics import (
    Metrics,
    peak,
    percentiles,
    times_above,
)
from ketacare.core.dosing.pk.model import Covariates, PKModel
from ketacare.core.dosing.pk.population import sample_parameters, typical_parameters, variability
from ketacare.core.dosing.pk.regimen import Regimen
from ketacare.core.dosing.pk.solver import Solution, check_times, solve
from ketacare.core.dosing.pk.structures import Params, build_system
from ketacare.core.dosing.pk.system import FloatArray, events_for
from ketacare.core.errors import Invalid

#: Largest virtual population accepted in one call (memory guard, not a clinical number).
MAX_SUBJECTS = 200_000


@dataclass(frozen=True)
class Simulation:
    """Typical-patient result.

    Attributes:
        model: The model used.
        times_min: Output times.
        concentrations: Analyte -> ng/mL at ``times_min``.
        metrics: Analyte -> exposure metrics.
        warnings: Caveats (extrapolation, approximate model, model notes).
    """

    model: PKModel
    times_min: FloatArray
    concentrations: Mapping[str, FloatArray]
    metrics: Mapping[str, Metrics]
    warnings: tuple[str, ...]

    @property
    def analyte(self) -> str:
        """The primary analyte (the parent drug)."""
        return self.model.analytes[0]


@dataclass(frozen=True)
class PopulationSimulation:
    """Virtual-population result.

    Attributes:
        model: The model used.
        times_min: Output times.
        subjects: Number of virtual subjects.
        seed: Seed of the numpy Generator.
        concentrations: Analyte -> {"p5", "p50", "p95"} -> ng/mL at ``times_min``.
        per_subject: Analyte -> metric name -> values per subject (``time_above_<t>`` per
            threshold).
        warnings: Caveats.
    """

    model: PKModel
    times_min: FloatArray
    subjects: int
    seed: int
    concentrations: Mapping[str, Mapping[str, FloatArray]]
    per_subject: Mapping[str, Mapping[str, FloatArray]]
    warnings: tuple[str, ...]

    @property
    def analyte(self) -> str:
        """The primary analyte (the parent drug)."""
        return self.model.analytes[0]

    def metric_percentiles(self, analyte: str) -> dict[str, dict[str, float]]:
        """Return metric name -> {"p5", "p50", "p95"} over subjects."""
        return {
            name: {k: float(v) for k, v in percentiles(values).items()}
            for name, values in self.per_subject[analyte].items()
        }


def _resolve(model: PKModel | str) -> PKModel:
    return model if isinstance(model, PKModel) else get_model(model)


def _check(model: PKModel, weight_kg: float, regimen: Regimen, cov: Covariates) -> list[str]:
    if not (math.isfinite(weight_kg) and weight_kg > 0):
        raise Invalid("pk.weight_not_positive", "weight must be > 0 kg", field="weight_kg")
    unsupported = regimen.routes - model.routes
    if unsupported:
        routes = ", ".join(sorted(r.pk_code for r in model.routes))
        raise Invalid(
            "pk.route_not_supported",
            f"model {model.id} supports only: {routes}",
            field="route",
        )
    warnings = list(model.notes)
    low_high = model.weight_range_kg
    if low_high and not low_high[0] <= weight_kg <= low_high[1]:
        warnings.append(
            f"weight {weight_kg:g} kg is outside the studied {low_high[0]:g}-"
            f"{low_high[1]:g} kg: extrapolation"
        )
    ages = model.age_range_years
    if ages and model.has("qh_age_slope") and not ages[0] <= cov.age_years <= ages[1]:
        warnings.append(
            f"age {cov.age_years:g} y is outside the studied {ages[0]:g}-"
            f"{ages[1]:g} y: extrapolation"
        )
    if model.approximate:
        warnings.insert(0, f"model {model.id} is approximate: see its notes")
    return warnings


def _run(
    model: PKModel,
    params: Params,
    cov: Covariates,
    regimen: Regimen,
    times: FloatArray,
) -> Solution:
    system = build_system(model, params, cov)
    return solve(system, events_for(system, regimen.doses), times)


def simulate(
    model: PKModel | str,
    weight_kg: float,
    regimen: Regimen,
    times_min: Sequence[float] | FloatArray,
    *,
    covariates: Covariates | None = None,
    thresholds_ng_per_ml: Sequence[float] = (),
    sample_times_min: Sequence[float] = (),
) -> Simulation:
    """Simulate the typical patient of ``model`` receiving ``regimen``.

    Args:
        model: A ``PKModel`` or its id.
        weight_kg: Body weight used for weight scaling (and by callers for mg/kg doses).
        regimen: Doses to give.
        times_min: Output times in minutes (increasing, from >= 0).
        covariates: Age / race covariates (only some models use them).
        thresholds_ng_per_ml: Thresholds for "time at or above".
        sample_times_min: Extra times at which to report the exact concentration.

    Returns:
        Curves and metrics for every analyte of the model.

    Raises:
        Invalid: Bad weight, unsupported route, bad times or dose.
        NotFound: Unknown model id.
    """
    chosen, cov = _resolve(model), covariates or Covariates()
    warnings = _check(chosen, weight_kg, regimen, cov)
    times = check_times(times_min)
    params = typical_parameters(chosen, weight_kg)
    solution = _run(chosen, params, cov, regimen, times)
    samples = None
    if sample_times_min:
        sample_times = np.sort(check_times(sample_times_min))
        samples = _run(chosen, params, cov, regimen, sample_times)
    curves, metrics = {}, {}
    for analyte, conc in solution.concentrations.items():
        cmax, tmax = peak(times, conc)
        above = times_above(times, conc, thresholds_ng_per_ml)
        at = (
            {}
            if samples is None
            else dict(
                zip(
                    (float(t) for t in samples.times_min),
                    samples.concentrations[analyte][0],
                    strict=True,
                )
            )
        )
        curves[analyte] = conc[0]
        metrics[analyte] = Metrics(
            float(cmax[0]),
            float(tmax[0]),
            float(solution.auc_ng_h_per_ml[analyte][0]),
            float(solution.auc_inf_ng_h_per_ml[analyte][0]),
            {t: float(v[0]) for t, v in above.items()},
            {t: float(v) for t, v in at.items()},
        )
    return Simulation(chosen, times, curves, metrics, tuple(warnings))


# Domino, Clements 250 and Hijazi are fixed-parameter sets: none reports (see the sections
# docs/clinical/pk.md#tci-micro-constant-sets, docs/clinical/pk.md#esketamine-models and the
# section docs/clinical/pk.md#model-disagreement)
# inter-individual variability. For a population spread they borrow the clearance and central
# volume CVs of Herd 2007 (docs/clinical/pk.md#racemic-population-models; omega^2 of CL and V1 read
# from the herd2007 model data),
# applied to the elimination rate constant and V1. This is a documented CONFIG default, shown to
# the user as a warning, never presented as the model's own variability.
BORROWED_IIV_MODEL = "herd2007"
BORROWED_IIV_MAP = (("k10", "cl"), ("v1", "v1"))


def borrowed_variability(model: PKModel) -> tuple[dict[str, float], str]:
    """CVs for a model that reports none, borrowed from Herd 2007, and the note saying so.

    Raises:
        Invalid: ``pk.no_variability`` when the model lacks the parameters to borrow onto.
    """
    source = _resolve(BORROWED_IIV_MODEL)
    names = {p.name for p in model.parameters}
    if not all(target in names for target, _ in BORROWED_IIV_MAP):
        raise Invalid(
            "pk.no_variability",
            f"model {model.id} reports no inter-individual variability; give CVs explicitly",
            field="model",
        )
    cvs = {}
    for target, origin in BORROWED_IIV_MAP:
        omega2 = source.parameter(origin).iiv_omega2
        assert omega2 is not None  # noqa: S101 - herd2007 reports both (docs/clinical/pk.md#racemic-population-models)
        cvs[target] = math.sqrt(math.expm1(omega2))
    described = ", ".join(f"{k} CV {v:.1%}" for k, v in cvs.items())
    note = (
        f"{model.id} reports no inter-individual variability: the spread uses CVs borrowed "
        f"from {BORROWED_IIV_MODEL} ({described}; docs/clinical/pk.md#racemic-population-models)"
    )
    return cvs, note


def simulate_population(
    model: PKModel | str,
    weight_kg: float,
    regimen: Regimen,
    times_min: Sequence[float] | FloatArray,
    *,
    n: int,
    seed: int,
    covariates: Covariates | None = None,
    thresholds_ng_per_ml: Sequence[float] = (),
    iiv_cv: Mapping[str, float] | None = None,
) -> PopulationSimulation:
    """Simulate ``n`` virtual patients with the model's inter-individual variability.

    Args:
        model: A ``PKModel`` or its id.
        weight_kg: Body weight of every virtual patient.
        regimen: Doses to give.
        times_min: Output times in minutes.
        n: Number of virtual subjects (1 to ``MAX_SUBJECTS``).
        seed: Seed for ``numpy.random.default_rng``: the same seed gives the same subjects.
        covariates: Age / race covariates.
        thresholds_ng_per_ml: Thresholds for "time at or above".
        iiv_cv: Parameter -> CV overrides (a CONFIG choice). A model that reports no
            variability (Domino, Clements, Hijazi) without overrides gets the borrowed CVs of
            :func:`borrowed_variability`, and the result says so in its warnings.

    Returns:
        Percentile curves and per-subject metrics.

    Raises:
        Invalid: Bad inputs, or a model without variability that nothing can be borrowed for.
    """
    chosen, cov = _resolve(model), covariates or Covariates()
    if not 1 <= n <= MAX_SUBJECTS:
        raise Invalid("pk.population_size", f"population must be 1-{MAX_SUBJECTS}", field="n")
    warnings = _check(chosen, weight_kg, regimen, cov)
    times = check_times(times_min)
    if not iiv_cv and not variability(chosen):
        iiv_cv, note = borrowed_variability(chosen)
        warnings.append(note)
    params = sample_parameters(chosen, weight_kg, n, np.random.default_rng(seed), iiv_cv)
    solution = _run(chosen, params, cov, regimen, times)
    bands, per_subject = {}, {}
    for analyte, conc in solution.concentrations.items():
        cmax, tmax = peak(times, conc)
        metrics = {
            "cmax_ng_per_ml": cmax,
            "tmax_min": tmax,
            "auc_ng_h_per_ml": solution.auc_ng_h_per_ml[analyte],
            "auc_inf_ng_h_per_ml": solution.auc_inf_ng_h_per_ml[analyte],
        }
        for t, v in times_above(times, conc, thresholds_ng_per_ml).items():
            metrics[f"time_above_{t:g}"] = v
        bands[analyte] = percentiles(conc)
        per_subject[analyte] = metrics
    return PopulationSimulation(chosen, times, n, seed, bands, per_subject, tuple(warnings))
