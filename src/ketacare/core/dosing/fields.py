"""Reading protocol dictionaries field by field, with errors that name the offending field.

A custom protocol arrives as JSON written by a clinic admin, so every read is checked and every
failure raises ``Invalid`` whose ``field`` is the dotted path (``"dose_rule.soft_mg_per_kg.max"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from ketacare.core.errors import Invalid
from ketacare.core.units import to_decimal

E = TypeVar("E", bound=StrEnum)


def invalid(path: str, message: str) -> Invalid:
    """Build the ``protocol.invalid_field`` error for ``path``."""
    return Invalid("protocol.invalid_field", f"{path}: {message}", field=path)


class Fields:
    """A typed, path-aware view of one JSON object."""

    def __init__(self, data: object, path: str = "") -> None:
        """Wrap ``data``, which must be a mapping; ``path`` prefixes field names in errors."""
        if not isinstance(data, Mapping):
            raise invalid(path or "protocol", "must be an object")
        self._data: Mapping[str, object] = data
        self._path = path

    def path(self, key: str) -> str:
        """Dotted path of ``key`` inside this object."""
        return f"{self._path}.{key}" if self._path else key

    def names(self) -> list[str]:
        """The keys present, in order."""
        return [str(key) for key in self._data]

    def has(self, key: str) -> bool:
        """Whether ``key`` is present and not null."""
        return self._data.get(key) is not None

    def raw(self, key: str) -> object:
        """The value of a required key, unconverted."""
        if not self.has(key):
            raise invalid(self.path(key), "is required")
        return self._data[key]

    def text(self, key: str) -> str:
        """A required non-empty string."""
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise invalid(self.path(key), "must be a non-empty string")
        return value.strip()

    def opt_text(self, key: str) -> str | None:
        """An optional non-empty string."""
        return self.text(key) if self.has(key) else None

    def number(self, key: str) -> Decimal:
        """A required finite number > 0 (JSON number or decimal string)."""
        return parse_number(self.raw(key), self.path(key))

    def opt_number(self, key: str) -> Decimal | None:
        """An optional number > 0."""
        return self.number(key) if self.has(key) else None

    def integer(self, key: str, *, minimum: int = 1) -> int:
        """A required whole number >= ``minimum``."""
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise invalid(self.path(key), f"must be a whole number >= {minimum}")
        return value

    def opt_integer(self, key: str, *, minimum: int = 1) -> int | None:
        """An optional whole number."""
        return self.integer(key, minimum=minimum) if self.has(key) else None

    def flag(self, key: str, *, default: bool = False) -> bool:
        """An optional boolean."""
        if not self.has(key):
            return default
        value = self._data[key]
        if not isinstance(value, bool):
            raise invalid(self.path(key), "must be true or false")
        return value

    def choice(self, key: str, enum: type[E]) -> E:
        """A required member of ``enum`` given by its value."""
        value = self.raw(key)
        allowed = [member.value for member in enum]
        if value not in allowed:
            raise invalid(self.path(key), f"must be one of {', '.join(allowed)}")
        return enum(value)

    def items(self, key: str, *, required: bool = True) -> list[object]:
        """A list (non-empty when required); absent optional lists read as empty."""
        if not self.has(key):
            if required:
                raise invalid(self.path(key), "is required")
            return []
        value = self._data[key]
        if not isinstance(value, list) or (required and not value):
            raise invalid(self.path(key), "must be a non-empty list")
        return value

    def child(self, key: str) -> Fields:
        """A required nested object."""
        return Fields(self.raw(key), self.path(key))

    def opt_child(self, key: str) -> Fields | None:
        """An optional nested object."""
        return self.child(key) if self.has(key) else None


def parse_number(value: object, path: str) -> Decimal:
    """Parse a JSON number or decimal string at ``path``; it must be finite and > 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise invalid(path, "must be a number")
    try:
        result = to_decimal(value, field=path)
    except Invalid:
        raise invalid(path, "must be a number") from None
    if result <= 0:
        raise invalid(path, "must be greater than zero")
    return result
