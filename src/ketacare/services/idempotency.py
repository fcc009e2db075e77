"""Stored answers of idempotent requests: what a retried request with the same key replays.

The web adapter hashes the request and serialises the response; this module only finds and
stores the record, in the caller's transaction (flush, never commit), so the stored answer and
the record it describes are written together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.db.models import IdempotencyRecord
from ketacare.db.repositories import idempotency as repo


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first answer given under a key, and what it answered."""

    method_path: str
    request_hash: str
    status_code: int
    response_body: str


def find_stored_response(db: Session, *, user_id: int, key: str) -> StoredResponse | None:
    """The answer stored under this user's key, or ``None`` when the key is new."""
    found = repo.get_idempotency_record(db, user_id=user_id, key=key)
    if found is None:
        return None
    return StoredResponse(
        method_path=found.method_path,
        request_hash=found.request_hash,
        status_code=found.status_code,
        response_body=found.response_body,
    )


def store_response(
    db: Session, *, user_id: int, key: str, response: StoredResponse, at: datetime
) -> None:
    """Keep the answer under this user's key, in the same transaction as the change."""
    repo.add_idempotency_record(
        db,
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            method_path=response.method_path,
            request_hash=response.request_hash,
            status_code=response.status_code,
            response_body=response.response_body,
            created_at=at,
        ),
    )
