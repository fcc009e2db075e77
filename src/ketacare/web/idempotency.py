"""Idempotent POSTs: a retried request with the same Idempotency-Key replays the first answer.

A tablet at the chair on flaky Wi-Fi retries; the retry must not create a second record. The
stored response is written in the same transaction as the record it describes, so either both
exist or neither does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from ketacare.core.errors import Conflict, Invalid
from ketacare.services import idempotency as store
from ketacare.web.deps import Auth

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 200


def _request_hash(body: Any) -> str:
    canonical = json.dumps(jsonable_encoder(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(request: Request, db: Session, auth: Auth, body: Any) -> JSONResponse | None:
    """The stored response for this key, or None when the request is new."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Invalid(
            "idempotency.bad_key",
            "Idempotency-Key must be 1-200 characters.",
            field="Idempotency-Key",
        )
    found = store.find_stored_response(db, user_id=auth.user.id, key=key)
    if found is None:
        return None
    same_target = found.method_path == f"{request.method} {request.url.path}"
    if not same_target or found.request_hash != _request_hash(body):
        raise Conflict(
            "idempotency.key_reused",
            "This Idempotency-Key was used for a different request.",
            field="Idempotency-Key",
        )
    return JSONResponse(
        status_code=found.status_code,
        content=json.loads(found.response_body),
        headers={"Idempotent-Replayed": "true"},
    )


def remember(
    request: Request, db: Session, auth: Auth, body: Any, status: int, response: Any
) -> None:
    key = request.headers.get(HEADER)
    if not key:
        return
    stored = store.StoredResponse(
        method_path=f"{request.method} {request.url.path}",
        request_hash=_request_hash(body),
        status_code=status,
        response_body=json.dumps(jsonable_encoder(response)),
    )
    store.store_response(db, user_id=auth.user.id, key=key, response=stored, at=auth.at)


def respond(
    request: Request, db: Session, auth: Auth, body: Any, status: int, result: Any
) -> JSONResponse:
    """Remember the answer under the request's Idempotency-Key (if any) and return it."""
    remember(request, db, auth, body, status, result)
    return JSONResponse(status_code=status, content=jsonable_encoder(result))
