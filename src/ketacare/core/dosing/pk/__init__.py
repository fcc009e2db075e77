"""Pharmacokinetic concentration simulator (ketamine, esketamine, norketamine).

Public API for services, web and CLI::

    list_models() / get_model(model_id)
    simulate(model, weight_kg, regimen, times_min, ...) -> Simulation
    simulate_population(model, weight_kg, regimen, times_min, n=..., seed=...)
    Dose.bolus / Dose.infusion / Dose.nasal, Regimen.single / Regimen.repeated
    DEFAULT_BANDS, LITERATURE_RANGES, band_for
    models_for(drug, route) -> ModelSelection
"""

from ketacare.core.codes import Route
from ketacare.core.dosing.pk.bands import (
    DEFAULT_BANDS,
    LITERATURE_RANGES,
    Band,
    LiteratureRange,
    band_for,
)
from ketacare.core.dosing.pk.catalogue import get_model, list_models
from ketacare.core.dosing.pk.metrics import Metrics
from ketacare.core.dosing.pk.model import Covariates, Parameter, PKModel
from ketacare.core.dosing.pk.regimen import (
    Dose,
    Regimen,
    Salt,
)
from ketacare.core.dosing.pk.selection import ModelSelection, models_for
from ketacare.core.dosing.pk.simulate import (
    PopulationSimulation,
    Simulation,
    simulate,
    simulate_population,
)

__all__ = [
    "DEFAULT_BANDS",
    "LITERATURE_RANGES",
    "Band",
    "Covariates",
    "Dose",
    "LiteratureRange",
    "Metrics",
    "ModelSelection",
    "PKModel",
    "Parameter",
    "PopulationSimulation",
    "Regimen",
    "Route",
    "Salt",
    "Simulation",
    "band_for",
    "get_model",
    "list_models",
    "models_for",
    "simulate",
    "simulate_population",
]
