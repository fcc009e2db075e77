"""Load the instrument catalogue from the packaged JSON data files.

Every instrument is one file in ``ketacare/core/instruments/catalogue/<id>.json``;
``manifest.json`` lists the shipped ids and the catalogue version. The files are read with
``importlib.resources`` (the only I/O the core allows) and turned into frozen value objects.
Licensed item wording is never in these files: see ``overlay`` and ``catalogue/README.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from ketacare.core.errors import Invalid, NotFound
from ketacare.core.instruments.model import (
    Band,
    BandSet,
    Coding,
    Combine,
    Component,
    Condition,
    FlagRule,
    Instrument,
    Item,
    ItemKind,
    Licence,
    Loinc,
    Option,
    Outcomes,
    Parameter,
    RemissionRule,
    ResponseRule,
    Scoring,
    TotalMethod,
)

_PACKAGE = "ketacare.core.instruments"
_DIRECTORY = "catalogue"
_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Catalogue:
    """The set of shipped instruments, keyed by id, with the catalogue version."""

    version: str
    instruments: Mapping[str, Instrument]

    def get(self, instrument_id: str) -> Instrument:
        """Return the instrument ``instrument_id``.

        A multiword id may be spelled with ``-`` or ``_`` (``stop-bang`` finds ``stop_bang``,
        as the CLI writes it; ``cssrs_screener`` finds ``cssrs-screener``); the instrument
        returned always carries its catalogue id.

        Raises:
            NotFound: ``instrument.not_found`` if the id is not in the catalogue.
        """
        found = self.instruments.get(instrument_id)
        if found is not None:
            return found
        wanted = _spelling(instrument_id)
        for key, instrument in self.instruments.items():
            if _spelling(key) == wanted:
                return instrument
        known = ", ".join(sorted(self.instruments))
        msg = f"unknown instrument {instrument_id!r}; known: {known}"
        raise NotFound("instrument.not_found", msg, field="instrument")

    def list(self) -> tuple[Instrument, ...]:
        """Return every instrument, in manifest order."""
        return tuple(self.instruments.values())

    def __iter__(self) -> Iterator[Instrument]:
        """Iterate over the instruments in manifest order."""
        return iter(self.instruments.values())


def _spelling(instrument_id: str) -> str:
    """The id with ``_`` and ``-`` made the same, so either separator finds a multiword id."""
    return instrument_id.replace("_", "-")


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """Load (once) and return the packaged catalogue.

    Raises:
        Invalid: ``catalogue.bad_definition`` if a data file is malformed.
    """
    root = files(_PACKAGE).joinpath(_DIRECTORY)
    manifest = json.loads(root.joinpath(_MANIFEST).read_text(encoding="utf-8"))
    instruments: dict[str, Instrument] = {}
    for instrument_id in manifest["instruments"]:
        raw = json.loads(root.joinpath(f"{instrument_id}.json").read_text(encoding="utf-8"))
        instruments[instrument_id] = parse_instrument(raw)
    return Catalogue(version=str(manifest["version"]), instruments=instruments)


def parse_instrument(raw: Mapping[str, Any]) -> Instrument:
    """Build an ``Instrument`` from its JSON definition.

    Raises:
        Invalid: ``catalogue.bad_definition`` naming the instrument and the missing key.
    """
    try:
        return _parse_instrument(raw)
    except (KeyError, TypeError, ValueError) as exc:
        name = raw.get("id", "?") if isinstance(raw, Mapping) else "?"
        msg = f"instrument {name}: bad definition ({exc!r})"
        raise Invalid("catalogue.bad_definition", msg) from exc


def _parse_instrument(raw: Mapping[str, Any]) -> Instrument:
    option_sets = {k: _options(v) for k, v in raw.get("option_sets", {}).items()}
    items = tuple(_item(entry, option_sets) for entry in raw["items"])
    scoring = _scoring(raw["scoring"])
    unknown = set(scoring.required_items) - {item.id for item in items}
    if unknown:
        msg = f"required_items {sorted(unknown)} are not items of the form"
        raise ValueError(msg)
    total_range = raw.get("total_range")
    return Instrument(
        id=raw["id"],
        name=raw["name"],
        short_name=raw["short_name"],
        version=str(raw["version"]),
        recall_period=raw["recall_period"],
        rater=raw["rater"],
        source=raw["source"],
        licence=Licence(**raw["licence"]),
        loinc=Loinc(**raw.get("loinc", {"panel": None, "total": None})),
        items=items,
        scoring=scoring,
        total_range=None if total_range is None else (total_range[0], total_range[1]),
        stem=raw.get("stem"),
        parameters=tuple(_parameter(p) for p in raw.get("parameters", [])),
        codings=tuple(Coding(**c) for c in raw.get("codings", [])),
        subscales=tuple(_component(c) for c in raw.get("subscales", [])),
        bands=_bands(raw.get("bands")),
        flags=tuple(FlagRule(**f) for f in raw.get("flags", [])),
        special=tuple(raw.get("special", [])),
        outcomes=_outcomes(raw.get("outcomes", {})),
        notes=tuple(raw.get("notes", [])),
    )


def _options(raw: list[Mapping[str, Any]]) -> tuple[Option, ...]:
    return tuple(
        Option(
            score=o["score"],
            label=o["label"],
            code=str(o.get("code", o["score"])),
            loinc=o.get("loinc"),
        )
        for o in raw
    )


def _item(raw: Mapping[str, Any], option_sets: Mapping[str, tuple[Option, ...]]) -> Item:
    options_ref = raw.get("options")
    if isinstance(options_ref, str):
        options = option_sets[options_ref]
    else:
        options = _options(options_ref or [])
    ask_if = raw.get("ask_if")
    allowed = raw.get("allowed")
    return Item(
        id=str(raw["id"]),
        label=raw["label"],
        text=raw.get("text"),
        domain=raw.get("domain"),
        kind=ItemKind(raw.get("kind", "scale")),
        min=raw.get("min", min((o.score for o in options), default=0)),
        max=raw.get("max", max((o.score for o in options), default=3)),
        allowed=None if allowed is None else tuple(allowed),
        options=options,
        reverse=raw.get("reverse", False),
        yes_score=raw.get("yes_score", 1),
        no_score=raw.get("no_score", 0),
        ask_if=None if ask_if is None else Condition(str(ask_if["item"]), ask_if["equals"]),
        scored=raw.get("scored", True),
        loinc=raw.get("loinc"),
    )


def _parameter(raw: Mapping[str, Any]) -> Parameter:
    return Parameter(
        name=raw["name"],
        kind=raw["kind"],
        default=str(raw["default"]),
        description=raw["description"],
        source=raw["source"],
        choices=tuple(raw.get("choices", [])),
        values=dict(raw.get("values", {})),
        min=raw.get("min"),
        max=raw.get("max"),
    )


def _component(raw: Mapping[str, Any]) -> Component:
    return Component(
        id=raw["id"],
        name=raw["name"],
        items=tuple(str(i) for i in raw["items"]),
        combine=Combine(raw.get("combine", "sum")),
        divisor=raw.get("divisor", 1),
        max_missing=raw.get("max_missing", 0),
        prorate=raw.get("prorate", False),
    )


def _scoring(raw: Mapping[str, Any]) -> Scoring:
    return Scoring(
        method=TotalMethod(raw["method"]),
        source=raw["source"],
        components=tuple(_component(c) for c in raw.get("components", [])),
        max_missing=raw.get("max_missing", 0),
        prorate=raw.get("prorate", False),
        max_missing_param=raw.get("max_missing_param"),
        required_items=tuple(str(i) for i in raw.get("required_items", [])),
        required_source=raw.get("required_source", ""),
    )


def _bands(raw: Mapping[str, Any] | None) -> BandSet | None:
    if raw is None:
        return None
    bands = tuple(
        Band(b["id"], b["name"], b["min"], b.get("max"), b.get("above")) for b in raw["bands"]
    )
    for band in bands:
        _check_open_edge(band)
    return BandSet(on=raw.get("on", "total"), bands=bands, source=raw["source"])


def _check_open_edge(band: Band) -> None:
    """An open lower edge lies in the gap below the published integer ``min``.

    So it moves only fractional totals and never changes the band of an integer total.
    """
    above, low = band.above, band.min
    if above is None or isinstance(above, str) or isinstance(low, str):
        return
    if not low - 1 <= above < low:
        msg = f"band {band.id}: 'above' {above} must lie in [min - 1, min) = [{low - 1}, {low})"
        raise ValueError(msg)


def _outcomes(raw: Mapping[str, Any]) -> Outcomes:
    response = raw.get("response")
    remission = raw.get("remission")
    return Outcomes(
        response=None if response is None else ResponseRule(**response),
        remission=None
        if remission is None
        else RemissionRule(
            op=remission["op"],
            value=remission["value"],
            source=remission["source"],
            alternatives=tuple(remission.get("alternatives", [])),
        ),
    )
