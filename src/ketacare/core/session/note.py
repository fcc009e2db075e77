"""The session note: when a prescriber may sign it.

A note is the record of a finished session. It is signed once, by a prescriber, after the
patient has left (discharged) or the session was stopped (aborted); a signature is never
changed or repeated, so what was signed stays what was charted. Addenda, if ever needed, are
new rows that reference the note, never edits of it.
"""

from __future__ import annotations

from ketacare.core.errors import Conflict
from ketacare.core.session.states import SessionState

SIGNABLE_STATES = frozenset({SessionState.DISCHARGED, SessionState.ABORTED})


def check_note_signable(state: SessionState, *, already_signed: bool) -> None:
    """Refuse a signature on an open session or on a note that is already signed.

    Raises:
        Conflict: ``session_note.session_open`` while the session is still running (or only
            booked); ``session_note.already_signed`` when the note carries a signature.
    """
    if state not in SIGNABLE_STATES:
        raise Conflict(
            "session_note.session_open",
            f"the note is signed after discharge or abort (the session is {state.value})",
            field="state",
        )
    if already_signed:
        raise Conflict(
            "session_note.already_signed", "the note is already signed", field="signature"
        )
