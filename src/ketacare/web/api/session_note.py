"""JSON API of the session note: read it (clinical staff) and sign it (a prescriber, once).

Decimals are sent as strings (as everywhere in the API): a dose is never rounded into a float.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import TypeAdapter

from ketacare.core.session.note import SessionNote
from ketacare.services.session import note as note_service
from ketacare.services.session import note_sign as sign_service
from ketacare.web.deps import ApiAuth, Db
from ketacare.web.schemas.common import PathId
from ketacare.web.schemas.errors import API_ERRORS

router = APIRouter(prefix="/api/v1", tags=["sessions"], responses=API_ERRORS)
NOTE_JSON: TypeAdapter[SessionNote] = TypeAdapter(SessionNote)


def note_json(note: SessionNote) -> dict[str, Any]:
    out: dict[str, Any] = NOTE_JSON.dump_python(note, mode="json")
    return out


@router.get("/sessions/{session_id}/note")
def read_note(session_id: PathId, db: Db, auth: ApiAuth) -> dict[str, Any]:
    """Everything charted for the session, times in the location's zone, with its signature."""
    note = note_service.get_session_note(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    return note_json(note)


@router.post("/sessions/{session_id}/note/sign")
def sign_note(session_id: PathId, db: Db, auth: ApiAuth) -> dict[str, Any]:
    """Sign the note (prescriber). 409 ``session_note.session_open`` before discharge or abort,
    409 ``session_note.already_signed`` the second time; 403 for anyone but a prescriber."""
    note = sign_service.sign_session_note(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    return note_json(note)
