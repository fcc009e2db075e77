"""Spec: the default rule table and the benchmark data carry their sources."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.outcomes import (
    DEFAULT_RULES,
    NRS_SUBSTANTIAL_RESPONSE,
    RULES_VERSION,
    Comparison,
    ControlCondition,
    Evidence,
    Indication,
    InstrumentRules,
    Metric,
    RelapseBand,
    RemissionRule,
    ResponseRule,
    Treatment,
    benchmarks_for,
    load_benchmarks,
    normalise_instrument_id,
)


@pytest.mark.parametrize(
    ("instrument", "response_pct", "remission", "moderate_from"),
    [
        pytest.param("phq9", 50, (5, Comparison.BELOW), 10, id="phq9"),
        pytest.param("madrs", 50, (10, Comparison.AT_MOST), 22, id="madrs"),
        pytest.param("qidssr16", 50, (5, Comparison.AT_MOST), 11, id="qids-sr16"),
        pytest.param("hamd17", 50, (7, Comparison.AT_MOST), 14, id="hamd17"),
        pytest.param("bdi2", 50, (12, Comparison.AT_MOST), 20, id="bdi2"),
        pytest.param("gad7", 50, (5, Comparison.BELOW), 10, id="gad7"),
        pytest.param("pcl5", 30, (33, Comparison.BELOW), None, id="pcl5"),
        pytest.param("nrs11", 30, None, None, id="pain-nrs"),
        pytest.param("fiqr", None, (23, Comparison.AT_MOST), 41, id="fiqr"),
    ],
)
def test_default_rule_table(
    instrument: str,
    response_pct: float | None,
    remission: tuple[float, Comparison] | None,
    moderate_from: float | None,
) -> None:
    rules = DEFAULT_RULES.for_instrument(instrument)
    assert rules is not None
    assert (rules.response and rules.response.min_reduction_pct) == response_pct
    assert (rules.remission and (rules.remission.cutoff, rules.remission.comparison)) == remission
    assert (rules.relapse_band and rules.relapse_band.moderate_from) == moderate_from


def test_every_default_rule_cites_a_source_and_evidence() -> None:
    assert DEFAULT_RULES.version == RULES_VERSION
    for rules in DEFAULT_RULES.instruments:
        for part in (rules.response, rules.remission, rules.relapse_band, rules.mcid):
            if part is not None:
                assert part.source.strip(), rules.instrument_id
                assert isinstance(part.evidence, Evidence)


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        pytest.param("PHQ-9", "phq9", id="phq-9"),
        pytest.param("QIDS_SR16", "qidssr16", id="qids"),
        pytest.param("BDI-II", "bdi2", id="bdi-ii"),
        pytest.param("HAM-D", "hamd17", id="ham-d"),
        pytest.param("C-SSRS", "cssrsscreener", id="c-ssrs"),
        pytest.param("pain_nrs", "nrs11", id="pain-nrs"),
        pytest.param("nrs-pain", "nrs11", id="catalogue-nrs-pain"),
        pytest.param("bpi-sf", "bpisf", id="catalogue-bpi-sf"),
        pytest.param("cssrs-screener", "cssrsscreener", id="catalogue-cssrs-screener"),
        pytest.param("qids-sr16", "qidssr16", id="catalogue-qids-sr16"),
    ],
)
def test_instrument_id_spellings(spelling: str, canonical: str) -> None:
    assert normalise_instrument_id(spelling) == canonical


def test_with_instrument_replaces_one_instrument_under_a_new_version() -> None:
    nrs = DEFAULT_RULES.for_instrument("nrs11")
    assert nrs is not None
    substantial = InstrumentRules("nrs11", response=NRS_SUBSTANTIAL_RESPONSE, mcid=nrs.mcid)
    custom = DEFAULT_RULES.with_instrument(substantial, version="clinic-a/1")
    assert custom.for_instrument("NRS-11") == substantial
    assert len(custom.instruments) == len(DEFAULT_RULES.instruments)
    assert DEFAULT_RULES.for_instrument("nrs11") == nrs  # the default is untouched


def test_customised_rules_must_change_the_version() -> None:
    phq9 = DEFAULT_RULES.for_instrument("phq9")
    assert phq9 is not None
    with pytest.raises(Invalid) as caught:
        DEFAULT_RULES.with_instrument(phq9, version=RULES_VERSION)
    assert caught.value.code == "outcomes.version_unchanged"


@pytest.mark.parametrize(
    ("build", "code"),
    [
        pytest.param(
            lambda: ResponseRule(0, "s", Evidence.CONFIG),
            "outcomes.response_pct_out_of_range",
            id="response-0pct",
        ),
        pytest.param(
            lambda: ResponseRule(101, "s", Evidence.CONFIG),
            "outcomes.response_pct_out_of_range",
            id="response-101pct",
        ),
        pytest.param(
            lambda: InstrumentRules(
                "x",
                remission=RemissionRule(10, Comparison.AT_MOST, "s", Evidence.CONFIG),
                relapse_band=RelapseBand(10, "s", Evidence.CONFIG),
            ),
            "outcomes.remission_overlaps_relapse_band",
            id="remission-reaches-moderate-band",
        ),
    ],
)
def test_rule_validation(build: Callable[[], object], code: str) -> None:
    with pytest.raises(Invalid) as caught:
        build()
    assert caught.value.code == code


def test_benchmarks_are_complete_and_cited() -> None:
    benchmarks = load_benchmarks()
    assert len(benchmarks) == 20
    assert len({b.key for b in benchmarks}) == len(benchmarks)
    for b in benchmarks:
        # The primary source leads (pages show it); the in-repo reference page follows it.
        primary, _, page = b.source.partition("; docs/clinical/")
        assert primary, b.key
        assert page.startswith(("outcomes.md#", "dosing.md#")), b.key
        assert b.control_detail
        if b.unit == "%":
            assert 0 <= b.value <= 100
            assert b.control_value is None or 0 <= b.control_value <= 100


@pytest.mark.parametrize(
    ("key", "value", "control_value", "control"),
    [
        pytest.param("elektd-qids-response", 55.4, 41.2, ControlCondition.ACTIVE_COMPARATOR),
        pytest.param("karmadep2-remission", 43.8, 30, ControlCondition.MIDAZOLAM),
        pytest.param("escapetrd-remission", 27.1, 17.6, ControlCondition.ACTIVE_COMPARATOR),
        pytest.param("feder2021-response", 67, 20, ControlCondition.MIDAZOLAM),
        pytest.param("taylor2018-response", 33.3, 0, ControlCondition.SALINE),
        pytest.param("murrough2013-bp-response", 70.8, None, ControlCondition.UNCONTROLLED),
    ],
)
def test_benchmark_values_match_the_reference(
    key: str, value: float, control_value: float | None, control: ControlCondition
) -> None:
    (b,) = [b for b in load_benchmarks() if b.key == key]
    assert (b.value, b.control_value, b.control) == (value, control_value, control)


@pytest.mark.parametrize(
    ("indication", "treatment", "keys"),
    [
        pytest.param(Indication.PTSD, None, {"feder2021-response"}, id="ptsd"),
        pytest.param(
            Indication.TREATMENT_RESISTANT_DEPRESSION,
            Treatment.ESKETAMINE,
            {
                "transform2-response",
                "transform2-remission",
                "transform-pooled-response",
                "sustain1-relapse",
                "escapetrd-remission",
                "esketamine-monotherapy-remission",
            },
            id="trd-esketamine",
        ),
        pytest.param(Indication.CHRONIC_PAIN, None, {"orhurhu2019-nrs"}, id="pain"),
    ],
)
def test_benchmarks_for_filters(
    indication: Indication, treatment: Treatment | None, keys: set[str]
) -> None:
    assert {b.key for b in benchmarks_for(indication, treatment=treatment)} == keys


def test_benchmark_as_dict_is_plain_json() -> None:
    (pain,) = benchmarks_for(Indication.CHRONIC_PAIN)
    data = pain.as_dict()
    assert data["metric"] == Metric.MEAN_DIFFERENCE.value == "mean_difference"
    assert data["unit"] == "NRS points"
    assert data["value"] == -1.83
    assert type(data["control"]) is str


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param({"key": "x"}, id="missing-fields"),
        pytest.param(
            {**load_benchmarks()[0].as_dict(), "control": "sham surgery"}, id="unknown-control"
        ),
    ],
)
def test_a_malformed_benchmark_entry_is_refused(entry: dict[str, object]) -> None:
    from ketacare.core.outcomes.benchmarks import _benchmark

    with pytest.raises(Invalid) as caught:
        _benchmark(entry)
    assert caught.value.code == "outcomes.benchmark_invalid"
