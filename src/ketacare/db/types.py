"""Column types that keep SQLite honest about time zones, and enum columns typed as enums."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import DateTime, Dialect, String
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite stores no offset; without this, values come back naive and comparisons with aware
    datetimes fail or, worse, silently shift. Naive input is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002 - API
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime refused: store timezone-aware UTC"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:  # noqa: ARG002 - API
        if value is None:
            return None
        if not isinstance(value, datetime):  # pragma: no cover - driver contract
            msg = f"unexpected datetime value {value!r}"
            raise TypeError(msg)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StrEnumType(TypeDecorator[E]):
    """A ``StrEnum`` stored as its value in a plain ``VARCHAR(length)``.

    The column is the same ``String(length)`` it was before (so Alembic sees no change and the
    stored values stay readable by hand); the ORM hands back enum members, so services compare
    members, never strings. A stored value outside the enum fails loudly on load.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:  # noqa: ARG002 - API
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:  # noqa: ARG002 - API
        return None if value is None else self.enum_class(value)
