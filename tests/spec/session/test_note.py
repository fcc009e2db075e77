"""When the session note may be signed: every state, signed or not."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Conflict
from ketacare.core.session.note import check_note_signable, note_signable
from ketacare.core.session.states import SessionState

S = SessionState

# state -> the refusal code for an unsigned note (None: may be signed)
UNSIGNED = {
    S.SCHEDULED: "session_note.session_open",
    S.CHECKED_IN: "session_note.session_open",
    S.READY: "session_note.session_open",
    S.INFUSING: "session_note.session_open",
    S.PAUSED: "session_note.session_open",
    S.RECOVERING: "session_note.session_open",
    S.DISCHARGED: None,
    S.ABORTED: None,
}


def test_the_table_covers_every_state() -> None:
    assert set(UNSIGNED) == set(SessionState)


@pytest.mark.parametrize(("state", "code"), UNSIGNED.items())
def test_an_unsigned_note_is_signed_only_after_the_session_ended(
    state: SessionState, code: str | None
) -> None:
    assert note_signable(state, signed=False) is (code is None)
    if code is None:
        check_note_signable(state, already_signed=False)
        return
    with pytest.raises(Conflict) as caught:
        check_note_signable(state, already_signed=False)
    assert caught.value.code == code


@pytest.mark.parametrize("state", [S.DISCHARGED, S.ABORTED])
def test_a_signed_note_is_never_signed_again(state: SessionState) -> None:
    assert not note_signable(state, signed=True)
    with pytest.raises(Conflict) as caught:
        check_note_signable(state, already_signed=True)
    assert caught.value.code == "session_note.already_signed"
