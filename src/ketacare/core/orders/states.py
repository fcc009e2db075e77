"""The medication-order state machine.

``draft -> signed -> given``, with ``cancelled`` reachable from ``draft`` and ``signed``. A signed
order can still be cancelled but never un-signed; ``given`` and ``cancelled`` are final. The
service stores every applied move as an append-only status-change row.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from ketacare.core.errors import Conflict


class OrderStatus(StrEnum):
    """Where a medication order is (stored on the order and on each status-change row)."""

    DRAFT = "draft"
    SIGNED = "signed"
    CANCELLED = "cancelled"
    GIVEN = "given"


_O = OrderStatus

TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    _O.DRAFT: frozenset({_O.SIGNED, _O.CANCELLED}),
    _O.SIGNED: frozenset({_O.CANCELLED, _O.GIVEN}),
    _O.CANCELLED: frozenset(),
    _O.GIVEN: frozenset(),
}


def can_transition(current: OrderStatus, to: OrderStatus) -> bool:
    """Whether the table allows moving an order from ``current`` to ``to``."""
    return to in TRANSITIONS[current]


def transition(current: OrderStatus | str, to: OrderStatus) -> OrderStatus:
    """Check one move of the order state machine and return the status moved from.

    Raises:
        Conflict: ``order.illegal_transition`` (field ``status``) if the table does not allow it.
    """
    old = OrderStatus(current)
    if not can_transition(old, to):
        raise Conflict(
            "order.illegal_transition", f"a {old} order cannot become {to}", field="status"
        )
    return old
