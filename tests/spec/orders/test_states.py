"""Spec: the medication-order state machine, every legal and illegal move."""

from __future__ import annotations

from itertools import product

import pytest

from ketacare.core.errors import Conflict
from ketacare.core.orders import TRANSITIONS, OrderStatus, can_transition, transition

OS = OrderStatus

# Written out independently of the table under test: a draft is signed or cancelled; a signed
# order is given or cancelled (never un-signed); given and cancelled are final.
LEGAL = {
    (OS.DRAFT, OS.SIGNED),
    (OS.DRAFT, OS.CANCELLED),
    (OS.SIGNED, OS.GIVEN),
    (OS.SIGNED, OS.CANCELLED),
}
ALL_MOVES = list(product(OrderStatus, OrderStatus))


def _id(move: tuple[OrderStatus, OrderStatus]) -> str:
    return f"{move[0].value}->{move[1].value}"


def test_table_is_the_written_out_diagram() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == LEGAL
    assert set(TRANSITIONS) == set(OrderStatus)


def test_stored_values_are_unchanged() -> None:
    assert [s.value for s in OrderStatus] == ["draft", "signed", "cancelled", "given"]


@pytest.mark.parametrize("move", [m for m in ALL_MOVES if m in LEGAL], ids=_id)
def test_legal_move_returns_the_old_status(move: tuple[OrderStatus, OrderStatus]) -> None:
    current, to = move
    assert can_transition(current, to)
    assert transition(current, to) is current
    assert transition(current.value, to) is current  # a stored value reads the same


@pytest.mark.parametrize("move", [m for m in ALL_MOVES if m not in LEGAL], ids=_id)
def test_illegal_move_raises_a_conflict(move: tuple[OrderStatus, OrderStatus]) -> None:
    current, to = move
    assert not can_transition(current, to)
    with pytest.raises(Conflict) as raised:
        transition(current, to)
    assert raised.value.code == "order.illegal_transition"
    assert raised.value.field == "status"
