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
from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ketacare.core.errors import Invalid
from ketacare.core.plausibility import Range, as_utc, check_name, check_text

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


def bounds(rule: Range) -> dict[str, Any]:
    """The OpenAPI ``minimum``/``maximum`` of a core range (the check itself stays in the core)."""
    return {"minimum": _number(rule.low), "maximum": _number(rule.high)}


def _number(value: Any) -> int | float:
    return int(value) if value == int(value) else float(value)


def in_range(rule: Range) -> Callable[[Any, ValidationInfo], Any]:
    """An after-validator applying the core range ``rule`` to the field."""
    return core_rule(lambda value, field: rule.check(field, value))


# Appended to a query-string text parameter (path and query values are not request bodies).
PlainText = AfterValidator(core_rule(lambda value, field: check_text(value, field=field)))

# Appended to a name type: visible characters only (not empty, not zero-width marks only).
VisibleName = AfterValidator(core_rule(lambda value, field: check_name(value, field=field)))


class Input(BaseModel):
    """Base of every request body: text is checked for control characters, times made UTC.

    Free text may hold tab and line breaks (notes, reasons, consent documents come from text
    areas); ``single_line`` names the fields where they are refused too. Names are checked
    by ``VisibleName``, which is single-line by definition.
    """

    single_line: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _plausible_scalars(cls, value: Any, info: ValidationInfo) -> Any:
        field = info.field_name or "value"
        multiline = field not in cls.single_line
        return run_rule(lambda: _clean(value, field=field, multiline=multiline))


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
