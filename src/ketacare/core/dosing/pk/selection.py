"""Which PK models to show for a drug and route: a clinical choice, cited to docs/clinical/pk.md.

The models disagree (docs/clinical/pk.md#model-disagreement: for 0.5 mg/kg over 40 min the
end-of-infusion predictions of
Domino, Clements 250, Hijazi and Herd span roughly 177-253 ng/mL), so the display names one
main model and draws the others beside it to show the spread. The 5-95 % population band comes
from the first shown model that reports inter-individual variability; a variability is never
invented for a model that reports none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ketacare.core.dosing.pk.catalogue import get_model
from ketacare.core.dosing.pk.model import PKModel
from ketacare.core.errors import Invalid

#: Why the band comes from the model it does: variability as each source reports it.
POPULATION_SOURCE = (
    "docs/clinical/pk.md#tci-micro-constant-sets (Domino, Clements 250, Hijazi: micro-constant "
    "sets, no variability reported), "
    "#racemic-population-models (Herd 2007 BSV) and #esketamine-models (Perez-Ruixo 2021 IIV); "
    "sampled as in "
    "#closed-form-maths (log-normal, omega^2 = ln(1 + CV^2))"
)


@dataclass(frozen=True, slots=True)
class _Choice:
    """One row of the selection table: the models for a drug and route, with citations."""

    main: str
    main_source: str
    alternatives: tuple[str, ...]
    alternatives_source: str


# Keyed by the order's (drug, route) as protocols spell them.
# docs/clinical/pk.md#gaps-and-recommendations also recommends an
# IV-data model (Fanta; Flint for long infusions) for IV S-ketamine; no protocol orders it yet,
# so there is no row for it and such an order gets no prediction.
_CHOICES: Mapping[tuple[str, str], _Choice] = {
    ("ketamine", "iv"): _Choice(
        main="domino",
        main_source=(
            "docs/clinical/pk.md#gaps-and-recommendations: 'For racemic IV depression dosing, "
            "start with Domino (TCI standard)'"
        ),
        alternatives=("clements250", "hijazi", "herd2007"),
        alternatives_source=(
            "docs/clinical/pk.md#gaps-and-recommendations: 'Herd/Clements as alternatives; show "
            "the spread'; Hijazi joins them as "
            "one of the four racemic models whose spread docs/clinical/pk.md#model-disagreement "
            "reports"
        ),
    ),
    ("esketamine", "intranasal"): _Choice(
        main="perez-ruixo2021",
        main_source=(
            "docs/clinical/pk.md#gaps-and-recommendations: 'For intranasal esketamine use "
            "Perez-Ruixo (with the noresketamine AUC "
            "caveat)'"
        ),
        alternatives=(),
        alternatives_source="docs/clinical/pk.md#gaps-and-recommendations names no alternative for "
        "intranasal esketamine",
    ),
}


@dataclass(frozen=True, slots=True)
class ModelSelection:
    """The PK models shown for one drug and route, and where the choice comes from.

    Attributes:
        drug: The drug as the order names it (e.g. ``"ketamine"``).
        route: The route as the order names it (e.g. ``"iv"``).
        main: Id of the main model: drawn first and named in the display.
        main_source: The docs/clinical/pk.md section that picks the main model.
        alternatives: Ids of the models drawn beside it to show the spread, in display order.
        alternatives_source: The docs/clinical/pk.md section that picks the alternatives.
        population: Id of the model whose variability gives the 5-95 % band, or None when no
            shown model reports variability (then no band is drawn).
        population_reason: Why that model gives the band, in words fit for the display.
        population_source: The docs/clinical/pk.md sections that report each model's variability.
    """

    drug: str
    route: str
    main: str
    main_source: str
    alternatives: tuple[str, ...]
    alternatives_source: str
    population: str | None
    population_reason: str
    population_source: str

    @property
    def model_ids(self) -> tuple[str, ...]:
        """Every shown model id, the main one first."""
        return (self.main, *self.alternatives)


def models_for(drug: str, route: str) -> ModelSelection:
    """Return the PK models to show for ``drug`` given by ``route``.

    Sources: docs/clinical/pk.md#gaps-and-recommendations.

    Args:
        drug: The drug as the order names it (``"ketamine"``, ``"esketamine"``).
        route: The route as the order names it (``"iv"``, ``"intranasal"``).

    Returns:
        The main model, its alternatives and the model of the population band, each cited.

    Raises:
        Invalid: ``pk.no_model`` (field ``protocol``) when no model applies to the pair.
    """
    choice = _CHOICES.get((drug, route))
    if choice is None:
        raise Invalid(
            "pk.no_model", f"no PK model for {drug} by the {route} route", field="protocol"
        )
    models = [get_model(model_id) for model_id in (choice.main, *choice.alternatives)]
    population = next((m for m in models if m.has_variability), None)
    return ModelSelection(
        drug=drug,
        route=route,
        main=choice.main,
        main_source=choice.main_source,
        alternatives=choice.alternatives,
        alternatives_source=choice.alternatives_source,
        population=None if population is None else population.id,
        population_reason=_population_reason(models[0], population),
        population_source=POPULATION_SOURCE,
    )


def _population_reason(main: PKModel, chosen: PKModel | None) -> str:
    """Say which model the band comes from and why.

    Sources: docs/clinical/pk.md#tci-micro-constant-sets,
    docs/clinical/pk.md#racemic-population-models, docs/clinical/pk.md#esketamine-models.
    """
    if chosen is None:
        return "None of the shown models reports inter-individual variability; no band is drawn."
    if chosen is main:
        return f"{main.name} reports inter-individual variability; the 5-95 % band is from it."
    return (
        f"{main.name} reports no inter-individual variability; the 5-95 % band is from "
        f"{chosen.name}."
    )
