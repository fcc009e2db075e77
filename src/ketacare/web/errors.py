"""Domain errors to HTTP: one table, JSON for the API, a page for browsers.

Every expected error is a 4xx whose body names the code, the message and the field. Database
trouble is a 503 that says nothing was saved; nothing reaches the client as a bare 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ketacare.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RuleViolation,
    Unauthorized,
)
from ketacare.web.deps import CsrfFailed, NotAuthenticated

logger = logging.getLogger("ketacare.web")

STATUS_BY_KIND: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    RuleViolation: 422,
    Forbidden: 403,
    Invalid: 422,
    Unauthorized: 401,
}


def status_for(error: DomainError | ValidationError) -> int:
    """The one status of an expected error, for the API and the pages alike: the domain error's
    kind through ``STATUS_BY_KIND``; a schema's ``ValidationError`` is the input's fault (422)."""
    if isinstance(error, ValidationError):
        return 422
    for kind, status in STATUS_BY_KIND.items():
        if isinstance(error, kind):
            return status
    return 400


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def _render(request: Request, status: int, title: str, message: str) -> Response:
    templates: Jinja2Templates = request.app.state.ketacare.templates
    return templates.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(status_code=status, content=jsonable_encoder(body), headers=headers)


def error_body(
    code: str,
    detail: str,
    *,
    field: str | None = None,
    errors: list[dict[str, str]] | None = None,
    extra: dict[str, object] | None = None,
) -> dict[str, Any]:
    """The one error body (``ErrorBody`` in the OpenAPI document)."""
    return {**(extra or {}), "code": code, "detail": detail, "field": field, "errors": errors or []}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


async def domain_error(request: Request, exc: DomainError) -> Response:
    status = status_for(exc)
    if wants_html(request):
        return _render(request, status, "Cannot do that", exc.message)
    return _json(status, error_body(exc.code, exc.message, field=exc.field, extra=exc.extra))


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [
        {
            "field": _field_of(e.get("loc", ())),
            "message": _plain_message(e),
            "code": str(e.get("type", "invalid")),
        }
        for e in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    if wants_html(request):
        return _render(request, 422, "Please check the form", summary)
    first = errors[0]["field"] if errors else None
    return _json(422, error_body("request.invalid", summary, field=first, errors=errors))


def _plain_message(error: Any) -> str:
    # Pydantic prefixes messages of custom errors raised by validators with "Value error, ".
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


async def not_authenticated(request: Request, _exc: NotAuthenticated) -> Response:
    if wants_html(request) or (
        request.method == "GET" and not request.url.path.startswith("/api/")
    ):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return _json(
        401,
        error_body("auth.required", "Sign in or send a valid bearer token."),
        {"WWW-Authenticate": "Bearer"},
    )


async def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
    message = "The form expired or came from another site. Reload the page and try again."
    if wants_html(request):
        return _render(request, 403, "Form expired", message)
    return _json(403, error_body("auth.csrf", message))


async def stale(request: Request, _exc: StaleDataError) -> Response:
    message = "Someone else changed this record at the same time. Reload and try again."
    if wants_html(request):
        return _render(request, 409, "Changed elsewhere", message)
    return _json(409, error_body("db.version_conflict", message))


async def integrity(request: Request, exc: IntegrityError) -> Response:
    logger.warning("integrity error: %s", type(exc.orig).__name__)
    message = "The change clashes with existing data; nothing was saved."
    if wants_html(request):
        return _render(request, 409, "Not saved", message)
    return _json(409, error_body("db.integrity", message))


async def unavailable(request: Request, exc: OperationalError) -> Response:
    logger.error("database error: %s", type(exc.orig).__name__)
    message = "The database is unavailable; nothing was saved. Try again shortly."
    if wants_html(request):
        return _render(request, 503, "Not saved", message)
    return _json(503, error_body("db.unavailable", message), {"Retry-After": "5"})


async def data_error(request: Request, exc: DataError) -> Response:
    # A value the database refuses (out of a column's range, an encoding it cannot store) that
    # the schemas let through: the input is at fault, and nothing was saved.
    logger.warning("data error: %s", type(exc.orig).__name__)
    message = "A value is outside what can be stored; nothing was saved."
    if wants_html(request):
        return _render(request, 422, "Not saved", message)
    return _json(422, error_body("db.invalid_value", message))


async def overflow(request: Request, _exc: OverflowError) -> Response:
    # A number too large for the database driver (an id beyond 64 bits reaching SQLite through
    # a page route): the request is at fault, nothing was saved.
    logger.warning("overflow on %s", request.url.path)
    message = "A number in the request is too large; nothing was saved."
    if wants_html(request):
        return _render(request, 422, "Not saved", message)
    return _json(422, error_body("request.out_of_range", message))


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if wants_html(request):
        return _render(request, exc.status_code, "Error", str(exc.detail))
    return _json(
        exc.status_code,
        error_body(f"http.{exc.status_code}", str(exc.detail)),
        dict(exc.headers) if exc.headers else None,
    )


def install_error_handlers(app: FastAPI) -> None:
    handlers: list[tuple[type[Exception], Any]] = [
        (DomainError, domain_error),
        (RequestValidationError, validation_error),
        (NotAuthenticated, not_authenticated),
        (CsrfFailed, csrf_failed),
        (StaleDataError, stale),
        (IntegrityError, integrity),
        (OperationalError, unavailable),
        (DataError, data_error),
        (OverflowError, overflow),
        (StarletteHTTPException, http_error),
    ]
    for exc_class, handler in handlers:
        app.add_exception_handler(exc_class, handler)
