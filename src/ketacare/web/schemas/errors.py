"""The one error body of every 4xx and 5xx answer of the API, and the OpenAPI table of them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. `diastolic` or `body`.")
    message: str = Field(description="What is wrong, in plain words.")
    code: str = Field(description="Stable machine code, e.g. `plausibility.out_of_range`.")


class ErrorBody(BaseModel):
    """Every error answer. Domain errors may add keys (e.g. `failures` of a refused gate)."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(description="Stable machine code, e.g. `session.double_booked_chair`.")
    detail: str = Field(description="What went wrong, in plain words.")
    field: str | None = Field(description="The field at fault, when there is one.")
    errors: list[FieldError] = Field(
        description="One entry per refused field (validation errors); empty otherwise."
    )


_DESCRIPTIONS = {
    400: "The request could not be read (malformed body or header).",
    401: "Sign-in required: no or an invalid bearer token.",
    403: "The signed-in role may not do this.",
    404: "No such record in your organisation.",
    409: "Clashes with the current state (stale version, double booking, refused gate).",
    422: "A field is invalid or implausible; `errors` lists every one.",
    503: "The database is unavailable; nothing was saved.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses=`` entries for ``statuses``, all with the one error body."""
    return {s: {"model": ErrorBody, "description": _DESCRIPTIONS[s]} for s in statuses}


# What any signed-in API route can answer besides its success.
API_ERRORS = error_responses(400, 401, 403, 404, 409, 422, 503)
