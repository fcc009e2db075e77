"""Severity bands agree with the outcome rules at every total, integer or fractional.

For every catalogue scale the walk covers every total from the lowest to the highest the scale
can reach, in steps of 0.01 and of the fractions the engine produces (prorated sums in 1/7 and
1/8, FIQR domains in 1/24), plus values just either side of each band edge. Where a rule's cut
and a band edge separate the same integer totals, the band and the rule must put every value,
fractional ones included, on the same side (FIQR 23.33 is not remission, so it is not the
'remission' band). A positive screen never shows a 'none'-like band. Then every total a real
form reaches (each item stepped from its lowest to its highest score, and with a prorated item
left blank) is scored by the engine, and its band is the band of the total it displays.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

import pytest

from ketacare.core.instruments import Instrument, load_catalogue, score, severity_band
from ketacare.core.instruments.answers import (
    Normalised,
    allowed_values,
    item_score,
    resolve_parameters,
)
from ketacare.core.instruments.bands import as_number, band_edges, lower_edge
from ketacare.core.instruments.model import Answer, ItemKind
from ketacare.core.instruments.scoring import OPERATORS, total_bounds
from ketacare.core.outcomes import DEFAULT_RULES

CATALOGUE = load_catalogue()
#: Steps of the walk: 0.01, and the resolutions of proration (9/7, 9/8) and FIQR (1/24).
STEPS = (Fraction(1, 100), Fraction(1, 7), Fraction(1, 8), Fraction(1, 24))
#: Bands that read as "no problem": a positive screen must never show one of them.
NONE_LIKE = frozenset({"none", "none_minimal", "minimal", "normal", "negative", "unlikely"})

#: Which rule shares an edge with which band (the band starting at the rule's cut), per scale.
#: A rule absent here has its cut inside a band, as published (e.g. MADRS remission <= 10 lies
#: in 'mild' 7-19; MADRS relapse >= 22 in 'moderate' 20-34; BDI-II remission <= 12 in
#: 'minimal' 0-13), so no band claims to be that rule.
ALIGNED: Mapping[str, frozenset[tuple[str, str]]] = {
    "phq9": frozenset({("remission", "mild"), ("relapse", "moderate")}),
    "gad7": frozenset({("remission", "mild"), ("relapse", "moderate")}),
    "fiqr": frozenset({("remission", "mild"), ("relapse", "moderate")}),
    "hamd17": frozenset({("remission", "mild"), ("relapse", "moderate")}),
    "qids-sr16": frozenset({("remission", "mild"), ("relapse", "moderate")}),
    "bdi2": frozenset({("relapse", "moderate")}),
    "lsas": frozenset({("relapse", "moderate")}),
    "spin": frozenset({("flag:positive_screen", "positive_below_mild")}),
}


@dataclass(frozen=True)
class Rule:
    """A rule on the total, as the predicate "this value is on the rule's upper side"."""

    name: str
    upper: Callable[[Fraction], bool]
    screen: bool = False


def _on_side(
    test: Callable[[Fraction, Fraction], bool], cut: Fraction, *, rising: bool
) -> Callable[[Fraction], bool]:
    return lambda v: test(v, cut) is rising


def _rules(instrument: Instrument, context: Mapping[str, str]) -> list[Rule]:
    params = resolve_parameters(instrument, context)
    rules: list[Rule] = []
    remission = instrument.outcomes.remission
    if remission is not None:
        cut, test = Fraction(str(remission.value)), OPERATORS[remission.op]
        rules.append(Rule("remission", lambda v: not test(v, cut)))
    outcome_rules = DEFAULT_RULES.for_instrument(instrument.id)
    if outcome_rules is not None and outcome_rules.relapse_band is not None:
        relapse = outcome_rules.relapse_band
        rules.append(Rule("relapse", lambda v: relapse.met(float(v))))
    for flag in instrument.flags:
        if flag.target != "total":
            continue
        value = Fraction(str(as_number(params.resolve(flag.value))))
        fires = OPERATORS[flag.op]
        rising = flag.op in {">=", ">"}
        rules.append(
            Rule(
                f"flag:{flag.id}",
                _on_side(fires, value, rising=rising),
                screen=rising,
            )
        )
    return rules


def _contexts(instrument: Instrument) -> list[dict[str, str]]:
    contexts: list[dict[str, str]] = [{}]
    for parameter in instrument.parameters:
        choices = list(parameter.choices) or list(parameter.values)
        if parameter.kind == "int" and parameter.min is not None and parameter.max is not None:
            default = int(parameter.default)
            wanted = {int(parameter.min), int(parameter.max), default - 1, default, default + 1}
            choices = [str(v) for v in sorted(wanted) if parameter.min <= v <= parameter.max]
        contexts.extend({parameter.name: c} for c in choices if c != parameter.default)
    return contexts


def _grid(instrument: Instrument, context: Mapping[str, str]) -> list[Fraction]:
    low, high = (Fraction(v) for v in total_bounds(instrument, context))
    values = {low, high}
    for step in STEPS:
        start = (low / step).__ceil__()
        values.update(k * step for k in range(start, int(high / step) + 1))
    if instrument.bands is not None:
        params = resolve_parameters(instrument, context)
        for band in instrument.bands.bands:
            edge = Fraction(str(lower_edge(band, params)[0]))
            values.update(edge + d for d in (Fraction(-1, 1000), 0, Fraction(1, 1000)))
    return sorted(v for v in values if low <= v <= high)


def _index(instrument: Instrument, band: str | None) -> int:
    ids = [b.id for b in instrument.bands.bands] if instrument.bands else []
    return -1 if band is None else ids.index(band)


def _aligned(
    instrument: Instrument, grid: list[Fraction], bands: list[str | None], rule: Rule
) -> list[int]:
    """Band indices k whose edge separates the integer totals exactly as ``rule`` does."""
    count = len(instrument.bands.bands) if instrument.bands else 0
    whole = [(v, b) for v, b in zip(grid, bands, strict=True) if v.denominator == 1]
    upper = [rule.upper(v) for v, _ in whole]
    return [
        k
        for k in range(count)
        if [_index(instrument, b) >= k for _, b in whole] == upper and any(upper)
    ]


BANDED_ON_TOTAL = [
    i for i in CATALOGUE if i.total_range is not None and (i.bands is None or i.bands.on == "total")
]


@pytest.mark.parametrize("instrument", BANDED_ON_TOTAL, ids=lambda i: i.id)
def test_bands_agree_with_rules_at_every_total(instrument: Instrument) -> None:
    for context in _contexts(instrument):
        grid = _grid(instrument, context)
        bands = [severity_band(instrument, v, context) for v in grid]
        first = next((v for v, b in zip(grid, bands, strict=True) if b is not None), None)
        if instrument.bands is not None:
            # No gap: from the first band up, every value has a band.
            assert first is not None
            assert all(b is not None for v, b in zip(grid, bands, strict=True) if v >= first)
        aligned: set[tuple[str, str]] = set()
        ids = [b.id for b in instrument.bands.bands] if instrument.bands else []
        for rule in _rules(instrument, context):
            for k in _aligned(instrument, grid, bands, rule):
                aligned.add((rule.name, ids[k]))
                for value, band in zip(grid, bands, strict=True):
                    assert (_index(instrument, band) >= k) is rule.upper(value), (
                        f"{instrument.id} {context}: total {float(value)} is in band {band} "
                        f"but on the other side of {rule.name}"
                    )
            if rule.screen:
                for value, band in zip(grid, bands, strict=True):
                    if rule.upper(value):
                        assert band not in NONE_LIKE, (instrument.id, context, float(value))
        if not context:
            assert aligned == ALIGNED.get(instrument.id, frozenset())


def test_fiqr_23_33_is_mild_and_not_remission() -> None:
    fiqr = CATALOGUE.get("fiqr")
    assert severity_band(fiqr, Fraction(70, 3)) == "mild"
    assert severity_band(fiqr, 23) == "remission"
    assert severity_band(fiqr, Fraction(2301, 100)) == "mild"
    assert severity_band(fiqr, 24) == "mild"


EDGES = [
    # instrument, total, band: each open or closed edge at the cut of its rule
    pytest.param("fiqr", "23", "remission", id="fiqr-23-remission-le-23"),
    pytest.param("fiqr", "23.01", "mild", id="fiqr-23.01-mild"),
    pytest.param("fiqr", "40.99", "mild", id="fiqr-40.99-mild"),
    pytest.param("fiqr", "41", "moderate", id="fiqr-41-moderate-relapse-ge-41"),
    pytest.param("hamd17", "7", "normal", id="hamd-7-normal-remission-le-7"),
    pytest.param("hamd17", "7.5", "mild", id="hamd-7.5-mild"),
    pytest.param("hamd17", "13.99", "mild", id="hamd-13.99-mild"),
    pytest.param("hamd17", "14", "moderate", id="hamd-14-moderate-relapse"),
    pytest.param("qids-sr16", "5", "none", id="qids-5-none-remission-le-5"),
    pytest.param("qids-sr16", "5.01", "mild", id="qids-5.01-mild"),
    pytest.param("qids-sr16", "11", "moderate", id="qids-11-moderate"),
    pytest.param("phq9", "4.99", "none_minimal", id="phq9-4.99-remission-lt-5"),
    pytest.param("phq9", "5", "mild", id="phq9-5-mild"),
    pytest.param("phq9", "9.99", "mild", id="phq9-9.99-mild"),
    pytest.param("phq9", "10", "moderate", id="phq9-10-moderate-relapse-ge-10"),
    pytest.param("gad7", "4.5", "minimal", id="gad7-4.5-minimal"),
    pytest.param("gad7", "5", "mild", id="gad7-5-mild"),
    pytest.param("spin", "18.99", "none", id="spin-18.99-none"),
    pytest.param("spin", "19", "positive_below_mild", id="spin-19-positive"),
    pytest.param("spin", "20.5", "positive_below_mild", id="spin-20.5-positive"),
    pytest.param("spin", "21", "mild", id="spin-21-mild"),
    pytest.param("lsas", "49.99", None, id="lsas-49.99-no-band"),
    pytest.param("lsas", "50", "moderate", id="lsas-50-moderate"),
]


@pytest.mark.parametrize(("instrument_id", "total", "band"), EDGES)
def test_band_at_each_edge(instrument_id: str, total: str, band: str | None) -> None:
    assert severity_band(CATALOGUE.get(instrument_id), Fraction(total)) == band


def _options(instrument: Instrument, context: Mapping[str, str]) -> list[list[Normalised]]:
    coding = resolve_parameters(instrument, context).coding()
    out: list[list[Normalised]] = []
    for item in instrument.items:
        values: list[Normalised]
        if item.kind is ItemKind.YES_NO:
            values = [True, False]
        else:
            rated = allowed_values(item, coding)
            values = [v for v in rated if coding is None or v != coding.not_rated]
        out.append(sorted(values, key=lambda v: item_score(item, v) or 0))
    return out


def _forms(instrument: Instrument, context: Mapping[str, str]) -> Iterator[list[Answer]]:
    """Every item stepped from its lowest to its highest score, one item after another."""
    options = _options(instrument, context)
    answers: list[Answer] = [o[0] for o in options]
    yield list(answers)
    for index, values in enumerate(options):
        for value in values[1:]:
            answers[index] = value
            yield list(answers)


def _prorated_blanks(instrument: Instrument) -> list[tuple[int, ...]]:
    """Item positions that may be left blank and prorated (none when nothing is prorated)."""
    ids = [i.id for i in instrument.items]
    blanks: list[tuple[int, ...]] = []
    scoring = instrument.scoring
    if scoring.prorate:
        free = [i for i in ids if i not in scoring.required_items]
        blanks += [(ids.index(free[0]),), (ids.index(free[0]), ids.index(free[1]))]
    blanks += [(ids.index(c.items[0]),) for c in scoring.components if c.prorate]
    return blanks


@pytest.mark.parametrize("instrument", BANDED_ON_TOTAL, ids=lambda i: i.id)
def test_scored_forms_show_the_band_of_their_displayed_total(instrument: Instrument) -> None:
    checked = 0
    for context in _contexts(instrument):
        for blanks in [(), *_prorated_blanks(instrument)]:
            for answers in _forms(instrument, context):
                form = [None if i in blanks else a for i, a in enumerate(answers)]
                result = score(instrument, form, context)
                if not result.valid or result.total is None:
                    continue
                shown = Fraction(str(result.total))
                assert result.severity == severity_band(instrument, shown, context), (
                    instrument.id,
                    context,
                    form,
                    result.total,
                )
                remission = instrument.outcomes.remission
                if remission is not None and result.severity == "remission":
                    cut = Fraction(str(remission.value))
                    assert OPERATORS[remission.op](shown, cut)
                checked += 1
    assert checked > 0


def test_the_walk_reaches_fractional_fiqr_and_phq9_totals() -> None:
    fiqr = CATALOGUE.get("fiqr")
    # Function sum 1 (/ 3 = 1/3) + overall 0 + symptoms sum 46 (/ 2 = 23) = 23 1/3.
    answers: list[Answer] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 6, 0, 0, 0, 0, 0]
    result = score(fiqr, answers)
    assert (result.total, result.severity) == (23.33, "mild")
    phq9 = CATALOGUE.get("phq9")
    result = score(phq9, [None, 1, 1, 1, 1, 0, 0, 0, 0])  # 4 x 9/8 = 4.5
    assert (result.total, result.severity) == (4.5, "none_minimal")
    assert Fraction(str(result.total)) < 5


BPI_BANDS = [
    # worst or average pain item (an integer 0-10): 0 has no band, then 1-4, 5-6, 7-10
    *(pytest.param(v, None if v == 0 else "mild", id=f"item-{v}") for v in range(5)),
    *(pytest.param(v, "moderate", id=f"item-{v}") for v in (5, 6)),
    *(pytest.param(v, "severe", id=f"item-{v}") for v in range(7, 11)),
]


@pytest.mark.parametrize(("value", "band"), BPI_BANDS)
@pytest.mark.parametrize("band_item", ["worst", "average"])
def test_bpi_sf_bands_every_value_of_the_banded_item(value: int, band: str | None, band_item: str):
    bpi = CATALOGUE.get("bpi-sf")
    index = 0 if band_item == "worst" else 2
    answers: list[Answer] = [0] * len(bpi.items)
    answers[index] = value
    result = score(bpi, answers, {"band_item": band_item})
    assert result.severity == band


def _cssrs_forms() -> Iterator[list[Answer]]:
    """Every C-SSRS screener form a clinician can fill in, blanks included, with its branching."""
    choices: list[Answer] = [True, False, None]
    for q1, q2, q6 in itertools.product(choices, repeat=3):
        middles = itertools.product(choices, repeat=3) if q2 is True else [(None, None, None)]
        for q3, q4, q5 in middles:
            for recent in choices if q6 is True else [None]:
                yield [q1, q2, q3, q4, q5, q6, recent]


def test_cssrs_tier_is_never_none_when_a_question_is_positive() -> None:
    cssrs = CATALOGUE.get("cssrs-screener")
    seen = set()
    for answers in _cssrs_forms():
        result = score(cssrs, answers)
        seen.add(result.severity)
        if any(a is True for a in answers):
            assert result.severity != "none", answers
            assert result.flags, answers
        if result.severity == "low":  # yes to Q1/Q2 only: no method, intent, plan, behaviour
            assert not any(a is True for a in answers[2:]), answers
    assert seen == {None, "none", "low", "moderate", "high"}


EDGE_TABLE = [
    # instrument, context, (band id, continuous lower edge) in order: what a chart draws
    pytest.param(
        "fiqr",
        {},
        [("remission", 0), ("mild", 23), ("moderate", 41), ("severe", 64), ("very_severe", 83)],
        id="fiqr-mild-from-above-23",
    ),
    pytest.param(
        "spin",
        {"cutoff": "17"},
        [
            ("none", 0),
            ("positive_below_mild", 17),
            ("mild", 21),
            ("moderate", 31),
            ("severe", 41),
            ("very_severe", 51),
        ],
        id="spin-positive-from-the-cut-off",
    ),
    pytest.param("bpi-sf", {}, [], id="bpi-bands-on-an-item-not-the-total"),
]


@pytest.mark.parametrize(("instrument_id", "context", "edges"), EDGE_TABLE)
def test_band_edges(instrument_id: str, context: dict[str, str], edges: list[tuple[str, int]]):
    found = band_edges(CATALOGUE.get(instrument_id), context)
    assert [(band.id, edge) for band, edge in found] == edges
