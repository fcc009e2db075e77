"""Answer checking: parameters from the context, item domains, branching and entry tokens.

Wrong answers to an item's domain are *rejected* (``Invalid`` naming the item); unanswered
items are *not* zeros: they are reported as missing and each instrument's missing-data rule
decides what happens (see ``scoring``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ketacare.core.errors import Invalid
from ketacare.core.instruments.model import (
    Answer,
    Coding,
    Instrument,
    Item,
    ItemKind,
    Parameter,
    ParamValue,
)

#: A normalised answer: ``bool`` for yes/no items, ``int`` for scale items, ``None`` if blank.
Normalised = bool | int | None

_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})
_BLANK = frozenset({"", "-"})


@dataclass(frozen=True)
class Params:
    """Resolved parameters of one scoring: the chosen raw values, by name."""

    instrument: Instrument
    raw: Mapping[str, str]
    ignored: tuple[str, ...] = ()

    def value(self, name: str) -> ParamValue:
        """Return the parameter's value, mapped through its ``values`` table if it has one."""
        parameter = self._parameter(name)
        chosen = self.raw[name]
        if chosen in parameter.values:
            return parameter.values[chosen]
        if parameter.kind == "int":
            return int(chosen)
        if parameter.kind == "number":
            return float(chosen)
        return chosen

    def resolve(self, value: ParamValue) -> ParamValue:
        """Return ``value``, or the parameter's value if it is a ``"param:NAME"`` reference."""
        if isinstance(value, str) and value.startswith("param:"):
            return self.value(value.removeprefix("param:"))
        return value

    def coding(self) -> Coding | None:
        """Return the coding chosen by the ``coding`` parameter, if the instrument has codings."""
        if not self.instrument.codings:
            return None
        return self.instrument.coding(self.raw["coding"])

    def _parameter(self, name: str) -> Parameter:
        parameter = self.instrument.parameter(name)
        if parameter is None:
            msg = f"{self.instrument.id}: no parameter {name!r}"
            raise KeyError(msg)
        return parameter


def resolve_parameters(instrument: Instrument, context: Mapping[str, str]) -> Params:
    """Check the context against the instrument's parameters and fill in defaults.

    A key the instrument does not use (``sex`` for the PHQ-9, say) changes nothing and is
    reported in ``ignored`` so the result can warn about it: callers often send one context for
    every form. A key it does use must carry a value in its domain.

    Raises:
        Invalid: ``instrument.bad_context`` for a used key whose value is out of its domain.
    """
    raw = {p.name: p.default for p in instrument.parameters}
    ignored: list[str] = []
    for key, value in context.items():
        parameter = instrument.parameter(key.strip().lower())
        if parameter is None:
            ignored.append(key)
            continue
        raw[parameter.name] = _check_parameter(instrument, parameter, value.strip().lower())
    return Params(instrument=instrument, raw=raw, ignored=tuple(ignored))


def _check_parameter(instrument: Instrument, parameter: Parameter, value: str) -> str:
    ok = value in parameter.choices if parameter.choices else _in_numeric_range(parameter, value)
    if not ok:
        domain = "/".join(parameter.choices) or f"{parameter.min}..{parameter.max}"
        msg = f"{instrument.id}: context {parameter.name}={value!r} is not one of {domain}"
        raise Invalid("instrument.bad_context", msg, field=parameter.name)
    return value


def _in_numeric_range(parameter: Parameter, value: str) -> bool:
    try:
        number = int(value) if parameter.kind == "int" else float(value)
    except ValueError:
        return False
    low = parameter.min if parameter.min is not None else number
    high = parameter.max if parameter.max is not None else number
    return low <= number <= high


def expand_answers(instrument: Instrument, answers: Sequence[Answer]) -> list[Answer]:
    """Return the answers padded to the item count.

    Trailing items that are asked only conditionally (branching) may be left out.

    Raises:
        Invalid: ``instrument.wrong_item_count`` if the count does not fit the form.
    """
    count = len(instrument.items)
    optional_tail = 0
    for item in reversed(instrument.items):
        if item.ask_if is None:
            break
        optional_tail += 1
    if not count - optional_tail <= len(answers) <= count:
        expected = str(count) if optional_tail == 0 else f"{count - optional_tail}-{count}"
        msg = f"{instrument.id} expects {expected} answers (one per item), got {len(answers)}"
        raise Invalid("instrument.wrong_item_count", msg, field="answers")
    return [*answers, *([None] * (count - len(answers)))]


def normalise(
    instrument: Instrument, item: Item, answer: Answer, coding: Coding | None
) -> Normalised:
    """Check one answer against its item's domain and return it normalised.

    Raises:
        Invalid: ``instrument.answer_out_of_range`` naming the item.
    """
    if answer is None:
        return None
    if item.kind is ItemKind.YES_NO:
        return _normalise_yes_no(instrument, item, answer)
    return _normalise_scale(instrument, item, answer, coding)


def _reject(instrument: Instrument, item: Item, answer: Answer, expected: str) -> Invalid:
    where = f"{instrument.id} item {item.id} ({item.label})"
    msg = f"{where}: {answer!r} is not valid; expected {expected}"
    return Invalid("instrument.answer_out_of_range", msg, field=f"item {item.id}")


def _normalise_yes_no(instrument: Instrument, item: Item, answer: Answer) -> bool:
    if isinstance(answer, bool):
        return answer
    if answer in (0, 1):
        return bool(answer)
    raise _reject(instrument, item, answer, "yes/no (or 1/0)")


def _normalise_scale(
    instrument: Instrument, item: Item, answer: Answer, coding: Coding | None
) -> int:
    allowed = allowed_values(item, coding)
    expected = _describe(allowed)
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        raise _reject(instrument, item, answer, expected)
    if isinstance(answer, float) and not answer.is_integer():
        raise _reject(instrument, item, answer, expected)
    value = int(answer)
    if value not in allowed:
        raise _reject(instrument, item, answer, expected)
    return value


def allowed_values(item: Item, coding: Coding | None) -> tuple[int, ...]:
    """Return every value a scale item accepts (including a coding's "not rated" value)."""
    if coding is not None:
        extra = () if coding.not_rated is None else (coding.not_rated,)
        return tuple(sorted({*range(coding.min, coding.max + 1), *extra}))
    if item.allowed is not None:
        return item.allowed
    return tuple(range(item.min, item.max + 1))


def _describe(values: tuple[int, ...]) -> str:
    low, high = values[0], values[-1]
    if list(values) == list(range(low, high + 1)):
        return f"an integer {low}..{high}"
    return "one of " + ", ".join(str(v) for v in values)


def check_branching(instrument: Instrument, values: Mapping[str, Normalised]) -> dict[str, bool]:
    """Return which items were asked; an answer to a skipped item is rejected.

    Raises:
        Invalid: ``instrument.answer_to_skipped_item`` naming the item and the branch.
    """
    asked: dict[str, bool] = {}
    for item in instrument.items:
        condition = item.ask_if
        is_asked = condition is None or (
            asked[condition.item] and values[condition.item] == condition.equals
        )
        if not is_asked and values[item.id] is not None:
            msg = (
                f"{instrument.id} item {item.id} ({item.label}) was answered, but it is skipped "
                f"unless item {condition.item if condition else '?'} is "
                f"{_show(condition.equals if condition else None)}"
            )
            raise Invalid("instrument.answer_to_skipped_item", msg, field=f"item {item.id}")
        asked[item.id] = is_asked
    return asked


def _show(value: bool | int | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def item_score(item: Item, value: Normalised) -> int | None:
    """Return the score an answer contributes (yes/no mapping and reverse scoring applied)."""
    if value is None:
        return None
    if item.kind is ItemKind.YES_NO:
        yes = bool(value) != item.reverse
        return item.yes_score if yes else item.no_score
    number = int(value)
    return item.min + item.max - number if item.reverse else number


def parse_token(item: Item, token: str) -> Answer:
    """Parse one typed answer (CLI / form entry) for ``item``.

    ``""`` or ``"-"`` mean unanswered; ``yes``/``no`` answer yes/no items; option codes such
    as BDI-II ``"2a"`` map to their score; otherwise the token must be a number.

    Raises:
        Invalid: ``instrument.bad_token`` naming the item.
    """
    text = token.strip().lower()
    if text in _BLANK:
        return None
    if text in _YES or text in _NO:
        return text in _YES
    for option in item.options:
        if option.code.lower() == text:
            return option.score
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        msg = f"item {item.id} ({item.label}): cannot read answer {token!r}"
        raise Invalid("instrument.bad_token", msg, field=f"item {item.id}") from None
