"""Administration record maths: how many mg the patient actually received.

An IV record is a list of rate segments (a rate change starts a new segment), pauses (time the
pump was stopped inside a segment) and boluses. An esketamine record is a list of device uses,
28 mg each, with at least 5 minutes between devices (SRC_DEVICE in the config module). All mg and
mL arithmetic is ``Decimal``; the totals are rounded once, at the end, to :data:`MG_QUANTUM`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from ketacare.core.errors import Invalid, RuleViolation
from ketacare.core.session.config import ESKETAMINE_DEVICE_MG, AdministrationConfig
from ketacare.core.session.model import require_aware

# Reporting precision of totals (0.01 mg, 0.01 mL): a display/record choice, not a clinical one.
MG_QUANTUM = Decimal("0.01")
ML_QUANTUM = Decimal("0.01")
_SECONDS_PER_MINUTE = Decimal(60)
_SECONDS_PER_HOUR = Decimal(3600)
_MICROSECONDS = Decimal(1_000_000)

DEFAULT_ADMINISTRATION_CONFIG = AdministrationConfig()


class RateUnit(StrEnum):
    """Units a pump rate may be charted in."""

    ML_PER_H = "mL/h"
    MG_PER_MIN = "mg/min"


class AmountUnit(StrEnum):
    """Units a bolus may be charted in."""

    MG = "mg"
    ML = "mL"


@dataclass(frozen=True)
class RateSegment:
    """The pump ran at ``rate`` from ``start`` until ``stop`` (``None``: still running)."""

    start: datetime
    stop: datetime | None
    rate: Decimal
    unit: RateUnit


@dataclass(frozen=True)
class Pause:
    """The pump was stopped from ``start`` until ``end`` (``None``: still paused)."""

    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class Bolus:
    """A bolus given at ``at``."""

    at: datetime
    amount: Decimal
    unit: AmountUnit


@dataclass(frozen=True)
class DeviceUse:
    """One esketamine nasal device (28 mg) given at ``at``."""

    at: datetime
    lot_number: str | None = None


@dataclass(frozen=True)
class AdministrationRecord:
    """Everything charted about what was given in one session."""

    concentration_mg_per_ml: Decimal | None = None
    segments: tuple[RateSegment, ...] = ()
    pauses: tuple[Pause, ...] = ()
    boluses: tuple[Bolus, ...] = ()
    devices: tuple[DeviceUse, ...] = ()


@dataclass(frozen=True)
class AdministrationTotals:
    """What the record adds up to at ``at``; ``total_ml`` is ``None`` without a concentration."""

    total_mg: Decimal
    infusion_mg: Decimal
    bolus_mg: Decimal
    device_mg: Decimal
    total_ml: Decimal | None
    running_time: timedelta


def _seconds(delta: timedelta) -> Decimal:
    return Decimal(delta // timedelta(microseconds=1)) / _MICROSECONDS


def _interval(
    start: datetime, end: datetime | None, at: datetime, what: str
) -> tuple[datetime, datetime]:
    require_aware(start, what)
    stop = min(end, at) if end is not None else at
    if end is not None and require_aware(end, what) < start:
        raise Invalid(f"administration.{what}_ends_before_start", f"a {what} ends before it starts")
    return start, max(start, stop)


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> timedelta:
    return max(timedelta(0), min(a[1], b[1]) - max(a[0], b[0]))


def _running(seg: tuple[datetime, datetime], pauses: list[tuple[datetime, datetime]]) -> timedelta:
    return (seg[1] - seg[0]) - sum((_overlap(seg, p) for p in pauses), timedelta(0))


def _check_no_overlap(spans: list[tuple[datetime, datetime]]) -> None:
    ordered = sorted(spans)
    for first, second in itertools.pairwise(ordered):
        if second[0] < first[1]:
            raise Invalid(
                "administration.overlapping_segments",
                "two rate segments overlap; a rate change must close the previous segment",
            )


def _concentration(record: AdministrationRecord) -> Decimal:
    c = record.concentration_mg_per_ml
    if c is None or c <= 0:
        raise Invalid(
            "administration.concentration_required",
            "an amount in mL needs the concentration in mg/mL",
            field="concentration_mg_per_ml",
        )
    return c


def _segment_amounts(
    record: AdministrationRecord, seg: RateSegment, running: timedelta
) -> tuple[Decimal, Decimal | None]:
    """Return (mg, mL or None) delivered by one segment over its running time."""
    if seg.rate < 0:
        raise Invalid("administration.negative_rate", "a rate cannot be negative", field="rate")
    secs = _seconds(running)
    if seg.unit is RateUnit.MG_PER_MIN:
        mg = seg.rate * secs / _SECONDS_PER_MINUTE
        c = record.concentration_mg_per_ml
        return mg, (mg / c if c else None)
    ml = seg.rate * secs / _SECONDS_PER_HOUR
    return ml * _concentration(record), ml


def require_positive_bolus(amount: Decimal) -> Decimal:
    """Return ``amount`` if it is a positive bolus (in any unit).

    Raises:
        Invalid: ``administration.bolus_not_positive`` naming ``amount``.
    """
    if amount <= 0:
        raise Invalid(
            "administration.bolus_not_positive", "a bolus must be positive", field="amount"
        )
    return amount


def _bolus_amounts(record: AdministrationRecord, bolus: Bolus) -> tuple[Decimal, Decimal | None]:
    require_positive_bolus(bolus.amount)
    if bolus.unit is AmountUnit.ML:
        return bolus.amount * _concentration(record), bolus.amount
    c = record.concentration_mg_per_ml
    return bolus.amount, (bolus.amount / c if c else None)


def _add_ml(total: Decimal | None, part: Decimal | None) -> Decimal | None:
    return None if total is None or part is None else total + part


def total_administered(record: AdministrationRecord, *, at: datetime) -> AdministrationTotals:
    """Add up the mg (and mL) given by a record up to ``at``.

    Open segments and pauses run until ``at``; anything charted after ``at`` is ignored.
    Pauses are subtracted from the segments they overlap. ``total_ml`` is ``None`` when a volume
    cannot be known (mg/min or mg entries without a concentration, or esketamine devices).

    Raises:
        Invalid: overlapping segments, a segment or pause ending before it starts, a negative rate,
            a non-positive bolus, or an mL quantity without a concentration.
    """
    require_aware(at, "at")
    pauses = _merge(_interval(p.start, p.end, at, "pause") for p in record.pauses)
    spans = [_interval(s.start, s.stop, at, "segment") for s in record.segments]
    _check_no_overlap(spans)
    infusion_mg, running = Decimal(0), timedelta(0)
    ml: Decimal | None = Decimal(0)
    for seg, span in zip(record.segments, spans, strict=True):
        seg_running = _running(span, pauses)
        mg_part, ml_part = _segment_amounts(record, seg, seg_running)
        infusion_mg, ml, running = (
            infusion_mg + mg_part,
            _add_ml(ml, ml_part),
            running + seg_running,
        )
    bolus_mg = Decimal(0)
    for bolus in (b for b in record.boluses if require_aware(b.at, "bolus") <= at):
        mg_part, ml_part = _bolus_amounts(record, bolus)
        bolus_mg, ml = bolus_mg + mg_part, _add_ml(ml, ml_part)
    device_mg = ESKETAMINE_DEVICE_MG * sum(1 for d in record.devices if d.at <= at)
    total = infusion_mg + bolus_mg + device_mg
    return AdministrationTotals(
        total_mg=_q(total, MG_QUANTUM),
        infusion_mg=_q(infusion_mg, MG_QUANTUM),
        bolus_mg=_q(bolus_mg, MG_QUANTUM),
        device_mg=_q(device_mg, MG_QUANTUM),
        total_ml=None if ml is None or record.devices else _q(ml, ML_QUANTUM),
        running_time=running,
    )


def _q(value: Decimal, quantum: Decimal) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_EVEN)


def check_device_times(
    devices: Sequence[DeviceUse], *, config: AdministrationConfig = DEFAULT_ADMINISTRATION_CONFIG
) -> None:
    """Check the esketamine device chart: count and spacing between consecutive devices.

    Raises:
        RuleViolation: ``administration.device_interval_too_short`` when two devices are less than
            ``config.min_device_interval`` apart (5 min by default: 4:59 is refused, 5:00 allowed);
            ``administration.too_many_devices`` above ``config.max_devices_per_session``.
    """
    if len(devices) > config.max_devices_per_session:
        raise RuleViolation(
            "administration.too_many_devices",
            f"at most {config.max_devices_per_session} devices may be given in one session",
            field="devices",
        )
    times = sorted(require_aware(d.at, "device") for d in devices)
    for earlier, later in itertools.pairwise(times):
        if later - earlier < config.min_device_interval:
            raise RuleViolation(
                "administration.device_interval_too_short",
                f"Wait {_minutes_seconds(config.min_device_interval)} between devices: only "
                f"{_minutes_seconds(later - earlier)} since the previous one. The next device "
                f"may be given from {(earlier + config.min_device_interval):%H:%M:%S} UTC.",
                field="devices",
            )


def _minutes_seconds(span: timedelta) -> str:
    """Format a short duration the way a nurse reads it: ``5 min`` or ``2 min 05 s``."""
    total = int(span.total_seconds())
    minutes, seconds = divmod(total, 60)
    if seconds == 0:
        return f"{minutes} min"
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def add_device(
    devices: Sequence[DeviceUse],
    new: DeviceUse,
    *,
    config: AdministrationConfig = DEFAULT_ADMINISTRATION_CONFIG,
) -> tuple[DeviceUse, ...]:
    """Return the device chart with ``new`` added, after checking count and spacing.

    Raises:
        RuleViolation: as :func:`check_device_times`.
    """
    updated = (*devices, new)
    check_device_times(updated, config=config)
    return tuple(sorted(updated, key=lambda d: d.at))
