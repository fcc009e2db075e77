"""The generic scoring engine: one function scores every catalogue instrument.

Pipeline: resolve the context parameters -> check the item count, each answer's domain and
the branching -> combine items into components (sum / mean / max, divisors, proration) ->
total -> severity band -> flags -> named special rules (``rules.RULES``).

Unanswered items never count as 0: each instrument's missing-data rule (``max_missing`` and
``prorate`` in its data file) either prorates or marks the form invalid
[docs/clinical/instruments.md#phq-9, #fiqr, #bpi-sf, #special-scoring-rules; the LHC-Forms fixture
that counts
blanks as 0 is the counter-example].
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ketacare.core.instruments.answers import (
    Params,
    allowed_values,
    check_branching,
    expand_answers,
    item_score,
    normalise,
    resolve_parameters,
)
from ketacare.core.instruments.bands import as_number, band_of
from ketacare.core.instruments.catalogue_loader import load_catalogue
from ketacare.core.instruments.form import Form, Number
from ketacare.core.instruments.model import (
    Answer,
    Combine,
    Component,
    FlagRule,
    Instrument,
    ItemKind,
    TotalMethod,
)
from ketacare.core.instruments.result import ScoreResult, to_output
from ketacare.core.instruments.rules import RULES, DerivedValue, Scored

#: Version of this engine; stored with every result so a score can be reproduced.
#: 1.1.0: required (never prorated) items; severity bands on continuous intervals.
ENGINE_VERSION = "1.1.0"

#: Comparison operators allowed in flag and remission rules (numbers or Fractions).
OPERATORS: Mapping[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass
class _Part:
    """A combined value with the notes explaining how it was (or was not) obtained."""

    value: Number | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    prorated: bool = False


def build_form(instrument: Instrument, answers: Sequence[Answer], params: Params) -> Form:
    """Check every answer and the branching, and return the normalised form.

    Raises:
        Invalid: wrong item count, an out-of-range answer, or an answer to a skipped item.
    """
    coding = params.coding()
    expanded = expand_answers(instrument, answers)
    values = {
        item.id: normalise(instrument, item, answer, coding)
        for item, answer in zip(instrument.items, expanded, strict=True)
    }
    asked = check_branching(instrument, values)
    return Form(instrument=instrument, params=params, coding=coding, values=values, asked=asked)


def score(
    instrument: Instrument,
    answers: Sequence[Answer],
    context: Mapping[str, str] | None = None,
) -> ScoreResult:
    """Score one administration of ``instrument``.

    Args:
        instrument: the catalogue definition (``load_catalogue().get(id)``).
        answers: one answer per item, in item order; ``None`` = unanswered or skipped.
            Trailing items asked only by a branch may be omitted.
        context: extra inputs named by the instrument's parameters (``sex``, ``coding``,
            ``criterion_a`` ...); keys the instrument does not use are ignored with a warning.

    Returns:
        The result; ``valid`` is false (and ``total`` None) when too many items are missing.

    Raises:
        Invalid: malformed input (count, out-of-range value, skipped-branch answer, context).
    """
    params = resolve_parameters(instrument, context or {})
    form = build_form(instrument, answers, params)
    total = _total(form)
    subscales = {c.id: _component(form, c).value for c in _reported_components(instrument)}
    valid = total.value is not None or (
        instrument.scoring.method is TotalMethod.NONE and not form.missing()
    )
    severity = _severity(form, total.value) if valid else None
    scored = Scored(valid=valid, total=total.value, severity=severity, subscales=subscales)
    flags = [f.id for f in instrument.flags if _flag_fires(form, f, total.value)]
    flags.extend(missing_required_flag(i) for i in _missing_required(form))
    derived: dict[str, DerivedValue] = {}
    if form.not_rated():
        derived["not_rated_items"] = form.not_rated()
    for name in instrument.special:
        outcome = RULES[name](form, scored)
        flags.extend(outcome.flags)
        derived.update(outcome.derived)
        subscales.update(outcome.subscales)
        if outcome.decides_severity:
            severity = outcome.severity
    return _result(form, total, valid, severity, flags, subscales, derived)


def _ignored_context(form: Form) -> tuple[str, ...]:
    instrument = form.instrument
    known = ", ".join(p.name for p in instrument.parameters) or "none"
    return tuple(
        f"context {key!r} is not used by {instrument.id} and was ignored (it uses: {known})"
        for key in form.params.ignored
    )


def _result(
    form: Form,
    total: _Part,
    valid: bool,
    severity: str | None,
    flags: list[str],
    subscales: Mapping[str, Number | None],
    derived: Mapping[str, DerivedValue],
) -> ScoreResult:
    instrument = form.instrument
    return ScoreResult(
        instrument=instrument.id,
        valid=valid,
        total=to_output(total.value),
        severity=severity,
        flags=tuple(dict.fromkeys(flags)),
        subscales={k: to_output(v) for k, v in subscales.items()},
        errors=tuple(total.errors) if not valid else (),
        warnings=tuple(total.warnings) + _ignored_context(form),
        missing_items=form.missing(),
        prorated=total.prorated,
        derived=dict(derived),
        parameters=dict(form.params.raw),
        loinc={"panel": instrument.loinc.panel, "total": instrument.loinc.total},
        engine_version=ENGINE_VERSION,
        catalogue_version=load_catalogue().version,
        instrument_version=instrument.version,
    )


def _reported_components(instrument: Instrument) -> tuple[Component, ...]:
    return instrument.scoring.components + instrument.subscales


def _scored_items(instrument: Instrument) -> tuple[str, ...]:
    return tuple(item.id for item in instrument.items if item.scored)


def missing_required_flag(item_id: str) -> str:
    """The flag naming an unanswered item that is never prorated (``item_9_missing``)."""
    return f"item_{item_id}_missing"


def _missing_required(form: Form) -> tuple[str, ...]:
    missing = form.missing()
    return tuple(i for i in form.instrument.scoring.required_items if i in missing)


def _total(form: Form) -> _Part:
    scoring = form.instrument.scoring
    required = _missing_required(form)
    if required:
        # Proration would estimate the item from the others; a suicidality item must be asked.
        return _Part(
            None,
            errors=[
                f"{_missing_text(form, i)}: this item is never prorated; ask it, then score"
                for i in required
            ],
        )
    if scoring.method is TotalMethod.NONE:
        return _Part(None, errors=[_missing_text(form, i) for i in form.missing()])
    if scoring.method is TotalMethod.COMPONENTS:
        return _sum_components(form)
    max_missing = scoring.max_missing
    if scoring.max_missing_param is not None:
        max_missing = int(form.params.value(scoring.max_missing_param))
    component = Component(
        id="total",
        name="Total",
        items=_scored_items(form.instrument),
        combine=Combine.MEAN if scoring.method is TotalMethod.MEAN else Combine.SUM,
        max_missing=max_missing,
        prorate=scoring.prorate,
    )
    return _component(form, component)


def _sum_components(form: Form) -> _Part:
    parts = [_component(form, c) for c in form.instrument.scoring.components]
    result = _Part(None, prorated=any(p.prorated for p in parts))
    for part in parts:
        result.errors.extend(part.errors)
        result.warnings.extend(part.warnings)
    values = [p.value for p in parts]
    if all(v is not None for v in values):
        result.value = sum((v for v in values if v is not None), start=0)
    return result


def _missing_text(form: Form, item_id: str) -> str:
    label = form.instrument.item(item_id).label
    what = "not rated" if form.is_not_rated(item_id) else "unanswered"
    return f"item {item_id} ({label}) {what}"


def _component(form: Form, component: Component) -> _Part:
    asked = [i for i in component.items if form.asked[i]]
    scores = {i: form.score(i) for i in asked}
    answered = [s for s in scores.values() if s is not None]
    missing = [i for i, s in scores.items() if s is None]
    texts = [_missing_text(form, i) for i in missing]
    if len(missing) > component.max_missing or not answered:
        limit = f"at most {component.max_missing} allowed"
        summary = f"{component.name}: {len(missing)} item(s) missing ({limit})"
        return _Part(None, errors=[*texts, summary])
    value = _combine(component, answered, len(asked))
    if not missing:
        return _Part(value)
    how = "prorated" if component.prorate else "scored on the answered items"
    return _Part(value, warnings=[f"{t}; {component.name} {how}" for t in texts], prorated=True)


def _combine(component: Component, answered: list[int], asked: int) -> Number:
    value: Number
    if component.combine is Combine.MAX:
        value = max(answered)
    elif component.combine is Combine.MEAN:
        value = Fraction(sum(answered), len(answered))
    else:
        value = sum(answered)
        if component.prorate and len(answered) < asked:
            value = Fraction(value * asked, len(answered))
    if component.divisor != 1:
        value = Fraction(value, component.divisor)
    return _simplify(value)


def _simplify(value: Number) -> Number:
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


def _target_value(form: Form, target: str, total: Number | None) -> Number | None:
    if target == "total":
        return total
    if target.startswith("item:"):
        return form.score(target.removeprefix("item:"))
    msg = f"{form.instrument.id}: unknown band target {target!r}"
    raise KeyError(msg)


def _severity(form: Form, total: Number | None) -> str | None:
    bands = form.instrument.bands
    if bands is None:
        return None
    target = str(form.params.resolve(bands.on))
    value = _target_value(form, target, total)
    if value is None:
        return None
    return band_of(bands, value, form.params)


def _flag_fires(form: Form, rule: FlagRule, total: Number | None) -> bool:
    threshold = as_number(form.params.resolve(rule.value))
    compare = OPERATORS[rule.op]
    if rule.target == "any_item":
        values = [form.base_score(i) for i in _scored_items(form.instrument)]
        return any(v is not None and compare(v, threshold) for v in values)
    value: Number | None
    if rule.target.startswith("item:"):
        value = form.base_score(rule.target.removeprefix("item:"))
    else:
        value = _target_value(form, rule.target, total)
    return value is not None and compare(value, threshold)


def score_by_id(
    instrument_id: str,
    answers: Sequence[Answer],
    context: Mapping[str, str] | None = None,
) -> ScoreResult:
    """Score a form of the catalogue instrument ``instrument_id`` (see ``score``).

    Raises:
        NotFound: unknown instrument id.
        Invalid: malformed input.
    """
    return score(load_catalogue().get(instrument_id), answers, context)


def total_bounds(
    instrument: Instrument, context: Mapping[str, str] | None = None
) -> tuple[Number, Number]:
    """Return the lowest and highest total a complete form can reach (for tests and UIs)."""
    params = resolve_parameters(instrument, context or {})
    scoring = instrument.scoring
    if scoring.method is TotalMethod.COMPONENTS:
        lows, highs = zip(
            *(_bounds(instrument, c, params) for c in scoring.components), strict=True
        )
        return sum(lows), sum(highs)
    combine = Combine.MEAN if scoring.method is TotalMethod.MEAN else Combine.SUM
    whole = Component("total", "Total", _scored_items(instrument), combine)
    return _bounds(instrument, whole, params)


def _bounds(instrument: Instrument, component: Component, params: Params) -> tuple[Number, Number]:
    coding = params.coding()
    ranges = []
    for item_id in component.items:
        item = instrument.item(item_id)
        if item.kind is ItemKind.YES_NO:
            scores = [item_score(item, True), item_score(item, False)]
        else:
            rated = [
                v for v in allowed_values(item, coding) if coding is None or v != coding.not_rated
            ]
            scores = [item_score(item, v) for v in rated]
        ranges.append([s for s in scores if s is not None])
    lows = [min(r) for r in ranges]
    highs = [max(r) for r in ranges]
    low: Number
    high: Number
    if component.combine is Combine.MAX:
        low, high = max(lows), max(highs)
    elif component.combine is Combine.MEAN:
        low, high = Fraction(sum(lows), len(lows)), Fraction(sum(highs), len(highs))
    else:
        low, high = sum(lows), sum(highs)
    return _simplify(Fraction(low, component.divisor)), _simplify(Fraction(high, component.divisor))
