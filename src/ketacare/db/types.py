"""Column types that keep SQLite honest about time zones and exact decimals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect
from sqlalchemy.types import TypeDecorator


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
