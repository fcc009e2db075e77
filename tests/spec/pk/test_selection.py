"""Spec: which PK models are shown for a drug and route.

Sources: docs/clinical/pk.md#gaps-and-recommendations, docs/clinical/pk.md#model-disagreement; bands
from #tci-micro-constant-sets, #racemic-population-models, #esketamine-models.
"""

from __future__ import annotations

import pytest

from ketacare.core.dosing.pk import ModelSelection, get_model, models_for
from ketacare.core.errors import Invalid

# drug, route -> main model, alternatives in display order, model of the 5-95 % band.
SELECTIONS = [
    pytest.param(
        "ketamine",
        "iv",
        "domino",
        ("clements250", "hijazi", "herd2007"),
        "herd2007",
        id="racemic-iv-domino-with-the-spread",
    ),
    pytest.param(
        "esketamine",
        "intranasal",
        "perez-ruixo2021",
        (),
        "perez-ruixo2021",
        id="esketamine-nasal-perez-ruixo",
    ),
]


@pytest.mark.parametrize(("drug", "route", "main", "alternatives", "population"), SELECTIONS)
def test_models_for_a_drug_and_route(
    drug: str, route: str, main: str, alternatives: tuple[str, ...], population: str
) -> None:
    selection = models_for(drug, route)
    assert (selection.drug, selection.route) == (drug, route)
    assert selection.main == main
    assert selection.alternatives == alternatives
    assert selection.model_ids == (main, *alternatives)
    assert selection.population == population


@pytest.mark.parametrize(("drug", "route", "main", "alternatives", "population"), SELECTIONS)
def test_every_choice_cites_its_pk_md_section(
    drug: str, route: str, main: str, alternatives: tuple[str, ...], population: str
) -> None:
    selection = models_for(drug, route)
    assert "docs/clinical/pk.md#gaps-and-recommendations" in selection.main_source
    assert "docs/clinical/pk.md#gaps-and-recommendations" in selection.alternatives_source
    assert "docs/clinical/pk.md#tci-micro-constant-sets" in selection.population_source
    assert selection.population_reason
    for model_id in (main, *alternatives, population):
        assert get_model(model_id).source  # every shown model is in the catalogue


def test_the_band_is_never_from_a_model_without_variability() -> None:
    # Domino, Clements 250 and Hijazi report no variability; Herd 2007 does (see the sections
    # named docs/clinical/pk.md#tci-micro-constant-sets and #racemic-population-models).
    selection = models_for("ketamine", "iv")
    assert selection.population is not None
    skipped = selection.model_ids[: selection.model_ids.index(selection.population)]
    assert [get_model(m).has_variability for m in skipped] == [False, False, False]
    assert get_model(selection.population).has_variability
    assert selection.population_reason == (
        "Domino (TCI set) reports no inter-individual variability; the 5-95 % band is from "
        "Herd 2007 (paediatric, allometric)."
    )


def test_a_main_model_with_variability_gives_its_own_band() -> None:
    selection = models_for("esketamine", "intranasal")
    assert selection.population == selection.main
    assert "reports inter-individual variability" in selection.population_reason


def test_the_racemic_alternatives_are_the_four_models_whose_spread_pk_md_reports() -> None:
    # The four racemic models span roughly 177-253 ng/mL at the end of 0.5 mg/kg over 40 min, as
    # docs/clinical/pk.md#model-disagreement reports.
    selection = models_for("ketamine", "iv")
    assert "docs/clinical/pk.md#model-disagreement" in selection.alternatives_source
    assert {get_model(m).name.split()[0] for m in selection.model_ids} == {
        "Domino",
        "Clements",
        "Hijazi",
        "Herd",
    }


@pytest.mark.parametrize(
    ("drug", "route"),
    [
        pytest.param("esketamine", "iv", id="iv-esketamine-not-chosen-yet"),
        pytest.param("ketamine", "intranasal", id="nasal-racemic"),
        pytest.param("Ketamine", "IV", id="spelling-is-exact"),
        pytest.param("midazolam", "iv", id="other-drug"),
    ],
)
def test_no_model_for_other_drugs_and_routes(drug: str, route: str) -> None:
    with pytest.raises(Invalid) as refused:
        models_for(drug, route)
    assert refused.value.code == "pk.no_model"
    assert refused.value.field == "protocol"
    assert refused.value.message == f"no PK model for {drug} by the {route} route"


def test_selection_is_a_frozen_value() -> None:
    selection = models_for("ketamine", "iv")
    assert isinstance(selection, ModelSelection)
    with pytest.raises(AttributeError):
        selection.main = "hijazi"  # type: ignore[misc]
    assert models_for("ketamine", "iv") == selection
