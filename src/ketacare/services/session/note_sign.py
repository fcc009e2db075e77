"""Signing a session's note: a prescriber, once, after the session has ended.

The rule (which states, only once) is the core's (``ketacare.core.session.note``); this use
case loads the session with the signing permission (a refusal is a 403, audited by the web
edge), stores the append-only signature with the digest of the note it signs, and audits it
in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.errors import Conflict
from ketacare.core.session.note import SessionNote, check_note_signable, content_digest
from ketacare.core.session.states import SessionState
from ketacare.db.models import SessionNoteSignature
from ketacare.db.repositories import session as repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext
from ketacare.services.session._common import audit_session, load_session
from ketacare.services.session.note import build_note

ENTITY = AuditEntity.SESSION_NOTE_SIGNATURE


def sign_session_note(
    db: Session, *, session_id: int, at: datetime, ctx: AuditContext
) -> SessionNote:
    """Sign the note of a discharged or aborted session; returns the signed note.

    Raises:
        Conflict: ``session_note.session_open`` (not discharged or aborted) or
            ``session_note.already_signed``.
    """
    actor = require_actor(ctx)
    row = load_session(
        db, session_id, ctx=ctx, action=Action.CLINICAL_SIGN, audit_action=AuditAction.CREATE
    )
    signed = repo.get_note_signature(db, session_id=row.id) is not None
    check_note_signable(SessionState(row.state), already_signed=signed)
    digest = content_digest(build_note(db, row, at=at))
    signature = SessionNoteSignature(
        session_id=row.id, signed_by=actor.user_id, signed_at=at, content_sha256=digest
    )
    try:
        # Two prescribers signing at once: the unique session id lets one win; the other
        # gets the same 409 as a second signature, never a 500.
        with db.begin_nested():
            repo.add_row(db, signature)
    except IntegrityError:
        raise Conflict(
            "session_note.already_signed", "the note is already signed", field="signature"
        ) from None
    audit_session(
        db,
        ctx,
        at,
        AuditAction.CREATE,
        row,
        detail=f"sha256={digest}",
        entity_type=ENTITY,
        entity_id=signature.id,
    )
    return build_note(db, row, at=at)
