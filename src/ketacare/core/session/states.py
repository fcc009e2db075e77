"""The treatment-session state machine.

``scheduled -> checked_in -> ready -> infusing <-> paused -> recovering -> discharged``, with
``aborted`` reachable from every state before ``discharged``. For esketamine, ``infusing`` means
the devices are being given; one machine serves both drugs so that reports, cadence reminders and
the chair board speak one language.

Every applied transition is returned as a :class:`Transition` record that the service stores as
an append-only row (house convention: statuses are transition tables, history is append-only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ketacare.core.errors import Conflict, Invalid
from ketacare.core.session.model import require_aware


class SessionState(StrEnum):
    """Where a treatment session is."""

    SCHEDULED = "scheduled"
    CHECKED_IN = "checked_in"
    READY = "ready"
    INFUSING = "infusing"
    PAUSED = "paused"
    RECOVERING = "recovering"
    DISCHARGED = "discharged"
    ABORTED = "aborted"


_S = SessionState

TRANSITIONS: Mapping[SessionState, frozenset[SessionState]] = {
    _S.SCHEDULED: frozenset({_S.CHECKED_IN, _S.ABORTED}),
    _S.CHECKED_IN: frozenset({_S.READY, _S.ABORTED}),
    _S.READY: frozenset({_S.INFUSING, _S.ABORTED}),
    _S.INFUSING: frozenset({_S.PAUSED, _S.RECOVERING, _S.ABORTED}),
    # Why paused -> recovering: an infusion paused for a vital-sign alert may be stopped for good
    # without restarting it first; observation starts from there.
    _S.PAUSED: frozenset({_S.INFUSING, _S.RECOVERING, _S.ABORTED}),
    _S.RECOVERING: frozenset({_S.DISCHARGED, _S.ABORTED}),
    _S.DISCHARGED: frozenset(),
    _S.ABORTED: frozenset(),
}

TERMINAL_STATES: frozenset[SessionState] = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)

# States in which the drug is (or may be about to be) in the patient's system and vital signs
# follow the intra- or post-administration cadence.
MONITORED_STATES: frozenset[SessionState] = frozenset({_S.INFUSING, _S.PAUSED, _S.RECOVERING})

# Moves into these states need a written reason (error code and message when it is missing):
# an abort ends the session for good and a pause interrupts the dose, so the record says why.
_REASON_REQUIRED: Mapping[SessionState, tuple[str, str]] = {
    _S.ABORTED: ("session.abort_reason_required", "aborting a session needs a reason"),
    _S.PAUSED: ("session.pause_reason_required", "pausing needs a reason"),
}
REASON_REQUIRED: frozenset[SessionState] = frozenset(_REASON_REQUIRED)


@dataclass(frozen=True)
class Transition:
    """One applied state change: the append-only row the service stores."""

    from_state: SessionState
    to_state: SessionState
    actor_id: str
    at: datetime
    reason: str | None


def can_transition(current: SessionState, to: SessionState) -> bool:
    """Whether the table allows moving from ``current`` to ``to``."""
    return to in TRANSITIONS[current]


def transition(
    current: SessionState,
    to: SessionState,
    *,
    reason: str | None,
    at: datetime,
    actor_id: str,
) -> Transition:
    """Apply one move of the state machine and return its record.

    Gates are not checked here: the service runs :func:`check_ready_gates` before ``ready`` and
    :func:`check_discharge` before ``discharged`` and only then calls this function.

    Raises:
        Conflict: ``session.illegal_transition`` if the table does not allow the move.
        Invalid: ``session.abort_reason_required`` / ``session.pause_reason_required`` when
            aborting or pausing without a reason (see :data:`REASON_REQUIRED`);
            ``session.actor_required`` without an actor; ``session.naive_datetime``.
    """
    require_aware(at, "at")
    if not can_transition(current, to):
        raise Conflict(
            "session.illegal_transition",
            f"a session cannot move from {current.value} to {to.value}",
            field="state",
        )
    if not actor_id.strip():
        raise Invalid("session.actor_required", "a transition needs an actor", field="actor_id")
    cleaned = reason.strip() if reason else None
    if to in _REASON_REQUIRED and not cleaned:
        code, message = _REASON_REQUIRED[to]
        raise Invalid(code, message, field="reason")
    return Transition(from_state=current, to_state=to, actor_id=actor_id, at=at, reason=cleaned)
