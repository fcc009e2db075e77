"""Value objects describing a rating instrument, built from the catalogue data files.

An instrument is pure data: items and their answer domains, parameters a clinic may set,
the scoring rule, subscales, severity bands, flags and outcome (response / remission) rules.
One generic engine (``ketacare.core.instruments.scoring``) scores every instrument; the few
rules that are not arithmetic are named in ``special`` and implemented in ``rules``.

Clinical source: docs/clinical/instruments.md (each data file cites its rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: An answer as the engine receives it: a score, a yes/no, or ``None`` (unanswered / skipped).
Answer = int | float | bool | None

#: A parameter value after resolution: a number or a target string such as ``"item:3"``.
ParamValue = int | float | str


class ItemKind(StrEnum):
    """How an item is answered."""

    SCALE = "scale"
    YES_NO = "yes_no"


class Combine(StrEnum):
    """How the items of a subscale or scoring component are combined."""

    SUM = "sum"
    MEAN = "mean"
    MAX = "max"


class TotalMethod(StrEnum):
    """How the total score is formed."""

    SUM = "sum"
    MEAN = "mean"
    COMPONENTS = "components"
    NONE = "none"


@dataclass(frozen=True)
class Option:
    """One answer option of a scale item: the stored score and an optional entry code."""

    score: int
    label: str
    code: str
    loinc: str | None = None


@dataclass(frozen=True)
class Condition:
    """Branching: the item is asked only when ``item`` was answered ``equals``."""

    item: str
    equals: bool | int


@dataclass(frozen=True)
class Item:
    """One answerable item of a form.

    ``min``/``max`` are the default answer range; an instrument with several codings
    (e.g. WHODAS 1-5 or 0-4) overrides them per coding. ``yes_score``/``no_score`` give the
    score of a yes/no item; ``reverse`` swaps them (or mirrors a scale item).
    """

    id: str
    label: str
    text: str | None = None
    domain: str | None = None
    kind: ItemKind = ItemKind.SCALE
    min: int = 0
    max: int = 3
    allowed: tuple[int, ...] | None = None
    options: tuple[Option, ...] = ()
    reverse: bool = False
    yes_score: int = 1
    no_score: int = 0
    ask_if: Condition | None = None
    scored: bool = True
    loinc: str | None = None


@dataclass(frozen=True)
class Coding:
    """An answer coding of every item (e.g. WHODAS 1-5 vs 0-4, BPRS 1-7 vs 0-6).

    ``to_base`` converts a value in this coding to the instrument's base coding, in which
    flag thresholds are written. ``not_rated`` is a value meaning "not assessed".
    """

    id: str
    min: int
    max: int
    to_base: int = 0
    not_rated: int | None = None


@dataclass(frozen=True)
class Parameter:
    """A clinic- or form-level input with a documented default (context ``name=value``).

    ``values`` maps a choice to the number or target it stands for (e.g. ``sex=male`` -> 4).
    """

    name: str
    kind: str
    default: str
    description: str
    source: str
    choices: tuple[str, ...] = ()
    values: Mapping[str, ParamValue] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Component:
    """A group of items combined into one number (a subscale or a part of the total).

    ``max_missing`` items may be unanswered; with ``prorate`` a sum is scaled by
    n / answered, and a mean is taken over the answered items. ``divisor`` divides the
    combined value (FIQR domains).
    """

    id: str
    name: str
    items: tuple[str, ...]
    combine: Combine = Combine.SUM
    divisor: int = 1
    max_missing: int = 0
    prorate: bool = False


@dataclass(frozen=True)
class Scoring:
    """The total-score rule and its missing-data policy, with the source.

    ``required_items`` are never prorated away: with one of them unanswered the total is not
    valid and the result carries the flag ``item_<id>_missing`` (PHQ-9 item 9, the
    suicidality item, must be asked, not estimated). ``required_source`` cites that rule.
    """

    method: TotalMethod
    source: str
    components: tuple[Component, ...] = ()
    max_missing: int = 0
    prorate: bool = False
    max_missing_param: str | None = None
    required_items: tuple[str, ...] = ()
    required_source: str = ""


@dataclass(frozen=True)
class Band:
    """A severity band: applies from its lower edge up to the next band's lower edge.

    The lower edge is ``min`` (inclusive) or, when ``above`` is set, strictly above ``above``
    (so a fractional total between the published integer bands lands on the side the outcome
    rule puts it; see ``bands``).
    """

    id: str
    name: str
    min: ParamValue
    max: ParamValue | None = None
    above: ParamValue | None = None


@dataclass(frozen=True)
class BandSet:
    """Severity bands and the value they classify (``total``, ``item:ID``, ``param:NAME``)."""

    on: str
    bands: tuple[Band, ...]
    source: str


@dataclass(frozen=True)
class FlagRule:
    """A flag raised when ``target`` (``item:ID``, ``any_item``, ``total``) meets ``op value``."""

    id: str
    target: str
    op: str
    value: ParamValue
    source: str
    description: str = ""


@dataclass(frozen=True)
class ResponseRule:
    """Response = a reduction from baseline of at least ``min_reduction_fraction``."""

    min_reduction_fraction: float
    source: str
    inclusive: bool = True


@dataclass(frozen=True)
class RemissionRule:
    """Remission = score ``op`` ``value`` (e.g. PHQ-9 ``<`` 5)."""

    op: str
    value: float
    source: str
    alternatives: tuple[float, ...] = ()


@dataclass(frozen=True)
class Outcomes:
    """Response and remission rules; either may be absent (screening tools)."""

    response: ResponseRule | None = None
    remission: RemissionRule | None = None


@dataclass(frozen=True)
class Licence:
    """Licence status and whether item wording may be (and is) shipped."""

    status: str
    holder: str
    ships_text: bool
    note: str
    source: str


@dataclass(frozen=True)
class Loinc:
    """LOINC codes of the panel and total score, where they exist."""

    panel: str | None
    total: str | None
    note: str = ""


@dataclass(frozen=True)
class Instrument:
    """A rating instrument as loaded from its catalogue data file."""

    id: str
    name: str
    short_name: str
    version: str
    recall_period: str
    rater: str
    source: str
    licence: Licence
    loinc: Loinc
    items: tuple[Item, ...]
    scoring: Scoring
    total_range: tuple[float, float] | None
    stem: str | None = None
    parameters: tuple[Parameter, ...] = ()
    codings: tuple[Coding, ...] = ()
    subscales: tuple[Component, ...] = ()
    bands: BandSet | None = None
    flags: tuple[FlagRule, ...] = ()
    special: tuple[str, ...] = ()
    outcomes: Outcomes = field(default_factory=Outcomes)
    notes: tuple[str, ...] = ()

    def item(self, item_id: str) -> Item:
        """Return the item with ``item_id``.

        Raises:
            KeyError: if the instrument has no such item.
        """
        for candidate in self.items:
            if candidate.id == item_id:
                return candidate
        raise KeyError(item_id)

    def parameter(self, name: str) -> Parameter | None:
        """Return the parameter called ``name``, or ``None``."""
        return next((p for p in self.parameters if p.name == name), None)

    def coding(self, coding_id: str) -> Coding | None:
        """Return the coding ``coding_id``, or ``None``."""
        return next((c for c in self.codings if c.id == coding_id), None)
