"""The chairside record bound by the signed order and the protocol's hard ceilings.

Every rate change, bolus and extra device is checked as it is charted, before it is stored:

- within the signed order: allowed;
- beyond the order but within the protocol's hard limits: allowed only with a prescriber's
  override (``Conflict`` with a code naming the limit, e.g. ``administration.beyond_order_rate``);
- beyond a hard limit: refused, never overridable (``RuleViolation``,
  e.g. ``administration.hard_limit_rate``).

The total is *projected*: what has been given so far plus the new rate running for the rest of
the planned duration (the ordered duration minus the running time so far). The hard ceilings
come from the protocol's dose rule (mg/kg/h ceiling, mg/h ceiling, bolus ceiling; Cohen et al.
2018 Reg Anesth Pain Med 43:521 for IV ketamine in pain; Schwartzman et al. 2009 Pain 147:107 for
the 25 mg/h CRPS ceiling) multiplied by the order's weight; the service builds them.

Ending administration ("Stop", or "Dosing done" for esketamine) with less than the order given
needs a confirmation and a reason (``administration.less_than_ordered``), so a short dose is a
documented decision, never a silent one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from ketacare.core.errors import Conflict, Invalid, RuleViolation
from ketacare.core.session.administration import require_positive_bolus
from ketacare.core.session.config import ESKETAMINE_DEVICE_MG

_MG = Decimal("0.01")
_SECONDS_PER_HOUR = Decimal(3600)

# CONFIG (no guideline gives a number): a shortfall below this fraction of the ordered dose is
# pump-rate rounding or a stop a few seconds early, not a decision that needs a written reason.
LESS_THAN_ORDERED_TOLERANCE = Decimal("0.02")


@dataclass(frozen=True)
class OrderedDose:
    """What the prescriber signed: the dose, the planned duration and the pump set-up.

    ``concentration_mg_per_ml`` is the infused solution's (the diluted bag's) concentration;
    ``rate_ml_per_h`` the ordered pump rate. ``bolus_mg`` is an ordered bolus, if any.
    ``devices`` is the number of esketamine devices ordered (``None`` for IV).
    """

    dose_mg: Decimal
    duration: timedelta
    concentration_mg_per_ml: Decimal | None = None
    rate_ml_per_h: Decimal | None = None
    bolus_mg: Decimal | None = None
    devices: int | None = None

    @property
    def rate_mg_per_h(self) -> Decimal:
        """The ordered rate in mg/h: the signed pump setting, else dose over duration."""
        if self.rate_ml_per_h is not None and self.concentration_mg_per_ml is not None:
            return self.rate_ml_per_h * self.concentration_mg_per_ml
        hours = Decimal(int(self.duration.total_seconds())) / _SECONDS_PER_HOUR
        return self.dose_mg / hours if hours > 0 else self.dose_mg

    @property
    def total_ceiling_mg(self) -> Decimal:
        """The most the order allows in total: the dose, or its own pump rate over its duration.

        Why the larger of the two: a pump rate is rounded to 0.01 mL/h, so the signed pump
        setting run for the signed duration may exceed the signed mg by a rounding crumb; what
        the prescriber signed is never "beyond the order".
        """
        return max(self.dose_mg, _q(self.rate_mg_per_h * _hours(self.duration)))


@dataclass(frozen=True)
class HardCeilings:
    """The protocol's hard limits for this patient, in mg; ``None`` where the protocol has none."""

    max_rate_mg_per_h: Decimal | None = None
    max_total_mg: Decimal | None = None
    max_bolus_mg: Decimal | None = None


@dataclass(frozen=True)
class GivenSoFar:
    """What the record adds up to now: mg given and the pump's running time."""

    total_mg: Decimal
    running_time: timedelta
    current_rate_ml_per_h: Decimal | None = None
    devices: int = 0


def _q(value: Decimal) -> Decimal:
    return value.quantize(_MG, rounding=ROUND_HALF_EVEN)


def _hours(span: timedelta) -> Decimal:
    return Decimal(int(span.total_seconds())) / _SECONDS_PER_HOUR


def remaining_time(order: OrderedDose, given: GivenSoFar) -> timedelta:
    """Planned running time still to go (never negative)."""
    return max(timedelta(0), order.duration - given.running_time)


def _concentration(order: OrderedDose) -> Decimal:
    c = order.concentration_mg_per_ml
    if c is None or c <= 0:
        raise Invalid(
            "administration.concentration_required",
            "the order has no infusion concentration, so a pump rate cannot be checked",
            field="rate_ml_per_h",
        )
    return c


def projected_total_mg(order: OrderedDose, given: GivenSoFar, rate_ml_per_h: Decimal) -> Decimal:
    """Given so far plus ``rate_ml_per_h`` running for the rest of the planned duration."""
    rate_mg_per_h = rate_ml_per_h * _concentration(order)
    return _q(given.total_mg + rate_mg_per_h * _hours(remaining_time(order, given)))


def _fmt(value: Decimal) -> str:
    return format(_q(value).normalize(), "f")


def _hard(code: str, message: str, field: str) -> RuleViolation:
    return RuleViolation(
        code, f"{message} This is a hard limit: it cannot be overridden.", field=field
    )


def _beyond(code: str, message: str, field: str) -> Conflict:
    return Conflict(
        code, f"{message} A prescriber's override with a reason is needed.", field=field
    )


def _check_total(order: OrderedDose, ceilings: HardCeilings, projected: Decimal) -> list[Conflict]:
    if ceilings.max_total_mg is not None and projected > ceilings.max_total_mg:
        raise _hard(
            "administration.hard_limit_total",
            f"This would bring the session to {_fmt(projected)} mg, above the protocol's "
            f"ceiling of {_fmt(ceilings.max_total_mg)} mg.",
            "rate_ml_per_h",
        )
    if projected > order.total_ceiling_mg:
        return [
            _beyond(
                "administration.beyond_order_total",
                f"This would bring the session to {_fmt(projected)} mg; the order is "
                f"{_fmt(order.dose_mg)} mg.",
                "rate_ml_per_h",
            )
        ]
    return []


def check_rate_change(
    order: OrderedDose,
    given: GivenSoFar,
    ceilings: HardCeilings,
    *,
    rate_ml_per_h: Decimal,
    overridden: bool,
) -> tuple[str, ...]:
    """Check a new pump rate against the hard ceilings, then the signed order.

    Returns:
        The codes of the order limits the rate goes beyond (empty: within the order). They are
        returned only when ``overridden``; without an override the first one is raised.

    Raises:
        RuleViolation: ``administration.hard_limit_rate`` (mg/h above the ceiling, "at" allowed)
            or ``administration.hard_limit_total`` (projected total above the ceiling).
        Conflict: ``administration.beyond_order_rate`` / ``administration.beyond_order_total``
            without an override.
        Invalid: a negative rate, or an order without a concentration.
    """
    if rate_ml_per_h < 0:
        raise Invalid(
            "administration.negative_rate", "a rate cannot be negative", field="rate_ml_per_h"
        )
    rate_mg_per_h = rate_ml_per_h * _concentration(order)
    if ceilings.max_rate_mg_per_h is not None and rate_mg_per_h > ceilings.max_rate_mg_per_h:
        raise _hard(
            "administration.hard_limit_rate",
            f"{_fmt(rate_ml_per_h)} mL/h is {_fmt(rate_mg_per_h)} mg/h, above the protocol's "
            f"ceiling of {_fmt(ceilings.max_rate_mg_per_h)} mg/h.",
            "rate_ml_per_h",
        )
    beyond = _check_total(order, ceilings, projected_total_mg(order, given, rate_ml_per_h))
    if rate_mg_per_h > _q(order.rate_mg_per_h):
        beyond.insert(
            0,
            _beyond(
                "administration.beyond_order_rate",
                f"{_fmt(rate_ml_per_h)} mL/h ({_fmt(rate_mg_per_h)} mg/h) is faster than the "
                f"order ({_fmt(order.rate_mg_per_h)} mg/h).",
                "rate_ml_per_h",
            ),
        )
    return _settle(beyond, overridden=overridden)


def _settle(beyond: list[Conflict], *, overridden: bool) -> tuple[str, ...]:
    if beyond and not overridden:
        raise beyond[0]
    return tuple(c.code for c in beyond)


def check_bolus(
    order: OrderedDose,
    given: GivenSoFar,
    ceilings: HardCeilings,
    *,
    bolus_mg: Decimal,
    overridden: bool,
) -> tuple[str, ...]:
    """Check a bolus (in mg) against the hard ceilings, then the signed order.

    A bolus is within the order only when the order has one and this bolus is no larger; the
    projected total counts the bolus plus the current rate for the rest of the planned time.

    Raises:
        RuleViolation: ``administration.hard_limit_bolus`` / ``administration.hard_limit_total``.
        Conflict: ``administration.beyond_order_bolus`` / ``administration.beyond_order_total``
            without an override.
        Invalid: a bolus that is not positive.
    """
    require_positive_bolus(bolus_mg)
    if ceilings.max_bolus_mg is not None and bolus_mg > ceilings.max_bolus_mg:
        raise _hard(
            "administration.hard_limit_bolus",
            f"A {_fmt(bolus_mg)} mg bolus is above the protocol's ceiling of "
            f"{_fmt(ceilings.max_bolus_mg)} mg.",
            "amount",
        )
    rate = given.current_rate_ml_per_h or Decimal(0)
    after = GivenSoFar(given.total_mg + bolus_mg, given.running_time)
    beyond = _check_total(order, ceilings, projected_total_mg(order, after, rate))
    if order.bolus_mg is None or bolus_mg > order.bolus_mg:
        ordered = "no bolus" if order.bolus_mg is None else f"a {_fmt(order.bolus_mg)} mg bolus"
        beyond.insert(
            0,
            _beyond(
                "administration.beyond_order_bolus",
                f"A {_fmt(bolus_mg)} mg bolus: the order has {ordered}.",
                "amount",
            ),
        )
    return _settle(beyond, overridden=overridden)


def check_device(order: OrderedDose, given: GivenSoFar, *, overridden: bool) -> tuple[str, ...]:
    """Check one more esketamine device against the ordered count.

    A device beyond the order needs an override; the label's 84 mg maximum is a hard limit
    checked by :func:`~ketacare.core.session.administration.check_device_times`.

    Raises:
        Conflict: ``administration.beyond_order_devices`` without an override.
    """
    ordered = order.devices if order.devices is not None else ordered_devices(order.dose_mg)
    if given.devices + 1 <= ordered:
        return ()
    beyond = _beyond(
        "administration.beyond_order_devices",
        f"The order is {ordered} device(s) ({_fmt(order.dose_mg)} mg); this would be device "
        f"{given.devices + 1}.",
        "kind",
    )
    return _settle([beyond], overridden=overridden)


def ordered_devices(dose_mg: Decimal) -> int:
    """Devices in an esketamine dose: 28 mg each (Spravato PI §2, 28 mg per device)."""
    return int(dose_mg // ESKETAMINE_DEVICE_MG)


@dataclass(frozen=True)
class Shortfall:
    """How much of the order has not been given when administration ends."""

    given_mg: Decimal
    ordered_mg: Decimal

    @property
    def missing_mg(self) -> Decimal:
        """The part of the order not given, in mg (never negative)."""
        return max(Decimal(0), _q(self.ordered_mg - self.given_mg))


def check_end_of_dosing(
    order: OrderedDose,
    given: GivenSoFar,
    *,
    esketamine: bool,
    confirmed: bool,
    reason: str | None,
) -> Shortfall | None:
    """Whether administration may end now ("Stop" for IV, "Dosing done" for esketamine).

    Returns:
        The shortfall that was confirmed, or ``None`` when the order was given.

    Raises:
        Conflict: ``administration.no_device_given`` (esketamine: no device yet; the session
            cannot go to recovery, it can only be aborted); ``administration.less_than_ordered``
            when less than the order was given and the nurse has not confirmed it with a reason.
    """
    if esketamine and given.devices == 0:
        raise Conflict(
            "administration.no_device_given",
            "No device has been given: give the first device before dosing is done, or abort "
            "the session with a reason.",
            field="kind",
        )
    short = Shortfall(given.total_mg, order.dose_mg)
    if short.missing_mg <= _q(order.dose_mg * LESS_THAN_ORDERED_TOLERANCE):
        return None
    if confirmed and reason and reason.strip():
        return short
    raise Conflict(
        "administration.less_than_ordered",
        f"{_fmt(given.total_mg)} mg of the ordered {_fmt(order.dose_mg)} mg has been given. "
        "Confirm that dosing ends here and give a reason.",
        field="confirm_less_than_ordered",
    )
