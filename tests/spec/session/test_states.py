"""Spec: the treatment-session state machine, every legal and illegal move."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import product
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketacare.core.errors import Conflict, Invalid
from ketacare.core.session.states import (
    MONITORED_STATES,
    REASON_REQUIRED,
    TERMINAL_STATES,
    TRANSITIONS,
    SessionState,
    Transition,
    can_transition,
    transition,
)

S = SessionState
AT = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)

# The issue's diagram, written out independently of the table under test:
# scheduled -> checked_in -> ready -> infusing <-> paused -> recovering -> discharged,
# infusing -> recovering, and aborted from any state before discharged.
LEGAL = {
    (S.SCHEDULED, S.CHECKED_IN),
    (S.CHECKED_IN, S.READY),
    (S.READY, S.INFUSING),
    (S.INFUSING, S.PAUSED),
    (S.PAUSED, S.INFUSING),
    (S.INFUSING, S.RECOVERING),
    (S.PAUSED, S.RECOVERING),
    (S.RECOVERING, S.DISCHARGED),
} | {
    (s, S.ABORTED) for s in (S.SCHEDULED, S.CHECKED_IN, S.READY, S.INFUSING, S.PAUSED, S.RECOVERING)
}

ALL_MOVES = list(product(SessionState, SessionState))
LEGAL_MOVES = [m for m in ALL_MOVES if m in LEGAL]
ILLEGAL_MOVES = [m for m in ALL_MOVES if m not in LEGAL]


def _id(move: tuple[SessionState, SessionState]) -> str:
    return f"{move[0].value}->{move[1].value}"


def test_table_matches_the_issue_diagram() -> None:
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == LEGAL
    assert set(TRANSITIONS) == set(SessionState)


@pytest.mark.parametrize("move", LEGAL_MOVES, ids=_id)
def test_legal_move_returns_a_transition_record(move: tuple[SessionState, SessionState]) -> None:
    current, to = move
    record = transition(current, to, reason="patient request", at=AT, actor_id="nurse-1")
    assert record == Transition(current, to, "nurse-1", AT, "patient request")
    assert can_transition(current, to)


@pytest.mark.parametrize("move", ILLEGAL_MOVES, ids=_id)
def test_illegal_move_raises_conflict(move: tuple[SessionState, SessionState]) -> None:
    current, to = move
    with pytest.raises(Conflict) as err:
        transition(current, to, reason="because", at=AT, actor_id="nurse-1")
    assert err.value.code == "session.illegal_transition"
    assert not can_transition(current, to)


@pytest.mark.parametrize("reason", [None, "", "   "], ids=["none", "empty", "blank"])
def test_abort_requires_a_reason(reason: str | None) -> None:
    with pytest.raises(Invalid) as err:
        transition(S.INFUSING, S.ABORTED, reason=reason, at=AT, actor_id="nurse-1")
    assert err.value.code == "session.abort_reason_required"


@pytest.mark.parametrize("reason", [None, "", "   "], ids=["none", "empty", "blank"])
def test_pause_requires_a_reason(reason: str | None) -> None:
    with pytest.raises(Invalid) as err:
        transition(S.INFUSING, S.PAUSED, reason=reason, at=AT, actor_id="nurse-1")
    assert (err.value.code, err.value.field) == ("session.pause_reason_required", "reason")


def test_reason_is_required_exactly_for_pause_and_abort() -> None:
    assert frozenset({S.PAUSED, S.ABORTED}) == REASON_REQUIRED


def test_reason_is_optional_for_ordinary_moves_and_is_trimmed() -> None:
    assert transition(S.SCHEDULED, S.CHECKED_IN, reason=None, at=AT, actor_id="fd").reason is None
    rec = transition(S.INFUSING, S.ABORTED, reason="  chest pain ", at=AT, actor_id="rx")
    assert rec.reason == "chest pain"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"at": datetime(2025, 3, 4, 9, 0), "actor_id": "n"}, "session.naive_datetime"),  # noqa: DTZ001
        ({"at": AT, "actor_id": " "}, "session.actor_required"),
    ],
    ids=["naive-time", "blank-actor"],
)
def test_malformed_transition_inputs(kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(Invalid) as err:
        transition(S.SCHEDULED, S.CHECKED_IN, reason=None, **kwargs)
    assert err.value.code == code


def test_terminal_and_monitored_states() -> None:
    assert frozenset({S.DISCHARGED, S.ABORTED}) == TERMINAL_STATES
    assert frozenset({S.INFUSING, S.PAUSED, S.RECOVERING}) == MONITORED_STATES


@given(st.lists(st.sampled_from(list(SessionState)), max_size=30))
def test_random_walk_never_leaves_a_terminal_state(targets: list[SessionState]) -> None:
    state = S.SCHEDULED
    for to in targets:
        try:
            state = transition(state, to, reason="r", at=AT, actor_id="a").to_state
        except Conflict:
            assert to not in TRANSITIONS[state]
        if state in TERMINAL_STATES:
            assert not TRANSITIONS[state]
