"""Catalogue invariants: every shipped definition is complete, consistent and cited."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from ketacare.core.errors import Invalid, NotFound
from ketacare.core.instruments import load_catalogue, total_bounds
from ketacare.core.instruments.catalogue_loader import parse_instrument
from ketacare.core.instruments.rules import RULES

SHIPPED = [
    "phq9", "phq2", "gad7", "pcl5", "cssrs-screener", "qids-sr16", "madrs", "hamd17", "bdi2",
    "nrs-pain", "peg3", "bpi-sf", "fiqr", "dn4", "paindetect", "crps-css", "cadss",
    "bprs-positive", "moaas", "aldrete", "padss", "dast10", "auditc", "spin", "lsas", "whodas12",
    "ymrs", "stop_bang",
]  # fmt: skip
SHIPS_TEXT = {"phq9", "phq2", "gad7", "pcl5", "nrs-pain", "peg3", "auditc", "moaas"}
ITEM_COUNTS = {"phq9": 9, "phq2": 2, "gad7": 7, "pcl5": 20, "cssrs-screener": 7, "qids-sr16": 16,
               "madrs": 10, "hamd17": 17, "bdi2": 21, "nrs-pain": 1, "peg3": 3, "bpi-sf": 11,
               "fiqr": 21, "dn4": 10, "paindetect": 9, "crps-css": 17, "cadss": 23,
               "bprs-positive": 4, "moaas": 1, "aldrete": 5, "padss": 5, "dast10": 10,
               "auditc": 3, "spin": 17, "lsas": 48, "whodas12": 12, "ymrs": 11,
               "stop_bang": 8}  # fmt: skip
INSTRUMENTS = [pytest.param(load_catalogue().get(i), id=i) for i in SHIPPED]


def test_ships_exactly_the_required_ids():
    assert sorted(i.id for i in load_catalogue().list()) == sorted(SHIPPED)


@pytest.mark.parametrize(
    ("spelled", "catalogue_id"), [("stop-bang", "stop_bang"), ("cssrs_screener", "cssrs-screener")]
)
def test_a_multiword_id_is_found_with_either_separator(spelled, catalogue_id):
    assert load_catalogue().get(spelled).id == catalogue_id


def test_load_is_cached():
    assert load_catalogue() is load_catalogue()


def test_unknown_id_is_not_found():
    with pytest.raises(NotFound) as excinfo:
        load_catalogue().get("phq10")
    assert excinfo.value.code == "instrument.not_found"


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_item_count(instrument):
    assert len(instrument.items) == ITEM_COUNTS[instrument.id]


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_declared_total_range_matches_the_items(instrument):
    if instrument.total_range is None:
        assert instrument.scoring.method == "none"
        return
    assert total_bounds(instrument) == instrument.total_range


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_item_wording_ships_only_where_licence_allows(instrument):
    ships = instrument.id in SHIPS_TEXT
    assert instrument.licence.ships_text is ships
    wording = [item.text for item in instrument.items if item.text]
    wording += [o.label for item in instrument.items for o in item.options if o.label != o.code]
    assert bool(wording) is ships
    if not ships:
        assert instrument.stem is None


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_every_rule_is_cited(instrument):
    assert instrument.source
    assert instrument.scoring.source
    assert instrument.licence.source
    if instrument.bands:
        assert instrument.bands.source
    assert all(f.source for f in instrument.flags)
    assert all(p.source and p.description for p in instrument.parameters)
    for rule in (instrument.outcomes.response, instrument.outcomes.remission):
        assert rule is None or rule.source
    assert not instrument.scoring.required_items or instrument.scoring.required_source


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_bands_are_snake_case_and_ascending(instrument):
    if instrument.bands is None:
        return
    mins = [b.min for b in instrument.bands.bands if not isinstance(b.min, str)]
    assert mins == sorted(mins)
    for band in instrument.bands.bands:
        assert band.id == band.id.lower().replace(" ", "_")
        if band.max is not None and not isinstance(band.min, str):
            assert band.min <= band.max


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_references_resolve(instrument):
    ids = {item.id for item in instrument.items}
    for component in (*instrument.scoring.components, *instrument.subscales):
        assert set(component.items) <= ids
    for flag in instrument.flags:
        if flag.target.startswith("item:"):
            assert flag.target.removeprefix("item:") in ids
    assert set(instrument.special) <= set(RULES)
    assert set(instrument.scoring.required_items) <= ids
    for parameter in instrument.parameters:
        assert not parameter.choices or parameter.default in parameter.choices


def test_bad_definition_is_reported_with_its_id():
    with pytest.raises(Invalid, match="broken"):
        parse_instrument({"id": "broken", "items": []})


def _fiqr_with_mild_above(above):
    raw = json.loads(
        files("ketacare.core.instruments").joinpath("catalogue/fiqr.json").read_text("utf-8")
    )
    raw["bands"]["bands"][1]["above"] = above
    return raw


@pytest.mark.parametrize("above", [23, 23.5])
def test_open_band_edge_inside_the_integer_gap_is_accepted(above):
    bands = parse_instrument(_fiqr_with_mild_above(above)).bands
    assert bands is not None
    assert bands.bands[1].above == above


@pytest.mark.parametrize("above", [22, 24, 30])
def test_open_band_edge_that_would_move_an_integer_total_is_refused(above):
    with pytest.raises(Invalid, match="above"):
        parse_instrument(_fiqr_with_mild_above(above))


def test_required_item_that_is_not_an_item_is_refused():
    raw = json.loads(
        files("ketacare.core.instruments").joinpath("catalogue/phq9.json").read_text("utf-8")
    )
    raw["scoring"]["required_items"] = ["10"]
    with pytest.raises(Invalid, match="required_items"):
        parse_instrument(raw)
