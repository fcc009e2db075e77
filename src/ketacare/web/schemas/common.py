"""Types and the base model every API input shares: ids, paging, text, times, the error body.

The plausibility rules live in ``ketacare.core.plausibility``; the validators here only call
them and turn their ``Invalid`` into a pydantic error on the field, so the API, the pages
(which parse forms with these schemas) and the CLI (which reaches the same core rules through
the services) can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, ClassVar, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ketacare.core.errors import Invalid
from ketacare.core.plausibility import as_utc, check_text

# Every id column is an INTEGER on PostgreSQL (SQLite holds 64 bits, but one rule for both):
# an id beyond it cannot exist, so it is refused as input instead of overflowing the driver.
MAX_ID = 2**31 - 1
MAX_OFFSET = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
# Optimistic-lock versions are INTEGER columns too.
Version = Annotated[int, Field(ge=0, le=MAX_ID)]

T = TypeVar("T")


def core_rule(rule: Callable[[T, str], None]) -> Callable[[T, ValidationInfo], T]:
    """Wrap a core rule ``rule(value, field)`` as a pydantic after-validator."""

    def validate(value: T, info: ValidationInfo) -> T:
        run_rule(lambda: rule(value, info.field_name or "value"))
        return value

    return validate


def run_rule(check: Callable[[], object]) -> Any:
    """Run a core check; its ``Invalid`` becomes a pydantic error with the plain message."""
    try:
        return check()
    except Invalid as exc:
        raise PydanticCustomError(exc.code, exc.message) from None


class Input(BaseModel):
    """Base of every request body: text is checked for control characters, times made UTC.

    ``multiline`` names the fields where tab and line breaks are allowed.
    """

    multiline: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _plausible_scalars(cls, value: Any, info: ValidationInfo) -> Any:
        field = info.field_name or "value"
        return run_rule(lambda: _clean(value, field=field, multiline=field in cls.multiline))


def _clean(value: Any, *, field: str, multiline: bool) -> Any:
    if isinstance(value, str):
        check_text(value, field=field, multiline=multiline)
    elif isinstance(value, datetime):
        return as_utc(value, field=field)
    elif isinstance(value, list):
        return [_clean(v, field=field, multiline=multiline) for v in value]
    elif isinstance(value, dict):
        return {
            _clean(k, field=field, multiline=False): _clean(v, field=field, multiline=multiline)
            for k, v in value.items()
        }
    return value
