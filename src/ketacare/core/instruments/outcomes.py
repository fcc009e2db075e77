"""Response and remission helpers for the outcomes module.

Each instrument's data file carries its rules (``outcomes.response`` / ``outcomes.remission``)
with their sources: e.g. response = >=50% drop from baseline (PHQ-9, QIDS-SR16, MADRS, HAM-D,
BDI-II) and remission PHQ-9 <5, QIDS-SR16 <=5, MADRS <=10 (<=12 selectable), HAM-D17 <=7,
BDI-II <=12 [docs/clinical/outcomes.md#response-and-remission-definitions,
docs/clinical/outcomes.md#rule-38; docs/clinical/instruments.md#special-scoring-rules]. Callers may
override a cut
(every threshold is configurable) and should store the rule they used with each decision.
"""

from __future__ import annotations

from fractions import Fraction

from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.instruments.model import Instrument, RemissionRule, ResponseRule
from ketacare.core.instruments.scoring import OPERATORS


def response_rule(instrument: Instrument) -> ResponseRule:
    """Return the instrument's response rule.

    Raises:
        RuleViolation: ``outcome.no_response_rule`` for screening tools without one.
    """
    rule = instrument.outcomes.response
    if rule is None:
        msg = f"{instrument.id} has no response definition"
        raise RuleViolation("outcome.no_response_rule", msg, field="instrument")
    return rule


def remission_rule(instrument: Instrument) -> RemissionRule:
    """Return the instrument's remission rule.

    Raises:
        RuleViolation: ``outcome.no_remission_rule`` for instruments without one.
    """
    rule = instrument.outcomes.remission
    if rule is None:
        msg = f"{instrument.id} has no remission definition"
        raise RuleViolation("outcome.no_remission_rule", msg, field="instrument")
    return rule


def reduction_fraction(*, baseline: float, current: float) -> Fraction:
    """Return the fractional drop from ``baseline`` to ``current`` (negative if worse).

    Raises:
        Invalid: ``outcome.baseline_not_positive`` if ``baseline`` <= 0 (no drop is defined).
    """
    if baseline <= 0:
        msg = f"baseline score must be above 0 to compute a reduction, got {baseline}"
        raise Invalid("outcome.baseline_not_positive", msg, field="baseline")
    base = Fraction(str(baseline))
    return (base - Fraction(str(current))) / base


def is_response(
    instrument: Instrument,
    *,
    baseline: float,
    current: float,
    min_reduction_fraction: float | None = None,
) -> bool:
    """Whether ``current`` is a response relative to ``baseline``.

    Args:
        instrument: the instrument both scores come from.
        baseline: the baseline total (last score before the first ketamine session).
        current: the follow-up total.
        min_reduction_fraction: override of the instrument's default (e.g. 0.5 for pain).

    Raises:
        RuleViolation: the instrument has no response rule.
        Invalid: the baseline is not positive.
    """
    rule = response_rule(instrument)
    needed = Fraction(str(min_reduction_fraction or rule.min_reduction_fraction))
    drop = reduction_fraction(baseline=baseline, current=current)
    return drop >= needed if rule.inclusive else drop > needed


def is_remission(instrument: Instrument, *, score: float, cut: float | None = None) -> bool:
    """Whether ``score`` meets the instrument's remission cut (``cut`` overrides the default).

    Raises:
        RuleViolation: the instrument has no remission rule.
    """
    rule = remission_rule(instrument)
    threshold = rule.value if cut is None else cut
    return OPERATORS[rule.op](Fraction(str(score)), Fraction(str(threshold)))
