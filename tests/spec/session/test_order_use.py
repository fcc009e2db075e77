"""Spec: one signed order is given in one session (booking refuses an order another holds)."""

from __future__ import annotations

import pytest

from ketacare.core.session.scheduling import OrderUse, blocking_order_use
from ketacare.core.session.states import SessionState

S = SessionState

# (id, the other session's state, whether any drug was given in it, does it hold the order?)
USES = [
    ("booked, not given: holds (one order, one session)", S.SCHEDULED, False, True),
    ("checked in: holds", S.CHECKED_IN, False, True),
    ("ready: holds", S.READY, False, True),
    ("infusing: holds", S.INFUSING, True, True),
    ("infusing before the first device: holds", S.INFUSING, False, True),
    ("paused: holds", S.PAUSED, True, True),
    ("recovering: holds", S.RECOVERING, True, True),
    ("discharged (given): holds", S.DISCHARGED, True, True),
    ("aborted after a dose: holds", S.ABORTED, True, True),
    ("aborted before any dose: frees the order", S.ABORTED, False, False),
]


@pytest.mark.parametrize(
    ("state", "administered", "holds"),
    [pytest.param(s, a, h, id=i) for i, s, a, h in USES],
)
def test_which_sessions_hold_an_order(state: SessionState, administered: bool, holds: bool) -> None:
    use = OrderUse("7", state, administered)
    assert (blocking_order_use([use]) == use) is holds


def test_every_state_is_decided() -> None:
    assert {s for _, s, _, _ in USES} == set(SessionState)


def test_an_unused_order_is_free() -> None:
    assert blocking_order_use([]) is None


def test_the_first_holding_session_is_named_past_freed_ones() -> None:
    freed = OrderUse("1", S.ABORTED, False)
    held = OrderUse("2", S.SCHEDULED, False)
    assert blocking_order_use([freed, held]) == held
