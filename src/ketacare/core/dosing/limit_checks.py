"""Checking an order's figures against a protocol's limits table (see ``limits.py``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ketacare.core.dosing.limits import (
    UNITS,
    DoseLimit,
    LimitCheck,
    LimitName,
    Limits,
    PriorDose,
    Range,
)
from ketacare.core.dosing.order import Finding
from ketacare.core.units import round_down

# A rolling week: the 7 days ending on any day counted (mg per 7 days).
WEEK_DAYS = 7
MESSAGE_STEP = Decimal("0.001")

# Finding codes predate the limits table for two limits; they are kept so stored orders still read.
_CODE_PREFIX: Mapping[LimitName, str] = {
    LimitName.RATE_MG_PER_KG_PER_H: "dose.rate",
    LimitName.DURATION_MIN: "dose.duration",
}


@dataclass(frozen=True, slots=True)
class Figure:
    """This order's figure for one limit: ``high`` is compared with maxima, ``low`` with minima.

    They differ only for per-kg figures, which are computed on both the dosing weight and the
    actual weight (the lighter weight gives the higher per-kg figure).
    """

    high: Decimal | None
    low: Decimal | None = None

    @property
    def lowest(self) -> Decimal | None:
        """The figure compared with a soft minimum."""
        return self.high if self.low is None else self.low


@dataclass(frozen=True, slots=True)
class Assessment:
    """Hard breaches (messages by limit) and soft findings, plus the limits list for the output."""

    hard: dict[LimitName, str]
    findings: list[Finding]
    checks: tuple[LimitCheck, ...]


def assess(limits: Limits, figures: Mapping[LimitName, Figure]) -> Assessment:
    """Compare each figure with its limit; a figure of None (not applicable) is not checked.

    A hard breach is reported by limit name (the caller raises); a soft one becomes a finding
    with ``requires_override=True`` whose code is ``dose.<limit>_above_soft_limit`` (or below).
    """
    hard: dict[LimitName, str] = {}
    findings: list[Finding] = []
    checks: list[LimitCheck] = []
    for name, limit in limits.items():
        figure = figures.get(name, Figure(None))
        checks.append(_check(name, limit, figure.high))
        if figure.high is None:
            continue
        if limit.hard is not None and figure.high > limit.hard.value:
            hard[name] = (
                f"{name}: {_num(figure.high)} {UNITS[name]} exceeds the hard limit of "
                f"{_num(limit.hard.value)} {UNITS[name]}"
            )
        findings += _soft(name, limit.soft, figure)
    return Assessment(hard, findings, tuple(checks))


def _soft(name: LimitName, soft: Range | None, figure: Figure) -> list[Finding]:
    if soft is None or figure.high is None:
        return []
    code, unit = _CODE_PREFIX.get(name, f"dose.{name}"), UNITS[name]
    if soft.high is not None and figure.high > soft.high:
        message = (
            f"{_num(figure.high)} {unit} is above {_num(soft.high)} {unit}: "
            "prescriber reason required"
        )
        return [Finding(f"{code}_above_soft_limit", message, True, soft.source)]
    low = figure.lowest
    if soft.low is not None and low is not None and low < soft.low:
        message = f"{_num(low)} {unit} is below {_num(soft.low)} {unit}: prescriber reason required"
        return [Finding(f"{code}_below_soft_limit", message, True, soft.source)]
    return []


def _check(name: LimitName, limit: DoseLimit, value: Decimal | None) -> LimitCheck:
    soft = None if limit.soft is None else (limit.soft.low, limit.soft.high)
    hard = None if limit.hard is None else (None, limit.hard.value)
    config = any(x.config for x in (limit.soft, limit.hard) if x is not None)
    derived = any(x.derived for x in (limit.soft, limit.hard) if x is not None)
    return LimitCheck(
        name=name.value,
        value=value,
        soft=soft,
        hard=hard,
        unit=UNITS[name],
        source=limit.source,
        config=config,
        derived=derived,
    )


def cumulative_figures(
    session_mg: Decimal, on: date, others: tuple[PriorDose, ...]
) -> dict[LimitName, Figure]:
    """Mg per day and the highest mg in any 7-day window that contains ``on``.

    ``others`` are the patient's other booked or given sessions of the same drug; the new session
    is counted on ``on``.
    """
    day = session_mg + sum((o.mg for o in others if o.on == on), Decimal(0))
    weeks = (
        session_mg + sum((o.mg for o in others if start <= o.on <= _end(start)), Decimal(0))
        for start in _week_starts(on)
    )
    return {LimitName.MG_PER_DAY: Figure(day), LimitName.MG_PER_7_DAYS: Figure(max(weeks))}


def _week_starts(on: date) -> Iterator[date]:
    for back in range(WEEK_DAYS):
        yield on - timedelta(days=back)


def _end(start: date) -> date:
    return start + timedelta(days=WEEK_DAYS - 1)


def _num(value: Decimal) -> str:
    return format(round_down(value, MESSAGE_STEP).normalize(), "f")
