"""The protocol library: built-in protocols as data, custom protocols validated field by field."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from ketacare.core.codes import Drug, Route
from ketacare.core.dosing.library import builtin_protocols, get_protocol, list_protocols
from ketacare.core.dosing.limits import LimitName
from ketacare.core.dosing.protocol import Protocol
from ketacare.core.dosing.rules import DeviceRule, InfusionRule
from ketacare.core.errors import Conflict, Invalid

D = Decimal  # short alias keeps the worked-example tables readable

REQUIRED_IDS = [
    "iv-ketamine-depression",
    "iv-ketamine-crps",
    "iv-ketamine-pain",
    "esketamine-nasal",
]
ALL_IDS = [p.id for p in builtin_protocols()]


def test_library_has_the_required_protocols() -> None:
    assert set(REQUIRED_IDS) <= set(ALL_IDS)
    assert sorted(ALL_IDS) == ALL_IDS


@pytest.mark.parametrize(
    ("protocol_id", "drug", "route", "summary", "observation_min", "chair_min_for_default"),
    [
        pytest.param(
            "iv-ketamine-depression",
            Drug.KETAMINE,
            Route.IV,
            "0.5 mg/kg over 40 min",
            60,
            100,
            id="depression",
        ),
        pytest.param(
            "iv-ketamine-crps",
            Drug.KETAMINE,
            Route.IV,
            "0.35 mg/kg/h over 240 min (max 25 mg/h)",
            60,
            300,
            id="crps",
        ),
        pytest.param(
            "esketamine-nasal",
            Drug.ESKETAMINE,
            Route.INTRANASAL,
            "fixed 56/84 mg (28 mg per device), not weight-based",
            120,
            120,
            id="esketamine",
        ),
        pytest.param(
            "esketamine-nasal-mdsi",
            Drug.ESKETAMINE,
            Route.INTRANASAL,
            "fixed 56/84 mg (28 mg per device), not weight-based",
            120,
            120,
            id="esketamine-mdsi",
        ),
    ],
)
def test_protocol_facts(
    protocol_id: str,
    drug: Drug,
    route: Route,
    summary: str,
    observation_min: int,
    chair_min_for_default: int,
) -> None:
    protocol = get_protocol(protocol_id)
    rule = protocol.dose_rule
    default_min = rule.default_duration_min if isinstance(rule, InfusionRule) else 10
    assert (protocol.drug, protocol.route) == (drug, route)
    assert rule.summary() == summary
    assert protocol.observation.minimum_min == observation_min
    assert protocol.chair_time_min(default_min or 0) == chair_min_for_default


def test_depression_limits_match_the_reference() -> None:
    rule = get_protocol("iv-ketamine-depression").dose_rule
    assert isinstance(rule, InfusionRule)
    assert (rule.default_mg_per_kg, rule.default_duration_min) == (D("0.5"), 40)  # Andrade 2017
    per_kg = rule.limits[LimitName.MG_PER_KG]
    duration = rule.limits[LimitName.DURATION_MIN]
    assert per_kg.soft is not None
    assert duration.soft is not None
    assert (per_kg.soft.low, per_kg.soft.high) == (D("0.1"), D("0.75"))  # Andrade 2017
    assert (duration.soft.low, duration.soft.high) == (D(2), D(100))  # Andrade 2017
    assert per_kg.hard is not None
    assert per_kg.hard.value == 1  # Fava et al. 2020: 1.0 mg/kg top arm
    assert per_kg.hard.config
    # No rate ceiling: the literature gives none (the Pennsylvania figure is a jurisdiction
    # setting, off by default).
    assert LimitName.RATE_MG_PER_KG_PER_H not in rule.limits


def test_esketamine_device_rules_match_the_label() -> None:
    rule = get_protocol("esketamine-nasal").dose_rule
    assert isinstance(rule, DeviceRule)
    assert rule.device_mg == 28
    assert rule.allowed_doses_mg == (D(28), D(56), D(84))
    assert (rule.first_dose_mg, rule.first_dose_max_mg) == (D(56), D(56))
    assert rule.minutes_between_devices.value == 5


@pytest.mark.parametrize("protocol_id", ALL_IDS)
def test_every_protocol_and_limit_carries_a_source(protocol_id: str) -> None:
    data = get_protocol(protocol_id).to_dict()

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if {"value", "min", "max"} & node.keys():
                assert node.get("source"), f"{path} has no source"
            for key, child in node.items():
                walk(child, f"{path}.{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{path}[{index}]")

    assert data["source"]
    assert data["dose_rule"]["source"]
    assert all(s["source"] for s in data["schedules"])
    walk(data, protocol_id)


@pytest.mark.parametrize("protocol_id", ALL_IDS)
def test_to_dict_from_dict_round_trip(protocol_id: str) -> None:
    protocol = get_protocol(protocol_id)
    assert Protocol.from_dict(protocol.to_dict()) == protocol


def _custom(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(get_protocol("iv-ketamine-depression").to_dict())
    data["id"] = "clinic-depression-slow"
    for path, value in changes.items():
        node: Any = data
        *parents, leaf = path.split("__")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is ...:
            del node[leaf]
        else:
            node[leaf] = value
    return data


def test_admin_can_add_a_custom_protocol() -> None:
    custom = Protocol.from_dict(_custom(dose_rule__default_duration_min=60))
    listed = list_protocols(extra=[custom])
    assert [p.id for p in listed].count("clinic-depression-slow") == 1
    assert get_protocol("clinic-depression-slow", extra=[custom]).dose_rule == custom.dose_rule


def test_custom_protocol_cannot_reuse_a_builtin_id() -> None:
    clash = Protocol.from_dict(_custom(id="iv-ketamine-depression"))
    with pytest.raises(Conflict) as info:
        list_protocols(extra=[clash])
    assert info.value.field == "id"


def test_unknown_protocol_is_invalid_naming_the_field() -> None:
    with pytest.raises(Invalid) as info:
        get_protocol("iv-ketamine-ptsd")
    assert (info.value.code, info.value.field) == ("protocol.unknown", "protocol")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"id": "Bad Id"}, "id", id="id-pattern"),
        pytest.param({"source": ...}, "source", id="missing-source"),
        pytest.param({"name": ""}, "name", id="empty-name"),
        pytest.param({"drug": "morphine"}, "drug", id="unknown-drug"),
        pytest.param({"route": "intranasal"}, "route", id="route-mismatch"),
        pytest.param({"indications": []}, "indications", id="no-indication"),
        pytest.param({"indications__0__name": 3}, "indications[0].name", id="indication-name"),
        pytest.param({"dose_rule__kind": "guess"}, "dose_rule.kind", id="rule-kind"),
        pytest.param({"dose_rule__source": ...}, "dose_rule.source", id="rule-source"),
        pytest.param(
            {"dose_rule__default_mg_per_kg": "-1"}, "dose_rule.default_mg_per_kg", id="neg-dose"
        ),
        pytest.param(
            {"dose_rule__default_mg_per_kg": "abc"}, "dose_rule.default_mg_per_kg", id="nan-dose"
        ),
        pytest.param(
            {"dose_rule__default_duration_min": 0}, "dose_rule.default_duration_min", id="dur-0"
        ),
        pytest.param(
            {"dose_rule__limits__mg_per_kg__soft__min": "2"},
            "dose_rule.limits.mg_per_kg.soft.max",
            id="min>max",
        ),
        pytest.param(
            {"dose_rule__limits__mg_per_kg__soft__source": ...},
            "dose_rule.limits.mg_per_kg.soft.source",
            id="limit-source",
        ),
        pytest.param(
            {"dose_rule__limits__mg_per_kg": ..., "dose_rule__limits__mg_per_session": ...},
            "dose_rule.limits",
            id="hard-ceiling-required",
        ),
        pytest.param(
            {"dose_rule__limits__mg_per_kg__hard__value": "0.7"},
            "dose_rule.limits.mg_per_kg.soft",
            id="soft-above-hard",
        ),
        pytest.param(
            {"dose_rule__limits__mg_per_fortnight": {"hard": {"value": "1", "source": "x"}}},
            "dose_rule.limits.mg_per_fortnight",
            id="unknown-limit",
        ),
        pytest.param(
            {
                "dose_rule__limits__mg_per_day__soft": ...,
                "dose_rule__limits__mg_per_day__hard": ...,
            },
            "dose_rule.limits.mg_per_day.hard",
            id="limit-without-bounds",
        ),
        pytest.param(
            {"dose_rule__preparation__max_diluted_mg_per_ml": "100"},
            "dose_rule.preparation.max_diluted_mg_per_ml",
            id="dilution-not-below-stock",
        ),
        pytest.param(
            {"dose_rule__default_rate_mg_per_kg_per_h": "0.3"},
            "dose_rule.default_rate_mg_per_kg_per_h",
            id="dose-and-rate",
        ),
        pytest.param(
            {"dose_rule__default_weight_basis": "capped"},
            "dose_rule.default_weight_basis",
            id="basis",
        ),
        pytest.param({"observation": ...}, "observation", id="no-observation"),
        pytest.param(
            {"observation__minimum_min": -1}, "observation.minimum_min", id="neg-observation"
        ),
        pytest.param(
            {"schedules__0__day_offsets": [0, 3, 3]}, "schedules[0].day_offsets", id="same-day"
        ),
        pytest.param(
            {"schedules__0__day_offsets": [0, "x"]}, "schedules[0].day_offsets[1]", id="bad-offset"
        ),
        pytest.param(
            {"schedules__0__interval_days": [7]}, "schedules[0].day_offsets", id="both-kinds"
        ),
        pytest.param({"schedules__1__id": "elekt-d-2x-weekly-3wk"}, "schedules", id="dup-template"),
        pytest.param({"notes": ["ok", ""]}, "notes[1]", id="empty-note"),
        pytest.param({"indications": ...}, "indications", id="indications-required"),
        pytest.param(
            {"schedules__0__requires_rationale": "yes"},
            "schedules[0].requires_rationale",
            id="flag-not-bool",
        ),
        pytest.param(
            {"dose_rule__default_mg_per_kg": [1]},
            "dose_rule.default_mg_per_kg",
            id="list-as-number",
        ),
        pytest.param(
            {
                "dose_rule__limits__mg_per_kg__soft__min": ...,
                "dose_rule__limits__mg_per_kg__soft__max": ...,
            },
            "dose_rule.limits.mg_per_kg.soft.min",
            id="empty-range",
        ),
        pytest.param({"version": 0}, "version", id="version-0"),
    ],
)
def test_custom_protocol_validation_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as info:
        Protocol.from_dict(_custom(**changes))
    assert info.value.field == field
    assert info.value.code == "protocol.invalid_field"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param(
            {"dose_rule__allowed_doses_mg": ["28", "50"]},
            "dose_rule.allowed_doses_mg[1]",
            id="not-devices",
        ),
        pytest.param(
            {"dose_rule__default_dose_mg": "112"},
            "dose_rule.default_dose_mg",
            id="default-not-allowed",
        ),
        pytest.param(
            {"dose_rule__labelled_doses_mg": ["112"]},
            "dose_rule.labelled_doses_mg",
            id="labelled-subset",
        ),
        pytest.param(
            {"dose_rule__minutes_between_devices": ...},
            "dose_rule.minutes_between_devices",
            id="gap-required",
        ),
        pytest.param({"route": "iv"}, "route", id="route-mismatch"),
    ],
)
def test_custom_device_protocol_validation(changes: dict[str, Any], field: str) -> None:
    data = copy.deepcopy(get_protocol("esketamine-nasal").to_dict())
    for path, value in changes.items():
        node = data
        *parents, leaf = path.split("__")
        for key in parents:
            node = node[key]
        if value is ...:
            del node[leaf]
        else:
            node[leaf] = value
    with pytest.raises(Invalid) as info:
        Protocol.from_dict(data)
    assert info.value.field == field


def test_from_dict_refuses_a_non_object() -> None:
    with pytest.raises(Invalid) as info:
        Protocol.from_dict(["not", "a", "dict"])  # type: ignore[arg-type]  # bad input on purpose
    assert info.value.field == "protocol"


@pytest.mark.parametrize(
    ("value", "inside"),
    [
        pytest.param("0.1", True, id="low-end-inclusive"),
        pytest.param("0.75", True, id="high-end-inclusive"),
        pytest.param("0.09", False, id="below"),
        pytest.param("0.76", False, id="above"),
    ],
)
def test_soft_range_contains(value: str, inside: bool) -> None:
    rule = get_protocol("iv-ketamine-depression").dose_rule
    assert isinstance(rule, InfusionRule)
    soft = rule.limits[LimitName.MG_PER_KG].soft
    assert soft is not None
    assert soft.contains(D(value)) is inside


def test_a_custom_protocol_saved_before_the_limits_table_keeps_its_limits() -> None:
    data = _custom()
    rule = data["dose_rule"]
    del rule["limits"]
    rule["soft_mg_per_kg"] = {"min": "0.1", "max": "0.75", "source": "Andrade 2017"}
    rule["hard_max_rate_mg_per_kg_per_h"] = {"value": "1", "source": "clinic", "config": True}
    rule["max_bolus_mg_per_kg"] = {"value": "0.35", "source": "Cohen 2018"}
    read = Protocol.from_dict(data).dose_rule
    assert isinstance(read, InfusionRule)
    soft = read.limits[LimitName.MG_PER_KG].soft
    assert soft is not None
    assert (soft.low, soft.high) == (D("0.1"), D("0.75"))
    assert read.hard(LimitName.RATE_MG_PER_KG_PER_H) == 1
    assert read.hard(LimitName.BOLUS_MG_PER_KG) == D("0.35")
    # Written back in the new shape, it reads the same.
    assert Protocol.from_dict(Protocol.from_dict(data).to_dict()).dose_rule == read
